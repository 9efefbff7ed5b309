"""Another city: bot.yaml's `places` name the city, and the engine hard-codes none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.answerability import content_weight
from bot.engine.core import Engine
from bot.engine.evaluation import load_cases
from bot.knowledge.model import check, load
from tests.support.paths import KNOWLEDGE


def test_the_shipped_knowledge_names_its_city(knowledge):
    assert knowledge.places == ("抚远", "抚远市")


def test_the_citys_names_weigh_nothing_by_the_knowledge_not_by_the_engine(engine):
    # The engine's own framing words name no city: 抚远 weighs nothing as bot.yaml's place.
    assert content_weight("抚远", True) > 0
    known = engine.wording.known
    assert (
        engine.wording.weight("抚远", known, 1.0) == 0 < engine.wording.weight("饶河", known, 1.0)
    )
    assert not engine.wording.carries("抚远市") and engine.wording.carries("码头")


@pytest.mark.parametrize("place", ["市", "Fuyuan", "抚远 市", "抚远。"])
def test_a_place_of_one_character_or_not_all_chinese_is_an_error_at_its_line(tmp_path, place):
    shutil.copytree(KNOWLEDGE, tmp_path / "k", ignore=shutil.ignore_patterns("eval"))
    path = tmp_path / "k" / "bot.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "places: [抚远, 抚远市]", f"places: [抚远, {place}]"
    )
    path.write_text(text, encoding="utf-8")
    _, problems = check(tmp_path / "k")
    (error,) = [p for p in problems if p.severity == "error"]
    line = 1 + text[: text.index("places:")].count("\n")
    assert (error.path, error.line) == (path, line)
    assert f"places 里的 “{place}”" in error.message and "两个字以上的汉字地名" in error.message


# 饶河 is cut into words as 抚远 is (饶河市 as 饶河 市, as 抚远市 is; 同江市 would be one word).
CITY, OTHER = "抚远", "饶河"
SETS = ("dev", "natural", "traps", "homophones")  # tuned-on sets only, never an untuned one


def swapped(directory: Path) -> Path:
    """A copy of the shipped knowledge (its eval sets left out) with the city's name replaced by
    another's in every file: the texts, synonyms, entries, sources, and bot.yaml's places."""
    shutil.copytree(KNOWLEDGE, directory, ignore=shutil.ignore_patterns("eval"))
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".txt"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(CITY, OTHER), encoding="utf-8")
    return directory


@pytest.mark.slow
def test_another_city_swapped_in_decides_as_the_shipped_city_does(knowledge, tmp_path):
    """The same questions with the same name swapped get the same decision and, answered or
    clarified, the same first entry. (Lower ranks and scores may move: the name's characters
    count in the character statistics, 远 in 远程 too.)"""
    other = load(swapped(tmp_path / "other"))
    assert other.places == ("饶河", "饶河市")
    here, there = Engine(knowledge, cache=0), Engine(other, cache=0)
    questions = [
        c.question for name in SETS for c in load_cases(KNOWLEDGE / "eval" / f"{name}.yaml")
    ]
    assert sum(CITY in question for question in questions) > 200
    differ = []
    for question in questions:
        ours, theirs = here.answer(question), there.answer(question.replace(CITY, OTHER))
        first = [
            answer.candidates[0].id if answer.candidates else None for answer in (ours, theirs)
        ]
        if ours.status != theirs.status or (ours.status != "fallback" and first[0] != first[1]):
            differ.append((question, ours.status, theirs.status, *first))
    assert not differ, differ
