"""Words typed as their pinyin initials are read as the knowledge's words (bot.engine.initials),
by the table of the knowledge's own texts; invented examples, none from an eval set."""

from __future__ import annotations

import pytest

from bot.engine.core import ANSWERED, FALLBACK
from bot.engine.initials import Abbreviations, keys, letters_of
from bot.text.normalize import normalize_all
from bot.text.sounds import every_reading
from bot.text.words import Words

# Invented entries: per entry, its texts.
TEXTS = [
    ("营业执照怎么办理", "营业执照在哪领"),
    ("复工复产专窗在哪里", "复工复产专窗电话"),
    ("扶持政策有哪些", "复工复产扶持政策"),
    ("省重点项目有几个",),
    ("市重点项目有几个",),
    ("营商环境怎么样",),
]
GROUPS = (("营业执照", "执照", "营业证"),)


@pytest.fixture(scope="module")
def table() -> Abbreviations:
    words = Words(["营业执照", "复工复产", "重点项目"])
    every = every_reading({c for texts in [*TEXTS, *GROUPS] for text in texts for c in text})
    return Abbreviations.of(
        enumerate(TEXTS),
        normalize_all,
        lambda run: words(run, search=False),
        GROUPS,
        letters_of(every),
    )


def test_the_initials_of_a_word_are_its_characters_first_readings_then_others():
    letters = letters_of(every_reading("办事不求人协调月"))
    assert keys("办事不求人", letters, others=False) == ["bsbqr"]
    assert keys("协调", letters) == ["xd", "xt"]  # 调: diao first, tiao
    assert keys("3月", letters) == []  # (a digit has no reading)


@pytest.mark.parametrize(
    "runs, context, read",
    [
        (["yyzz"], "", ["营业执照"]),  # a word of the texts
        (["fgfczc"], "", ["复工复产专窗"]),  # a run of words of one text
        (["yyzzdh"], "", [None]),  # 电话 is in no text after 营业执照: none
        (["yshj"], "", ["营商环境"]),
        (["ddjj"], "", [None]),  # initials of no word of the knowledge
        (["zc"], "复工复产", ["专窗"]),  # two letters: the word of the message's entries
        (["zc"], "扶持", ["政策"]),
        (["fgfc", "zc"], "", ["复工复产", "专窗"]),  # told by a run of three letters or more
        (["szdxm"], "", [None]),  # 省 or 市重点项目: two entries' words, nothing tells which
        (["yyzz", "app", "ok"], "", ["营业执照", None, None]),  # English is left as typed
    ],
)
def test_runs_are_read_as_the_knowledges_words(table, runs, context, read):
    assert table.read(runs, context) == read


def test_english_words_are_never_initials_even_of_a_word_of_the_knowledge():
    # (a table with a word under app's letters: 安排批 is invented)
    table = Abbreviations({"app": {"安排批": (1, frozenset({0}), 1)}})
    assert table.read(["app"], "") == [None]


def test_a_synonyms_word_is_found_where_its_group_is(table):
    assert table.read(["yyz"], "") == ["营业证"]  # (in no text: its group's entries)
    assert table.read(["zz"], "怎么办理") == ["执照"]


@pytest.mark.parametrize(
    "message, spelled",
    [
        ("zwfwzx zai na", "政务服务中心在哪"),  # initials and pinyin together
        ("zwfwzx dz dh", "政务服务中心地址电话"),  # two letters beside a longer run
        ("B S B Q R", "办事不求人"),  # capitals, typed letter by letter
        ("gqxty 是干啥的", "关企协调员 是干啥的"),  # within Chinese
        ("Gqxty是干啥的", "关企协调员是干啥的"),
    ],
)
def test_initials_in_a_message_are_spelled_as_the_knowledges_words(engine, message, spelled):
    assert engine.spelling(message) == spelled


@pytest.mark.parametrize(
    "message",
    [
        "药店GSP认证怎么办",  # two or three capitals within Chinese: an acronym
        "航班CZ3101延误了",  # letters with digits: a code
        "用哪个app办",  # English
        "我想去taobao买",  # pinyin no word of the knowledge spells is not initials
        "zz",  # two letters alone say too little
    ],
)
def test_other_latin_letters_are_left_as_typed(engine, message):
    assert engine.spelling(message) is None


def test_a_message_in_initials_is_answered_and_shows_how_it_was_read(engine):
    answer = engine.answer("gqxty shi gan sha de")
    assert answer.status == ANSWERED and answer.entry_id == "haiguan-xietiaoyuan"
    assert answer.question == "gqxty shi gan sha de"  # as typed
    assert "关企协调员" in answer.to_dict()["read_as"]


def test_an_abbreviation_of_no_word_of_the_knowledge_is_not_answered(engine):
    assert engine.answer("jt tq zm y").status == FALLBACK
