"""What each part of the engine adds: the engine with one part taken out at a time, against the
usual baselines, on every tuned-on eval set.

    python bench/matching_quality.py [--knowledge DIR] [--sets NAME ...] [--eval FILE ...]
                                     [--variants TEXT ...] [--jobs N] [--markdown] [--json FILE]

Without --sets or --eval it runs every tuned-on set (`TUNED_ON`): dev, homophones, natural,
traps, out_of_domain, fresh/, holdout/, fresh2/ … fresh18/ and fresh19/ (fresh19/ also as its even
and odd positions, as it is read by halves: docs/evaluation.md). `--sets` names files under
knowledge/eval (`fresh2/traps`) or folders (`holdout`: each of its .yaml files); a set still
untuned is never a default, nor globbed for: only whoever may run it names it. `--variants`
keeps the variants whose name contains one of the texts (the engine row is always run).

Every method sees the same questions and the same knowledge (standard + similar questions).
The baselines (`bench/baselines.py`: rapidfuzz WRatio, BM25 over character bigrams and over
characters + bigrams) only rank: their figure is top-1, an accepted entry ranked first. Each
engine variant gets thresholds calibrated for it on dev.yaml (`calibrate`, as `policybot eval
--calibrate` does: most right answers with at most 2.5% wrong and 2.5% out-of-scope answered),
so every variant is judged at its own best setting, and then answers every set as a user's
question would go (`policybot eval`'s counting): right, wrong, out-of-scope answered, and the
confirms and lists offered that held the right entry.

Most parts have a switch in `Tuning` or `Shares`; the rest are turned off here only, by
patching the module constant or function that makes them (`Variant.patches`), for as long as the
variant is built and run: nothing of this is a knob of the shipped engine. A variant that
changes neither the index nor the entries' descriptions (`Variant.rebuild`) reuses the engine
built once; the variants run in a pool of `--jobs` processes (forked after that build).
Calibration is `calibrate`'s search done on arrays (`calibrate_quickly`, the same setting to
the last tie: `--check-calibration` runs both and stops if they differ; the search in Python
took ~18 s a variant).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import re
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from bot.engine import _query, answerability, asked, core, features, reading, wording
from bot.engine.core import Engine
from bot.engine.decision import Candidate, Shares, Thresholds, choosable
from bot.engine.evaluation import GRID, Case, Report, calibrate, load_cases, record_answer
from bot.engine.index import Tuning
from bot.engine.mentioned import MARKED
from bot.knowledge.model import Knowledge, load

from baselines import baselines

# The sets every engineer may read (docs/evaluation.md); a set still untuned is never listed.
TUNED_ON = (
    "dev",
    "homophones",
    "natural",
    "traps",
    "out_of_domain",
    "fresh/natural",
    "fresh/traps",
    "fresh/out_of_domain",
    "holdout/natural",
    "holdout/traps",
    "fresh2/natural",
    "fresh2/traps",
    "fresh3/natural",
    "fresh3/traps",
    "fresh4/natural",
    "fresh4/traps",
    "fresh4/out_of_domain",
    "fresh5/natural",
    "fresh5/traps",
    "fresh5/out_of_domain",
    "fresh6/natural",
    "fresh6/traps",
    "fresh6/out_of_domain",
    "fresh7/natural",
    "fresh7/traps",
    "fresh7/out_of_domain",
    "fresh8/natural",
    "fresh8/traps",
    "fresh8/out_of_domain",
    "fresh9/natural",
    "fresh9/traps",
    "fresh9/out_of_domain",
    "fresh10/natural",
    "fresh10/traps",
    "fresh10/out_of_domain",
    "fresh11/natural",
    "fresh11/traps",
    "fresh11/out_of_domain",
    "fresh12/natural",
    "fresh12/traps",
    "fresh12/out_of_domain",
    "fresh13/natural",
    "fresh13/traps",
    "fresh13/out_of_domain",
    "fresh14/natural",
    "fresh14/traps",
    "fresh14/out_of_domain",
    "fresh15/natural",
    "fresh15/traps",
    "fresh15/out_of_domain",
    "fresh16/natural",
    "fresh16/traps",
    "fresh16/out_of_domain",
    "fresh17/natural",
    "fresh17/traps",
    "fresh17/out_of_domain",
    "fresh18/natural",
    "fresh18/traps",
    "fresh18/out_of_domain",
    "fresh19/natural",
    "fresh19/traps",
    "fresh19/out_of_domain",
)
# Read on even positions, checked on odd (docs/evaluation.md): also reported by halves.
HALVED = ("fresh19/natural", "fresh19/traps", "fresh19/out_of_domain")
# Tuning fields the index is built with; the others are read as questions are answered.
BUILT_WITH = frozenset({"char", "pair", "sound", "word", "fields", "saturation"})
NEVER = re.compile(r"(?!)")  # a pattern that matches nothing: a rule of the reading turned off


@dataclass(frozen=True)
class Variant:
    """The engine with one part changed. `patches`: (object, attribute, value) set while the
    variant is built and run; `rebuild`: they change what the engine builds (the index, the
    entries' descriptions), so it gets its own engine; `synonyms`: keep the knowledge's."""

    name: str
    tuning: dict[str, Any] = field(default_factory=dict)
    shares: Shares | None = None
    patches: tuple[tuple[Any, str, Any], ...] = ()
    rebuild: bool = False
    synonyms: bool = True

    @property
    def own_engine(self) -> bool:
        return self.rebuild or not self.synonyms or bool(BUILT_WITH & set(self.tuning))


# The originals the patches below wrap.
_check, _asked_for, _read, _weight = answerability.check, asked.asked_for, core.read, wording.weight


def _no_focus(focus, *args, **kwargs):
    """`check` as if the question wanted no kind of answer: no focus mismatch."""
    return _check(None, *args, **kwargs)


def _no_things(*args, **kwargs):
    """`check` without the things asked for by name."""
    return _check(*args, **{**kwargs, "things": ()})


def _words_only(*args, **kwargs) -> tuple[str, ...]:
    """`asked_for` without the things an answer states in its own way: a figure in a unit (几天,
    多少钱 → 元, an amount invested), a title, an amount reached, a year, each of a set of N, a
    figure per year, a figure from before, a part of a total, an area."""
    return tuple(thing for thing in _asked_for(*args, **kwargs) if not thing.startswith(MARKED))


def _no_keywords(*args, **kwargs) -> reading.Reading:
    """`read`, but keywords typed without a question word name no thing asked for."""
    return replace(_read(*args, **kwargs), keywords=False)


def _background_as_asking(word: str, known: bool, clause: float, *rest) -> float:
    """`weight` with a background clause weighing as an asking one."""
    return _weight(word, known, 1.0 if clause == reading.BACKGROUND else clause, *rest)


def variants() -> list[Variant]:
    """The engine, then each part taken out, in the order of the pipeline (docs/matching.md)."""
    v = Variant
    return [
        v("policybot engine"),
        # 2. synonyms; 3. reading the message
        v("without synonyms", synonyms=False),
        v(
            "greetings and introductions kept (not set aside)",
            patches=(
                (reading, "_GREETING", NEVER),
                (reading, "_INTRODUCTION", NEVER),
                (reading, "_ASKS_FROM", NEVER),
            ),
            rebuild=True,
        ),
        v(
            "after the question, every clause asked unless the sender's own",
            patches=((reading, "_GOES_ON", re.compile("")),),
            rebuild=True,
        ),
        v(
            "a fragment before the asking clause is background",
            patches=((reading, "FRAGMENT", 0),),
            rebuild=True,
        ),
        v(
            "a condition (如果…) is background",
            patches=((reading, "_CONDITION", NEVER),),
            rebuild=True,
        ),
        v(
            "the clause before the asking part is background (not a topic)",
            patches=((reading, "TOPIC", reading.BACKGROUND),),
            rebuild=True,
        ),
        v(
            "an asking clause that says nothing points nowhere",
            patches=((wording.Wording, "says", lambda self, clause: True),),
            rebuild=True,
        ),
        v(
            "question marks say nothing of which sentences ask",
            patches=((core, "questions_marked", lambda message, folded: None),),
        ),
        v(
            "a question about the sender's own case asks as any other",
            patches=((reading, "_SENDER", NEVER),),
        ),
        v(
            "a request without a question word is keywords (请提供…, 需要…)",
            patches=((reading, "_REQUEST", NEVER),),
        ),
        # 4. retrieval and 5. re-ranking
        v("without pinyin features", {"sound": 0.0}),
        v("without word features (rjieba)", {"word": 0.0}),
        v("without the answer + quote field", {"fields": 0.0}),
        v("with BM25 saturation (k1 1.2, b 0.75)", {"saturation": 1.2}),
        v(
            "framing characters and words weigh as topic ones",
            patches=((features, "GENERIC_WEIGHT", 1.0), (_query, "GENERIC_WEIGHT", 1.0)),
            rebuild=True,
        ),
        v("without the asking clause searched alone", {"asking_clause": False}),
        v(
            "without the search without background",
            patches=((reading.Reading, "foreground", property(lambda self: self.asking)),),
        ),
        v("cosine only, no rapidfuzz", {"cosine_share": 1.0}),
        v("rapidfuzz only, no cosine", {"cosine_share": 0.0}),
        v("without the character-level unexplained discount", {"discount_unexplained": False}),
        # 6. does it answer what is asked?
        v("without the answerability check", {"answerability": False}),
        v("without the focus check", patches=((answerability, "check", _no_focus),)),
        v(
            "without the things asked for by name",
            patches=((answerability, "check", _no_things),),
        ),
        v(
            "without the unit / year / set-of-N / amount / title / event rules",
            patches=((asked, "asked_for", _words_only), (asked, "_WHEN", NEVER)),
        ),
        v(
            "keywords no entry uses name no thing asked for",
            patches=((core, "read", _no_keywords),),
        ),
        v(
            "framing words (我们, 公司, 介绍…) are content",
            patches=((answerability, "FRAMING", frozenset()),),
            rebuild=True,
        ),
        v("without part-of-speech word weights", {"word_classes": False}),
        v(
            "a guessed word (天办) stays whole",
            patches=((wording, "in_dictionary", lambda word: (word,)),),
            rebuild=True,
        ),
        v(
            "a figure the entry lacks (2021年) carries nothing",
            patches=((answerability, "FIGURE", 0.0),),
        ),
        v(
            "background weighs as the asking clause (not 0.3)",
            patches=((wording, "weight", _background_as_asking),),
        ),
        v("background words no entry uses weigh 0.3, not 0.06", {"quiet_background": False}),
        # 7. the decision
        v("one match share (0.6) for short and long", shares=Shares(short=0.6)),
        v("match only, no coverage in the score", shares=Shares(short=1.0, long=1.0)),
    ]


@contextmanager
def applied(variant: Variant) -> Iterator[None]:
    """The variant's patches, for as long as it is built and run; cached weights made under
    other patches are dropped before and after."""
    with ExitStack() as stack:
        for target, name, value in variant.patches:
            stack.enter_context(mock.patch.object(target, name, value))
        reading.weight.cache_clear()
        try:
            yield
        finally:
            reading.weight.cache_clear()


# --- sets ---------------------------------------------------------------------------------


def set_files(folder: Path, names: list[str]) -> list[tuple[str, Path]]:
    """(name, path) of each set named: a file under `folder` (with or without .yaml) or a folder
    there (its .yaml files, sorted)."""
    found = []
    for name in names:
        path = folder / name
        if path.is_dir():
            found += [(f"{name}/{p.stem}", p) for p in sorted(path.glob("*.yaml"))]
        else:
            path = path if path.suffix == ".yaml" else path.with_suffix(".yaml")
            if not path.is_file():
                sys.exit(f"no eval set {name} under {folder}")
            found.append((name.removesuffix(".yaml"), path))
    return found


def halves(cases: list[Case]) -> list[str]:
    """Per case, "even" or "odd": its position within its part (in_scope, out_of_scope)."""
    seen = {True: 0, False: 0}
    found = []
    for case in cases:
        part = case.expected is not None
        found.append("even" if seen[part] % 2 == 0 else "odd")
        seen[part] += 1
    return found


def halved(name: str) -> list[str]:
    return [f"{name} even", f"{name} odd"]


# --- calibration ----------------------------------------------------------------------------


def calibrate_quickly(
    scored: list[tuple[Case, tuple[Candidate, ...], str]], max_false_rate: float = 0.025
) -> Thresholds:
    """`bot.engine.evaluation.calibrate` over candidates already ranked, each with its question
    as the engine reads it (`Engine.as_read`, folded: what `choosable` is asked of): the same
    grid, the same limits and the same order of preference among ties, each setting's decisions
    taken on arrays at once instead of question by question."""

    def first(candidates, n: int) -> float:
        return candidates[n].score if len(candidates) > n else (-np.inf if n == 0 else 0.0)

    best = np.array([first(c, 0) for _, c, _ in scored])
    runner_up = np.array([first(c, 1) for _, c, _ in scored])
    inside = np.array([case.expected is not None for case, _, _ in scored])
    right = np.array([bool(c) and c[0].id in case.accepted for case, c, _ in scored])
    # The best score of an accepted entry among the choices a clarify could offer.
    held = np.array(
        [
            max((x.score for x in c[:3] if x.id in case.accepted), default=-np.inf)
            for case, c, _ in scored
        ]
    )
    # Whether a clarify may offer a choice at all (a fragment or a figure quoted: the fallback).
    choosing = np.array([choosable(folded) for _, _, folded in scored])
    grid = [
        (a, m, c)
        for a, m, c in itertools.product(GRID["answer"], GRID["margin"], GRID["clarify"])
        if c <= a
    ]
    answer, margin, clarify = (np.array(column)[:, None] for column in zip(*grid, strict=True))
    shown = best >= clarify
    answered = shown & (best >= answer) & (best - runner_up >= margin)
    asked_back = shown & ~answered & choosing
    correct = (answered & inside & right).sum(1)
    wrong = (answered & inside & ~right).sum(1)
    false = (answered & ~inside).sum(1)
    helpful = (asked_back & inside & (held >= clarify)).sum(1) - (asked_back & ~inside).sum(1)
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    chosen: tuple | None = None
    for n, (a, m, c) in enumerate(grid):
        if n_out and false[n] / n_out > max_false_rate:
            continue
        if n_in and wrong[n] / n_in > max_false_rate:
            continue
        key = (int(correct[n]), int(helpful[n]), a + m, c)
        if chosen is None or key > chosen[0]:
            chosen = (key, Thresholds(answer=a, margin=m, clarify=c))
    return chosen[1] if chosen else Thresholds()


# --- running ------------------------------------------------------------------------------

# Set by `main` before the pool forks: the knowledge, the engine built once, the sets.
_STATE: dict[str, Any] = {}


def tally(engine: Engine, name: str, cases: list[Case]) -> dict[str, dict[str, int]]:
    """`policybot eval`'s counts for one set, and how often an accepted entry ranked first; for
    a set in HALVED, for its even and odd halves too."""
    parts = [name] if name not in HALVED else [name, f"{name} even", f"{name} odd"]
    reports, tops = {p: Report() for p in parts}, dict.fromkeys(parts, 0)
    for case, half in zip(cases, halves(cases), strict=True):
        answer = engine.answer(case.question)
        ranked = answer.candidates
        if case.expected and not ranked:  # small talk or another language: not ranked there
            ranked = engine.candidates(case.question)
        for part in parts[:1] + [f"{name} {half}"] * (len(parts) > 1):
            record_answer(reports[part], case, answer, engine.knowledge.by_id)
            tops[part] += bool(case.expected and ranked and ranked[0].id in case.accepted)
    return {
        part: {
            "in": report.in_scope,
            "out": report.out_of_scope,
            "top": tops[part],
            "right": report.correct,
            "wrong": report.wrong,
            "oos": report.false_answers,
            "oos_offered": report.out_of_scope_clarified,
            "offered": report.clarify_offered,
            "offered_right": report.clarify_right,
        }
        for part, report in reports.items()
    }


def run_variant(number: int) -> dict[str, Any]:
    """One variant: built (or the shared engine, its query-time knobs set), calibrated on dev,
    run on every set."""
    variant: Variant = _STATE["variants"][number]
    knowledge: Knowledge = _STATE["knowledge"]
    shared: Engine = _STATE["engine"]
    started = time.process_time()
    with applied(variant):
        if variant.own_engine:
            kept = knowledge if variant.synonyms else replace(knowledge, synonyms=())
            engine = Engine(kept, tuning=Tuning(**variant.tuning), shares=variant.shares)
        else:
            engine = shared
            saved = engine.index.tuning, engine.shares, engine.thresholds
            engine.index.tuning = replace(saved[0], **variant.tuning)
            engine.shares = variant.shares or saved[1]
        try:
            dev = _STATE["dev"]
            scored = [
                (c, engine.candidates(c.question), engine.as_read(c.question)[1]) for c in dev
            ]
            thresholds = calibrate_quickly(scored)
            if _STATE["check_calibration"] and calibrate(engine, dev) != thresholds:
                raise SystemExit(f"{variant.name}: calibrate_quickly differs from calibrate")
            engine.thresholds = thresholds  # (drops the answers cached under other settings)
            sets = {}
            for name, cases in _STATE["sets"].items():
                sets.update(tally(engine, name, cases))
        finally:
            if not variant.own_engine:
                engine.index.tuning, engine.shares, engine.thresholds = saved
    return {
        "name": variant.name,
        "thresholds": [thresholds.answer, thresholds.margin, thresholds.clarify],
        "sets": sets,
        "cpu": time.process_time() - started,
    }


def run_baselines(_: int = 0) -> dict[str, Any]:
    """Top-1 of each baseline on every set's in-scope questions."""
    knowledge: Knowledge = _STATE["knowledge"]
    questions = [q for e in knowledge.entries for q in e.questions]
    owners = [e.id for e in knowledge.entries for _ in e.questions]
    rows = []
    for name, method in baselines(questions).items():
        sets: dict[str, dict[str, int]] = {}
        for set_name, cases in _STATE["sets"].items():
            parts = [set_name] if set_name not in HALVED else [set_name, *halved(set_name)]
            for part in parts:
                sets[part] = {"in": 0, "out": 0, "top": 0}
            for case, half in zip(cases, halves(cases), strict=True):
                for part in parts[:1] + [f"{set_name} {half}"] * (len(parts) > 1):
                    sets[part]["in" if case.expected else "out"] += 1
                    if case.expected:
                        sets[part]["top"] += owners[method.best(case.question)] in case.accepted
        rows.append({"name": name, "baseline": True, "sets": sets})
    return {"rows": rows}


# --- printing -----------------------------------------------------------------------------


def columns(rows: list[dict], names: list[str]) -> list[tuple[str, str]]:
    """The columns of the per-set tables: (set, "in") for a set's in-scope questions, (set,
    "out") for its out-of-scope ones; a halved set by its halves only (its whole is in the
    totals)."""
    engine = next(row for row in rows if "thresholds" in row)["sets"]
    shown = [n for n in names if not (n in HALVED and f"{n} even" in names)]
    return [(n, part) for n in shown for part in ("in", "out") if engine[n][part]]


def label(rows: list[dict], name: str, part: str) -> str:
    """A column's header: the set's name; " OOS" after it for the out-of-scope questions of a
    set that has both (dev)."""
    engine = next(row for row in rows if "thresholds" in row)["sets"]
    return f"{name} OOS" if part == "out" and engine[name]["in"] else name


def cell(figures: dict[str, int], part: str) -> str:
    """Right % (wrong) in scope, answered % out of scope; a baseline's top-1 in brackets."""
    if "right" not in figures:
        return f"({figures['top'] / figures['in']:.1%})" if part == "in" else ""
    if part == "in":
        return f"{figures['right'] / figures['in']:.1%} ({figures['wrong']})"
    return f"{figures['oos'] / figures['out']:.1%}"


def totals(rows: list[dict], names: list[str]) -> dict[str, dict[str, int]]:
    """Per row, its figures summed over the sets named (each question once)."""
    summed = {}
    for row in rows:
        keys = set().union(*(row["sets"][n] for n in names))
        summed[row["name"]] = {k: sum(row["sets"][n].get(k, 0) for n in names) for k in keys}
    return summed


def print_tables(rows: list[dict], names: list[str], markdown: bool, width: int = 9) -> None:
    """Per set, each row's cell, in tables of `width` columns; then each row's totals over the
    whole sets (not the halves, which repeat their set), beside the engine's."""
    shown = columns(rows, names)
    for start in range(0, len(shown), width):
        picked = shown[start : start + width]
        header = ["variant", *(label(rows, n, part) for n, part in picked)]
        lines = [[row["name"], *(cell(row["sets"][n], p) for n, p in picked)] for row in rows]
        _table(header, lines, markdown)
        print()
    whole = [n for n in names if not n.endswith((" even", " odd"))]
    summed = totals(rows, whole)
    engine = summed[next(row["name"] for row in rows if "thresholds" in row)]

    def figure(t: dict[str, int], key: str, of: str | None) -> str:
        if of and not t[of]:
            return ""  # the sets chosen have no question of that kind (in scope, out of it)
        change = t[key] - engine[key]
        shown = f"{t[key] / t[of]:.1%} ({t[key]}" if of else f"{t[key]}"
        shown += f", {change:+d}" if change and of else f" ({change:+d})" if change else ""
        return shown + ")" if of else shown

    header = ["variant", "thresholds", "top-1", "right", "wrong", "OOS answered", "offered held"]
    lines = []
    for row in rows:
        t = summed[row["name"]]
        if "right" not in t:
            lines.append([row["name"], "", figure(t, "top", "in"), *[""] * 4])
            continue
        lines.append(
            [
                row["name"],
                " / ".join(f"{x:.2f}" for x in row["thresholds"]),
                figure(t, "top", "in"),
                figure(t, "right", "in"),
                figure(t, "wrong", None),
                figure(t, "oos", "out"),
                f"{t['offered_right']} of {t['offered']}",
            ]
        )
    print(f"All of {', '.join(whole)} ({engine['in']} in scope, {engine['out']} out):")
    _table(header, lines, markdown)


def _table(header: list[str], lines: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|---|" + "---:|" * (len(header) - 1))
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    sizes = [max(_width(x) for x in column) for column in zip(header, *lines, strict=True)]
    for line in [header, *lines]:
        print(
            "  ".join(_pad(x, n, i == 0) for i, (x, n) in enumerate(zip(line, sizes, strict=True)))
        )


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, size: int, left: bool) -> str:
    room = " " * (size - _width(text))
    return text + room if left else room + text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--sets", nargs="+", help="sets under knowledge/eval (file or folder)")
    parser.add_argument("--eval", action="append", default=[], help="an eval file (repeatable)")
    parser.add_argument("--variants", nargs="+", help="keep variants whose name contains one")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--check-calibration",
        action="store_true",
        help="also calibrate in Python (bot.engine.evaluation.calibrate) and stop on a difference",
    )
    args = parser.parse_args()
    wall = time.perf_counter()
    folder = Path(args.knowledge) / "eval"
    files = [(Path(p).stem, Path(p)) for p in args.eval]
    if args.sets or not files:
        files = set_files(folder, args.sets or list(TUNED_ON)) + files
    sets = {name: load_cases(path) for name, path in files}
    chosen = [
        v
        for n, v in enumerate(variants())
        if n == 0 or not args.variants or any(t in v.name for t in args.variants)
    ]
    knowledge = load(args.knowledge)
    _STATE.update(
        knowledge=knowledge,
        engine=Engine(knowledge),
        variants=chosen,
        dev=load_cases(folder / "dev.yaml"),
        sets=sets,
        check_calibration=args.check_calibration,
    )
    jobs = [(run_baselines, 0)] + [(run_variant, n) for n in range(len(chosen))]
    if args.jobs > 1:
        pool = multiprocessing.get_context("fork").Pool(args.jobs)
        done = pool.starmap(_call, jobs, chunksize=1)
        pool.close()
        pool.join()  # (so that the workers' CPU time is counted below)
    else:
        done = [_call(*job) for job in jobs]
    rows = [r for d in done for r in d.get("rows", [d])]
    names = [p for name in sets for p in ([name, *halved(name)] if name in HALVED else [name])]
    print_tables(rows, names, args.markdown)
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(
        f"\n{len(chosen)} variants, {sum(map(len, sets.values()))} questions: {cpu:.0f} s of CPU, "
        f"{time.perf_counter() - wall:.0f} s wall, {args.jobs} process(es)"
    )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "sets": names}, ensure_ascii=False))


def _call(function: Callable, argument: int) -> dict[str, Any]:
    return function(argument)


if __name__ == "__main__":
    main()
