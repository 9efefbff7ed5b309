"""The console inside `policybot serve` as deployed: a real process on 127.0.0.1, an account made
with `policybot admin add-user`, an edit saved over HTTP and answered by the API at once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from tests.support.console import csrf_of
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.web import serve_process

pytestmark = pytest.mark.slow

ENTRY = "fugong-zhuanchuang"


@pytest.fixture
def served(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    env = {key: value for key, value in os.environ.items() if not key.startswith("POLICYBOT_")}
    env.update(POLICYBOT_DB=str(tmp_path / "log.sqlite3"), POLICYBOT_KNOWLEDGE=str(knowledge))
    subprocess.run(
        [sys.executable, "-m", "bot", "admin", "add-user", "wang", "--role", "editor"],
        input="a long password\n",
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with serve_process(tmp_path / "log.sqlite3", {"POLICYBOT_KNOWLEDGE": str(knowledge)}) as (
        base,
        _,
    ):
        yield base


def test_the_console_is_served_and_its_edits_answer_at_once(served):
    with httpx.Client(base_url=served, timeout=30) as client:
        refused = client.get("/admin/")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/admin/login")
        form = client.get("/admin/login")
        assert "default-src 'none'" in form.headers["content-security-policy"]
        data = {"csrf": csrf_of(form.text), "name": "wang", "password": "a long password"}
        assert client.post("/admin/login", data=data).status_code == 303
        page = client.get(f"/admin/entries/{ENTRY}")
        assert page.status_code == 200
        values = dict(
            re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page.text)
        )
        values.update(re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"', page.text))
        for name, text in re.findall(
            r'<textarea id="f-\w+" name="(\w+)"[^>]*>(.*?)</textarea>', page.text, re.S
        ):
            values[name] = text
        values["document"] = re.search(r'<option value="([^"]+)" selected>', page.text).group(1)
        values["answer"] = values["answer"].replace("新增设了", "新增设了专门的")
        saved = client.post(f"/admin/entries/{ENTRY}", data=values)
        assert saved.status_code == 303, saved.text
        answer = client.post("/api/v1/ask", json={"question": "复工复产去哪个窗口办理"}).json()
        assert "新增设了专门的" in answer["answer"]
