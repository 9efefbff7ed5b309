"""Top-1 retrieval accuracy of the engine against the usual baselines, on an eval file.

    python bench/matching_quality.py [--knowledge DIR] [--eval FILE]

Without --eval it reports the dev set (knowledge/eval/dev.yaml), then the homophone probe
(knowledge/eval/homophones.yaml).

Every method sees the same in-scope questions and the same knowledge (standard + similar
questions) and must rank the expected entry first. The baselines are in `bench/baselines.py`:
rapidfuzz WRatio, and BM25 over character bigrams and over characters + bigrams.

Then the engine, and the engine with one part taken out at a time, to show what each part buys.
For the engine rows, each variant gets thresholds calibrated on the dev set (as
`policybot eval --calibrate` does), so every variant is judged at its own best setting; the
"answered right" and "OOS answered" columns are what it then decides.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.engine.core import Engine
from bot.engine.evaluation import calibrate, evaluate, load_cases
from bot.engine.index import Tuning
from bot.knowledge.model import load

from baselines import baselines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--eval", action="append", help="eval file (repeatable)")
    args = parser.parse_args()
    knowledge = load(args.knowledge)
    folder = Path(args.knowledge) / "eval"
    dev = load_cases(folder / "dev.yaml")
    variants = {
        "policybot engine": Engine(knowledge),
        "  without pinyin features": Engine(knowledge, tuning=Tuning(sound=0.0)),
        "  without synonyms": Engine(replace(knowledge, synonyms=())),
        "  without the unexplained-words discount": Engine(
            knowledge, tuning=Tuning(discount_unexplained=False)
        ),
        "  cosine only, no rapidfuzz": Engine(knowledge, tuning=Tuning(cosine_share=1.0)),
        "  rapidfuzz only, no cosine": Engine(knowledge, tuning=Tuning(cosine_share=0.0)),
    }
    for engine in variants.values():
        engine.thresholds = calibrate(engine, dev)
    for path in args.eval or [folder / "dev.yaml", folder / "homophones.yaml"]:
        print(f"== {path}")
        report(knowledge, variants, load_cases(path))
        print()


def report(knowledge, variants: dict[str, Engine], cases) -> None:
    """Print one comparison table for one eval file."""
    in_scope = [c for c in cases if c.expected]
    owners = [e.id for e in knowledge.entries for _ in e.questions]
    questions = [q for e in knowledge.entries for q in e.questions]

    def top1(rank: Callable[[str], str]) -> str:
        hits = sum(rank(c.question) == c.expected for c in in_scope)
        return f"{hits / len(in_scope):6.1%}"

    rows = [
        (name, top1(lambda q, m=method: owners[m.best(q)]), "", "")
        for name, method in baselines(questions).items()
    ]
    for name, engine in variants.items():
        result = evaluate(engine, cases)
        oos = f"{result.false_answer_rate:6.1%}" if result.out_of_scope else "-"
        rank = top1(lambda q, e=engine: e.candidates(q)[0].id)
        rows.append((name, rank, f"{result.accuracy:6.1%}", oos))

    print(f"{len(in_scope)} in-scope and {len(cases) - len(in_scope)} out-of-scope questions")
    print(f"{'method':44} {'top-1':>7} {'answered right':>15} {'OOS answered':>13}")
    for name, rank, right, oos in rows:
        print(f"{name:44} {rank:>7} {right:>15} {oos:>13}")


if __name__ == "__main__":
    main()
