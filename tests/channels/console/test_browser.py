"""The console in a real browser (Debian's Chromium through Playwright): every step of the
admin walkthrough in docs/console.md, as an admin clicks through it. With POLICYBOT_SCREENSHOTS
set to a folder, the screenshots the docs show are written there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import chromium_browser, watched_tab
from tests.support.console import EDITOR_LOGIN, TAUGHT, console_site
from tests.support.servers import serving

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

TRIP = "zs-kaocha-shandong"
ENTRY = "fugong-zhuanchuang"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The console's routes served by uvicorn on 127.0.0.1, over a seeded log."""
    site = console_site(tmp_path_factory.mktemp("console"))
    with serving(site.app) as base:
        yield base, site
    site.close()


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as launched:
        yield launched


@pytest.fixture
def page(browser):
    """A fresh browser profile; fails the test on any script error, console error or CSP
    violation (the console has no scripts, so any of those is a bug). Refusals (401, 403) are
    expected answers here, their status codes tested over HTTP: the browser's "Failed to load
    resource" for them is not a problem."""
    with watched_tab(browser, {"width": 1280, "height": 900}, ("Failed to load resource",)) as tab:
        yield tab


def screenshot(page, name: str) -> None:
    folder = os.environ.get("POLICYBOT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def ask(page, base: str, question: str) -> None:
    page.goto(f"{base}/admin/test")
    page.fill("#question", question)
    page.click("#ask")
    page.wait_for_selector("#result")


def gap(page, text: str):
    return page.locator("article.gap", has_text=text)


def test_the_admin_walkthrough(page, server):
    base, _ = server
    expect = playwright_api.expect

    # Nothing under /admin without a session: the browser lands on the login form.
    page.goto(f"{base}/admin/gaps")
    expect(page).to_have_url(f"{base}/admin/login?next=/admin/gaps")
    page.fill("#name", EDITOR_LOGIN[0])
    page.fill("#password", "wrong password")
    page.click("#login")
    expect(page.locator(".error")).to_contain_text("用户名或密码不对")
    page.fill("#name", EDITOR_LOGIN[0])
    page.fill("#password", EDITOR_LOGIN[1])
    screenshot(page, "01-login")
    page.click("#login")
    expect(page).to_have_url(f"{base}/admin/gaps")  # back where the admin was going

    # The dashboard.
    page.goto(f"{base}/admin/")
    expect(page.locator("#total")).to_have_text("35")
    expect(page.locator("svg.chart rect.bar").first).to_be_visible()
    screenshot(page, "02-dashboard")

    # The test pane.
    ask(page, base, "复工复产去哪个窗口办理")
    expect(page.locator("#status")).to_have_text("回答")
    expect(page.locator("#answered-entry")).to_have_text(ENTRY)
    expect(page.locator("#candidates tbody tr")).to_have_count(5)
    screenshot(page, "03-test-pane")

    # The gap inbox: teach a gap question to the entry that answers it...
    page.goto(f"{base}/admin/gaps")
    screenshot(page, "04-gaps")
    cluster = gap(page, TAUGHT)
    cluster.locator("select[name=question]").select_option(TAUGHT)
    cluster.locator("input[name=entry_id]").fill(TRIP)
    cluster.locator("form.teach button").click()
    expect(page.locator("#message")).to_contain_text(f"已把 “{TAUGHT}” 加为 {TRIP}")
    expect(gap(page, TAUGHT)).to_have_count(0)
    ask(page, base, TAUGHT)
    expect(page.locator("#status")).to_have_text("回答")
    expect(page.locator("#answered-entry")).to_have_text(TRIP)

    # ...and be refused, with the reason, when the entry does not answer it.
    page.goto(f"{base}/admin/gaps")
    cluster = gap(page, "抚远在哪")
    cluster.locator("input[name=entry_id]").fill(TRIP)
    cluster.locator("form.teach button").click()
    expect(page.locator("#error")).to_contain_text("并没有回答这个问题")
    expect(gap(page, "抚远在哪")).to_have_count(1)
    screenshot(page, "05-teach-refused")

    # The entry editor: a wrong figure is shown by the answer field and not saved...
    page.goto(f"{base}/admin/entries/{ENTRY}")
    answer = page.locator("#f-answer")
    good = answer.input_value()
    answer.fill(good.replace("新增设了", "新增设了 8 个"))
    page.click("#save")
    expect(page.locator("#error-answer")).to_contain_text("“8”")
    screenshot(page, "06-editor-error")
    ask(page, base, "复工复产去哪个窗口办理")
    expect(page.locator("#shown")).not_to_contain_text("8 个")

    # ...fixed, it is saved and the bot answers with it at once...
    page.goto(f"{base}/admin/entries/{ENTRY}")
    page.locator("#f-answer").fill(good.replace("新增设了", "新增设了专门的"))
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    ask(page, base, "复工复产去哪个窗口办理")
    expect(page.locator("#shown")).to_contain_text("新增设了专门的")

    # ...and one click in its history puts it back.
    page.goto(f"{base}/admin/entries/{ENTRY}")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    screenshot(page, "07-history")
    page.locator("#history button.revert").first.click()
    expect(page.locator("#saved")).to_be_visible()
    ask(page, base, "复工复产去哪个窗口办理")
    expect(page.locator("#shown")).to_contain_text(good.strip()[:30])
    expect(page.locator("#shown")).not_to_contain_text("新增设了专门的")

    # Ignore a cluster: it leaves the inbox and stays in the ignored tab.
    page.goto(f"{base}/admin/gaps")
    gap(page, "今天天气怎么样").locator("button", has_text="忽略").click()
    expect(page.locator("#message")).to_contain_text("已忽略")
    expect(gap(page, "今天天气怎么样")).to_have_count(0)
    page.goto(f"{base}/admin/gaps?tab=ignored")
    expect(gap(page, "今天天气怎么样")).to_have_count(1)

    # Import a sheet: the report, and the bot answers from it at once...
    page.goto(f"{base}/admin/import")
    sheet = "问题,答案\n营业执照补办要带什么,带身份证原件到政务服务中心综合窗口办理。\n,\n"
    upload = {"name": "部门问答.csv", "mimeType": "text/csv", "buffer": sheet.encode()}
    page.locator("#sheet input[type=file]").set_input_files(upload)
    page.click("#import-sheet")
    expect(page.locator("#import-report")).to_contain_text("导入 1 个条目")
    expect(page.locator("#import-report")).to_contain_text("第 3 行")
    screenshot(page, "08-import")
    ask(page, base, "营业执照补办要带什么")
    expect(page.locator("#shown")).to_contain_text("身份证原件")

    # ...and a policy document, whose missing date is asked for before anything is written.
    page.goto(f"{base}/admin/import")
    text = "关于优化营商环境的若干措施\n\n第一条 企业开办时间压缩至1个工作日以内。\n"
    upload = {"name": "若干措施.txt", "mimeType": "text/plain", "buffer": text.encode()}
    page.locator("#document input[type=file]").set_input_files(upload)
    page.click("#add-document")
    expect(page.locator("#document-errors")).to_contain_text("没有找到发布日期")
    page.locator("#document input[type=file]").set_input_files(upload)
    page.locator("#document input[name=title]").fill("关于优化营商环境的若干措施")
    page.locator("#document input[name=date]").fill("2024-03-01")
    page.click("#add-document")
    expect(page.locator("#document-report")).to_contain_text("《关于优化营商环境的若干措施》")
    screenshot(page, "09-document")

    # Log out: /admin is refused again.
    page.click("#logout")
    expect(page).to_have_url(f"{base}/admin/login")
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(f"{base}/admin/login?next=/admin/")
