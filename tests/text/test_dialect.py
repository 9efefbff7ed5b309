"""Dialect question words are put in standard Mandarin before a message is read."""

from __future__ import annotations

from bot.engine.asked import asked_for
from bot.engine.focus import DEFINITION, PLACE, TIME, YES_NO
from bot.engine.reading import fold_message, read
from bot.text.dialect import standard


def test_cantonese_and_south_western_question_words_are_standard():
    assert standard("绿色通道系咪真嘅") == "绿色通道是不是真的"
    assert standard("专窗喺边度") == "专窗在哪里"
    assert standard("信用修复要几多日") == "信用修复要多少日"
    assert standard("有冇网上办") == "有没有网上办"
    assert standard("园区做了啥子") == "园区做了啥"
    assert standard("咋个预约") == "怎么预约"


def test_not_is_standard_only_between_a_verb_and_itself():
    assert standard("要唔要预约") == "要不要预约"
    assert standard("唔该") == "唔该"  # Cantonese "thanks", not 不该


def test_a_message_without_dialect_is_left_as_it_is():
    assert standard("复工专窗在哪里") == "复工专窗在哪里"
    # 边个 only where it is "who", not 边 before 个体 or 个别.
    assert standard("专窗旁边个体户多吗") == "专窗旁边个体户多吗"
    assert standard("周边个别企业") == "周边个别企业"
    assert standard("揾边个") == "揾谁"


def test_a_dialect_question_is_read_as_its_standard_one():
    # Folded first: the traditional 點樣 is simplified before it is put in Mandarin.
    assert read(fold_message("專窗喺邊度？")).focus == PLACE
    assert read(fold_message("减证便民是乜嘢")).focus == DEFINITION
    assert read(fold_message("园区几时开工")).focus == TIME
    assert read(fold_message("可唔可以网上办")).focus == YES_NO
    assert not read(fold_message("招商点樣做")).keywords  # 点样 asks how


def test_the_particle_of_a_dialect_what_is_no_thing_asked_for(engine):
    # 啥子: its 子 was a thing the entry had to mention.
    folded = fold_message("园区给企业做了啥子")
    assert "子" not in asked_for(folded, engine.wording.content, engine.canonical)
