"""A message typed in pinyin is read as the Chinese it spells (bot.engine.spelled)."""

from __future__ import annotations

import pickle

import pytest

from bot.engine.core import ANSWERED, FALLBACK
from bot.engine.spelled import Spelling, syllabify


@pytest.mark.parametrize(
    "letters, syllables",
    [
        ("zhuanchuang", ["zhuan", "chuang"]),
        ("xian", ["xian"]),  # the fewest syllables: not xi an
        ("lvse", ["lv", "se"]),  # ü typed as v, as input methods take it
        ("hello", None),
        ("bsbqr", None),  # initials are not pinyin
        ("mn", None),  # nor a syllable without a vowel
    ],
)
def test_syllables_are_cut_as_an_input_method_cuts_them(letters, syllables):
    assert syllabify(letters) == syllables


@pytest.mark.parametrize(
    "message, spelled",
    [
        ("lvse tongdao", "绿色通道"),
        ("Xinyong Xiufu zenme ban?", "信用修复怎么办"),  # case and punctuation folded
        ("3yue fugong", "3月复工"),  # a digit parts syllables, and stays
        ("lǜsè tōngdào", "绿色通道"),  # tone marks, as an input method shows them
        ("lv4se4 tong1dao4", "绿色通道"),  # tones typed as numbers
        ("lvsetongdao", "绿色通道"),  # no space at all
        ("lstd zenme ban", "绿色通道怎么办"),  # a word typed as its initials
        ("luse tongdao", "绿色通道"),  # ü typed as u
        ("lvse tongdao？", "绿色通道"),  # full-width punctuation
        ("bumen xietiao jizhi", "部门协调机制"),  # 调 read tiao, not diao (its first reading)
    ],
)
def test_pinyin_is_spelled_in_the_knowledges_words(engine, message, spelled):
    assert engine.spelling(message) == spelled


@pytest.mark.parametrize(
    "message, spelled",
    [
        ("抚远 lvse tongdao 在哪", "抚远 绿色通道 在哪"),  # words together
        ("xinyong xiufu要什么材料", "信用修复要什么材料"),
        ("hello lvse 通道", "hello 绿色 通道"),  # else one by one
    ],
)
def test_pinyin_words_within_chinese_are_spelled_when_all_are_the_knowledges(
    engine, message, spelled
):
    assert engine.spelling(message) == spelled


@pytest.mark.parametrize(
    "message",
    [
        "where is the bank",  # English: where is not pinyin
        "绿色通道 pingguo",  # within Chinese: 苹果 is no word of the knowledge
        "我想去taobao买东西",  # nor 淘宝
        "网上办用哪个APP",  # APP is not pinyin
        "an",  # one syllable says too little
        "zc",  # so do two initials alone
        "ok lstd",  # ok is English, neither pinyin nor initials (bot.engine.initials.ENGLISH)
        "12345",
        "",
    ],
)
def test_other_messages_are_left_as_typed(engine, message):
    assert engine.spelling(message) is None


def test_a_syllable_no_word_has_stays_a_word_no_entry_uses(engine):
    # (piao is in no word of the knowledge: its character is none of the knowledge's either)
    spelled = engine.spelling("lvse tongdao piao")
    assert spelled is not None and spelled.startswith("绿色通道")
    assert engine.index.alphabet.rank[ord(spelled[-1])] < 0


def test_a_pinyin_question_is_answered_as_its_chinese(engine):
    answer = engine.answer("lvse tongdao shi shenme")
    assert answer.status == ANSWERED and answer.entry_id == "fugong-lvse-tongdao"
    assert answer.question == "lvse tongdao shi shenme"  # the sender's own words, as typed
    assert answer.language is None
    assert [c.id for c in engine.candidates("lvse tongdao")][:1] == ["fugong-lvse-tongdao"]


def test_english_still_gets_the_note_in_english(engine):
    answer = engine.answer("Where can I buy a SIM card")
    assert answer.status == FALLBACK and answer.language == "en"


def test_a_spelling_is_pickled_with_its_tables_whatever_it_was_asked(engine):
    # (The engine is shared: tests before this one made the tables already. A fresh one, which
    # has none, makes them to be pickled, and pickles alike.)
    made = engine.spelling
    fresh = Spelling(made.index, made.synonyms, made.entries, made.words)
    assert fresh._tables is None
    before = pickle.dumps(fresh)
    assert pickle.dumps(made) == before
    fresh("lvse tongdao")
    assert pickle.dumps(fresh) == before


def test_an_unpickled_spelling_reads_its_tables_never_making_them(engine, monkeypatch):
    # What a server started from the engine cache does (bot.engine.cache): a 100k-entry
    # knowledge's tables took 3.3 s of CPU to make.
    loaded = pickle.loads(pickle.dumps(engine.spelling))
    monkeypatch.setattr(Spelling, "_make_tables", lambda _: pytest.fail("tables made again"))
    assert loaded("lvse tongdao") == "绿色通道"
    assert loaded("办理bsbqr") == engine.spelling("办理bsbqr")


def test_a_synonym_groups_other_words_are_spelled_as_typed(engine):
    # 电话 is a word of 热线's synonym group (knowledge/synonyms.yaml), not of any indexed text:
    # it was spelled as the commonest characters of its sounds (点化), and the contact asked for
    # was lost.
    assert engine.spelling("zhaoshang xiaofendui dianhua") == "招商小分队电话"
    assert engine.spelling("抚远 zhuanchuang dianhua 多少") == "抚远 专窗电话 多少"
    # The team's entry gives no number: a contact asked of it is refused, not answered.
    assert engine.answer("zhaoshang xiaofendui dianhua").status == FALLBACK
