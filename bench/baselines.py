"""The retrieval methods the engine is measured against, each ranking indexed questions.

- rapidfuzz `process.extractOne(..., scorer=WRatio)` over every question, on our normalized
  text (rapidfuzz normalizes nothing by default);
- BM25 (k1=1.5, b=0.75, non-negative IDF) over character bigrams, or characters + bigrams,
  with an inverted index so that tens of thousands of questions stay quick to search.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process

from bot.text.normalize import normalize


def grams(text: str, sizes: tuple[int, ...]) -> list[str]:
    out = []
    for segment in text.split():
        for n in sizes:
            out.extend(segment[i : i + n] for i in range(len(segment) - n + 1))
    return out


class WRatio:
    def __init__(self, questions: list[str]) -> None:
        self.texts = [normalize(question) for question in questions]

    def best(self, question: str) -> int:
        return process.extractOne(normalize(question), self.texts, scorer=fuzz.WRatio)[2]


class BM25:
    def __init__(
        self, questions: list[str], sizes: tuple[int, ...], k1: float = 1.5, b: float = 0.75
    ) -> None:
        self.sizes = sizes
        documents = [Counter(grams(normalize(question), sizes)) for question in questions]
        lengths = [sum(document.values()) for document in documents]
        average = sum(lengths) / len(documents)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, document in enumerate(documents):
            norm = k1 * (1 - b + b * lengths[number] / average)
            for term, tf in document.items():
                self.postings[term].append((number, tf * (k1 + 1) / (tf + norm)))
        n = len(documents)
        self.idf = {
            term: math.log(1 + (n - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in self.postings.items()
        }

    def best(self, question: str) -> int:
        scores: dict[int, float] = defaultdict(float)
        for term in grams(normalize(question), self.sizes):
            for number, weight in self.postings.get(term, ()):
                scores[number] += self.idf[term] * weight
        return max(scores, key=scores.__getitem__) if scores else 0


def baselines(questions: list[str]) -> dict[str, WRatio | BM25]:
    """Every baseline, indexed over the same questions."""
    return {
        "rapidfuzz extractOne WRatio": WRatio(questions),
        "BM25 character bigrams": BM25(questions, (2,)),
        "BM25 characters + bigrams": BM25(questions, (1, 2)),
    }
