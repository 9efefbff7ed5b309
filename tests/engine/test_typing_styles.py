"""Messages typed in a style of their own: a space after every word or two (a foreign buyer
writing Chinese, voice input), a question asked as a statement to confirm (…的吧) or as two
alternatives (是…还是…), a line of the article pasted before the question (「…」…), a numbered
list (1. … 2. …)."""

from __future__ import annotations

from bot.engine._marks import labelled
from bot.engine.reading import BACKGROUND, fold_message, joined_words, read
from bot.text.normalize import fold


def test_a_message_typed_word_by_word_is_joined_into_its_clauses():
    # A space stays where a comma would stand: after the greeting, after who the sender is
    # (with the piece that names what they are), after a particle that ends a question.
    assert joined_words("您好 我是越南 老板 网上 办 的 事项 有 几 项 吗 在 哪 里 办") == (
        "您好 我是越南老板 网上办的事项有几项吗 在哪里办"
    )
    assert joined_words("你好 我是泰国人 冷链 园区 什么 时候 建 好") == (
        "你好 我是泰国人 冷链园区什么时候建好"
    )
    # Who the sender is may be typed word by word too, its role up to three pieces on.
    assert joined_words("你好 我 是 越南 人 复工 专窗 在 哪 里") == "你好 我是越南人 复工专窗在哪里"
    assert joined_words("我们 是 一家 泰国 公司 网上 办 的 有 几 项") == (
        "我们是一家泰国公司 网上办的有几项"
    )
    # Folded as any message is: traditional script, width and punctuation inside a piece.
    assert joined_words("請問 專窗 在 哪 裡？ 幾 點 上班") == "请问 专窗在哪里 几点上班"


def test_spaces_between_clauses_or_keywords_are_left_as_they_are():
    # Not typed word by word: fewer than two characters stand alone between spaces.
    for message in ["复工 网上办 自助办", "办营业执照有啥快的法子不 材料差一样中不中", "专窗 在哪"]:
        assert joined_words(message) == fold(message), message


def test_a_message_typed_word_by_word_reads_as_the_same_message_punctuated():
    spaced = "你好 我是越南 老板 复工 专窗 在 哪 里 几 点 上班 呢 我们 想 下 周 去"
    punctuated = "你好，我是越南老板，复工专窗在哪里几点上班呢？我们想下周去"
    assert read(fold_message(spaced)) == read(fold_message(punctuated))
    # Without it, every word was a clause, and the asking clause 上班 呢.
    assert len(read(fold_message(spaced)).clauses) == 2


def test_a_statement_ending_in_ba_asks_to_have_it_confirmed():
    message = "物流老板问：复工专窗是设在政务服务中心一楼的吧"
    reading = read(fold_message(message), label=labelled(message))
    assert reading.asking == "复工专窗是设在政务服务中心一楼的吧"
    assert not reading.keywords
    assert reading.clauses[0].weight == BACKGROUND  # who asks, not what is asked
    # Only where nothing asks with a question word: after a question it is a second thought.
    assert read(fold_message("复工专窗在哪里，是在一楼吧")).asking == "复工专窗在哪里"
    # ...nor a request (想确认下: what it wants to confirm is said there).
    assert (
        read(fold_message("网上办是683项吧，我想确认下网上办的数")).asking == "我想确认下网上办的数"
    )
    assert read(fold_message("好吧")).keywords  # agreeing, not asking


def test_an_alternative_question_asks_which():
    reading = read(fold_message("我在工地上干活，疫情期间项目是停工还是照常干"))
    assert reading.asking == "疫情期间项目是停工还是照常干"
    # 不管是A还是B concedes both: the question is the clause that asks.
    for message, asking in [
        ("营业执照去哪办，不管是个体户还是企业", "营业执照去哪办"),
        ("无论是国企还是民企，补贴怎么申请", "补贴怎么申请"),
    ]:
        assert read(fold_message(message)).asking == asking, message


def test_a_pasted_line_of_the_article_is_a_clause_of_its_own():
    reading = read(fold_message("「复工专窗设在一楼，当天可办」这个专窗在哪栋楼"))
    assert [c.text for c in reading.clauses] == ["复工专窗设在一楼", "当天可办", "这个专窗在哪栋楼"]
    assert reading.asking == "这个专窗在哪栋楼"
    # A term quoted, within a sentence or opening it, stays in its clause.
    for message in ["抚远的「办事不求人」是怎么推进的", "「办事不求人」是怎么推进的"]:
        assert len(read(fold_message(message)).clauses) == 1, message


def test_zhe_me_tells_and_asks_nothing():
    assert read(fold_message("网上办有几项，报纸上是这么写的")).asking == "网上办有几项"
    assert read(fold_message("网上办为什么要这么搞")).asking == "网上办为什么要这么搞"


def test_does_anyone_know_asks_the_question_asked_with_it():
    reading = read(fold_message("群友问：复工专窗设在哪栋楼，有人知道吗"), label="群友问")
    assert reading.asking == "复工专窗设在哪栋楼"
    # Alone, it is what the message asks.
    assert read(fold_message("谁知道专窗在哪")).asking == "谁知道专窗在哪"


def test_a_numbered_lists_item_numbers_end_clauses_and_are_no_words():
    # Each number was a clause of its own: 3 was the clause 有几个 pointed back to.
    reading = read(fold_message("1. 我写论文 2. 冷库建了哪些 3. 有几个"))
    assert [c.text for c in reading.clauses] == ["我写论文", "冷库建了哪些", "有几个"]
    assert fold_message("冷库在哪？2.电话多少？") == fold_message("冷库在哪？电话多少？")
    assert fold_message("①冷库在哪②电话多少") == fold_message("（1）冷库在哪（2）电话多少")
    assert fold_message("①冷库在哪②电话多少") == "冷库在哪 电话多少"
    # ...but a figure is: a decimal, two months, two batches.
    for message in ["冷库投资1.5亿", "冷库3、4月份开工", "第1、2批冷库", "冷库2.3亿"]:
        assert fold_message(message) == fold(message), message


def test_a_numbered_list_is_answered_as_its_questions(engine):
    # Its numbers were clauses: 3 was what 有几个 pointed back to, and the 11 projects'
    # investment answered.
    answer = engine.answer("1. 我在写报告 2. 4月7日集中开工了哪些重点项目 3. 有几个")
    assert (answer.status, answer.entry_id) == ("answered", "xiangmu-jizhong-kaigong")
