"""Refit the decision's weights on the dev set: the share of match (vs coverage) in a candidate's
score, for short questions and long messages, with thresholds calibrated for each setting.

    python bench/decision_fit.py [--knowledge DIR]

Only `knowledge/eval/dev.yaml` is read (calibration data; docs/evaluation.md). For each setting
of `bot.engine.decision.Shares` the thresholds are calibrated as `policybot eval --calibrate`
does, and the setting is judged by what calibration maximizes: in-scope questions answered
right, with at most 2.5% answered wrongly and 2.5% of out-of-scope questions answered. The best
setting is printed last; put its shares in bot/engine/decision.py and its thresholds in the
knowledge's bot.yaml.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from bot.engine.core import Engine
from bot.engine.decision import Shares
from bot.engine.evaluation import calibrate, evaluate, load_cases
from bot.knowledge.model import load

SHORT = (0.7, 0.8, 0.9)
LONG = (0.5, 0.6, 0.7)
LONG_MESSAGE = (16, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    args = parser.parse_args()
    knowledge = load(args.knowledge)
    dev = load_cases(Path(args.knowledge) / "eval" / "dev.yaml")
    # Candidates are not cached (only whole answers are), so one engine serves every setting.
    engine = Engine(knowledge, cache=0)
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


if __name__ == "__main__":
    main()
