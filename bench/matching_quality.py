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
from bot.engine.decision import Shares
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
        "  without word features": Engine(knowledge, tuning=Tuning(word=0.0)),
        "  without the answer + quote field": Engine(knowledge, tuning=Tuning(fields=0.0)),
        "  with BM25 saturation (k1 1.2, b 0.75)": Engine(knowledge, tuning=Tuning(saturation=1.2)),
        "  without the answerability check": Engine(knowledge, tuning=Tuning(answerability=False)),
        "  without the asking clause on its own": Engine(
            knowledge, tuning=Tuning(asking_clause=False)
        ),
        "  without part-of-speech word weights": Engine(
            knowledge, tuning=Tuning(word_classes=False)
        ),
        "  one match share (0.6) for short and long": Engine(knowledge, shares=Shares(short=0.6)),
        "  background words no entry uses weigh as others": Engine(
            knowledge, tuning=Tuning(quiet_background=False)
        ),
    }
    for engine in variants.values():
        engine.thresholds = calibrate(engine, dev)
    # The hold-out sets are never read here: they are for one report at the end.
    shipped = ("dev", "homophones", "natural", "traps", "out_of_domain")
    default = [folder / f"{name}.yaml" for name in shipped if (folder / f"{name}.yaml").is_file()]
    for path in args.eval or default:
        print(f"== {path}")
        report(knowledge, variants, load_cases(path))
        print()


def report(knowledge, variants: dict[str, Engine], cases) -> None:
    """Print one comparison table for one eval file."""
    in_scope = [c for c in cases if c.expected]
    owners = [e.id for e in knowledge.entries for _ in e.questions]
    questions = [q for e in knowledge.entries for q in e.questions]

    def top1(rank: Callable[[str], str]) -> str:
        hits = sum(rank(c.question) in c.accepted for c in in_scope)
        return f"{hits / len(in_scope):6.1%}"

    rows = [
        (name, top1(lambda q, m=method: owners[m.best(q)]) if in_scope else "-", "", "")
        for name, method in baselines(questions).items()
    ]
    for name, engine in variants.items():
        result = evaluate(engine, cases)
        oos = f"{result.false_answer_rate:6.1%}" if result.out_of_scope else "-"
        rank = top1(lambda q, e=engine: e.candidates(q)[0].id) if in_scope else "-"
        right = f"{result.accuracy:6.1%}" if in_scope else "-"
        clarify = f"{result.clarify_right_rate:6.1%}" if result.clarify_offered else "-"
        rows.append((name, rank, right, oos, clarify))

    print(f"{len(in_scope)} in-scope and {len(cases) - len(in_scope)} out-of-scope questions")
    header = f"{'method':50} {'top-1':>7} {'answered right':>15} {'OOS answered':>13}"
    print(f"{header} {'clarify right':>14}")
    for name, rank, right, oos, *clarify in rows:
        print(f"{name:50} {rank:>7} {right:>15} {oos:>13} {(clarify or [''])[0]:>14}")


if __name__ == "__main__":
    main()
