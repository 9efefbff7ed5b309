"""Checks that need the engine: questions the engine would route to the wrong entry.

Loading (`bot.knowledge.model`) checks each file on its own terms. These checks ask how the engine
itself sees the whole knowledge base, which costs a search per question, so `policybot validate`
runs them and a reload does not. Both kinds are warnings: the knowledge still works, but some
users will get the other entry's answer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from bot.authoring.editor import Draft
from bot.engine.core import ANSWERED, Engine, decide_status
from bot.knowledge.model import Entry, Knowledge, check, figures
from bot.knowledge.yamlfile import Problem

NEAR_DUPLICATE = 95  # rapidfuzz points between two standard questions (马上办/网上办 are 91)
# A keyword is another entry's subject when that entry's questions name it at least this share of
# the time while its own entry's questions name it less (`borrowed_keywords`).
SUBJECT_SHARE = 0.5


def collisions(engine: Engine, towards: str | None = None) -> list[Problem]:
    """Questions that, with themselves left out of the index, the engine would confidently
    answer with another entry: a user asking just that way gets the wrong answer. With `towards`
    (an entry id), only those it would answer with that entry."""
    problems = []
    index = engine.index
    needs = next((n for n, e in enumerate(engine.entries) if e.id == towards), None)
    for position, entry in enumerate(engine.entries):
        first, _ = index.spans[position]
        for offset, question in enumerate(entry.questions):
            hits = index.search(index.texts[first + offset], 3, first + offset, needs)
            if not hits or hits[0][0] == position or needs not in (None, hits[0][0]):
                continue
            if decide_status([score for _, score in hits], engine.thresholds) != ANSWERED:
                continue
            own = next((score for found, score in hits if found == position), None)
            rival, rival_score = engine.entries[hits[0][0]], hits[0][1]
            own_text = f"{own:.2f}" if own is not None else "更低"
            line = (
                entry.question_lines[offset] if offset < len(entry.question_lines) else entry.line
            )
            problems.append(
                Problem(
                    entry.path,
                    line,
                    f"问法 “{question}” 更像条目 {rival.id}「{rival.question}」"
                    f"（{rival_score:.2f}，本条目 {own_text}）：用户这样问会得到 {rival.id} 的答案。"
                    "请把它改得更明确，或移到那个条目",
                    "warning",
                )
            )
    return problems


def near_duplicates(engine: Engine) -> list[Problem]:
    """Two entries whose standard questions say nearly the same thing."""
    entries = engine.entries
    texts = [engine.prepare(entry.question).replace(" ", "") for entry in entries]
    scores = cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE)
    problems = []
    for a, b in zip(*scores.nonzero(), strict=True):
        # 2月 and 3月 differ in one character but are different facts.
        if a < b and figures(texts[a]) == figures(texts[b]):
            first, second = entries[a], entries[b]
            problems.append(
                Problem(
                    second.path,
                    second.question_lines[0] if second.question_lines else second.line,
                    f"标准问和 {first.id}（{first.path.name}:{first.line}）几乎一样："
                    "请合并这两个条目，或把问题写得能区分开",
                    "warning",
                )
            )
    return problems


def borrowed_keywords(engine: Engine) -> list[Problem]:
    """Keywords that name another entry's subject: named in fewer than SUBJECT_SHARE of their own
    entry's questions and in at least that share of another's. A keyword is one of its entry's
    indexed texts, so a message that is just that word matches it exactly and gets its entry's
    answer at full score: 政务服务中心, a keyword of the 复工专窗 entry (named in 5 of its 21
    questions), answered 政务服务中心？ with the 专窗, though the entry on the centre names it in 20
    of 21 (fresh19, twenty-second round). Words as the index cuts them (`engine.words`: the
    knowledge's terms whole), one pass over the questions."""
    entries = engine.entries
    wanted = {engine.prepare(word) for entry in entries for word in entry.keywords}
    shares: list[dict[str, float]] = []
    subject_of: dict[str, list[Entry]] = {}
    for entry in entries:
        named = Counter(
            word
            for question in entry.questions
            for word in set(engine.words(engine.prepare(question))) & wanted
        )
        share = {word: count / len(entry.questions) for word, count in named.items()}
        shares.append(share)
        for word, part in share.items():
            if part >= SUBJECT_SHARE:
                subject_of.setdefault(word, []).append(entry)
    problems = []
    for entry, share in zip(entries, shares, strict=True):
        for keyword in entry.keywords:
            word = engine.prepare(keyword)
            if share.get(word, 0.0) >= SUBJECT_SHARE:
                continue
            for other in subject_of.get(word, []):
                problems.append(
                    Problem(
                        entry.path,
                        entry.line,
                        f"关键词 “{keyword}” 是条目 {other.id}「{other.question}」问的东西，"
                        "本条目的问法很少提到它：用户只打这个词，会得到本条目的答案。"
                        "请删掉这个关键词，或把它放到那个条目",
                        "warning",
                    )
                )
    return problems


def _rival(engine: Engine, phrasing: str, own_id: str | None) -> Entry | None:
    """The other entry `engine` confidently answers `phrasing` with, if any."""
    found = engine.answer(phrasing)
    if found.status != ANSWERED or found.entry_id in (None, own_id):
        return None
    return engine.knowledge.by_id[found.entry_id]


def _fight(phrasing: str, rival: Entry) -> str:
    return (
        f"问法 “{phrasing}” 现在由条目 {rival.id}「{rival.question}」回答：加在这里，两个条目"
        f"会抢这个问法。请换一个更明确的问法；如果它确实属于这里，请先修改 {rival.id}"
    )


def fights(engine: Engine, draft: Draft, original_id: str | None) -> dict[str, list[str]]:
    """The editor's new phrasings (not in the entry as it was) that `engine` already answers
    with another entry, under their form field. Saved, such a phrasing turns that entry's
    answered question into a choice between the two, or takes it over: `teach` refuses this
    (the two would fight), and the editor had let 专窗's own question into 咨询电话."""
    own = engine.knowledge.by_id.get(original_id or "")
    kept = set(own.questions) if own else set()
    errors: dict[str, list[str]] = {}
    for field, phrasing in [("question", draft.question), *(("similar", q) for q in draft.similar)]:
        phrasing = " ".join(phrasing.split())
        if not phrasing or phrasing in kept:
            continue
        rival = _rival(engine, phrasing, original_id)
        if rival is not None:
            errors.setdefault(field, []).append(_fight(phrasing, rival))
    return errors


def taken_over(engine: Engine, changed: Knowledge) -> list[Problem]:
    """`fights` for a whole changed knowledge (an imported sheet): each phrasing it adds to an
    entry that `engine`, serving the knowledge as it was, answers with another entry still in
    it. A sheet row asking 复工复产去哪个窗口办理 had taken that question over from 专窗."""
    problems = []
    for entry in changed.entries:
        own = engine.knowledge.by_id.get(entry.id)
        kept = set(own.questions) if own else set()
        for offset, phrasing in enumerate(entry.questions):
            rival = None if phrasing in kept else _rival(engine, phrasing, entry.id)
            if rival is not None and rival.id in changed.by_id:
                lines = entry.question_lines
                line = lines[offset] if offset < len(lines) else entry.line
                problems.append(Problem(entry.path, line, _fight(phrasing, rival)))
    return problems


def deep_check(knowledge: Knowledge) -> list[Problem]:
    engine = Engine(knowledge)
    return near_duplicates(engine) + collisions(engine) + borrowed_keywords(engine)


def validate(directory: Path) -> tuple[Knowledge | None, list[Problem]]:
    """Everything `policybot validate` reports: each file's own checks, then (when the knowledge
    loads) how the engine sees it, in file and line order. Raises `KnowledgeDirMissing`."""
    knowledge, problems = check(directory)
    if knowledge is not None:
        problems = problems + deep_check(knowledge)
    return knowledge, sorted(problems, key=lambda p: (str(p.path), p.line))
