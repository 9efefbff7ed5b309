"""Every eval question's decision and ranking, one line each: to check that a speed change
leaves the engine's answers exactly as they were.

    python bench/rankings.py > before.txt      # on the old code
    python bench/rankings.py > after.txt       # on the new code
    diff before.txt after.txt                  # nothing: the same rankings

Each line: the set, the question, the status, and the top-5 entry ids with their scores to 4
decimals. The sets are the dev set and the independent ones (homophones, natural, traps), on the
shipped knowledge; `--extra N` adds N generated entries (bench/synthetic.py) so the engine takes
its large-index paths too.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from bot.engine.core import Engine
from bot.engine.evaluation import load_cases
from bot.knowledge.model import load

from synthetic import knowledge_of, templated

SETS = ("dev", "homophones", "natural", "traps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--extra", type=int, default=0, help="generated entries to add")
    args = parser.parse_args()
    knowledge = load(args.knowledge)
    if args.extra:
        knowledge = knowledge_of(templated(args.extra, random.Random(7)), knowledge)
    engine = Engine(knowledge, cache=0)
    for name in SETS:
        for case in load_cases(Path(args.knowledge) / "eval" / f"{name}.yaml"):
            answer = engine.answer(case.question)
            top = " ".join(f"{c.id}:{c.score:.4f}" for c in answer.candidates[:5])
            print(f"{name}\t{case.question}\t{answer.status}\t{top}")


if __name__ == "__main__":
    main()
