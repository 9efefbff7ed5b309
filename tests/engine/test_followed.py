"""A bare follow-up read against the entry the conversation was last answered with: answered by
that entry only when it answers what the follow-up asks (bot.engine.followed)."""

from __future__ import annotations

import pytest

from bot.engine.core import ANSWERED, FALLBACK
from bot.engine.followed import followed_up

CREDIT = (
    "qiye-xinyong-xiufu"  # 可以…可到政务服务中心或拨打 12345 政务服务热线咨询: a way to proceed
)


@pytest.mark.parametrize("follow_up", ["怎么申请", "那怎么申请呢", "去哪申请"])
def test_a_follow_up_the_previous_entry_answers_is_answered_by_it(engine, follow_up):
    assert engine.answer(follow_up).status == FALLBACK  # alone it names no topic
    answer = followed_up(engine, follow_up, CREDIT)
    assert answer is not None and answer.status == ANSWERED
    assert (answer.entry_id, answer.context, answer.question) == (CREDIT, CREDIT, follow_up)
    assert answer.to_dict()["context"] == CREDIT and answer.candidates[0].id == CREDIT


@pytest.mark.parametrize(
    "follow_up",
    [
        "电话多少",  # the entry gives no number (it sends the asker to 12345 for the rest)
        "有文件吗",  # a yes/no: the entry's own 可以 does not settle it
        "第二个呢",  # an item of a list
        "黑瞎子岛门票多少钱",  # a topic of its own
        "具体怎么做的",  # asks nothing the check can hold the entry to
        "那企业失信以后要怎么申请信用修复才行呢",  # long: says what it is about, answered alone
    ],
)
def test_a_follow_up_the_previous_entry_does_not_answer_is_not_read_against_it(engine, follow_up):
    assert followed_up(engine, follow_up, CREDIT) is None


def test_an_entry_gone_since_reads_nothing(engine):
    assert followed_up(engine, "怎么申请", "no-such-entry") is None


def test_a_follow_up_to_a_cached_engines_entry_makes_no_other_entry(engine):
    # A cached engine's entries are packed, each made when first read (bot.knowledge.packed):
    # finding the entry's place by `Sequence.index` made every entry before it (at 100k
    # entries up to all of them: ~0.8 s of CPU, bot.engine.cache, for one short message).
    import io

    from bot.engine.cache import _Pickler, _Unpickler

    saved = io.BytesIO()
    _Pickler(saved, engine, protocol=5).dump(engine)
    loaded = _Unpickler(io.BytesIO(saved.getvalue())).load()
    answer = followed_up(loaded, "怎么申请", CREDIT)
    assert answer is not None and answer.entry_id == CREDIT
    made = [entry.id for entry in loaded.entries._made if entry is not None]
    assert made == [CREDIT]
