"""Messages typed in a style of their own: a space after every word or two (a foreign buyer
writing Chinese, voice input)."""

from __future__ import annotations

from bot.engine.reading import fold_message, joined_words, read
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
