"""A message's dialect question words in standard Mandarin, before it is read.

Businesses that come from across China write as they speak: Cantonese (四减是乜嘢, 招商点样精准, 有冇专班,
要唔要排查) and south-western Mandarin (做了啥子, 咋个投诉). The knowledge is written in standard
Mandarin, and the reading of a message (bot.engine.reading: which clause asks, its focus, the
thing asked for) knows the standard question words only: 乜嘢 was no question word, so
新壹城喺抚远起乜嘢 was read as keywords of unknown words (喺, 乜嘢), and 啥子's 子 became a thing
the entry must mention. Only a user's message is put in standard Mandarin (the knowledge has
none of these words), after folding, so the traditional forms (點樣) are already simplified.
"""

from __future__ import annotations

import re

# Dialect word → standard word; only words with no other reading in Mandarin (not 系 for 是:
# 系统; 唔 only between a verb and itself, 要唔要 = 要不要: 唔该 is "thanks").
_STANDARD = {
    "乜嘢": "什么",  # Cantonese "what"
    "乜": "什么",
    "咩": "吗",  # Cantonese final question particle (国电投要来抚远咩)
    "点样": "怎样",  # Cantonese "how"
    "点解": "为什么",  # Cantonese "why"
    "边度": "哪里",  # Cantonese "where"
    "边个": "谁",  # Cantonese "who", "which"
    "几多": "多少",  # Cantonese "how many"
    "系咪": "是不是",  # Cantonese "is it"
    "有冇": "有没有",  # Cantonese "is there"
    "冇": "没有",
    "喺": "在",  # Cantonese "at"
    "嘅": "的",  # Cantonese possessive
    "啥子": "啥",  # south-western Mandarin "what": 啥子's 子 is no thing asked for
    "咋个": "怎么",  # south-western Mandarin "how"
    "几时": "什么时候",  # "when": a time asked, as 什么时候 is
}
# 边个 is also 边 before 个体 or 个别 (旁边个体户, 周边个别企业): there it is no "who".
_NOT_BEFORE = {"边个": "(?![体别])"}
_DIALECT = re.compile(
    "|".join(word + _NOT_BEFORE.get(word, "") for word in sorted(_STANDARD, key=len, reverse=True))
)
_NOT = re.compile(r"([\u4e00-\u9fff])唔(?=\1)")  # 要唔要, 去唔去: verb-not-verb


def standard(folded: str) -> str:
    """A folded message with its dialect question words in standard Mandarin."""
    if not _DIALECT.search(folded) and "唔" not in folded:
        return folded
    return _NOT.sub(r"\1不", _DIALECT.sub(lambda found: _STANDARD[found.group()], folded))
