"""Telling a question written in another language, so it gets a note in that language.

A question with no Chinese in it (or with kana or hangul and no clause in Chinese) is answered with
the usual fallback and its `language`, for which channels put a note first that the bot answers in
Chinese (`bot.channels.render.FOREIGN_NOTES`).
Told apart by script, which is all that is needed here.
"""

from __future__ import annotations

import re

_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana: Japanese even with kanji in it
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("en", re.compile(r"[a-z]")),
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
# A clause: what lies between punctuation or spaces.
_CLAUSES = re.compile(r"[^\s,.!?;:，。！？；：、]+")


def foreign_language(folded: str) -> str | None:
    """The language of a question written without Chinese, by its script; None for Chinese
    (or for what has no letters: numbers, emoji)."""
    for language, script in _SCRIPTS:
        letters = len(script.findall(folded))
        # Kana and hangul are never Chinese, but a learner may greet in Korean (안녕하세요) and
        # then ask in Chinese; Latin and Cyrillic may be a word in a Chinese question (app,
        # 12345), so those count only without any Chinese character.
        if language in ("ja", "ko") and letters and not _asked_in_chinese(folded, letters):
            return language
        if letters >= 3 and not _HAN.search(folded):
            return language
    return None


def _asked_in_chinese(folded: str, letters: int) -> bool:
    """Whether a message with kana or hangul in it is Chinese all the same: more Chinese
    characters than kana and hangul, and a clause of four or more of them with neither (Japanese
    puts kana, its particles and endings, in nearly every clause; kanji alone run short)."""
    if len(_HAN.findall(folded)) <= letters:
        return False
    return any(
        len(_HAN.findall(clause)) >= 4 and not _KANA_HANGUL.search(clause)
        for clause in _CLAUSES.findall(folded)
    )
