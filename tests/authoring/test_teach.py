"""`teach` adds a phrasing without disturbing the file, and refuses what would confuse entries."""

from __future__ import annotations

import dataclasses
import re

import pytest

import bot.authoring.teach as teach_module
from bot.authoring.checks import collisions
from bot.authoring.teach import TeachRefused, teach
from bot.engine.core import Engine
from bot.knowledge.model import check, load

FAQ = "faq/03-fugong-fuchan.yaml"


@pytest.mark.slow
def test_teach_adds_one_line_and_keeps_comments_and_layout(knowledge_copy):
    path = knowledge_copy / FAQ
    before = path.read_text(encoding="utf-8").splitlines()
    taught = teach(load(knowledge_copy), "复工了要去政务大厅哪个口子", "fugong-zhuanchuang")
    after = path.read_text(encoding="utf-8").splitlines()
    assert taught.path == path
    assert len(after) == len(before) + 1
    added = [line for line in after if line not in before]
    assert added == ["      - 复工了要去政务大厅哪个口子"]
    assert after[0] == before[0] and after[0].startswith("#")  # the admins' comment is still there
    knowledge, problems = check(knowledge_copy)
    assert knowledge is not None and not problems
    assert "复工了要去政务大厅哪个口子" in knowledge.by_id["fugong-zhuanchuang"].similar
    assert Engine(knowledge).answer("复工了要去政务大厅哪个口子").entry_id == "fugong-zhuanchuang"


def test_a_masked_question_from_the_log_is_taught_without_its_masks(knowledge_copy):
    """The gap review shows questions masked; taught as shown, 手机号 and 姓名 became words of
    the entry, and 手机号变了去哪个窗口办 rose from 0.36 to 0.55 toward it (probe18)."""
    taught = teach(
        load(knowledge_copy),
        "我是[姓名]，电话[手机号]，复工了要去政务大厅哪个口子",
        "fugong-zhuanchuang",
    )
    assert taught.question == "我是 ，电话 ，复工了要去政务大厅哪个口子"
    similar = load(knowledge_copy).by_id["fugong-zhuanchuang"].similar
    assert not any("手机号" in q or "姓名" in q for q in similar)


def test_teach_refuses_a_question_another_entry_answers_better(knowledge_copy):
    before = (knowledge_copy / FAQ).read_text(encoding="utf-8")
    with pytest.raises(TeachRefused) as refused:
        teach(load(knowledge_copy), "信用修复怎么办理", "fugong-zhuanchuang")
    assert "qiye-xinyong-xiufu" in str(refused.value)
    assert (knowledge_copy / FAQ).read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    "question, entry_id, reason",
    [
        ("复工复产在哪里办", "fugong-zhuanchuang", "已经有"),
        ("随便", "no-such-entry", "没有"),
        ("  ", "fugong-zhuanchuang", "空"),
    ],
)
def test_teach_refuses_duplicates_unknown_entries_and_blanks(
    knowledge_copy, question, entry_id, reason
):
    with pytest.raises(TeachRefused) as refused:
        teach(load(knowledge_copy), question, entry_id)
    assert reason in str(refused.value)


def test_teach_refuses_when_the_knowledge_changed_during_its_checks(knowledge_copy, monkeypatch):
    # A console save made while `policybot teach` ran its checks was written over (probe16).
    knowledge = load(knowledge_copy)
    path = knowledge.by_id["fugong-zhuanchuang"].path
    saved_meanwhile = path.read_text(encoding="utf-8").replace(
        "- 复工复产专窗在哪\n", "- 复工复产专窗在哪儿\n"
    )
    real = teach_module.check_no_harm

    def meanwhile(*args):
        path.write_text(saved_meanwhile, encoding="utf-8")
        return real(*args)

    monkeypatch.setattr(teach_module, "check_no_harm", meanwhile)
    with pytest.raises(TeachRefused, match="被别人修改过"):
        teach(knowledge, "复工复产专窗在哪个口子", "fugong-zhuanchuang")
    assert path.read_text(encoding="utf-8") == saved_meanwhile


@pytest.mark.slow
def test_teach_an_entry_without_similar_questions(knowledge_copy):
    """An entry may leave out `similar:` (a warning); teaching it starts the list."""
    path = knowledge_copy / FAQ
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("    similar:\n")
    end = next(n for n in range(start + 1, len(lines)) if not lines[n].startswith("      - "))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    assert load(knowledge_copy).by_id["fugong-zhuanchuang"].similar == ()
    teach(load(knowledge_copy), "复工复产的专窗设在哪个楼", "fugong-zhuanchuang")
    assert load(knowledge_copy).by_id["fugong-zhuanchuang"].similar == ("复工复产的专窗设在哪个楼",)


@pytest.mark.slow
def test_collisions_asked_about_one_rival_are_those_of_the_full_pass(knowledge):
    """A teach's no-harm check asks only which questions would go to the taught entry
    (`collisions(engine, rival)`, whose searches stop when that entry is not shortlisted); it
    must find exactly what the full pass finds with that rival, on a knowledge that has some."""
    harmful = {
        "fugong-zhuanchuang": ("复工复产咨询电话", "绿色通道"),
        "zs-kaocha-shandong": ("抚远",),
    }
    entries = tuple(
        dataclasses.replace(e, similar=(*e.similar, *harmful.get(e.id, ())))
        for e in knowledge.entries
    )
    engine = Engine(dataclasses.replace(knowledge, entries=entries, by_id={}), cache=0)
    every = collisions(engine)
    rivals = {re.search(r"更像条目 (\S+)「", p.message)[1] for p in every}
    assert {"fugong-zhuanchuang", "fugong-lvse-tongdao"} <= rivals  # something to find
    # (Each pass costs about a second and a half of CPU: two rivals and an entry that is none.)
    for rival in ("fugong-zhuanchuang", "fugong-lvse-tongdao", "qiye-xinyong-xiufu"):
        assert collisions(engine, rival) == [p for p in every if f"更像条目 {rival}「" in p.message]
