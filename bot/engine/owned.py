"""A term of the knowledge that one or two entries own (开春即开工, 办事求人, 四减), named in a message
and left uncovered by the entry that would answer it, while a close runner-up states it: the
runner-up answers.

The best entry may win on the rest of the message's wording (…开春即开工，是4月7号那批项目吧: the
4月7日 entry, which says nothing of 开春即开工), and a term so rare weighs little in its check when
it sits in a background or topic clause (0.18-0.27). But a term that only one or two entries' own
questions use names what the message is about: an answer that never says it answers a
neighbouring question (wrong25, twenty-first round, docs/matching.md).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import TYPE_CHECKING

from bot.engine.decision import Candidate
from bot.engine.parts import CLOSE

if TYPE_CHECKING:
    from bot.engine.index import Index

# A term is owned when at most this many entries' questions use it (the index's count, read off
# its IDF: no pass over the entries at build)...
OWNERS = 2
# ...and the runner-up that states it is looked for among this many best candidates.
LOOKED_AT = 3


def owner(candidates: Sequence[Candidate], bar: float, index: Index, terms: Container[str]) -> int:
    """The place among `candidates` (best first, the best to be answered) of the entry to
    answer instead: the first of the next LOOKED_AT - 1 that leaves none of the owned terms
    (`terms`: the knowledge's own words, `Words.inside`; owned: OWNERS or fewer entries' questions
    use it, `Index.holders`) the best leaves uncovered, scoring the answer threshold (`bar`)
    within CLOSE of the best; 0 (the best) when there is none."""
    check = candidates[0].check if candidates else None
    if check is None or not check.uncovered:
        return 0
    left = [w for w, _ in check.uncovered if w in terms and 1 <= index.holders(w) <= OWNERS]
    if not left:
        return 0
    for place, candidate in enumerate(candidates[1:LOOKED_AT], 1):
        if candidate.check is None or candidate.score < bar:
            continue
        uncovered = dict(candidate.check.uncovered)
        if candidates[0].score - candidate.score <= CLOSE and not any(w in uncovered for w in left):
            return place
    return 0
