"""A letter in the official register (公文腔) is read as the plain question it asks: its salutation
and closing set aside, its words for who writes and to whom, "intend", "may" and "inquire" in
everyday Mandarin (docs/matching.md, twenty-first round)."""

from __future__ import annotations

import pytest

from bot.engine.focus import COMPARISON
from bot.engine.reading import BACKGROUND, fold_message, read
from bot.text.dialect import standard


def test_the_registers_words_are_everyday_ones():
    assert standard("我司拟在贵市投资") == "我们公司想在你们市投资"
    assert standard("本公司可否网上办") == "我们公司能否网上办"
    assert standard("想咨询贵单位") == "想咨询你们单位"
    assert standard("函询贵局专窗地址") == "想咨询你们专窗地址"  # 局 alone was a character to cover
    assert standard("恳请贵处告知") == "请你们告知"
    assert standard("敬请告知 烦请介绍") == "请告知 请介绍"
    # ...not a price, a place, a word of the knowledge nor another word of the same characters.
    assert standard("材料太贵处理不了") == "材料太贵处理不了"
    assert standard("贵州来的") == "贵州来的"
    assert standard("模拟审批拟定方案") == "模拟审批拟定方案"
    assert standard("本行业的企业") == "本行业的企业"
    assert standard("我处理不了") == "我处理不了"


def test_a_letters_salutation_and_closing_are_set_aside():
    assert fold_message("尊敬的工作人员：马上办有多少项，盼复。") == "马上办有多少项"
    assert fold_message("贵单位好，复工专窗在哪，不胜感激") == "复工专窗在哪"
    assert read(fold_message("尊敬的领导：您好！专窗在哪？望予答复")).text == "专窗在哪"
    assert fold_message("马上办有多少项，回复为盼") == "马上办有多少项"
    assert fold_message("专窗在哪？恳请回复") == "专窗在哪"
    # ...not what is asked about replies, nor a message that is all closing.
    assert fold_message("热线多久答复") == "热线多久答复"
    assert fold_message("请回复") == "请回复"


def test_a_request_of_the_register_asks():
    # 烦请 (敬请, 恳请…: 请) asks as 想了解 does: the clauses before it are background.
    reading = read(fold_message("我司拟在贵市建厂，烦请介绍贵市复工专窗的情况"))
    assert reading.asking == "请介绍你们市复工专窗的情况"


def test_the_senders_purpose_after_a_request_is_background():
    # 以便… says what the sender will do with the answer: its 对比 asks for no comparison.
    reading = read(fold_message("烦请告知马上办事项数量，以便我局编制对比材料"))
    assert reading.asking == "请告知马上办事项数量"
    assert reading.focus != COMPARISON
    assert read(fold_message("想了解网上办事项数量，便于安排人员")).clauses[1].weight == BACKGROUND
    # ...but 便于 opening a question asks it.
    assert read(fold_message("便于企业办事的措施有哪些")).asking == "便于企业办事的措施有哪些"


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        # Each refused before: 尊敬, 工作人员, 盼复 things to cover, the letter read as keywords.
        ("尊敬的工作人员：本公司拟在抚远投资，现函询贵市“一次办”事项数量，盼复。", "fgf-yiciban"),
        (
            "我司拟在贵市设厂，可否通过绿色通道办理复工复产，烦请告知，不胜感激",
            "fugong-lvse-tongdao",
        ),
        ("贵单位好，本所拟了解贵市公共服务事项的数量，望予答复", "fgf-gonggong-fuwu"),
        ("政务服务中心地址，恳请告知", "zhengwu-zhongxin-dizhi"),
        ("烦请告知马上办有多少项", "fgf-mashangban"),  # 烦 a character no entry has: 0.50
        ("烦请告知贵市政务服务中心的地址，以便我局前往对比学习", "zhengwu-zhongxin-dizhi"),
        ("烦请告知复工复产咨询电话，以便我单位对比核实", "fugong-zixun-dianhua"),
    ],
)
def test_a_letter_in_the_register_is_answered(engine, message, entry):
    answer = engine.answer(message)
    assert (answer.status, answer.entry_id) == ("answered", entry)
