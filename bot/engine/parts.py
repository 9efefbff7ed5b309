"""Two questions in one message (政务服务中心在哪个位置？几点上班？; 保留了多少事项，材料减少了多少):
the entry answered gives one fact, and the other, when another entry states it, would go unsaid.

Each asking clause is asked again apart (`apart`): the message with the other asking clauses left
out and its background kept, which most often names the topic (…那批项目，总投资多少). A part's
answer is added to the reply (`Answer.also`) only when it is confident on its own and its entry
was already a candidate for the whole message (`adds`), and not when the reply states it already
(`said`: a summary entry's figures). A part is decided only if one of those candidates may score
that much for it at all (`may_add`, without searching the index: most parts are answered by the
main entry or by none). A message the whole of which is not answered is answered by its first
part answered surely alone (`first_answered`: …网上办有多少项？另外平台是哪个, the platform in no
entry, scored the whole under the bar).

Why so strict (wrong20, sixteenth round, docs/matching.md): over every tuned-on set, adding
every part answered alone by another entry gave 86 second answers right and 102 wrong, most of
them a part whose topic was in the other part (…项目有多少个，总投资多少 → the 11 projects'
investment). At score ≥ ALSO_SCORE with the entry among the whole message's candidates: 31
right, 2 not accepted by the labels (one of those does state the fact asked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.engine import _frozen, decision, judging
from bot.engine.answer import Answer
from bot.engine.answerability import Check, figures
from bot.engine.decision import ANSWERED, Candidate
from bot.engine.focus import _COUNTED
from bot.engine.reading import _REQUEST, Reading, asks_itself, fold_message

if TYPE_CHECKING:
    from bot.engine.core import Engine

# A part's own answer must score this much (the answer threshold is 0.56): at 0.7 the second
# answers were 49 right / 31 not accepted, at 0.75 42 / 13, at 0.85 22 / 0.
ALSO_SCORE = 0.8
# ...and beat the part's runner-up by this much: a part that names no topic of its own (市级重点
# 项目有几个，开复工了没有: 开复工了没有, its topic in the other part) ties the entries that share
# its words (three 复工 entries within 0.04 of 0.81). Over every tuned-on set (parts22, seventeenth
# round) the one second answer so tied was that wrong one (margin 0.035); the closest right one
# beat its runner-up by 0.082 (fresh13), the rest by 0.085 or more.
ALSO_MARGIN = 0.05
# What a score computed twice in the same arithmetic may differ by: a cosine of float32 weights
# comes out ~1e-8 above 1 (an exact match scored 1.00000002), so a bound of 1 is not quite one.
SLACK = 1e-6
# A message asking two things, answered by an entry that states one of them (…保留了多少事项，
# 材料减少了多少 → the 材料 entry, covering 0.42 of it) while the runner-up states both (the
# 成效 entry, 0.97): the runner-up answers (`states_both`). Over every tuned-on set 3 wrong
# answers become right (fresh4, fresh10, fresh12: three writers), none right is lost; fresh13's
# odd half, counted: it fires once, both entries accepted. Without the two questions (any
# message) it cost right answers (wrong18, fifteenth round: 3 for 4).
NARROW = 0.7
WHOLE = 0.95
CLOSE = 0.2
# A message that names several things (…保留了多少行政权力事项、公共服务事项和政务服务事项; 政务服务
# 事项的总数，还有能网上办的多少; 总投资和年内计划投资各多少), answered by an entry giving one of them,
# while the runner-up (a summary entry: fgf-chengxiao, the 845项 entry, the 36 projects') covers
# MORE of the message beside it: the runner-up answers (wrong21, seventeenth round). Over
# every tuned-on set 5 wrong answers become right (fresh6, fresh10, fresh13, fresh14 even twice:
# four writers), none right is lost; fresh14's odd half, counted: nothing moves. A list is named
# with 、, 和, 及, 与, 跟, 还有, or asked 各 / 分别 / 一起; the fold turns 、 into a space, so it is read
# in the text before folding. The same coverage gap for two asking clauses without such a word
# (项目建设咋推进的，领导管不管) cost 5 right answers for 5: those keep NARROW / WHOLE.
# Only a list in a clause that asks is several things asked (`names_several`; wrong22, eighteenth
# round): one in the sender's circumstances (…遇到有人刁难、损害我们的权益，能打12345吗) or a remark
# (…是多少项？和网上办别搞混了; …跟政务服务事项不是一回事吧) names nothing the reply must state, and
# there the runner-up swapped in a wrong or a broader entry. So read, MORE at 0.05 (it was 0.1; at
# 0.05 before, the 刁难、损害 message went wrong): 2 more wrong answers made right (fresh6's 总投资和
# 年内计划投资多少, fresh15's 其中马上办、网上办各多少: the runner-up covers 0.098 and 0.091 more), the
# same two at 0.03 and 0.07, none right lost on any set, fresh15's odd half (counted) unchanged.
# Keywords typed with no clause that asks (防疫措施 施工) name each thing asked, as a list does: the
# 防疫 entry leaving 施工 uncovered gave way to the one on building sites under epidemic control
# (fresh14: 1 wrong made right, nothing else moved on any set).
MORE = 0.05
_SEVERAL = re.compile(r"、|和|及|与|與|跟|[还還]有|各|分[别別]|一起")
# Where a message's clauses end in the text before folding (、 stays inside one: it joins a list).
_PIECES = re.compile(r"[，,。？?！!；;：:\s]+")
# A part's answer that the reply states already is left out (`said`; parts21, sixteenth round):
# the summary entry answers 网上办有多少项？一次办有多少项？ with 845项，其中…网上办683项…一次办612项,
# and the 网上办 and 一次办 entries would say 683项 and 612项 again under it. Read clause by clause
# (、 keeps a list whole), its figures apart. Over every pair of the shipped entries, the lowest
# clause's share of character pairs in the other answer is >= 0.556 where it states the whole
# (抚远市政务服务事项中 of 网上办 in the 845项 summary) and <= 0.444 where it does not (制定下发了
# 《…实施方案》 is not in the 清单 entry): SAID sits between. The project list of 11个重点项目,
# 对首季开门红…进行了全面部署, 名单已在政府门户网站上公布 share far less.
_CLAUSES = re.compile(r"[，。；！？：（）]")
SAID = 0.5
# A message asking several things that is not answered whole (…网上办的事项有多少项？另外网上办的平台
# 是哪个: the platform is in no entry, and the whole scored under the bar) is answered by the first
# of its parts answered alone at PART_SCORE by an entry among the whole's candidates (`first_answered`;
# asks26, twenty-second round). Over every tuned-on set's messages of two parts or more not
# answered whole (fresh19's even half; 1,632, 1,360 of them traps or out of domain): at 0.85, 33
# made right (refused or a choice), none wrong, no trap answered; at 0.84 one trap (…综合治理项目买的
# 什么设备 从哪家买的, its first part 0.849), at 0.8 eleven, at 0.75 26 and three wrong.
PART_SCORE = 0.85


def apart(reading: Reading) -> list[str]:
    """The message once per clause that asks a question of its own, the other such clauses
    left out; none for a message that asks one thing."""
    asking = [i for i, c in enumerate(reading.clauses) if c.weight == 1.0 and asks_itself(c.text)]
    if len(asking) < 2:
        return []
    return [
        "，".join(c.text for j, c in enumerate(reading.clauses) if j == i or j not in asking)
        for i in asking
    ]


def answers(
    asked: list[str],
    candidates: Sequence[Candidate],
    decide: Callable[[str, Sequence[Candidate]], Answer | None],
) -> tuple[Answer, ...]:
    """The answers to the other questions of a message that asks two things (`asked`: its
    parts, `apart`), by other entries among its `candidates`: each part decided by `decide`,
    given those others (it may leave a part none of them can answer undecided: None)."""
    given = [candidates[0].id]
    reply = [candidates[0].entry.answer if candidates[0].entry else ""]
    found = []
    for part in asked:
        answer = decide(part, candidates[1:])
        if answer is None:
            continue
        if adds(answer, given, candidates) and not said(answer.answer, "".join(reply)):
            given.append(answer.entry_id or "")
            reply.append(answer.answer)
            found.append(answer)
    return tuple(found)


def in_parts(
    asked: list[str],
    candidates: tuple[Candidate, ...],
    decide: Callable[[str, Sequence[Candidate]], Answer | None],
    stated: Callable[[Candidate, float], Answer],
) -> Answer | None:
    """A message asking several things (`asked`: its parts, `apart`) that is not answered whole,
    answered by the first part answered surely alone (`first_answered`; `stated`: a candidate's
    entry as the answer, at a score), with the other parts' answers (`answers`), the candidates
    ranked from it; None if no part is."""
    decided: dict[str, Answer | None] = {}  # (`answers` asks for them again)

    def part(text: str, others: Sequence[Candidate]) -> Answer | None:
        if text not in decided:  # (`others` only bounds whether it is decided at all)
            decided[text] = decide(text, others)
        return decided[text]

    found = first_answered(asked, candidates, part)
    if found is None:
        return None
    place = next(i for i, c in enumerate(candidates) if c.id == found.entry_id)
    ranked = (candidates[place], *candidates[:place], *candidates[place + 1 :])
    also = answers(asked, ranked, part)
    return _frozen.amended(stated(ranked[0], found.score), candidates=ranked, also=also)


def first_answered(
    asked: list[str],
    candidates: Sequence[Candidate],
    decide: Callable[[str, Sequence[Candidate]], Answer | None],
) -> Answer | None:
    """The answer to the first part of a message (`asked`: its parts, `apart`) that is answered
    alone at PART_SCORE or more by an entry among the whole message's `candidates`, each part
    decided by `decide` (None where none of them can answer it: see `answers`); None if no part
    is."""
    for part in asked:
        answer = decide(part, candidates)
        if (
            answer is not None
            and answer.status == ANSWERED
            and answer.score >= PART_SCORE
            and any(c.id == answer.entry_id for c in candidates)
        ):
            return answer
    return None


def adds(found: Answer, given: Sequence[str], whole: Sequence[Candidate]) -> bool:
    """Whether a part's answer says something the reply does not yet (`given`: the entries
    already answered) and is sure enough to be added: answered at ALSO_SCORE or more, ALSO_MARGIN
    ahead of the part's runner-up, by an entry among the whole message's candidates (`whole`)."""
    return (
        found.status == ANSWERED
        and found.entry_id is not None
        and found.entry_id not in given
        and found.score >= ALSO_SCORE
        and (len(found.candidates) < 2 or found.score - found.candidates[1].score >= ALSO_MARGIN)
        and any(c.id == found.entry_id for c in whole)
    )


def may_add(engine: Engine, part: str, others: Sequence[Candidate]) -> bool:
    """Whether one of `others` (the whole message's candidates not answered) may answer a part
    of it at ALSO_SCORE, as `adds` asks, judged without searching the index (most parts are
    answered by the main entry or not at all, and a part's decision searches two or three
    times). An entry's match for the part is at most, per text the part's decision searches
    (its own, its asking clause, its foreground), the share of that text's words the entry
    explains: a match is its best question's cosine and likeness, each at most 1, times that
    share. So its score is at most the score with that share as its match and a check of
    coverage and factor 1 (`_may_reach`: no check made yet, the cheapest bound first); then
    with its own check (the part's words, focus and things asked); then, for each text where
    that may still reach ALSO_SCORE, with the very match a search of it would give the entry
    (`Index.matches`). Only a part whose bound reaches ALSO_SCORE for some entry is decided;
    the others could not add an answer (speed22, eighteenth round: the order of the bounds and
    the matches per text change no result, only what each part costs)."""
    if not engine.index.tuning.answerability:
        return True  # (a score is then the match alone: no check to bound it by)
    if not others:
        return False
    read, folded = engine.as_read(part)
    reading = engine.read(read, folded)
    # (Each text as searched once: two that differ by a mark or a filler are the same query.)
    texts = dict.fromkeys(
        engine.searched(text) for text in (reading.text, reading.asking, reading.foreground) if text
    )
    queries = [engine.index.query(text) for text in texts]
    entries = [c.position for c in others]
    picked = np.array(entries)
    shares = [(1 - engine.index.unexplained(picked, query)).tolist() for query in queries]
    _, weight = decision.share_of(folded, len(reading.clauses), engine.shares)
    bounds = [max(by_query) for by_query in zip(*shares, strict=True)]  # (per entry)
    if not any(_may_reach(bound, weight) for bound in bounds):
        return False
    judged = judging.judge(engine, reading, folded, read)
    checks = [
        judged(entry) if _may_reach(bound, weight) else None
        for entry, bound in zip(entries, bounds, strict=True)
    ]
    for query, explained in zip(queries, shares, strict=True):
        hopeful = [
            (entry, check)
            for entry, check, share in zip(entries, checks, explained, strict=True)
            if check is not None and _reaches(share, check)
        ]
        if hopeful:
            matched = engine.index.matches([entry for entry, _ in hopeful], query)
            if any(_reaches(m, check) for m, (_, check) in zip(matched, hopeful, strict=True)):
                return True
    return False


def _may_reach(match: float, weight: float) -> bool:
    """Whether a candidate with this match could score ALSO_SCORE whatever its check: the
    score's arithmetic (`decision.score`) with a coverage and factor of 1, each a check's most
    (so the float sum and product are at least the check's own), `weight` the match's share."""
    return weight * match + (1 - weight) >= ALSO_SCORE - SLACK


def _reaches(match: float, check: Check) -> bool:
    """Whether a candidate with this match and check scores ALSO_SCORE (the same arithmetic as
    the decision's, but a cosine may come out a float's last bits above 1: SLACK)."""
    return decision.score(match, check) >= ALSO_SCORE - SLACK


def said(text: str, reply: str) -> bool:
    """Whether `reply` states everything `text` (a part's answer) says: each clause of `text`
    gives only figures the reply gives (683项 with its unit, other numbers such as a day's at
    all) and has SAID of its character pairs, those figures left out, in the reply."""
    counted, numbers = _counted(reply), figures(reply)
    for clause in filter(None, _CLAUSES.split(text)):
        if not (_counted(clause) <= counted and figures(clause) <= numbers):
            return False
        words = _COUNTED.sub("", clause)
        pairs = [words[i : i + 2] for i in range(len(words) - 1)]
        if sum(pair in reply for pair in pairs) < SAID * len(pairs):
            return False
    return True


def _counted(text: str) -> set[str]:
    """The figures with their unit a text gives (683项, 61%)."""
    return {figure.replace(" ", "") for figure in _COUNTED.findall(text)}


def states_both(
    candidates: Sequence[Candidate],
    bar: float,
    questions: Sequence[str],
    text: str,
    keywords: bool = False,
) -> bool:
    """Whether the runner-up, not the best entry, answers a message that asks several things:
    two questions (`questions`: its parts, `apart`) whose best entry covers under NARROW of the
    message (it answers one of them) while the runner-up covers at least WHOLE (a summary entry
    stating both: fgf-chengxiao's figures); or a message whose `text` names several things, or
    that is `keywords` typed (防疫措施 施工: each one asked), the runner-up covering MORE of it than
    the best. Either way the runner-up scores within CLOSE of the best and at the answer
    threshold (`bar`) itself."""
    named = keywords or names_several(text)
    if len(candidates) < 2 or not (questions or named):
        return False
    (best, narrow), (runner, whole) = ((c, c.check) for c in candidates[:2])
    if narrow is None or whole is None:
        return False
    wider = (
        whole.coverage - narrow.coverage >= MORE
        if named
        else narrow.coverage < NARROW and whole.coverage >= WHOLE
    )
    return wider and best.score - runner.score <= CLOSE and runner.score >= bar


def names_several(text: str) -> bool:
    """Whether a message (`text`: before folding, which turns 、 into a space) asks for several
    things by name: a clause of it that asks (`asks_itself`, or a request: 列一下, 对一下) names a
    list (、, 和, 还有…) or asks 各 / 分别 / 一起."""
    if _SEVERAL.search(text) is None:
        return False  # (most messages: no clause is read)
    return any(_SEVERAL.search(p) and _asks(fold_message(p)) for p in _PIECES.split(text))


def _asks(clause: str) -> bool:
    """Whether a folded clause asks: a question word of its own, or a request."""
    return asks_itself(clause) or _REQUEST.search(clause) is not None or clause.endswith("一下")
