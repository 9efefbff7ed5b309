"""Teaching an entry a new phrasing: the one-step path from a gap report to better answers.

The question is added to the entry's similar questions in its YAML file with ruamel.yaml's
round-trip mode (through `bot.authoring.editor`), so the admins' comments, ordering and block
answers stay exactly as they were. Because a taught phrasing is matched with full confidence from
then on, teaching the wrong entry makes the bot answer wrongly with `validate` still green; so it
is refused, with the reason, when

- the engine already matches the question better to another entry (the two would fight);
- the question asks about nothing specific the entry talks about: every word it shares with the
  entry is one that most entries share too (抚远, 企业) or a question word (在哪, 怎么) —
  teaching 抚远在哪 to the March 招商-trip entry was exactly this;
- with the question added, a question that was answered with its own entry before (another
  entry's similar question, or a case of the eval set) would be answered with this one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from bot.authoring.checks import collisions
from bot.authoring.disk import Busy, held
from bot.authoring.editor import Draft, EditRefused, save
from bot.authoring.live import changed_on_disk
from bot.engine.core import ANSWERED, Engine
from bot.engine.evaluation import Case, load_cases
from bot.engine.features import GENERIC_CHARS
from bot.knowledge.model import Entry, Knowledge
from bot.text.privacy import unmasked

# A word found in more than this share of entries says nothing about which entry is meant (the
# city's name, 企业, 办理): matching on it alone is not understanding the question.
COMMON_SHARE = 0.2


class TeachRefused(Exception):
    """The question was not added; the message says why and what to do instead."""


@dataclass(frozen=True)
class Taught:
    path: Path
    entry_id: str
    question: str
    before: dict
    after: dict


def teach(
    knowledge: Knowledge, question: str, entry_id: str, engine: Engine | None = None
) -> Taught:
    """Add `question` to entry `entry_id`'s similar questions, or raise `TeachRefused`."""
    question = unmasked(question)
    entry = knowledge.by_id.get(entry_id)
    if entry is None:
        raise TeachRefused(f"没有 id 为 “{entry_id}” 的条目")
    if not question:
        raise TeachRefused("问题是空的")
    engine = engine or Engine(knowledge)
    prepared = engine.prepare(question)
    if any(engine.prepare(q) == prepared for q in entry.questions):
        raise TeachRefused(f"条目 {entry_id} 已经有这个问法了")
    check_closest(engine, question, entry_id)
    check_specific(engine, question, entry)
    check_no_harm(engine, question, entry)
    # The checks take seconds (`policybot teach` builds the engine first), and the entry is
    # written as it was read: no other writer may come between the look and the write.
    try:
        with held(knowledge.directory):
            if changed_on_disk(knowledge.directory, knowledge.version):
                raise TeachRefused(
                    "检查期间知识库被别人修改过，未添加：请重新运行，在最新版本上检查"
                )
            draft = Draft.of(entry)
            draft.similar.append(question)
            saved = save(knowledge, draft, entry_id)
    except Busy as exc:
        raise TeachRefused(str(exc)) from exc
    except EditRefused as exc:
        raise TeachRefused("加入后知识库无法通过检查，未修改：\n" + str(exc)) from exc
    return Taught(saved.path, entry_id, question, saved.before or {}, saved.after or {})


def check_closest(engine: Engine, question: str, entry_id: str) -> None:
    ranked = engine.candidates(question, len(engine.entries))
    own = next((c.score for c in ranked if c.id == entry_id), 0.0)
    best = ranked[0] if ranked else None
    if best is not None and best.id != entry_id and best.score > own:
        raise TeachRefused(
            f"这个问题更接近条目 {best.id}「{best.question}」（{best.score:.2f}，"
            f"而 {entry_id} 只有 {own:.2f}）。加到 {entry_id} 会让两个条目互相抢答；"
            f"如果它确实属于 {entry_id}，请先调整 {best.id} 的相似问，或换一个更明确的问法。"
        )


def terms(text: str) -> set[str]:
    """The words a text is about, roughly: pairs of neighbouring characters that are not
    question or function words, and such characters standing alone."""
    found: set[str] = set()
    for segment in text.split():
        content = [ch if ch not in GENERIC_CHARS else " " for ch in segment]
        for run in "".join(content).split():
            found.update(run[i : i + 2] for i in range(len(run) - 1))
            if len(run) == 1:
                found.add(run)
    return found


def entry_terms(engine: Engine, entry: Entry) -> set[str]:
    texts = (*entry.questions, *entry.keywords, entry.answer, entry.source.quote)
    return set().union(*(terms(text) for text in engine.canonical_all(list(texts))))


def check_specific(engine: Engine, question: str, entry: Entry) -> None:
    """Refuse a question that shares nothing specific with the entry."""
    asked = terms(engine.prepare(question))
    if not asked:
        raise TeachRefused(
            "这个问题里没有具体的内容词（只有“怎么、在哪、什么”这类问法），无法判断它问的是什么"
        )
    per_entry = [entry_terms(engine, e) for e in engine.entries]
    common = {
        t for t in asked if sum(t in words for words in per_entry) > COMMON_SHARE * len(per_entry)
    }
    own = entry_terms(engine, entry)
    shared = (asked & own) - common
    if not shared:
        generic = "、".join(sorted(asked & common)) or "无"
        missing = "、".join(sorted(asked - own - common))
        rest = (
            f"问题里的其他词（{missing}）在这个条目里都没有。"
            if missing
            else "问题里没有别的具体内容。"
        )
        raise TeachRefused(
            f"条目 {entry.id}「{entry.question}」并没有回答这个问题：两者共有的只是大多数条目都有的词"
            f"（{generic}），{rest}"
            "这样加进去，用户问这句话会得到一个不相干的答案；请新建条目，或选择真正回答它的条目。"
        )


def check_no_harm(engine: Engine, question: str, entry: Entry) -> None:
    """Refuse if, with the question added, questions answered rightly before would get this entry."""
    taught = dataclasses.replace(entry, similar=(*entry.similar, question))
    knowledge = dataclasses.replace(
        engine.knowledge,
        entries=tuple(taught if e.id == entry.id else e for e in engine.knowledge.entries),
        by_id={},
    )
    after = Engine(knowledge, engine.thresholds, cache=0)
    # Each check asks the taught engine first and the current one only about what it got
    # wrong: answering every probe and finding every collision twice made a teach take over
    # 15 s of CPU once the knowledge had ~1,400 questions (the console's click timed out).
    harmed = [
        f"“{case.question}”（本应是 {case.expected or '不回答'}）"
        for case in _probes(engine)
        if entry.id not in case.accepted
        and after.answer(case.question).entry_id == entry.id
        and _right(engine, case)
    ]
    new = [p.message for p in collisions(after, entry.id)]
    if new:
        before = {p.message for p in collisions(engine, entry.id)}
        harmed += [message.split("：")[0] for message in new if message not in before]
    if harmed:
        raise TeachRefused(
            f"加入后，这些问题会被错答成 {entry.id}「{entry.question}」：" + "；".join(harmed[:5])
        )


def _probes(engine: Engine) -> list[Case]:
    """The eval set's questions (the dev set, if the knowledge has one)."""
    path = engine.knowledge.directory / "eval" / "dev.yaml"
    return load_cases(path) if path.is_file() else []


def _right(engine: Engine, case: Case) -> bool:
    answer = engine.answer(case.question)
    if case.expected is None:
        return answer.status != ANSWERED
    return answer.entry_id in case.accepted
