"""A small fixed knowledge for the two-stage fallback's tests (confirm, 都不是, near topics), and
thresholds that make a given question a confirm or a list whatever the engine's tuning.

The knowledge (`fixtures/flows`: the 复工复产 and 企业服务 files and their source, no calibrated
thresholds) does not change when the shipped knowledge grows, and the thresholds are derived
from the candidates' own scores, so retuning the engine's scoring cannot turn a confirm into
an answer or a list into a fallback under these tests.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import yaml

from bot.engine.core import Engine, Thresholds
from bot.knowledge.model import Knowledge, load
from tests.support.paths import FIXTURES

FLOWS = FIXTURES / "flows"
# One entry clearly first, near topics beside it: a confirm, then 不是.
CONFIRM = "您好，我想问一下复工复产有没有咨询电话"
CONFIRMED = "fugong-zixun-dianhua"
# Three entries about as good: "您是想问" with 都不是.
LIST = "您好，我想问一下复工复产怎么办"
# One entry far ahead of the rest: answered when `offering` is told to answer it.
ANSWERED = "复工复产去哪个窗口办理"
OUT_OF_SCOPE = "黑瞎子岛门票多少钱"


def flows_knowledge() -> Knowledge:
    return load(FLOWS)


def offering(engine: Engine, offers: dict[str, int], answered: tuple[str, ...] = ()) -> Thresholds:
    """Thresholds under which each question is offered as its number of choices (1: a
    confirm), and each `answered` question answered: the clarify floor sits between every
    question's last offered candidate and the next; the margin between the offered questions'
    lead over their runner-up and the answered ones' (without `answered`, 1: nothing is)."""
    low, high = 0.0, 1.0
    lead, gap = 0.0, 1.0
    for question, count in offers.items():
        scores = [c.score for c in engine.candidates(question)]
        assert len(scores) > count, (question, scores)
        low, high = max(low, scores[count]), min(high, scores[count - 1])
        lead = max(lead, scores[0] - scores[1])
    assert low < high, f"no one clarify floor offers {offers}"
    clarify = (low + high) / 2
    if not answered:
        return Thresholds(answer=1.0, margin=1.0, clarify=clarify)
    for question in answered:
        scores = [c.score for c in engine.candidates(question)]
        assert scores[0] >= clarify, (question, scores)
        gap = min(gap, scores[0] - scores[1])
    assert lead < gap, f"no one margin answers {answered} and offers {offers}"
    return Thresholds(answer=clarify, margin=(lead + gap) / 2, clarify=clarify)


def flows_engine(offers: dict[str, int], answered: tuple[str, ...] = ()) -> Engine:
    """An engine on the flows knowledge under `offering`'s thresholds."""
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, offers, answered)
    return engine


def flows_copy(target: Path, thresholds: Thresholds | None = None) -> Path:
    """The flows knowledge copied to `target` (for a test that edits it: a fraction of the shipped
    knowledge to load and check), with `thresholds`, if given, written into its bot.yaml for a
    `policybot` process (which reads its thresholds from there)."""
    shutil.copytree(FLOWS, target)
    if thresholds is not None:
        written = dataclasses.asdict(thresholds)
        with (target / "bot.yaml").open("a", encoding="utf-8") as file:
            file.write("\n" + yaml.safe_dump({"thresholds": written}))
    return target


def is_fallback(text: str, knowledge: Knowledge) -> bool:
    """Whether `text` is a fallback: the general one or a category's (the flows knowledge has
    one for 复工复产), followed by any near topics."""
    texts = knowledge.texts
    return any(text.startswith(f.strip()) for f in (texts.fallback, *texts.fallbacks.values()))
