"""A message dictated with its punctuation spoken (screen-reader and voice-input users:
视障朋友逗号复工专窗在哪里问号), with the marks written, before it is read.

Voice input types what is said; a user who cannot see the screen says the marks as words, and
the words stay in the message. Read as content, 逗号 and 问号 were words no entry covers (fresh12/:
the right entry ranked first, refused), the clauses were one (the sender's 视障朋友 could not be
set apart from the question) and question marks could not tell which sentence asks. Only a
user's message is read so: the knowledge is typed.

A mark word is a mark where it stands between the words of a sentence, not where it is a thing
spoken of: after a word that takes it as a noun (打个问号, 画上句号, 加引号, 这些括号, 逗号和句号), or
before one that speaks of it (问号怎么打, 逗号的用法), nor where its 号 starts the next word (请问号码是多少).
括号里 is read as a mark: dictated, it opens a bracket.
"""

from __future__ import annotations

import re

# Spoken mark → the mark (longest first in the pattern: 感叹号 before 叹号).
_MARKS = {
    "逗号": "，",
    "顿号": "、",
    "句号": "。",
    "问号": "？",
    "感叹号": "！",
    "惊叹号": "！",
    "叹号": "！",
    "冒号": "：",
    "分号": "；",
    "破折号": "——",
    "省略号": "……",
}
# The marks that come in pairs, said with a side (左引号, 右括号; 前/后, 上/下) or not: either side
# is the same to the reading, which sets a quoted term apart whatever its side, but a closing one
# is written closing.
_PAIRS = {"引号": "“”", "双引号": "“”", "单引号": "‘’", "书名号": "《》", "括号": "（）"}
_CLOSING = "右后下"
# Before a mark word, what makes it a noun (打个问号, 画上句号, 加引号, 用逗号, 带书名号, 这些括号,
# 逗号和句号); after it, words that speak of it (问号怎么打, 句号和逗号, 逗号的用法, 引号用法). Not
# 什么 or 啥 before it: 是什么问号 is dictated 是什么？ Nor where its 号 starts the next word: 请问号码是多少
# asks a number (请？码 was read), as do 问号牌, 问号段, 问号源; 问号称 and 问号召 ask of a claim, a call.
_NOUN_BEFORE = "(?<![个上打画加用带些和跟与或])"
_NOUN_AFTER = "(?!怎么|怎样|和|跟|与|或|的用|的区别|用法|是什么|该|[码牌段源称召])"
_SPOKEN = re.compile(
    _NOUN_BEFORE
    + "(?:([左右前后上下]?)("
    + "|".join(sorted(_PAIRS, key=len, reverse=True))
    + ")|("
    + "|".join(sorted(_MARKS, key=len, reverse=True))
    + "))"
    + _NOUN_AFTER
)


def _mark(found: re.Match) -> str:
    side, paired, single = found.groups()
    if single:
        return _MARKS[single]
    return _PAIRS[paired][bool(side) and side in _CLOSING]


def punctuated(message: str) -> str:
    """A message with the marks it speaks (`_MARKS`, `_PAIRS`) written as marks; as it is if
    none."""
    if "号" not in message:  # every mark word ends so: most messages are left at this test
        return message
    return _SPOKEN.sub(_mark, message)
