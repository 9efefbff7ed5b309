"""The chat widget in a real browser (Debian's Chromium, headless, driven by Playwright) on the
demo page of a running `policybot serve`: a conversation with the mouse, one with the keyboard
alone, and one on a phone-size screen.

`POLICYBOT_SCREENSHOTS=docs/images pytest tests/channels/web/test_widget.py` also saves the
screenshots the docs show.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from bot.log.store import Exchange, SQLiteStore
from tests.support.browser import chromium_browser, watched_tab
from tests.support.flows import ANSWERED, LIST, OUT_OF_SCOPE, flows_copy, flows_engine
from tests.support.web import serve_process

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

ZHUANCHUANG = ANSWERED
CLARIFY = LIST
INJECTION = '<img src=x onerror="document.title=1">复工<script>document.title=2</script>'
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`policybot serve` on a free port with a throwaway log, on the small fixed knowledge of
    `tests.support.flows` under thresholds that answer `ANSWERED` and list three choices for
    `LIST` whatever the engine's tuning."""
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "log.sqlite3"
    knowledge = flows_copy(folder / "knowledge", flows_engine({LIST: 3}, (ANSWERED,)).thresholds)
    with serve_process(db, {"POLICYBOT_KNOWLEDGE": str(knowledge)}) as (base, _):
        yield base, db


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as launched:
        yield launched


@pytest.fixture
def page(browser, server):
    """A fresh tab (own sessionStorage) on the demo page; fails the test on any script error,
    console error or CSP violation."""
    with watched_tab(browser, {"width": 1280, "height": 800}) as tab:
        tab.goto(server[0] + "/")
        yield tab


def screenshot(page, name: str) -> None:
    folder = os.environ.get("POLICYBOT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def ask(page, question: str, status: str):
    """Type a question, send it with Enter, and return the answer's message once it is shown."""
    before = page.locator(f".msg.{status}").count()
    page.fill("#pb-question", question)
    page.press("#pb-question", "Enter")
    answer = page.locator(f".msg.{status}").nth(before)
    answer.wait_for()
    return answer


def test_a_conversation_with_the_mouse(page, server):
    expect = playwright_api.expect
    launcher = page.locator("button.launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#pb-panel")).to_be_visible()
    expect(page.locator(".msg.topics").first).to_contain_text("您好")  # welcome and topics

    answer = ask(page, ZHUANCHUANG, "answered")
    expect(answer.locator(".text")).to_contain_text("复工复产专窗")
    expect(answer.locator(".source")).to_contain_text("来源：《")
    expect(answer.locator(".source")).to_contain_text("2022-05-26")
    expect(answer.locator(".choice", has_text="复工复产有没有绿色通道")).to_be_visible()
    answer.locator(".vote-up").click()
    expect(answer.locator(".thanks")).to_have_text("谢谢您的反馈！")
    expect(answer.locator(".vote-up")).to_have_count(0)
    screenshot(page, "web-widget-answer.png")

    clarify = ask(page, CLARIFY, "clarify")
    expect(clarify.locator(".text")).to_have_text("您是想问：")
    choices = clarify.locator(".choice")
    expect(choices.last).to_have_text("都不是")
    screenshot(page, "web-widget-clarify.png")
    # However long the conversation, the panel's header stays in view (only the log scrolls).
    assert page.locator("#pb-panel").evaluate("panel => panel.scrollTop") == 0
    expect(page.locator("#pb-title")).to_be_in_viewport()
    picked = choices.first.inner_text()
    answered = page.locator(".msg.answered").count()
    choices.first.click()
    expect(choices.first).to_be_disabled()
    expect(page.locator(".msg.user").last).to_contain_text(picked)
    expect(page.locator(".msg.answered")).to_have_count(answered + 1)
    expect(page.locator(".msg.answered").last.locator(".source")).to_contain_text("来源：")

    fallback = ask(page, OUT_OF_SCOPE, "fallback")
    expect(fallback.locator(".text")).to_contain_text("12345")
    topics = page.locator(".msg.topics")
    shown = topics.count()  # the welcome's list is one: wait for the new one, not that
    fallback.locator(".choice", has_text="浏览主题").click()
    expect(topics).to_have_count(shown + 1)
    expect(topics.last.locator(".choice").first).to_be_visible()
    screenshot(page, "web-widget-fallback.png")

    # The conversation is remembered for the tab: a new page of the portal shows it again.
    messages = page.locator(".msg").count()
    page.reload()
    expect(page.locator("#pb-panel")).to_be_visible()
    expect(page.locator(".msg")).to_have_count(messages)
    expect(page.locator(".thanks").first).to_be_visible()  # the vote is remembered too

    with sqlite3.connect(server[1]) as db:
        channels = db.execute("SELECT channel, status FROM exchanges").fetchall()
        feedback = db.execute("SELECT kind FROM feedback ORDER BY id").fetchall()
    assert channels[-3:] == [("web", "answered"), ("web", "clarify"), ("web", "fallback")]
    assert feedback[-2:] == [("helpful",), ("picked",)]


def test_user_text_never_becomes_markup(page):
    page.click("button.launcher")
    page.fill("#pb-question", INJECTION)
    page.press("#pb-question", "Enter")
    playwright_api.expect(page.locator(".msg.user").last).to_contain_text(INJECTION)
    page.locator(".msg.bot:not(.topics):not(.waiting)").last.wait_for()
    assert page.locator("#policybot-widget img, #policybot-widget script").count() == 0
    assert page.title() != "1" and page.title() != "2"


def focused(page) -> dict:
    """What has the keyboard focus, looking inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            let node = document.activeElement;
            while (node && node.shadowRoot && node.shadowRoot.activeElement) {
                node = node.shadowRoot.activeElement;
            }
            return node ? {id: node.id, cls: node.className, text: node.textContent} : {};
        }"""
    )


def test_keyboard_alone(page):
    expect = playwright_api.expect
    for _ in range(40):  # Tab through the portal page until the widget's button
        page.keyboard.press("Tab")
        if "launcher" in focused(page).get("cls", ""):
            break
    else:
        pytest.fail("Tab never reached the widget's button")
    page.keyboard.press("Enter")
    expect(page.locator("#pb-panel")).to_be_visible()
    assert focused(page)["id"] == "pb-question"
    assert page.locator("#pb-panel").get_attribute("role") == "dialog"
    assert page.locator(".log").get_attribute("aria-live") == "polite"

    page.keyboard.type(CLARIFY)
    page.keyboard.press("Enter")
    clarify = page.locator(".msg.clarify").first
    clarify.wait_for()
    expect(page.locator("#pb-question")).to_be_focused()
    first = clarify.locator(".choice").first.inner_text()
    for _ in range(10):  # back from the question box to the first choice
        page.keyboard.press("Shift+Tab")
        if focused(page).get("text") == first:
            break
    else:
        pytest.fail("Shift+Tab never reached the clarify choices")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.answered")).to_have_count(1)
    expect(page.locator("#pb-question")).to_be_focused()

    # Escape during an input method's composition cancels the pinyin, not the panel.
    page.locator("#pb-question").evaluate(COMPOSING_ESCAPE)
    expect(page.locator("#pb-panel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#pb-panel")).to_be_hidden()
    assert "launcher" in focused(page)["cls"]
    expect(page.locator("button.launcher")).to_have_attribute("aria-expanded", "false")


def test_phone_screen(browser, server):
    expect = playwright_api.expect
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(server[0] + "/")
    page.tap("button.launcher")
    panel = page.locator("#pb-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (
        0,
        0,
        PHONE["width"],
        PHONE["height"],
    )
    page.tap("#pb-question")
    answer = ask(page, ZHUANCHUANG, "answered")
    expect(answer.locator(".source")).to_be_visible()
    answer.locator(".source").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for control in (page.locator(".send"), page.locator(".close"), answer.locator(".vote-up")):
        assert control.bounding_box()["height"] >= 40  # big enough for a finger
    screenshot(page, "web-widget-phone.png")
    page.tap(".close")
    expect(panel).to_be_hidden()
    expect(page.locator("button.launcher")).to_be_visible()
    context.close()


def test_fields_the_engine_adds_are_shown(page, server):
    """The widget renders from the JSON: a yes/no confirm and a fallback's near topics (as the
    engine adds them) work without a change to the widget. The server's answers are replaced
    here, the rest (pick, entries) is real: the confirm's exchange is put in the server's log,
    which a pick must name."""
    expect = playwright_api.expect
    store = SQLiteStore(server[1])
    store.write(
        [
            Exchange(
                id="abc123",
                at="2026-11-27T00:00:00.000+00:00",
                channel="web",
                chat_type=None,
                user_key=None,
                question="复工窗口",
                status="clarify",
                entry_id=None,
                score=0.5,
                candidates=[{"id": "fugong-zhuanchuang", "score": 0.5}],
                latency_ms=0.0,
                knowledge_version="test",
            )
        ]
    )
    store.close()
    confirm = {
        "question": "复工窗口",
        "status": "clarify",
        "confirm": True,
        "answer": "您是想问“企业复工复产去哪个窗口办理”吗？",
        "text": "您是想问“企业复工复产去哪个窗口办理”吗？",
        "near_heading": None,
        "choices": [{"id": "fugong-zhuanchuang", "question": "企业复工复产去哪个窗口办理？"}],
        "exchange": "abc123",
        "sources": [],
    }
    fallback = {
        "question": "复工补贴",
        "status": "fallback",
        # As the API sends it: the near topics end the answer's text, under a heading; `text`
        # is the answer without them, `near_heading` the heading.
        "answer": "抱歉，知识库里暂时没有这个问题的答案。\n您也可以看看这些相关问题：\n"
        "· 复工复产有没有绿色通道？",
        "text": "抱歉，知识库里暂时没有这个问题的答案。",
        "near_heading": "您也可以看看这些相关问题：",
        "near": [{"id": "fugong-lvse-tongdao", "question": "复工复产有没有绿色通道？"}],
        "exchange": "abc124",
        "sources": [],
    }
    # A message asking two things, the second answer from another document (probe20: only
    # the first's source was shown, under both).
    two = {
        "question": "复工专窗在哪，年报怎么报",
        "status": "answered",
        "answer": "到复工复产专窗。\n\n另外，关于「年报怎么报」：\n网上报。",
        "text": "到复工复产专窗。\n\n另外，关于「年报怎么报」：\n网上报。",
        "near_heading": None,
        "exchange": "abc125",
        "sources": [{"document": "news", "title": "报道", "date": "2022-05-26"}],
        "also": [
            {
                "entry_id": "nianbao",
                "question": "年报怎么报？",
                "answer": "网上报。",
                "sources": [{"document": "sheet", "title": "部门问答", "date": "2026-11-28"}],
            }
        ],
    }
    replies = iter([confirm, fallback, two])
    page.route(
        "**/api/v1/ask",
        lambda route: route.fulfill(json=next(replies), headers={"cache-control": "no-store"}),
    )
    page.click("button.launcher")
    asked = ask(page, "复工窗口", "clarify")
    buttons = asked.locator(".choice")
    expect(buttons).to_have_text(["是的", "不是"])
    buttons.first.click()
    expect(page.locator(".msg.user").last).to_contain_text("企业复工复产去哪个窗口办理")
    expect(page.locator(".msg.answered").last.locator(".source")).to_be_visible()

    shown = ask(page, "复工补贴", "fallback")
    near = shown.locator(".choice", has_text="复工复产有没有绿色通道")
    expect(near).to_be_visible()
    # Shown once, as a button under the text's own heading: not also as a line of the text.
    expect(shown.locator(".text")).to_have_text("抱歉，知识库里暂时没有这个问题的答案。")
    expect(shown.locator(".label")).to_have_text("您也可以看看这些相关问题：")
    near.click()
    # Wait for the second answer itself: the first one's related topics already name 绿色通道, so
    # `.last` would match before this answer arrived and the next ask would count it as its own.
    answered = page.locator(".msg.answered")
    expect(answered).to_have_count(2)
    expect(answered.last.locator(".text")).to_contain_text("绿色通道")

    shown = ask(page, "复工专窗在哪，年报怎么报", "answered")
    expect(shown.locator(".source")).to_have_text(
        ["来源：《报道》，2022-05-26", "来源：《部门问答》，2026-11-28"]
    )


# Escape pressed in the question box while an input method is composing, as the browser sends it.
COMPOSING_ESCAPE = """(box) => box.dispatchEvent(
  new KeyboardEvent("keydown", { key: "Escape", isComposing: true, bubbles: true, composed: true })
)"""


# The page's fetch, with the answer to the first question held back three seconds.
SLOW_FIRST_ANSWER = """(() => {
  const real = window.fetch;
  let asked = 0;
  window.fetch = function (url) {
    const reply = real.apply(this, arguments);
    if (!String(url).endsWith("/api/v1/ask") || asked++) return reply;
    return reply.then((r) => new Promise((done) => setTimeout(() => done(r), 3000)));
  };
})();"""


def test_a_slow_answer_stays_under_its_own_question(browser, server):
    """Two questions sent before the first is answered: the first one's answer arrived last
    and was shown last, under the second question (an out-of-scope one, so the page read as
    if 黑瞎子岛门票多少钱 were answered with the 专窗). Each answer takes its question's place,
    in the tab and after a reload."""
    expect = playwright_api.expect
    with watched_tab(browser, {"width": 1280, "height": 800}) as page:
        page.add_init_script(SLOW_FIRST_ANSWER)
        page.goto(server[0] + "/")
        page.click("button.launcher")
        page.fill("#pb-question", ZHUANCHUANG)
        page.press("#pb-question", "Enter")
        ask(page, OUT_OF_SCOPE, "fallback")
        page.locator(".msg.answered").wait_for()
        conversation = page.locator(".msg:not(.topics)")
        kinds = ["user", "answered", "user", "fallback"]
        for _ in range(2):
            expect(conversation).to_have_count(4)
            for number, kind in enumerate(kinds):
                expect(conversation.nth(number)).to_have_class(re.compile(rf"\b{kind}\b"))
            expect(conversation.nth(0)).to_contain_text(ZHUANCHUANG)
            expect(conversation.nth(2)).to_contain_text(OUT_OF_SCOPE)
            page.reload()
            page.locator(".msg.fallback").wait_for()


def test_a_duplicated_tab_takes_a_session_of_its_own(browser, server):
    """A duplicated tab copies sessionStorage, and with it the session: a "2" typed in one
    picked from the list the other had shown last (probe13, fixed by probe20). Here the copy
    is made by hand, as the browser's 复制标签页 does; the tab opened first keeps its session."""
    with watched_tab(browser, {"width": 1280, "height": 800}) as first:
        first.goto(server[0] + "/")
        first.click("button.launcher")
        ask(first, CLARIFY, "clarify")
        stored = first.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")
        second = first.context.new_page()
        second.add_init_script(
            f"if (!sessionStorage.length) Object.entries({stored}).forEach("
            "([k, v]) => sessionStorage.setItem(k, v));"
        )
        second.goto(server[0] + "/")
        session = "Object.values(sessionStorage).map(s => JSON.parse(s).session)[0]"
        mine = first.evaluate(session)
        playwright_api.expect(second.locator(".msg.clarify")).to_have_count(1)  # the copy
        for _ in range(100):  # (wait_for_function evaluates a string: the page's CSP forbids)
            if second.evaluate(session) != mine:
                break
            second.wait_for_timeout(100)
        assert second.evaluate(session) != mine
        assert first.evaluate(session) == mine
        ask(second, "2", "smalltalk")  # no list open for the copy's new session


def test_a_message_too_long_is_kept_and_said_not_cut(page):
    """The question box cut pasted text at 500 characters without a word (a question at the
    end of a long message was lost and the rest asked); now the text stays whole in the box
    and the widget says how long it may be."""
    expect = playwright_api.expect
    asked = []
    page.on("request", lambda r: r.url.endswith("/api/v1/ask") and asked.append(r))
    page.click("button.launcher")
    long = "您好，" + "我们是做水产加工的小企业，" * 60 + ZHUANCHUANG
    page.fill("#pb-question", long)
    page.press("#pb-question", "Enter")
    note = page.locator(".msg.error").last
    expect(note).to_contain_text("500")
    expect(note).to_contain_text(str(len(long)))
    expect(page.locator("#pb-question")).to_have_value(long)
    assert asked == []
    page.fill("#pb-question", ZHUANCHUANG)
    ask(page, ZHUANCHUANG, "answered")


def test_an_emoji_is_one_character_as_the_server_counts(page):
    """The limit counted UTF-16 code units, so an emoji counted 2 (a 300-character question
    with 🙏s was refused as over 500); the widget now counts characters as the server does
    (Python's `len`: code points)."""
    expect = playwright_api.expect
    page.click("button.launcher")
    question = ZHUANCHUANG + "🙏" * (500 - len(ZHUANCHUANG))
    with page.expect_request(lambda r: r.url.endswith("/api/v1/ask")) as sent:
        page.fill("#pb-question", question)
        page.press("#pb-question", "Enter")
    assert len(sent.value.post_data_json["question"]) == 500
    expect(page.locator(".msg.error")).to_have_count(0)
    page.fill("#pb-question", question + "🙏")
    page.press("#pb-question", "Enter")
    expect(page.locator(".msg.error").last).to_contain_text("有 501 个字")


def test_a_welcome_lost_to_the_network_comes_at_the_next_opening(browser, server):
    """A phone whose network dropped the first request never got the welcome and the topic
    list: the error took their place, and the widget asked for them only while the
    conversation was empty, so not at any later opening, nor after a reload of the page."""
    expect = playwright_api.expect
    with watched_tab(browser, {"width": 1280, "height": 800}, ("Failed to load resource",)) as page:
        lost: list[str] = []

        def first_lost(route):
            if lost:
                route.continue_()
            else:
                lost.append(route.request.url)
                route.abort()

        page.route("**/api/v1/topics", first_lost)
        page.goto(server[0] + "/")
        launcher = page.locator("button.launcher")
        launcher.click()
        expect(page.locator(".msg.error")).to_contain_text("网络连接出错了")
        launcher.click()  # closed, and opened again
        launcher.click()
        expect(page.locator(".msg.topics")).to_have_count(1)
        expect(page.locator(".msg.topics")).to_contain_text("您好")
        launcher.click()
        launcher.click()
        page.reload()
        expect(page.locator(".msg.topics")).to_have_count(1)  # once it came, once only


def test_browsing_keeps_the_menu_once_for_the_tab(page):
    """Each step of browsing saved every question of the knowledge again in sessionStorage:
    with a large knowledge (thousands of entries) it filled up, every save then failed, and the
    next page of the portal showed an older conversation (probe23)."""
    expect = playwright_api.expect
    page.locator("button.launcher").click()
    topics = page.locator(".msg.topics")
    expect(topics.first.locator(".choice").first).to_be_visible()
    for _ in range(3):
        shown = topics.count()
        topics.last.locator(".choice").first.click()  # a category
        expect(topics).to_have_count(shown + 1)
        question = topics.last.locator(".choice").first.inner_text()
        topics.last.locator(".topics-link .choice").click()  # 返回主题
        expect(topics).to_have_count(shown + 2)
    stored = page.evaluate("Object.values(sessionStorage).join('')")
    assert stored.count(question) == 1
    messages = page.locator(".msg").count()
    page.reload()
    expect(page.locator(".msg")).to_have_count(messages)
    shown = topics.count()
    topics.first.locator(".choice").first.click()  # the menu shown before the reload still works
    expect(topics).to_have_count(shown + 1)
    expect(topics.last.locator(".choice").first).to_have_text(question)


def test_a_large_category_is_browsed_a_page_at_a_time(page):
    """`/api/v1/topics` gives each category's first page of questions and its `count`: the
    widget offers 更多问题 while some are not shown, and asks for the next page (probe24: every
    question of 100k entries came at each first opening, megabytes)."""
    expect = playwright_api.expect
    questions = [{"id": f"q{n}", "question": f"大类问题{n}号"} for n in range(120)]
    topics = {"name": "测试", "welcome": "您好", "version": "v"}
    topics["topics"] = [{"category": "大类", "count": 120, "questions": questions[:50]}]
    asked: list[str] = []

    def fake(route):
        query = route.request.url.partition("?")[2]
        asked.append(query)
        if not query:
            return route.fulfill(json=topics)
        number = int(query.rpartition("page=")[2])
        shown = questions[number * 50 : (number + 1) * 50]
        route.fulfill(json={"category": "大类", "count": 120, "page": number, "questions": shown})

    page.route("**/api/v1/topics*", fake)
    page.reload()
    page.locator("button.launcher").click()
    menus = page.locator(".msg.topics")
    menus.first.locator(".choice", has_text="大类").click()
    expect(menus).to_have_count(2)
    expect(menus.last.locator(".choices:not(.topics-link) .choice")).to_have_count(50)
    for number, count in ((1, 50), (2, 20)):
        menus.last.locator(".choice", has_text="更多问题").click()
        expect(menus).to_have_count(2 + number)
        expect(menus.last.locator(".choices:not(.topics-link) .choice")).to_have_count(count)
        expect(menus.last.locator(".choice").first).to_have_text(f"大类问题{number * 50}号")
    expect(menus.last.locator(".choice", has_text="更多问题")).to_have_count(0)
    assert asked[1:] == ["category=%E5%A4%A7%E7%B1%BB&page=1", "category=%E5%A4%A7%E7%B1%BB&page=2"]
