"""The engine cache: a large knowledge base starts from its saved engine, never a stale one."""

from __future__ import annotations

import pytest

from bot.engine import cache
from bot.engine.cache import build_engine
from bot.engine.core import ANSWERED
from tests.support.edits import edit

QUESTION = "复工复产去哪个窗口办理"


@pytest.fixture
def cached(monkeypatch):
    """Cache the shipped knowledge although it is small enough to build in a moment."""
    monkeypatch.setattr(cache, "SMALLEST", 0)


def shown(engine) -> dict:
    return {k: v for k, v in engine.answer(QUESTION).to_dict().items() if k != "took_ms"}


def test_the_next_start_loads_the_saved_engine(cached, knowledge_copy, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    first = build_engine(knowledge_copy, folder)
    assert len(list(folder.glob("engine-*.pickle"))) == 1
    monkeypatch.setattr(cache, "load", lambda _: pytest.fail("the YAML was read again"))
    again = build_engine(knowledge_copy, folder)
    assert shown(again) == shown(first) and shown(again)["status"] == ANSWERED


def test_an_edit_builds_a_new_engine_and_replaces_the_old_one(cached, knowledge_copy, tmp_path):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, folder)
    before = {path.name for path in folder.glob("engine-*")}
    edit(
        knowledge_copy / "faq" / "03-fugong-fuchan.yaml",
        "可到政务服务中心的复工复产专窗",
        "可到复工复产专窗办理",
    )
    engine = build_engine(knowledge_copy, folder)
    after = {path.name for path in folder.glob("engine-*")}
    assert len(after) == 1 and after != before
    assert "可到复工复产专窗办理" in shown(engine)["answer"]


def test_a_damaged_cache_file_is_rebuilt_with_a_warning(cached, knowledge_copy, tmp_path, caplog):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, folder)
    next(folder.glob("engine-*.pickle")).write_bytes(b"cut short")
    assert shown(build_engine(knowledge_copy, folder))["status"] == ANSWERED
    assert "unreadable" in caplog.text


def test_a_cache_that_cannot_be_written_costs_only_the_cache(
    cached, knowledge_copy, tmp_path, caplog
):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the folder should be")
    assert shown(build_engine(knowledge_copy, not_a_folder))["status"] == ANSWERED
    assert "could not save" in caplog.text


def test_small_knowledge_is_built_every_time(knowledge_copy, tmp_path):
    build_engine(knowledge_copy, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
