"""Questions as people type them, made from knowledge questions: paraphrased, mistyped, cut short.

A benchmark that asks the indexed questions word for word, or the same few questions again and
again, times the answer cache and the easiest matches. These variants are what a load or scale
benchmark asks instead: each is rewritten in other words, has input-method slips, or is a
fragment, and is never word for word a question the knowledge holds (`fresh` checks).
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from bot.text.normalize import normalize

# Other words for the same thing, as people write them.
REWRITES = [
    ("怎么", "如何"),
    ("怎么", "咋"),
    ("如何", "怎样"),
    ("需要", "要"),
    ("什么", "啥"),
    ("在哪里", "去哪"),
    ("哪里", "哪儿"),
    ("可以", "能"),
    ("多长时间", "多久"),
    ("办理", "办"),
    ("是什么", "是啥"),
    ("请问", ""),
    ("电话", "联系方式"),
    ("吗", "不"),
    ("企业", "公司"),
    ("有哪些", "有啥"),
]
PREFIXES = ["", "", "你好，", "请问", "想问一下", "麻烦问下", "您好 "]
SUFFIXES = ["", "", "？", "呢", "啊", "，谢谢", "?"]
# Input-method slips: a character and a homophone typed in its place.
HOMOPHONES = {
    "办": "半",
    "理": "里",
    "证": "正",
    "需": "须",
    "要": "药",
    "请": "清",
    "登": "灯",
    "记": "纪",
    "材": "才",
    "料": "了",
    "部": "步",
    "门": "们",
    "流": "留",
    "程": "成",
    "费": "废",
    "条": "调",
    "件": "见",
    "时": "十",
    "网": "往",
    "企": "起",
    "保": "宝",
    "社": "设",
    "策": "测",
    "补": "不",
    "贴": "帖",
}


def rewrite(text: str, rng: random.Random) -> str:
    """Other words for one or two phrases, a greeting or a particle."""
    for old, new in rng.sample(REWRITES, len(REWRITES)):
        if old in text:
            text = text.replace(old, new, 1)
            if rng.random() < 0.5:
                break
    return rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)


def mistype(text: str, rng: random.Random) -> str:
    """One or two characters replaced by a homophone, as a pinyin input method slips."""
    places = [n for n, char in enumerate(text) if char in HOMOPHONES]
    chars = list(text)
    for n in rng.sample(places, min(len(places), rng.choice((1, 1, 2)))):
        chars[n] = HOMOPHONES[chars[n]]
    return "".join(chars)


def fragment(text: str, rng: random.Random) -> str:
    """The text cut short at either end, keeping at least four characters: a keyword query."""
    if len(text) <= 5:
        return text
    keep = rng.randint(max(4, len(text) * 3 // 5), len(text) - 1)
    start = rng.choice((0, len(text) - keep))
    return text[start : start + keep]


KINDS = {"paraphrase": rewrite, "typo": mistype, "fragment": fragment}


def variant(text: str, rng: random.Random, indexed: set[str], tries: int = 8) -> tuple[str, str]:
    """A variant of `text` and its kind: one kind at random, then more until it is no longer
    word for word an indexed question (normalized)."""
    kind = rng.choice(list(KINDS))
    changed = KINDS[kind](text, rng)
    for _ in range(tries):
        if normalize(changed) not in indexed:
            break
        changed = KINDS[rng.choice(list(KINDS))](changed, rng)
    return changed, kind


def indexed_forms(questions: Iterable[str]) -> set[str]:
    """The normalized questions a knowledge base holds: what a variant must not be."""
    return {normalize(q) for q in questions}


def copies(asked: Iterable[str], indexed: set[str]) -> float:
    """The share of `asked` that is word for word an indexed question: what the report prints."""
    asked = list(asked)
    return sum(normalize(q) in indexed for q in asked) / max(1, len(asked))
