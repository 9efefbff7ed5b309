"""Turn what people type into the canonical form that both questions and knowledge are indexed in.

Users type full-width letters, traditional characters, emoji, punctuation and polite filler
("请问一下……吗？"). None of that carries meaning for retrieval, so it is folded away here, once,
for queries and knowledge alike: matching only ever compares normalized text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from bot.privacy import redact

# Longest first, so that "请问一下" is removed whole before "请问" could leave "一下" behind.
FILLERS = sorted(
    [
        "请问一下",
        "请问",
        "麻烦问一下",
        "麻烦问下",
        "麻烦",
        "打扰一下",
        "打扰了",
        "想问一下",
        "想问下",
        "想问问",
        "想咨询一下",
        "想咨询下",
        "咨询一下",
        "咨询下",
        "我想问",
        "问一下",
        "问下",
        "了解一下",
        "帮我查一下",
        "帮我查查",
        "帮忙",
        "你好",
        "您好",
        "谢谢",
        "多谢",
        "一下",
        "吗",
        "呢",
        "啊",
        "呀",
        "吧",
        "嘛",
        "哦",
        "喔",
        "呗",
        "啦",
        "哇",
        "呐",
    ],
    key=len,
    reverse=True,
)
_FILLER_RE = re.compile("|".join(map(re.escape, FILLERS)))

# Everything that is not a letter or a digit (punctuation, symbols, emoji, marks, controls,
# separators) becomes a boundary: it never carries meaning for retrieval.
_KEEP_CATEGORIES = ("L", "N")

_t2s = opencc.OpenCC("t2s")

# Dates and counts are written both ways (二月份 / 2月, 7号 / 7日, 十一个 / 11个); one form each.
_DIGITS = {ch: n for n, ch in enumerate("零一二三四五六七八九")} | {"两": 2}
_COUNTED_RE = re.compile(r"([零一二两三四五六七八九十]{1,3})(?=[月日号个项亿])")
_DAY_RE = re.compile(r"(\d)[号日]")


def _numeral(match: re.Match) -> str:
    text = match.group(1)
    if "十" not in text:
        return "".join(str(_DIGITS[ch]) for ch in text) if len(text) == 1 else text
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str(_DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0))


def _numbers(text: str) -> str:
    text = _COUNTED_RE.sub(_numeral, text).replace("月份", "月")
    return _DAY_RE.sub(r"\1日", text)


def fold(text: str) -> str:
    """Width, script and case folding, with every non-word character turned into one space."""
    # Lone surrogates (from broken clients) cannot even be encoded: drop them first.
    text = unicodedata.normalize("NFKC", text).encode("utf-8", "ignore").decode("utf-8")
    text = _t2s.convert(text).lower()
    out = [ch if unicodedata.category(ch)[0] in _KEEP_CATEGORIES else " " for ch in text]
    return " ".join("".join(out).split())


def strip_fillers(text: str) -> str:
    """Remove politeness and question particles; they appear in every question alike."""
    return " ".join(_FILLER_RE.sub(" ", text).split())


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The matching form of a question: without personal numbers (a phone number says nothing
    about the question), folded, then without fillers."""
    return strip_fillers(_numbers(fold(redact(text, mask=False))))
