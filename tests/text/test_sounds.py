"""A character's sound read from pypinyin's single-character table is what pypinyin says."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypinyin import Style, lazy_pinyin

from bot.text import sounds


def _said(code: int) -> str:
    return lazy_pinyin(chr(code), style=Style.NORMAL, errors="default")[0]


def _compared(codes: list[int]) -> list[int]:
    """The code points whose reading differs from pypinyin's (none expected)."""
    readings = sounds.readings()
    return [code for code in codes if readings.get(code, chr(code)) != _said(code)]


def test_readings_with_marks_beyond_the_five_vowels_are_pypinyins():
    from pypinyin.pinyin_dict import pinyin_dict  # (the table as pypinyin reads it: toned)

    # ü (written v), ê, and the syllabic m and n, some as a letter and a combining mark.
    plain = set("abcdefghijklmnopqrstuvwxyzāáǎàēéěèīíǐìōóǒòūúǔù")
    unusual = [code for code, read in pinyin_dict.items() if set(read.split(",")[0]) - plain]
    samples = list(sounds.readings())[::50]
    outside = [0x41, 0x3000, 0xE000, 0x2A6D6, 0x10FFFF]  # (not in the table: itself)
    assert len(unusual) > 100 and set(pinyin_dict) == set(sounds.readings())
    assert _compared(unusual + samples + outside) == []
    assert sounds.sound("绿") == "lv" and sounds.sound("中") == "zong"  # (zh folded to z)


@pytest.mark.slow
def test_every_reading_in_pypinyins_table_is_pypinyins():
    assert _compared(list(sounds.readings())) == []


def test_sounds_are_worked_out_without_importing_pypinyin():
    # Importing it loads its phrase dictionary (55 MB resident), which a character never reads.
    code = "from bot.text.sounds import sound; import sys; print(sound('中'), 'pypinyin' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["zong", "False"]


def test_every_reading_gives_the_first_first():
    assert sounds.every_reading("调行") == {"调": ("diao", "tiao"), "行": ("xing", "hang", "heng")}
