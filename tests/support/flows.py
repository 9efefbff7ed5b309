"""A small fixed knowledge for the two-stage fallback's tests (confirm, 都不是, near topics), and
thresholds that make a given question a confirm or a list whatever the engine's tuning.

The knowledge (`fixtures/flows`: the 复工复产 and 企业服务 files and their source, no calibrated
thresholds) does not change when the shipped knowledge grows, and the thresholds are derived
from the candidates' own scores, so retuning the engine's scoring cannot turn a confirm into
an answer or a list into a fallback under these tests.
"""

from __future__ import annotations

from bot.engine.core import Engine, Thresholds
from bot.knowledge.model import Knowledge, load
from tests.support.paths import FIXTURES

FLOWS = FIXTURES / "flows"
# One entry clearly first, near topics beside it: a confirm, then 不是.
CONFIRM = "复工复产有没有咨询电话"
CONFIRMED = "fugong-zixun-dianhua"
# Three entries about as good: "您是想问" with 都不是.
LIST = "复工复产怎么办"


def flows_knowledge() -> Knowledge:
    return load(FLOWS)


def offering(engine: Engine, offers: dict[str, int]) -> Thresholds:
    """Thresholds under which each question is offered as its number of choices (1: a
    confirm), never answered outright: the clarify floor sits between every question's last
    offered candidate and the next."""
    low, high = 0.0, 1.0
    for question, count in offers.items():
        scores = [c.score for c in engine.candidates(question)]
        assert len(scores) > count, (question, scores)
        low, high = max(low, scores[count]), min(high, scores[count - 1])
    assert low < high, f"no one clarify floor offers {offers}"
    # margin 1: the best never beats the runner-up by that much, so nothing is answered.
    return Thresholds(answer=1.0, margin=1.0, clarify=(low + high) / 2)
