"""Refit the decision's weights, and judge any refit on eval sets it was not fitted on.

    python bench/decision_fit.py [--knowledge DIR]             # the dev grid search
    python bench/decision_fit.py --held-out [--knowledge DIR]  # leave one set out
    python bench/decision_fit.py --trade [--knowledge DIR]     # traps against rights
    python bench/decision_fit.py --signals [--knowledge DIR]   # evidence for a confirm

Without `--held-out`, only `knowledge/eval/dev.yaml` is read (calibration data;
docs/evaluation.md): for each setting of `bot.engine.decision.Shares` the thresholds are
calibrated as `policybot eval --calibrate` does, and the setting is judged by what calibration
maximizes: in-scope questions answered right, with at most 2.5% answered wrongly and 2.5% of
out-of-scope questions answered. The best setting is printed last; put its shares in
bot/engine/decision.py and its thresholds in the knowledge's bot.yaml.

With `--held-out`, the tuned-on sets (`TUNED_ON`; `fresh19/` as its even and its odd half, never a
set still untuned) are each left out in turn, and three other decisions over the same evidence are
fitted on all the others and scored on the one left out, beside the shipped blend:

- **refit blend**: the shipped formula with its shares and thresholds searched on the others;
- **per-kind thresholds**: the shipped blend with one answer threshold for short questions and
  another for long messages, searched on the others;
- **logistic**: a small logistic model over the evidence `ask --json`'s `check` shows (`FEATURES`),
  fitted with NumPy (Newton's method, L2), answering when its probability clears a cut;
- **per-focus thresholds**: the shipped blend with an answer threshold per focus (a count, a
  place, yes/no, none…), each searched on the others' questions of that focus;
- each is held to the shipped blend's precision: the cut (or setting) is the one answering most
  right on the other sets with no more wrong and out-of-scope answers there than the shipped blend.

Then the **confirm band**: a one-candidate confirm for a best entry below the answer threshold
that leads the runner-up clearly, per set: confirms holding the right entry, confirms of in-scope
questions, confirms of out-of-scope ones (traps), for each band and lead. Wrong answers are what
the decision must not trade for right ones, so each row gives them apart.

With `--trade`, the honest trade curve over every tuned-on set at once: for each answer
threshold from the shipped one up, the traps answered (all trap files together: issue 12's
target is 3%), the in-scope questions answered right and wrong, and what the same threshold does
if the best entries it no longer answers (those the shipped thresholds did) are offered as a
one-candidate confirm ("您是想问「…」吗？") instead of being refused: how many rights are one tap
away, how many traps are offered a confirm rather than answered, and the share of all offers
(these confirms and the decision's own lists) holding the right entry (the target: 90%).

With `--signals`, the evidence a confirm below the answer threshold could rest on: over every
tuned-on question refused with a best entry scoring from `SIGNAL_BAND` up, how many of those
whose best entry shows each signal are right, other in-scope and out of scope. The signals are
what `check` does not already weigh: the best entry first in the searches of the whole message,
its asking clause and its foreground alike; first in the asking clause's search and leading it;
its match there; a message of several clauses; many uncovered words; first for an index of
spelled features only and one of sound features only; made from the article's passage the
message matches best.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.engine.core import Engine
from bot.engine.decision import FALLBACK, SMALLTALK, Shares, Thresholds, choosable
from bot.engine.evaluation import Case, calibrate, evaluate, load_cases
from bot.engine.index import Tuning
from bot.knowledge.model import load

SHORT = (0.7, 0.8, 0.9)
LONG = (0.5, 0.6, 0.7)
LONG_MESSAGE = (16, 20)

# The sets every engineer may read; a set still untuned is never listed here (nor globbed for).
TUNED_ON = (
    "dev.yaml",
    "natural.yaml",
    "traps.yaml",
    "out_of_domain.yaml",
    "homophones.yaml",
    "fresh/natural.yaml",
    "fresh/traps.yaml",
    "fresh/out_of_domain.yaml",
    "holdout/natural.yaml",
    "holdout/traps.yaml",
    "fresh2/natural.yaml",
    "fresh2/traps.yaml",
    "fresh3/natural.yaml",
    "fresh3/traps.yaml",
    "fresh4/natural.yaml",
    "fresh4/traps.yaml",
    "fresh4/out_of_domain.yaml",
    "fresh5/natural.yaml",
    "fresh5/traps.yaml",
    "fresh5/out_of_domain.yaml",
    "fresh6/natural.yaml",
    "fresh6/traps.yaml",
    "fresh6/out_of_domain.yaml",
    "fresh7/natural.yaml",
    "fresh7/traps.yaml",
    "fresh7/out_of_domain.yaml",
    "fresh8/natural.yaml",
    "fresh8/traps.yaml",
    "fresh8/out_of_domain.yaml",
    "fresh9/natural.yaml",
    "fresh9/traps.yaml",
    "fresh9/out_of_domain.yaml",
    "fresh10/natural.yaml",
    "fresh10/traps.yaml",
    "fresh10/out_of_domain.yaml",
    "fresh11/natural.yaml",
    "fresh11/traps.yaml",
    "fresh11/out_of_domain.yaml",
    "fresh12/natural.yaml",
    "fresh12/traps.yaml",
    "fresh12/out_of_domain.yaml",
    "fresh13/natural.yaml",
    "fresh13/traps.yaml",
    "fresh13/out_of_domain.yaml",
    "fresh14/natural.yaml",
    "fresh14/traps.yaml",
    "fresh14/out_of_domain.yaml",
    "fresh15/natural.yaml",
    "fresh15/traps.yaml",
    "fresh15/out_of_domain.yaml",
    "fresh16/natural.yaml",
    "fresh16/traps.yaml",
    "fresh16/out_of_domain.yaml",
    "fresh17/natural.yaml",
    "fresh17/traps.yaml",
    "fresh17/out_of_domain.yaml",
    "fresh18/natural.yaml",
    "fresh18/traps.yaml",
    "fresh18/out_of_domain.yaml",
)
# Read on even positions, checked on odd (docs/evaluation.md): each half is a set of its own.
HALVED = ("fresh19/natural.yaml", "fresh19/traps.yaml", "fresh19/out_of_domain.yaml")
KEPT = 5  # candidates kept per question: the refit may reorder them
FEATURES = ("match", "coverage", "mismatch", "margin", "heaviest", "long", "long × coverage")
REFIT_GRID = {
    "short": (0.7, 0.8, 0.9),
    "long": (0.4, 0.5, 0.6, 0.7),
    "answer": tuple(x / 100 for x in range(48, 66)),
    "margin": (0.02, 0.04, 0.06),
}
BANDS = (0.44, 0.48, 0.52)  # the confirm band's lower end (its top is the answer threshold)
LEADS = (0.05, 0.10, 0.15)  # ...and the lead over the runner-up a confirm needs


@dataclass
class Evidence:
    """Per question (one row each), the first KEPT candidates' evidence, as arrays."""

    fold: np.ndarray  # which set (or half) the question is from
    match: np.ndarray  # rows × KEPT
    coverage: np.ndarray
    mismatch: np.ndarray  # the focus or a thing asked for not given (factor < 1)
    long: np.ndarray
    heaviest: np.ndarray  # the heaviest uncovered word's weight
    present: np.ndarray  # whether the candidate exists
    right: np.ndarray  # whether it is an accepted entry
    in_scope: np.ndarray  # rows
    focus: np.ndarray  # rows: what kind of answer the question asks for ("" for none)
    choosable: np.ndarray  # rows: whether a close call may be offered as a choice (`choosable`)


def gather(engine: Engine, eval_dir: Path) -> Evidence:
    """Every tuned-on question's candidates; those a reply does not rank (small talk, another
    language) are left out, as no decision is made on them."""
    folds, rows = [], []
    for name in TUNED_ON + HALVED:
        cases = load_cases(eval_dir / name)
        in_scope = sum(1 for c in cases if c.expected)
        for index, case in enumerate(cases):
            answer = engine.answer(case.question)
            if answer.status == SMALLTALK or answer.language or not answer.candidates:
                continue
            fold = name
            if name in HALVED:  # position within its part (in_scope, out_of_scope)
                position = index if case.expected else index - in_scope
                fold = f"{name} {'even' if position % 2 == 0 else 'odd'}"
            folds.append(fold)
            rows.append((case, answer.candidates[:KEPT]))
    shape = (len(rows), KEPT)
    arrays = {key: np.zeros(shape) for key in ("match", "coverage", "heaviest")}
    flags = {key: np.zeros(shape, bool) for key in ("mismatch", "long", "present", "right")}
    for row, (case, candidates) in enumerate(rows):
        for n, c in enumerate(candidates):
            check = c.check
            assert check is not None  # the engine's own candidates carry their check
            arrays["match"][row, n] = c.match
            arrays["coverage"][row, n] = check.coverage
            arrays["heaviest"][row, n] = max((w for _, w in check.uncovered), default=0.0)
            flags["mismatch"][row, n] = check.factor < 1
            flags["long"][row, n] = check.long
            flags["present"][row, n] = True
            flags["right"][row, n] = c.id in case.accepted
    in_scope = np.array([bool(case.expected) for case, _ in rows])
    # The focus is the question's: every candidate's check has the same.
    focus = np.array([getattr(candidates[0].check, "focus", None) or "" for _, candidates in rows])
    choosing = np.array([choosable(engine.as_read(case.question)[1]) for case, _ in rows])
    return Evidence(
        np.array(folds), **arrays, **flags, in_scope=in_scope, focus=focus, choosable=choosing
    )


def blend(ev: Evidence, short: float, long: float, mismatch: float = 0.45) -> np.ndarray:
    """Each candidate's score by the shipped formula (bot.engine.decision.score)."""
    share = np.where(ev.long, long, short)
    scores = (share * ev.match + (1 - share) * ev.coverage) * np.where(ev.mismatch, mismatch, 1)
    return np.where(ev.present, scores, -1.0)


def ranked(ev: Evidence, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best score, runner-up's score and whether the best is right, per question."""
    order = np.argsort(-scores, axis=1, kind="stable")
    best = np.take_along_axis(scores, order[:, :1], 1)[:, 0]
    runner_up = np.maximum(np.take_along_axis(scores, order[:, 1:2], 1)[:, 0], 0)
    right = np.take_along_axis(ev.right, order[:, :1], 1)[:, 0]
    return best, runner_up, right


def tally(ev: Evidence, answered: np.ndarray, right: np.ndarray, rows: np.ndarray) -> tuple:
    """(right, wrong, out-of-scope answered) among `rows`."""
    chosen = answered & rows
    return (
        int((chosen & right).sum()),
        int((chosen & ~right & ev.in_scope).sum()),
        int((chosen & ~ev.in_scope).sum()),
    )


def features(ev: Evidence) -> tuple[np.ndarray, np.ndarray]:
    """The logistic model's inputs (FEATURES, of the blend's best candidate) and whether that
    candidate is right."""
    scores = blend(ev, *_shipped_shares())
    best, runner_up, right = ranked(ev, scores)
    top = np.argmax(scores, axis=1)[:, None]
    pick = lambda a: np.take_along_axis(a, top, 1)[:, 0].astype(float)  # noqa: E731
    long, coverage = pick(ev.long), pick(ev.coverage)
    columns = (
        pick(ev.match),
        coverage,
        pick(ev.mismatch),
        best - runner_up,
        pick(ev.heaviest),
        long,
        long * coverage,
    )
    return np.column_stack(columns), right


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    penalty = np.r_[np.ones(len(w) - 1), 0.0] * l2  # the intercept is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty)
        w -= np.linalg.solve(hessian, gradient)
    return w


def probability(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))


def _shipped_shares() -> tuple[float, float]:
    shares = Shares()
    return shares.short, shares.long


def held_out(engine: Engine, eval_dir: Path) -> None:
    ev = gather(engine, eval_dir)
    t = engine.thresholds
    best, runner_up, right = ranked(ev, blend(ev, *_shipped_shares()))
    shipped = (best >= t.answer) & (best - runner_up >= t.margin)
    families = (refit_blend(ev), per_kind(ev, best, runner_up, right, t.margin))
    clears = best - runner_up >= t.margin
    x, y = features(ev)
    print(f"{len(ev.fold)} questions; right / wrong / out-of-scope answered on the set left out")
    print(
        "| left out | in / out | shipped blend | refit blend | per-kind thresholds | logistic "
        "| per-focus thresholds | refit setting | per-kind setting |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    totals = np.zeros((5, 3), int)
    for fold in sorted(set(ev.fold)):
        train, test = ev.fold != fold, ev.fold == fold
        budget = sum(tally(ev, shipped, right, train)[1:])
        chosen = [choose(ev, family, train, budget) for family in families]
        w = fit_logistic(x[train], y[train].astype(float))
        p = probability(w, x)
        wrong_p = np.sort(p[train & ~y])[::-1]
        cut = wrong_p[budget] + 1e-9 if budget < len(wrong_p) else 0.0
        by_focus = per_focus(ev, best, clears, right, shipped, train)
        decisions = [(shipped, right), *(c[:2] for c in chosen), (p >= cut, y), (by_focus, right)]
        results = [tally(ev, answered, ok, test) for answered, ok in decisions]
        totals += np.array(results)
        cells = " | ".join(" / ".join(map(str, r)) for r in results)
        count = f"{int((test & ev.in_scope).sum())} / {int((test & ~ev.in_scope).sum())}"
        print(f"| {fold} | {count} | {cells} | {chosen[0][2]} | {chosen[1][2]} |")
    cells = " | ".join(f"**{' / '.join(map(str, r))}**" for r in totals)
    print(f"| all | | {cells} | | |")
    w = fit_logistic(x, y.astype(float))
    print(
        "\nlogistic on every set:",
        dict(zip((*FEATURES, "bias"), np.round(w, 2).tolist(), strict=True)),
    )
    confirm_band(ev, best, runner_up, right, t)


def refit_blend(ev: Evidence) -> list[tuple]:
    """Every setting of the blend's shares and thresholds: (answered, right, setting)."""
    found = []
    for short, long in itertools.product(REFIT_GRID["short"], REFIT_GRID["long"]):
        best, runner_up, right = ranked(ev, blend(ev, short, long))
        for answer, margin in itertools.product(REFIT_GRID["answer"], REFIT_GRID["margin"]):
            answered = (best >= answer) & (best - runner_up >= margin)
            found.append((answered, right, (short, long, answer, margin)))
    return found


def per_kind(ev: Evidence, best, runner_up, right, margin: float) -> list[tuple]:
    """The shipped blend with an answer threshold for short questions and one for long
    messages: (answered, right, (short's, long's))."""
    long = ev.long[:, 0]  # a property of the message: the same for every candidate
    found = []
    for short, lengthy in itertools.product(REFIT_GRID["answer"], repeat=2):
        answered = (best >= np.where(long, lengthy, short)) & (best - runner_up >= margin)
        found.append((answered, right, (short, lengthy)))
    return found


def per_focus(ev: Evidence, best, clears, right, shipped, train) -> np.ndarray:
    """The shipped blend with an answer threshold per focus (what the question asks for: a
    count, a place, yes/no, none…), each the one answering most right on `train` among that
    focus's questions with no more wrong and out-of-scope answers there than the shipped
    decision: which questions it answers."""
    answered = np.zeros(len(best), bool)
    for focus in set(ev.focus):
        rows = ev.focus == focus
        budget = sum(tally(ev, shipped, right, train & rows)[1:])
        chosen, key = None, None
        for threshold in REFIT_GRID["answer"]:
            found = (best >= threshold) & clears & rows
            r, wrong, oos = tally(ev, found, right, train)
            if wrong + oos <= budget and (key is None or (r, -wrong - oos) > key):
                chosen, key = found, (r, -wrong - oos)
        answered |= chosen if chosen is not None else shipped & rows
    return answered


def choose(ev: Evidence, family: list[tuple], train: np.ndarray, budget: int) -> tuple:
    """The decision of a family answering most right on `train` with no more wrong and
    out-of-scope answers there than `budget` (ties: the fewest of those)."""
    chosen, key = None, None
    for answered, right, setting in family:
        r, wrong, oos = tally(ev, answered, right, train)
        if wrong + oos <= budget and (key is None or (r, -wrong - oos) > key):
            chosen, key = (answered, right, setting), (r, -wrong - oos)
    assert chosen is not None  # each family holds the shipped decision
    return chosen


def confirm_band(ev, best, runner_up, right, t: Thresholds) -> None:
    """One-candidate confirms below the answer threshold (where today's decision falls back)."""
    refused = best < t.clarify
    print("\nconfirm band: per set, confirms holding the right entry / in-scope confirms;")
    print("for out-of-scope sets, confirms offered (a trap confirmed is not answered)")
    folds = sorted(set(ev.fold))
    print("| band | lead | long only | " + " | ".join(folds) + " | right / offered |")
    print("|---|---|---|" + "---:|" * (len(folds) + 1))
    for low, lead, long_only in itertools.product(BANDS, LEADS, (False, True)):
        confirm = refused & (best >= low) & (best - runner_up >= lead) & ev.choosable
        if long_only:
            confirm &= ev.long[:, 0]
        cells = []
        for fold in folds:
            rows = confirm & (ev.fold == fold)
            if (ev.in_scope & (ev.fold == fold)).any():
                cells.append(f"{int((rows & right).sum())}/{int((rows & ev.in_scope).sum())}")
            else:
                cells.append(str(int(rows.sum())))
        held, offered = int((confirm & right).sum()), int(confirm.sum())
        print(
            f"| {low:.2f} | {lead:.2f} | {'yes' if long_only else 'no'} | "
            + " | ".join(cells)
            + f" | {held} / {offered} ({held / max(offered, 1):.0%}) |"
        )


TRADE = tuple(x / 100 for x in range(56, 78, 2))  # answer thresholds the trade curve tries


def trade(engine: Engine, eval_dir: Path) -> None:
    """Traps answered against rights over every tuned-on set, per answer threshold; and the
    same with the band between the shipped threshold and it offered as confirms."""
    ev = gather(engine, eval_dir)
    t = engine.thresholds
    scores = blend(ev, *_shipped_shares())
    best, runner_up, right = ranked(ev, scores)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :3]  # what a list offers, at most
    offered = np.take_along_axis(scores, order, 1) >= t.clarify
    holds = (offered & np.take_along_axis(ev.right, order, 1)).any(axis=1)
    traps = np.char.find(ev.fold.astype(str), "traps") >= 0
    others = ~ev.in_scope & ~traps
    shipped = (best >= t.answer) & (best - runner_up >= t.margin)
    # The decision's own clarify lists and confirms, and where it would offer one at all.
    lists = (best >= t.clarify) & ~shipped & ev.choosable
    print(
        f"{int(traps.sum())} traps, {int(ev.in_scope.sum())} in-scope questions, "
        f"{int(others.sum())} other out-of-scope; thresholds from {t.answer} "
        f"(margin {t.margin}, clarify {t.clarify}); a halved file's cell: even / odd"
    )
    head = " | ".join(f"{name} (right or answered)" for name in HALVED)
    print(
        "| answer | traps answered | right | wrong | other out-of-scope answered | "
        f"{head} | as confirms: rights one tap away | traps confirmed | offers holding the right |"
    )
    print("|---:" * (8 + len(HALVED)) + "|")
    for answer in TRADE:
        answered = shipped & (best >= answer)
        confirm = shipped & ~answered & ev.choosable
        cells = []
        for name in HALVED:
            found = [answered & (ev.fold == f"{name} {half}") for half in ("even", "odd")]
            cells.append(
                " / ".join(str(int((rows & (right | ~ev.in_scope)).sum())) for rows in found)
            )
        offers = int(lists.sum() + confirm.sum())
        held = int((lists & holds).sum() + (confirm & right).sum())
        print(
            f"| {answer:.2f} | {int((answered & traps).sum())} "
            f"({(answered & traps).sum() / traps.sum():.1%}) "
            f"| {int((answered & right).sum())} | {int((answered & ~right & ev.in_scope).sum())} "
            f"| {int((answered & others).sum())} | {' | '.join(cells)} "
            f"| {int((confirm & right).sum())} | {int((confirm & traps).sum())} "
            f"| {held} of {offers} ({held / max(offers, 1):.0%}) |"
        )


SIGNAL_BAND = 0.40  # the lowest best score a confirm below the answer threshold is looked at from


def signals(engine: Engine, eval_dir: Path) -> None:
    """Per signal, the refused questions of the confirm band showing it (the module's doc)."""
    knowledge = engine.knowledge
    spelled = Engine(knowledge, cache=0, tuning=Tuning(sound=0.0))
    heard = Engine(knowledge, cache=0, tuning=Tuning(char=0.0, pair=0.0, word=0.0))
    ids = [e.id for e in engine.entries]

    def first(text: str) -> list[tuple[str, float]]:
        return [(ids[p], s) for p, s in engine.index.search(engine.canonical(text), 8)]

    counts: dict[str, list[int]] = {}
    for name in TUNED_ON + HALVED:
        for case in load_cases(eval_dir / name):
            answer = engine.answer(case.question)
            if answer.status != FALLBACK or answer.language or not answer.candidates:
                continue
            best = answer.candidates[0]
            if best.score < SIGNAL_BAND or best.check is None or best.entry is None:
                continue
            reading = engine.read(*engine.as_read(case.question))
            whole, asking, foreground = map(
                first, (reading.text, reading.asking, reading.foreground)
            )
            lead = asking[0][1] - asking[1][1] if len(asking) > 1 else 1.0
            index = engine.passages.index
            passage = index.search(engine.prepare(case.question), 1) if index else []
            shown = {
                "every question of the band": True,
                "first in the whole-message, asking-clause and foreground searches alike": all(
                    hits and hits[0][0] == best.id for hits in (whole, asking, foreground)
                ),
                "first in the asking-clause search, leading it by >= 0.05": bool(asking)
                and asking[0][0] == best.id
                and lead >= 0.05,
                "its asking-clause match >= 0.5": dict(asking).get(best.id, 0.0) >= 0.5,
                "its asking-clause match >= 0.6": dict(asking).get(best.id, 0.0) >= 0.6,
                "a message of several clauses": reading.asking != reading.text,
                "three or more uncovered words": len(best.check.uncovered) >= 3,
                "first for spelled features alone and for sound features alone": all(
                    (found := other.candidates(case.question)) and found[0].id == best.id
                    for other in (spelled, heard)
                ),
                "made from the passage the message matches best": bool(passage)
                and engine.passages.items[passage[0][0]].holds(best.entry),
            }
            column = 0 if best.id in case.accepted else 1 if case.expected else 2
            for signal, present in shown.items():
                counts.setdefault(signal, [0, 0, 0])[column] += bool(present)
    print(f"refused questions whose best entry scores {SIGNAL_BAND} or more, by what it shows")
    print("| signal (of the best entry) | right | other in scope | out of scope | right share |")
    print("|---|---:|---:|---:|---:|")
    for signal, (right, other, out) in counts.items():
        share = right / max(right + other + out, 1)
        print(f"| {signal} | {right} | {other} | {out} | {share:.0%} |")


def dev_grid(engine: Engine, dev: list[Case]) -> None:
    print("| short | long | long from | answer | margin | clarify | right | wrong | OOS answered |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    best = None
    for short, long, chars in itertools.product(SHORT, LONG, LONG_MESSAGE):
        engine.shares = Shares(short, long, chars)
        engine.thresholds = calibrate(engine, dev)
        report = evaluate(engine, dev)
        t = engine.thresholds
        print(
            f"| {short} | {long} | {chars} | {t.answer:.2f} | {t.margin:.2f} | {t.clarify:.2f} "
            f"| {report.accuracy:.1%} | {report.wrong} | {report.false_answer_rate:.1%} |"
        )
        key = (report.correct, -report.wrong, -report.false_answers)
        if best is None or key > best[0]:
            best = (key, engine.shares, t)
    assert best is not None
    print(f"\nbest: {best[1]} {best[2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--held-out", action="store_true", help="leave one tuned-on set out")
    parser.add_argument("--trade", action="store_true", help="traps against rights, per threshold")
    parser.add_argument("--signals", action="store_true", help="evidence for a confirm")
    args = parser.parse_args()
    knowledge = load(args.knowledge)
    # Candidates are not cached (only whole answers are), so one engine serves every setting.
    engine = Engine(knowledge, cache=0)
    eval_dir = Path(args.knowledge) / "eval"
    if args.trade:
        trade(engine, eval_dir)
    elif args.signals:
        signals(engine, eval_dir)
    elif args.held_out:
        held_out(engine, eval_dir)
    else:
        dev_grid(engine, load_cases(eval_dir / "dev.yaml"))


if __name__ == "__main__":
    main()
