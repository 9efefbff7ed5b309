"""A message dictated with its punctuation spoken (a screen-reader user: …逗号…问号) has the
marks written before it is read."""

from __future__ import annotations

from bot.engine.reading import fold_message, read
from bot.text.dictation import punctuated


def test_spoken_marks_are_written_as_marks():
    assert punctuated("视障朋友逗号专窗在哪里问号") == "视障朋友，专窗在哪里？"
    assert punctuated("我听写的冒号材料要几份句号谢谢感叹号") == "我听写的：材料要几份。谢谢！"
    assert punctuated("网上办顿号自助办分号都行省略号") == "网上办、自助办；都行……"
    # 什么 before a mark is the question it ends, not a noun taking it.
    assert punctuated("园区叫什么问号") == "园区叫什么？"


def test_paired_marks_close_on_their_closing_side():
    assert punctuated("左书名号方案右书名号有几条问号") == "《方案》有几条？"
    assert punctuated("前引号马上办后引号是啥") == "“马上办”是啥"
    assert punctuated("流程是什么左括号第12号右括号") == "流程是什么（第12号）"
    # Said without a side, both are opening marks: the reading drops quotes whatever their side.
    assert punctuated("引号马上办引号") == "“马上办“"


def test_a_mark_spoken_of_as_a_thing_stays_a_word():
    for message in [
        "材料上打个问号",
        "疫情防控画上句号了吗",
        "名称要加引号吗",
        "问号怎么打",
        "逗号和句号",
    ]:
        assert punctuated(message) == message, message


def test_a_mark_word_whose_hao_starts_the_next_word_stays_a_word():
    # 请问 + 号码: read as a mark, 请问号码是多少 was 请？码是多少.
    for message in ["请问号码是多少", "我想问号牌在哪办", "请问号段怎么分", "想问号召企业的活动"]:
        assert punctuated(message) == message, message
    assert punctuated("专窗电话号码多少问号") == "专窗电话号码多少？"


def test_a_message_without_a_mark_word_is_left_as_it_is():
    assert punctuated("7号楼的专窗在哪") == "7号楼的专窗在哪"


def test_a_dictated_message_reads_as_the_same_message_typed():
    dictated = "我是视障用户逗号想问复工专窗在哪里问号我们下周去"
    typed = "我是视障用户，想问复工专窗在哪里？我们下周去"
    assert read(fold_message(punctuated(dictated))) == read(fold_message(typed))
    # Read as words, 逗号 and 问号 were words of the question, not where its clauses end.
    assert "问号" in read(fold_message(dictated)).asking


def test_the_engine_answers_a_dictated_message_as_the_typed_one(engine):
    dictated = engine.answer("视障朋友逗号复工复产专窗在哪里问号")
    typed = engine.answer("视障朋友，复工复产专窗在哪里？")
    assert (dictated.status, dictated.entry_id) == (typed.status, typed.entry_id)
    assert dictated.status == "answered"
