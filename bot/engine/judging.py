"""Whether the entries answer what a message asks, as the engine scores its candidates: each
entry's check (bot.engine.answerability) of the words, focus and things the message asks for.
The engine's ranking judges each entry its searches bring up; a part of a two-question message
is judged against the whole message's candidates alone (bot.engine.parts.may_add)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.engine import amounts, answerability, asked, beyond, decision, roles
from bot.engine.answerability import UNKNOWN_WORD, Check
from bot.engine.focus import YES_NO
from bot.engine.mentioned import spelled_only
from bot.engine.reading import Reading

if TYPE_CHECKING:
    from bot.engine.core import Engine


def judge(engine: Engine, reading: Reading, folded: str, typed: str) -> Callable[[int], Check]:
    """Per entry (its position), whether and how well it answers what a message asks (as the
    engine reads it, folded, and as `typed`: cut and spelled, before folding), each entry
    checked once: its check does not depend on its match."""
    w = engine.wording
    said = w.content_words(reading)
    words = answerability.content(said, reading.focus, folded, w.places)
    things = asked.asked_for(reading.asking, w.content, engine.canonical, reading.asks, w.carries)
    if reading.keywords:
        # Keywords name what they ask: one no entry uses (市重点项目 开工率) must be in the entry.
        things += tuple(word for word, _, weight in words.heaviest if weight >= UNKNOWN_WORD)
    weighing = decision.share_of(folded, len(reading.clauses), engine.shares)  # (long, share)
    if reading.focus == YES_NO:
        if not weighing[0]:
            things += asked.unsettled(words.heaviest)  # 是学区房吗: an entry must say 学区
        things += beyond.kinds(reading.asks, words.heaviest)  # 幼儿园也算…吗: 幼儿园
    things += roles.roles(reading.asks)  # 设计单位是哪家, 是不是政府投资: no answer says whose
    things += beyond.elsewhere(reading.asks, words.heaviest, w.content)  # 佳木斯保留了多少
    things += beyond.kinds_counted(reading.asks, words.heaviest)  # 社保类几项: that kind
    things += beyond.days_told(folded)  # 2月11日至16日…在厦门是哪天: a day not stated
    things += amounts.quoted(typed)  # 总投资是23.8亿吗: the entry stating 23.8亿 (decimals kept)
    things += beyond.held(reading.asking, folded)  # 一件事一次办有哪几件事: not its siblings
    things += beyond.excepted(folded)  # 除了热电联产和天然气管网，还有哪些: others named
    things += beyond.named(reading.asks, said)  # 大数据平台叫什么: its name
    if reading.focus in beyond.OF_AN_OFFICE:  # 招商局，地址在哪: the entry must name 招商局
        things += beyond.offices(reading.foreground, w.content, engine.canonical)
    things = spelled_only(things, w.known)  # 抚远有多少个乡镇: not 项政 of 事项政务
    verdicts: dict[int, Check] = {}

    def judged(entry: int) -> Check:
        verdict = verdicts.get(entry)
        if verdict is None:
            gives, covered, stated = engine.descriptions[entry]
            verdict = verdicts[entry] = answerability.check(
                reading.focus,
                gives,
                words,
                covered,
                decision.FOCUS_MISMATCH,
                *weighing,
                things=things,
                stated=stated,
                pieces=engine.pieces(entry, covered),
            )
        return verdict

    return judged
