"""A term typed with a nine-key keypad slip (拿上办 for 马上办) is read as the term."""

from __future__ import annotations

import pickle

from bot.engine.core import ANSWERED
from bot.text.keypad import Keypad, keys

_TERMS = (
    "马上办",
    "网上办",
    "就近办",
    "一次办",
    "绿色通道",
    "开春即开工",
    "黑瞎子岛",
    "审批",
    "参公室",
)


def test_keys_are_what_a_nine_key_keyboard_types():
    assert keys("马") == keys("拿") == "62"
    assert keys("就") == keys("留") == "548"
    assert keys("绿") == keys("聚") == "58"  # (lü typed v, on the 8 key)
    assert keys("A") == keys("，") == ""
    # The reading as typed, not as the sound features fold it: shi (744) is not si (74), qi's
    # keys (信用监管起什么作用 is no slip of 是什么).
    assert keys("是") == "744" != keys("起")


def test_a_term_with_one_character_of_the_same_keys_is_read_as_the_term():
    keypad = Keypad(_TERMS)
    assert keypad("拿上办有多少项") == "马上办有多少项"
    assert keypad("样上办有多少项") == "网上办有多少项"
    assert keypad("留近办多少项") == "就近办多少项"
    assert keypad("一笔办有多少项") == "一次办有多少项"  # (the middle one: 一?办)
    assert keypad("复工复产聚色通道") == "复工复产绿色通道"
    assert keypad("开春即来工是啥部署") == "开春即开工是啥部署"
    assert keypad("黑瞎子饭示范区怎么规划") == "黑瞎子岛示范区怎么规划"
    assert keypad("拿上办和留近办各多少") == "马上办和就近办各多少"


def test_what_is_no_slip_is_left_as_typed():
    keypad = Keypad(_TERMS)
    for message in [
        "马上办有多少项",  # the term itself
        "码上办有多少项",  # a homophone: the sound features read it
        "网上报关要不要交系统使用费",  # 报关 is a word: what was meant
        "新车第一次保养做什么",  # 保养
        "网上操作用哪个系统",  # 操作
        "办公室在几楼",  # a word itself, not a slip of a term typed alike (参公室)
        "审四服务改革有啥",  # a term of two characters: 房地产 would be 当地产
        "拿铁多少钱",
    ]:
        assert keypad(message) is None, message


def test_two_terms_of_the_same_keys_are_not_guessed_between():
    # 马上办 and 那上办 type alike: a slip of either is neither.
    assert Keypad(("马上办", "那上办"))("拿上办有多少项") is None


def test_a_pickled_keypad_reads_as_the_one_it_was_made_from():
    keypad = Keypad(_TERMS)
    keypad.ready()
    again = pickle.loads(pickle.dumps(keypad))
    assert again._tables is None  # (made again on first need, not carried in an engine cache)
    assert again("留近办多少项") == keypad("留近办多少项") == "就近办多少项"


def test_a_keypad_slip_of_a_term_is_answered_as_the_term(engine):
    for message, entry in [("拿上办有多少项", "fgf-mashangban"), ("留近办多少项", "fgf-jiujinban")]:
        answer = engine.answer(message)
        assert (answer.status, answer.entry_id) == (ANSWERED, entry), message
        assert engine.as_read(message)[0] != message
