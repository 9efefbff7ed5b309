"""Turn what people type into the canonical form that both questions and knowledge are indexed in.

Users type full-width letters, traditional characters, emoji, punctuation and polite filler
("请问一下……吗？"). None of that carries meaning for retrieval, so it is folded away here, once,
for queries and knowledge alike: matching only ever compares normalized text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

from bot.text.nfkc import nfkc
from bot.text.numerals import DIGITS, value
from bot.text.privacy import redact_nfkc

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


_t2s = opencc.OpenCC("t2s")

# Dates and counts are written both ways (二月份 / 2月, 7号 / 7日, 十一个 / 11个); one form each.
# Not a ten of an estimate (几十个, 数十项: tens of them, no figure; 几10个 had 10 no entry gives);
# only 十 after them: 人数三个, 户数两个 give a figure. (Led by its class, not the look-behind: the
# regex engine then skips to the next numeral rather than trying every position: 2.6 → 1.0 µs.)
_COUNTED_RE = re.compile(
    r"([零一二两三四五六七八九十](?<![几数]十)[零一二两三四五六七八九十]{0,2})(?=[月日号个项亿])"
)
_DAY_RE = re.compile(r"号(?<=\d号)")  # starting with the literal makes the search fast


def _numeral(match: re.Match) -> str:
    text = match.group(1)
    if "十" not in text:
        return "".join(str(DIGITS[ch]) for ch in text) if len(text) == 1 else text
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str(DIGITS.get(tens, 1) * 10 + DIGITS.get(ones, 0))


# ...and so are figures with 百 or 千 (一百九十九 / 199, 两千八百八十七项 / 2887项, 五百万 / 500万): not
# an estimate (二百多, 三百来个: no figure an answer states), nor a run of digits without a unit
# between them (四五百, a range).
_LARGE_RE = re.compile(
    r"[一二两三四五六七八九][零一二两三四五六七八九十]*[百千][零一二两三四五六七八九十百千]*"
    r"(?![零一二两三四五六七八九十百千多余来几])"
)
_RANGE_RE = re.compile(r"[一二两三四五六七八九]{2}")


def _large(match: re.Match) -> str:
    text = match.group()
    return text if _RANGE_RE.search(text) else str(value(text))


def _numbers(text: str) -> str:
    text = _LARGE_RE.sub(_large, text)
    text = _COUNTED_RE.sub(_numeral, text).replace("月份", "月")
    return _DAY_RE.sub("日", text)


# Letters and digits (Unicode categories L and N, exactly: checked over every code point) stay;
# the newline between the texts of a batch stays; anything else is a boundary: `_` too (in \w),
# replaced apart, as one class lets the regex engine skip from one boundary to the next rather
# than try `[^\w\n]|_` at every position. So ` {2,}` is `  +`, which starts with a literal.
_BOUNDARY_RE = re.compile(r"[^\w\n]")
_SPACES_RE = re.compile(r"  +")


def _tidy(text: str) -> str:
    """One space between words, none at the start or end of a line."""
    # Plain replacements where they do: a regex that may start with a space tries every position.
    text = _SPACES_RE.sub(" ", text).replace(" \n", "\n").replace("\n ", "\n")
    return text.strip(" ")


def _fold(text: str) -> str:
    """`fold`, keeping newlines and leaving runs of spaces for a later `_tidy`."""
    # Lone surrogates (from broken clients) cannot even be encoded: drop them first.
    text = nfkc(text).encode("utf-8", "ignore").decode("utf-8")
    return _BOUNDARY_RE.sub(" ", _t2s.convert(text).lower().replace("_", " "))


def fold(text: str) -> str:
    """Width, script and case folding, with every non-word character turned into one space."""
    return _tidy(_fold(text.replace("\n", " ")))


def fold_all(texts: list[str]) -> list[str]:
    """`fold` of many texts in one pass over them joined by newlines, which no step crosses."""
    if not texts:
        return []
    return _tidy(_fold("\n".join(text.replace("\n", " ") for text in texts))).split("\n")


def strip_fillers(text: str) -> str:
    """Remove politeness and question particles; they appear in every question alike."""
    return _tidy(_FILLER_RE.sub(" ", text))


def normalize_all(texts: list[str]) -> list[str]:
    """The matching form of many texts at once: each step runs once over all of them joined by
    newlines, which no step crosses, so a large knowledge base normalizes at the speed of the
    regex and conversion libraries rather than of a Python loop per text."""
    return _normalized(texts, also_folded=False)[0]


def normalize_and_fold_all(texts: list[str]) -> tuple[list[str], list[str]]:
    """`normalize_all` and `fold_all` of the same texts. Normalizing folds what redaction
    leaves; where redaction takes nothing out (most knowledge), that fold is `fold_all`'s, and
    is made once: at 100k entries, folding the questions again was ~1.2 s of the build."""
    return _normalized(texts, also_folded=True)


def _normalized(texts: list[str], also_folded: bool) -> tuple[list[str], list[str]]:
    if not texts:
        return [], []
    distinct = dict.fromkeys(texts)
    if 2 * len(distinct) <= len(texts):
        # Texts repeat (one answer or quote under many entries): each is normalized once. Only
        # where at least half are repeats: mapping 500k questions back through two dicts cost
        # ~1.7 s of CPU, half of normalizing them, and a 100k-entry knowledge whose 1,437
        # shipped questions and keywords held two alike paid it for those two (start9).
        normalized, folds = _normalized(list(distinct), also_folded)
        made = dict(zip(distinct, normalized, strict=True))
        if also_folded:
            folded = dict(zip(distinct, folds, strict=True))
            return [made[text] for text in texts], [folded[text] for text in texts]
        return [made[text] for text in texts], []
    joined = nfkc("\n".join(text.replace("\n", " ") for text in texts))
    redacted = redact_nfkc(joined, mask=False)
    once = _fold(redacted)
    normalized = strip_fillers(_numbers(once)).split("\n")
    if not also_folded:
        return normalized, []
    # (`_fold` begins with `nfkc`, which gives back a text that is `nfkc`'s as it is.)
    return normalized, _tidy(once if redacted == joined else _fold(joined)).split("\n")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The matching form of a question: without personal numbers (a phone number says nothing
    about the question), folded, then without fillers."""
    return normalize_all([text])[0]


SURROGATES = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Text that encodes as UTF-8: lone surrogates (what Python makes of undecodable bytes in
    a terminal argument or a file) become U+FFFD, the replacement character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATES.sub("\ufffd", text)
    return text
