"""Top-1 retrieval accuracy of the engine against the usual baselines, on an eval file.

    python bench/matching_quality.py [--knowledge DIR] [--eval FILE]

Without --eval it reports the dev set (knowledge/eval/dev.yaml), then the homophone probe
(knowledge/eval/homophones.yaml).

Every method sees the same in-scope questions and the same knowledge (standard + similar
questions) and must rank the expected entry first. The baselines:

- rapidfuzz `process.extractOne(..., scorer=WRatio)` over all questions (with our normalization,
  since rapidfuzz does none by default);
- BM25 (k1=1.5, b=0.75, non-negative IDF) over character bigrams, and over characters + bigrams.

Then the engine, and the engine with one part taken out at a time, to show what each part buys.
For the engine rows, each variant gets thresholds calibrated on the dev set (as
`policybot eval --calibrate` does), so every variant is judged at its own best setting; the
"answered right" and "OOS answered" columns are what it then decides.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.engine import Engine
from bot.evaluation import calibrate, evaluate, load_cases
from bot.index import Tuning
from bot.knowledge import load
from bot.normalize import normalize


def grams(text: str, sizes: tuple[int, ...]) -> list[str]:
    out = []
    for segment in text.split():
        for n in sizes:
            out.extend(segment[i : i + n] for i in range(len(segment) - n + 1))
    return out


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.documents = [Counter(d) for d in documents]
        self.lengths = [len(d) for d in documents]
        self.average = sum(self.lengths) / len(documents)
        df = Counter(term for d in self.documents for term in d)
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def best(self, query: list[str]) -> int:
        def score(i: int) -> float:
            d, total = self.documents[i], 0.0
            for term in query:
                tf = d.get(term, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.average)
                    total += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            return total

        return max(range(len(self.documents)), key=score)


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
    texts = [normalize(q) for e in knowledge.entries for q in e.questions]

    def top1(rank: Callable[[str], str]) -> str:
        hits = sum(rank(c.question) == c.expected for c in in_scope)
        return f"{hits / len(in_scope):6.1%}"

    def wratio(question: str) -> str:
        return owners[process.extractOne(normalize(question), texts, scorer=fuzz.WRatio)[2]]

    rows = [("rapidfuzz extractOne WRatio", top1(wratio), "", "")]
    for name, sizes in [("BM25 character bigrams", (2,)), ("BM25 characters + bigrams", (1, 2))]:
        index = BM25([grams(t, sizes) for t in texts])
        rank = top1(lambda q, i=index, s=sizes: owners[i.best(grams(normalize(q), s))])
        rows.append((name, rank, "", ""))
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
