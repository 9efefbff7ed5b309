"""Telling a question written in another language, so it gets a note in that language.

A question with no Chinese in it is answered with the usual fallback and its `language`, for which
channels put a note first that the bot answers in Chinese (`bot.channels.render.FOREIGN_NOTES`).
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


def foreign_language(folded: str) -> str | None:
    """The language of a question written without Chinese, by its script; None for Chinese
    (or for what has no letters: numbers, emoji)."""
    for language, script in _SCRIPTS:
        # Kana and hangul are never Chinese; Latin and Cyrillic may be a word in a Chinese
        # question (app, 12345), so those count only without any Chinese character.
        letters = len(script.findall(folded))
        if language in ("ja", "ko") and letters:
            return language
        if letters >= 3 and not _HAN.search(folded):
            return language
    return None
