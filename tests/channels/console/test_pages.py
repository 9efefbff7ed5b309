"""The console over HTTP, in process: every action, and every refusal (no session, wrong role,
bad CSRF token, bad edit), with what it leaves behind in the files and the database."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.admin import Admin
from bot.app import Request
from bot.channels.console import routes
from bot.channels.console.auth import Throttle
from bot.log.accounts import EDITOR, NAME_CHARS, REVIEWER
from bot.log.triage import IGNORED
from tests.support.console import (
    CHEAP,
    EDITOR_LOGIN,
    REVIEWER_LOGIN,
    TAUGHT,
    csrf_of,
    edit_form,
    gap_key,
    login,
)

WEATHER = "今天天气怎么样"
TRIP = "zs-kaocha-shandong"
ENTRY = "fugong-zhuanchuang"
FAQ = "faq/03-fugong-fuchan.yaml"


GUARDED_GETS = [
    "/admin/",
    "/admin/test",
    "/admin/gaps",
    "/admin/gaps.csv",
    "/admin/gaps.html",
    "/admin/entries",
    "/admin/entries/new",
    f"/admin/entries/{ENTRY}",
    "/admin/export.xlsx",
    "/admin/no-such-page",  # (which pages exist is not told before the login)
]
GUARDED_POSTS = [
    "/admin/test",
    "/admin/gaps/abc/state",
    "/admin/gaps/abc/teach",
    "/admin/entries/new",
    f"/admin/entries/{ENTRY}",
    "/admin/changes/1/revert",
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])  # HEAD: an uptime check's `curl -I`
@pytest.mark.parametrize("path", [*GUARDED_GETS, "/admin/login"])
def test_no_page_without_a_session(refused_client, path, method):
    reply = refused_client.request(method, path)
    if path == "/admin/login":  # a HEAD was read as a login with a stale form: 403 (probe18)
        assert reply.status_code == 200
        return
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/admin/login?next=")
    assert "知识" not in reply.text


@pytest.mark.parametrize("path", GUARDED_POSTS)
def test_no_action_without_a_session(refused_client, refused_site, path):
    before = (refused_site.knowledge / FAQ).read_text(encoding="utf-8")
    reply = refused_client.post(path, data={"csrf": "x", "question": "q", "state": IGNORED})
    assert reply.status_code == 401 and "请先登录" in reply.text
    assert (refused_site.knowledge / FAQ).read_text(encoding="utf-8") == before


def test_a_mistyped_address_and_an_unreadable_form_get_the_consoles_page(client):
    """A console address mistyped (or a bookmark of a page gone), and a form the console cannot
    read, got the web API's JSON error, in English too (probe22): now the console's own page."""
    token = login(client)
    missing = client.get("/admin/entrys")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "没有这个页面" in missing.text and 'href="/admin/"' in missing.text
    headers = {"content-type": "multipart/form-data"}  # no boundary: no browser sends it
    broken = client.post("/admin/import/sheet", content=f"csrf={token}", headers=headers)
    assert broken.status_code == 400 and "表单无法读取" in broken.text


def test_a_server_without_the_console_says_where_it_is():
    """`serve --workers N` has no console (its sessions live in one process): /admin got the
    web API's JSON 404 (probe22). It says where the console is."""
    from bot.channels.console import elsewhere
    from bot.channels.console.pages import ELSEWHERE

    with TestClient(Starlette(routes=elsewhere())) as http:
        for path in ("/admin", "/admin/", "/admin/gaps?since=7d"):
            reply = http.get(path, follow_redirects=False)
            assert reply.status_code == 404 and reply.text == ELSEWHERE, path


def test_login_sets_a_strict_http_only_cookie_and_pages_a_strict_csp(client):
    login(client)
    page = client.get("/admin/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from elsewhere
    assert "<script" not in page.text


def test_the_login_name_is_not_capitalised_by_a_phones_keyboard(client):
    """iOS and Android keyboards capitalise a text box's first letter: wang typed on a phone
    arrived as Wang, 用户名或密码不对 with the right password (probe18)."""
    box = re.search(r"<input[^>]*\bid=\"name\"[^>]*>", client.get("/admin/login").text).group(0)
    assert 'autocapitalize="none"' in box and 'autocorrect="off"' in box


def test_console_pages_name_their_icon(client):
    """Without a `<link rel="icon">` the browser asked for /favicon.ico on every console page:
    a 404 and a console error each time (the browser test ignores failed loads). The icon is
    empty and inline, which the page's CSP allows (img-src data:)."""
    pages = [client.get("/admin/login")]
    login(client)
    pages.append(client.get("/admin/"))
    for page in pages:
        assert '<link rel="icon" href="data:,">' in page.text
        assert "data:" in page.headers["content-security-policy"].split("img-src")[1]


def test_cookie_flags(site):
    client = TestClient(site.app, base_url="https://testserver", follow_redirects=False)
    form = client.get("/admin/login")
    name, password = EDITOR_LOGIN
    reply = client.post(
        "/admin/login", data={"csrf": csrf_of(form.text), "name": name, "password": password}
    )
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert "path=/admin" in cookie


def test_wrong_password_bad_login_token_and_throttling(site):
    app = Starlette(routes=routes(site.admin, site.sessions, Throttle(attempts=3)))
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/admin/login").text)
    reply = client.post("/admin/login", data={"csrf": "forged", "name": "wang", "password": "x"})
    assert reply.status_code == 403
    for _ in range(3):
        token = csrf_of(client.get("/admin/login").text)
        reply = client.post(
            "/admin/login", data={"csrf": token, "name": "wang", "password": "wrong"}
        )
        assert reply.status_code == 401 and "用户名或密码不对" in reply.text
    token = csrf_of(client.get("/admin/login").text)
    right = {"csrf": token, "name": "wang", "password": EDITOR_LOGIN[1]}
    reply = client.post("/admin/login", data=right)
    assert reply.status_code == 429 and int(reply.headers["retry-after"]) > 0
    assert "分钟后再试" in reply.text


def test_a_name_typed_in_full_width_logs_in_and_counts_as_its_account(site):
    # An input method left in full-width mode types ｗａｎｇ (probe16: 用户名或密码不对).
    throttle = Throttle(attempts=3)
    client = TestClient(
        Starlette(routes=routes(site.admin, site.sessions, throttle)), follow_redirects=False
    )
    # and a desktop's Wang (probe20)
    for name in ("ｗａｎｇ", "Wang"):
        token = csrf_of(client.get("/admin/login").text)
        wrong = {"csrf": token, "name": name, "password": "wrong"}
        assert client.post("/admin/login", data=wrong).status_code == 401
    assert [key for key in throttle.failures if key.startswith("name:")] == ["name:wang"]
    for name in ("ｗａｎｇ", "Wang"):
        client.cookies.clear()
        token = csrf_of(client.get("/admin/login").text)
        right = {"csrf": token, "name": name, "password": EDITOR_LOGIN[1]}
        assert client.post("/admin/login", data=right).status_code == 303


def test_a_failed_login_is_a_line_in_the_servers_log(site, caplog):
    # Wrong passwords left no trace: whoever runs the bot could not see someone guessing. The
    # line names the address and an existing account; never an unknown name, which may be a
    # password typed in the wrong box.
    client = TestClient(Starlette(routes=routes(site.admin, site.sessions, Throttle())))
    for name in ("wang", "correct-horse\nFAKE line"):
        token = csrf_of(client.get("/admin/login").text)
        reply = client.post(
            "/admin/login", data={"csrf": token, "name": name, "password": "wrong-password"}
        )
        assert reply.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert lines == [
        "console: failed login for account 'wang' from testclient",
        "console: failed login for an unknown name from testclient",
    ]


def test_a_login_name_longer_than_any_account_is_not_kept(site):
    """The throttle keeps each failed name for 15 minutes: a megabyte-long name per attempt,
    from every address an attacker holds, was a megabyte of the server's memory each for that
    long. No account name is longer than NAME_CHARS, so no more of one is kept or checked."""
    throttle = Throttle(attempts=3)
    client = TestClient(Starlette(routes=routes(site.admin, site.sessions, throttle)))
    token = csrf_of(client.get("/admin/login").text)
    huge = {"csrf": token, "name": "wang" + "x" * 500_000, "password": "wrong-password"}
    reply = client.post("/admin/login", data=huge)
    assert reply.status_code == 401 and "用户名或密码不对" in reply.text
    assert max(map(len, throttle.failures)) <= len("name:") + NAME_CHARS + 1


async def test_logins_sent_at_once_are_throttled_and_checked_two_at_a_time(site, monkeypatch):
    """40 wrong logins sent together from one address were all checked (the throttle counted a
    failure only once its check ended) and 40 Argon2id checks ran at once, 64 MiB each: the
    server's peak memory went from 0.26 to 2.2 GB. Now an attempt counts when it starts, and
    at most two checks run at a time whatever the addresses."""
    running, most = [0], [0]
    real = site.admin.accounts.verify

    def verify(name, password):
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.05)
        try:
            return real(name, password)
        finally:
            running[0] -= 1

    monkeypatch.setattr(site.admin.accounts, "verify", verify)

    async def attempt(app, number):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            token = csrf_of((await client.get("/admin/login")).text)
            data = {"csrf": token, "name": f"guess{number}", "password": "wrong-password"}
            return (await client.post("/admin/login", data=data)).status_code

    one_address = Starlette(routes=routes(site.admin, site.sessions, Throttle(attempts=5)))
    codes = await asyncio.gather(*(attempt(one_address, n) for n in range(12)))
    assert sorted(codes) == [401] * 5 + [429] * 7
    assert most[0] <= 2

    most[0] = 0
    many = Starlette(routes=routes(site.admin, site.sessions, Throttle(attempts=100)))
    codes = await asyncio.gather(*(attempt(many, n) for n in range(8)))
    assert codes == [401] * 8 and most[0] == 2


def test_a_right_password_does_not_count_against_the_address():
    throttle = Throttle(attempts=2)
    for _ in range(5):
        assert throttle.attempt("1.2.3.4", "wang") == 0
        throttle.succeeded("1.2.3.4", "wang")
    assert throttle.attempt("1.2.3.4", "li") == 0  # one failure of li's
    assert throttle.attempt("1.2.3.4", "li") == 0
    assert throttle.attempt("1.2.3.4", "wang") > 0  # the address has used its two


def test_an_ipv6_client_is_throttled_as_its_64_network():
    """One subscriber holds a whole IPv6 /64: counted per address, a guesser trying a common
    password on many names had 2^64 addresses' worth of attempts (the API's rate limit already
    counted the /64)."""
    throttle = Throttle(attempts=2)
    for n, name in enumerate(("wang", "li")):
        assert throttle.attempt(f"2001:db8:1:2::{n + 1}", name) == 0
    assert throttle.attempt("2001:db8:1:2:ffff::9", "zhao") > 0
    assert throttle.attempt("2001:db8:1:3::1", "zhao") == 0  # the next /64 is someone else
    throttle.succeeded("2001:db8:1:2::abc", "li")  # a right password gives the network one back
    assert throttle.attempt("2001:db8:1:2::1", "sun") == 0


def test_login_goes_back_only_inside_the_console(client):
    form = client.get("/admin/login")
    name, password = EDITOR_LOGIN
    reply = client.post(
        "/admin/login",
        data={
            "csrf": csrf_of(form.text),
            "name": name,
            "password": password,
            "next": "//evil.example/",
        },
    )
    assert reply.headers["location"] == "/admin/"


def test_idle_sessions_end(site, client):
    login(client)
    clock = [0.0]
    site.sessions.clock = lambda: clock[0]
    for session in site.sessions.active.values():
        session.seen = session.created = 0.0
    clock[0] = site.sessions.idle - 1
    assert client.get("/admin/").status_code == 200
    clock[0] += site.sessions.idle + 1
    assert client.get("/admin/").status_code == 303


def test_logout_ends_the_session(client):
    token = login(client)
    assert client.post("/admin/logout", data={"csrf": token}).status_code == 303
    assert client.get("/admin/").status_code == 303


def test_a_removed_demoted_or_reset_account_is_logged_out(site):
    # `policybot admin` runs in another process: its change must reach sessions already open.
    clients = [TestClient(site.app, follow_redirects=False) for _ in range(3)]
    tokens = [login(each) for each in clients]
    name = EDITOR_LOGIN[0]
    site.admin.accounts.add(name, EDITOR, "a new password 1", replace=True)
    assert clients[0].get("/admin/").status_code == 303
    assert login(clients[0], (name, "a new password 1"))
    site.admin.accounts.add(name, REVIEWER, "a new password 1", replace=True)
    reply = clients[1].post(f"/admin/entries/{ENTRY}", data={"csrf": tokens[1], "answer": "x"})
    assert reply.status_code == 401
    site.admin.accounts.remove(name)
    assert clients[2].get("/admin/").status_code == 303


@pytest.mark.parametrize(
    "path, data",
    [
        ("/admin/test", {"question": "复工"}),
        ("/admin/gaps/KEY/state", {"state": IGNORED}),
        ("/admin/gaps/KEY/teach", {"question": "抚远在哪", "entry_id": TRIP}),
        (f"/admin/entries/{ENTRY}", {"answer": "x"}),
        ("/admin/changes/1/revert", {}),
    ],
)
def test_a_post_without_the_sessions_csrf_token_is_refused(
    refused_client, refused_site, path, data
):
    client = refused_client
    login(client)
    path = path.replace("KEY", gap_key(client, WEATHER))
    before = (refused_site.knowledge / FAQ).read_text(encoding="utf-8")
    for token in (None, "forged"):
        reply = client.post(path, data={**data, **({"csrf": token} if token else {})})
        assert reply.status_code == 403 and "安全校验" in reply.text
    assert (refused_site.knowledge / FAQ).read_text(encoding="utf-8") == before
    assert gap_key(client, WEATHER) is not None


def test_a_reviewer_triages_but_cannot_change_knowledge(client, site):
    token = login(client, REVIEWER_LOGIN)
    key = gap_key(client, TAUGHT)
    reply = client.post(
        f"/admin/gaps/{key}/teach",
        data={"csrf": token, "question": TAUGHT, "entry_id": TRIP},
    )
    assert reply.status_code == 403 and "审核" in reply.text
    reply = client.post(f"/admin/entries/{ENTRY}", data={"csrf": token, "answer": "x"})
    assert reply.status_code == 403
    assert client.post("/admin/entries/new", data={"csrf": token}).status_code == 403
    assert 'id="save"' not in client.get(f"/admin/entries/{ENTRY}").text
    weather = gap_key(client, WEATHER)
    reply = client.post(f"/admin/gaps/{weather}/state", data={"csrf": token, "state": IGNORED})
    assert reply.status_code == 303


def test_test_pane_shows_status_answer_candidates_and_thresholds(client):
    token = login(client)
    page = client.post(
        "/admin/test", data={"csrf": token, "question": "复工复产去哪个窗口办理"}
    ).text
    assert 'id="status">回答<' in page and f">{ENTRY}</a>" in page
    assert "来源：" in page and "阈值" in page and page.count("去修改") == 5
    page = client.post("/admin/test", data={"csrf": token, "question": "黑瞎子岛门票多少钱"}).text
    assert 'id="status">兜底<' in page


def test_test_pane_questions_are_not_logged(client, site):
    token = login(client)
    before = len(list(site.admin.store.exchanges()))
    client.post("/admin/test", data={"csrf": token, "question": "公积金怎么交"})
    assert len(list(site.admin.store.exchanges())) == before


def test_ignoring_a_cluster_keeps_it_out_of_the_inbox(client, site, tmp_path):
    token = login(client)
    key = gap_key(client, WEATHER)
    reply = client.post(f"/admin/gaps/{key}/state", data={"csrf": token, "state": IGNORED})
    assert reply.status_code == 303
    assert gap_key(client, WEATHER) is None
    assert gap_key(client, WEATHER, IGNORED) == key
    # kept in the database: a new console process still has it ignored, with new traffic too
    site.service.ask(Request("今天天气怎么样", "web", user="someone-new"))
    again = Admin(site.service, site.admin.database, site.admin.zone, CHEAP)
    assert all(WEATHER not in g.cluster.questions for g in again.gaps())
    again.close()
    reply = client.post(f"/admin/gaps/{key}/state", data={"csrf": token, "state": "new"})
    assert gap_key(client, WEATHER) == key


@pytest.mark.slow
def test_teaching_a_gap_question_answers_it_and_closes_the_gap(client, site):
    token = login(client)
    question = TAUGHT
    assert site.service.engine.answer(question).status != "answered"
    key = gap_key(client, question)
    reply = client.post(
        f"/admin/gaps/{key}/teach", data={"csrf": token, "question": question, "entry_id": TRIP}
    )
    assert reply.status_code == 303, reply.text
    assert site.service.engine.answer(question).entry_id == TRIP  # live at once
    assert gap_key(client, question) is None and gap_key(client, question, "done") == key
    history = client.get(f"/admin/entries/{TRIP}").text
    assert "加相似问" in history and "wang" in history


def test_teaching_the_city_name_to_the_trip_entry_is_refused_with_the_reason(client, site):
    token = login(client)
    before = (site.knowledge / "faq/08-zhaoshang-yinzi.yaml").read_text(encoding="utf-8")
    key = gap_key(client, "抚远在哪")
    reply = client.post(
        f"/admin/gaps/{key}/teach", data={"csrf": token, "question": "抚远在哪", "entry_id": TRIP}
    )
    assert reply.status_code == 400
    assert "并没有回答这个问题" in reply.text and 'id="error"' in reply.text
    assert (site.knowledge / "faq/08-zhaoshang-yinzi.yaml").read_text(encoding="utf-8") == before
    assert gap_key(client, "抚远在哪") == key  # still open


def test_edit_with_a_wrong_figure_is_refused_by_the_field_then_fixed_then_reverted(client, site):
    login(client)
    path = site.knowledge / FAQ
    original = path.read_text(encoding="utf-8")
    form = edit_form(client, ENTRY)
    good = form["answer"]
    form["answer"] = good.replace("新增设了", "新增设了 8 个")
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 400
    assert re.search(r'id="error-answer"[^>]*>[^<]*“8”', reply.text)
    assert path.read_text(encoding="utf-8") == original
    form["answer"] = good.replace("新增设了", "新增设了专门的")
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 303 and reply.headers["location"].endswith("saved=1")
    assert "新增设了专门的" in site.service.engine.answer("复工复产去哪个窗口办理").answer
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith("#")  # comments kept
    page = client.get(f"/admin/entries/{ENTRY}").text
    change = re.search(r'action="/admin/changes/(\d+)/revert"', page).group(1)
    reply = client.post(f"/admin/changes/{change}/revert", data={"csrf": form["csrf"]})
    assert reply.status_code == 303
    assert site.service.engine.answer("复工复产去哪个窗口办理").answer == good.strip()
    assert path.read_text(encoding="utf-8") == original
    assert "撤销" in client.get(f"/admin/entries/{ENTRY}").text


def test_undoing_a_change_that_was_changed_since_is_refused(client, site):
    """撤销 puts the entry back as it was before that change: of an older change, it also took
    away every later one, a console save or a terminal's teach, without a word (probe18)."""
    login(client)
    path = site.knowledge / FAQ
    for phrasing in ("复工复产专窗在几楼", "复工复产专窗几点开门"):
        form = edit_form(client, ENTRY)
        form["similar"] += "\n" + phrasing
        assert client.post(f"/admin/entries/{ENTRY}", data=form).status_code == 303
    page = client.get(f"/admin/entries/{ENTRY}").text
    latest, older = re.findall(r'action="/admin/changes/(\d+)/revert"', page)[:2]
    assert int(latest) > int(older)
    reply = client.post(f"/admin/changes/{older}/revert", data={"csrf": form["csrf"]})
    assert reply.status_code == 409 and "又被修改过" in reply.text
    assert "复工复产专窗几点开门" in path.read_text(encoding="utf-8")
    # newest first, each undo leaves the entry as the change before it did
    for change in (latest, older):
        reply = client.post(f"/admin/changes/{change}/revert", data={"csrf": form["csrf"]})
        assert reply.status_code == 303, reply.text[:500]
    assert "复工复产专窗在几楼" not in path.read_text(encoding="utf-8")


def test_a_save_keeps_each_similar_question_whole(client, site):
    # The box holds one question a line, and people write commas: the form was also split at
    # every ， and 、 (as keywords are), so a save that changed nothing else turned
    # 您好，停工一段时间了，想复工复产，要去哪个窗口办 into four questions, 您好 among them.
    login(client)
    form = edit_form(client, ENTRY)
    before = site.service.engine.knowledge.by_id[ENTRY].similar
    asked = "您好，复工复产、开工的手续去哪个窗口办"
    form["similar"] += "\n" + asked
    assert client.post(f"/admin/entries/{ENTRY}", data=form).status_code == 303
    assert site.service.engine.knowledge.by_id[ENTRY].similar == (*before, asked)


def test_a_phrasing_another_entry_answers_is_refused_under_its_field(client, site):
    # The editor took 复工复产咨询电话's similar question 企业复工复产去哪个窗口办理？ (专窗's
    # own question, pasted into the wrong entry): that question, answered before, became a
    # choice between the two. `teach` refuses such a fight; the editor now does too.
    login(client)
    path = site.knowledge / FAQ
    original = path.read_text(encoding="utf-8")
    form = edit_form(client, "fugong-zixun-dianhua")
    form["similar"] += "\n企业复工复产去哪个窗口办理？"
    reply = client.post("/admin/entries/fugong-zixun-dianhua", data=form)
    assert reply.status_code == 400
    assert re.search(r'id="error-similar"[^>]*>[^<]*fugong-zhuanchuang', reply.text)
    assert path.read_text(encoding="utf-8") == original
    assert site.service.engine.answer("企业复工复产去哪个窗口办理？").entry_id == ENTRY


def test_reverting_a_change_number_past_sqlites_integers_is_no_such_change(client):
    # The route reads any number of digits; SQLite's integers stop at 2**63 - 1, and asking for
    # change 99999999999999999999999 was an OverflowError: a 500 with its traceback in the log.
    csrf = login(client)
    reply = client.post(f"/admin/changes/{10**23}/revert", data={"csrf": csrf})
    assert reply.status_code == 409 and "没有编号为" in reply.text


def test_renaming_an_entry_other_entries_link_to_is_refused(client, site):
    # 复工复产咨询电话 renamed in the editor: saved, and three entries' related questions lost
    # their link to it without a word (`validate` warned). Its id is only a key, never shown.
    login(client)
    form = edit_form(client, "fugong-zixun-dianhua")
    form["id"] = "fugong-dianhua"
    reply = client.post("/admin/entries/fugong-zixun-dianhua", data=form)
    assert reply.status_code == 400
    assert re.search(r'id="error-id"[^>]*>[^<]*fugong-zhuanchuang', reply.text)
    assert "fugong-zixun-dianhua" in site.service.engine.knowledge.by_id


def test_a_related_id_that_is_no_entry_is_refused_under_its_field(client, site):
    # A typo in 相关条目 (fugong-zhuanlna) was saved without a word and the link never showed
    # (`validate` warned).
    login(client)
    form = edit_form(client, "fugong-zixun-dianhua")
    form["related"] += "，fugong-zhuanlna"
    reply = client.post("/admin/entries/fugong-zixun-dianhua", data=form)
    assert reply.status_code == 400
    assert re.search(r'id="error-related"[^>]*>[^<]*fugong-zhuanlna', reply.text)


def test_a_stale_form_is_refused(client):
    login(client)
    first = edit_form(client, ENTRY)
    second = dict(first)
    first["question"] = "企业复工复产到哪个窗口办理？"
    assert client.post(f"/admin/entries/{ENTRY}", data=first).status_code == 303
    second["question"] = "复工复产去哪个窗口？"
    reply = client.post(f"/admin/entries/{ENTRY}", data=second)
    assert reply.status_code == 400 and "被别人修改过" in reply.text


def test_a_new_entry_drafted_from_a_gap_leaves_out_the_masks(client, site):
    """The gap page shows personal data masked; a draft made from it had the masks as its
    question, words the engine never sees in a user's message (probe18)."""
    login(client)
    site.service.ask(Request("我是王小明，电话13812345678，冷库在哪里租", "web", user="u"))
    site.service.log.flush()
    page = client.get(f"/admin/entries/new?gap={gap_key(client, '冷库')}").text
    assert "冷库在哪里租" in page and "[手机号]" not in page and "[姓名]" not in page


def test_a_new_entry_drafted_from_a_gap_closes_it_and_reverting_removes_it(client, site):
    token = login(client)
    key = gap_key(client, "公积金")
    page = client.get(f"/admin/entries/new?gap={key}").text
    assert "公积金怎么提取" in page
    source = site.service.engine.knowledge.by_id[ENTRY]
    form = {
        "csrf": token,
        "gap": key,
        "id": "gongjijin-tiqu",
        "category": source.category,
        "question": "公积金怎么提取？",
        "similar": "公积金怎么取\n住房公积金提取",
        "answer": "公积金提取窗口每天 8 点开门。",
        "document": source.source.document,
        "quote": source.source.quote,
    }
    reply = client.post("/admin/entries/new", data=form)
    assert reply.status_code == 400 and 'id="error-answer"' in reply.text  # 8 is in no source
    form["answer"] = "知识库的来源文件没有写公积金提取办法，请到政务服务中心咨询。"
    reply = client.post("/admin/entries/new", data=form)
    assert reply.status_code == 303, reply.text
    assert site.service.engine.answer("公积金怎么提取").entry_id == "gongjijin-tiqu"
    assert gap_key(client, "公积金") is None
    page = client.get("/admin/entries/gongjijin-tiqu").text
    change = re.search(r'action="/admin/changes/(\d+)/revert"', page).group(1)
    assert client.post(f"/admin/changes/{change}/revert", data={"csrf": token}).status_code == 303
    assert "gongjijin-tiqu" not in site.service.engine.knowledge.by_id


def test_downloads(client):
    login(client)
    sheet = client.get("/admin/export.xlsx")
    assert sheet.content[:2] == b"PK" and "attachment" in sheet.headers["content-disposition"]
    csv = client.get("/admin/gaps.csv").content.decode("utf-8-sig")
    assert csv.startswith("次数,用户数,代表问题")
    report = client.get("/admin/gaps.html").text
    assert "兜底" in report and "Asia/Shanghai" in report


def test_dashboard_shows_rates_chart_and_time_zone(client):
    login(client)
    page = client.get("/admin/").text
    assert 'id="total">35<' in page and "<svg" in page and "Asia/Shanghai" in page


def test_gaps_show_their_trend(client, site):
    login(client)
    weather = next(g for g in site.admin.gaps() if WEATHER in g.cluster.questions)
    assert weather.recent == weather.cluster.count and weather.earlier == 0
    page = client.get("/admin/gaps").text
    assert f"近 7 天 {weather.recent} 次（之前 7 天 0 次，↑ 在增加）" in page


def test_test_pane_shows_the_engines_explanation_when_it_gives_one(client, monkeypatch):
    from bot.engine.core import Answer

    plain = Answer.to_dict
    monkeypatch.setattr(
        Answer,
        "to_dict",
        lambda self: {**plain(self), "focus": "门票价格", "uncovered": ["门票", "多少钱"]},
    )
    token = login(client)
    page = client.post("/admin/test", data={"csrf": token, "question": "黑瞎子岛门票多少钱"}).text
    assert "问题焦点" in page and "门票价格" in page and "门票、多少钱" in page
