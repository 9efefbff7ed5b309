"""A bare follow-up read against the entry a conversation was last answered with (那电话呢？,
几点上班？, 在哪办？ after an answer): the question it leaves unsaid is that entry's topic.

Each message is otherwise answered alone, and a follow-up that names no topic of its own is
refused or offered a list. Read against the previous entry it is answered by that entry, and by
nothing else, only when the entry answers what it asks: the message is short, asks something
(a focus, or a content word), and the previous entry covers every content word of it and gives
the kind of answer it asks for, with nothing it asks for by name unstated (the answerability
check: `bot.engine.answerability`). A word the entry lacks (那材料呢 after an answer that names
no 材料, 黑瞎子岛门票呢) is a topic of the message's own: the usual answer or fallback stands.
The conversation, and how long it is remembered, is the application's (`bot.app.Service`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.engine import _frozen, judging
from bot.engine.answer import Answer
from bot.engine.decision import Candidate
from bot.engine.focus import YES_NO
from bot.knowledge.packed import PackedEntries

if TYPE_CHECKING:
    from bot.engine.core import Engine
    from bot.knowledge.model import Entry

# A follow-up with no topic of its own is short (那电话呢, 周末能办吗, 要带什么材料): a longer message
# says what it is about, and is answered as it stands.
FOLLOW_UP_CHARS = 12
# A follow-up that points at one item among several (第二个呢, 下一个, 其他的呢, 别的呢) asks about a
# list the answer may not hold, or holds in an order the check cannot read: not read against it.
_ITEM = re.compile(r"第[\d一二两三四五六七八九十]|[上下前后另]一[个条项]|其[他它余]|别的")


def followed_up(engine: Engine, question: str, entry_id: str) -> Answer | None:
    """The previous entry's answer to `question` read as a follow-up to it, marked as read from
    that context (`Answer.context`), or None when it does not answer it."""
    entry = engine.knowledge.by_id.get(entry_id)
    if entry is None:  # (gone since: the knowledge was reloaded)
        return None
    read, folded = engine.as_read(question)
    if len(folded.replace(" ", "")) > FOLLOW_UP_CHARS or _ITEM.search(folded):
        return None
    reading = engine.read(read, folded)
    if not reading.clauses:
        return None
    position = _position(engine, entry)
    check = judging.judge(engine, reading, folded, read)(position)
    # A yes/no (有文件吗, 要排队吗) asks whether something more holds: the entry's own yes or no
    # (能。…) answers its question, not that one.
    asks_something = reading.focus not in (None, YES_NO) or (not reading.focus and check.weight)
    if not asks_something or check.mismatch or check.factor < 1.0 or check.uncovered:
        return None
    score = check.coverage if check.weight else 1.0
    candidate = Candidate.found(entry, position, score, check, score)
    answer = engine.entry_answer(entry, question, score)
    normalized = engine.prepare(read)
    return _frozen.amended(answer, candidates=(candidate,), normalized=normalized, context=entry.id)


def _position(engine: Engine, entry: Entry) -> int:
    """Where `entry` is among the engine's entries. Not `Sequence.index`: it compares the entries
    before it field by field, and of a cached engine's packed entries (bot.knowledge.packed) it
    made every one of them (at 100k entries up to all: ~0.8 s of CPU, bot.engine.cache)."""
    if isinstance(engine.entries, PackedEntries):
        found = engine.entries.position(entry.id)
        if found is not None:
            return found
    return next(n for n, mine in enumerate(engine.entries) if mine.id == entry.id)
