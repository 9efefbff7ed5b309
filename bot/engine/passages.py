"""Answering from the source documents themselves, when no FAQ entry matches.

A passage is quoted only when it clearly answers: nearly every meaningful word of the question
must be in it, and it must stand out from the next best passage. Otherwise the user gets the
usual honest fallback. Passage answers say they are excerpts, and from which document and day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.engine.index import Index, Tuning
from bot.knowledge.model import Document, Entry

# Set on tests/test_passages.py's questions and the dev set's out-of-scope questions (which
# must stay unanswered with the shipped article's passages in play).
COVERAGE = 0.9  # share of the question's weight the passage must contain
MIN_SCORE = 0.2  # cosine x coverage of the best passage
MARGIN = 0.05  # lead over the second best passage
# Whole-string similarity means nothing between a short question and a long passage.
PASSAGE_TUNING = Tuning(cosine_share=1.0)
# Below the coverage by more than rounding: no passage can be quoted (`Passages.best`).
_SHORT_OF = 1e-9


@dataclass(frozen=True)
class Passage:
    document: Document
    number: int
    text: str

    @property
    def source(self) -> dict:
        """Where a quote of this passage comes from, as an answer's `sources` gives it."""
        document = self.document
        return {
            "document": document.id,
            "title": document.title,
            "date": document.date,
            "quote": self.text,
            "passage": self.number,
        }

    def holds(self, entry: Entry) -> bool:
        """Whether an entry was made from this passage: its source quote lies in it (then the
        entry's answer is the same sentence, curated, with related questions to follow)."""
        quote = entry.source.quote
        return bool(quote) and entry.source.document == self.document.id and quote in self.text


class Passages:
    """The passages of every document that allows answering from it, and their index."""

    def __init__(
        self, documents: dict[str, Document], canonical: Callable[[list[str]], list[str]]
    ) -> None:
        """`canonical` turns texts into matching form, all of them in one call."""
        self.items = [
            Passage(document, number, text)
            for document in documents.values()
            if document.answer_from
            for number, text in enumerate(document.passages)
        ]
        texts = [[text] for text in canonical([item.text for item in self.items])]
        self.index = Index(texts, tuning=PASSAGE_TUNING) if self.items else None

    def best(self, query: str) -> tuple[Passage, float] | None:
        """The passage that clearly answers a prepared query, with its score; else None."""
        if self.index is None or not query:
            return None
        features = self.index.query(query)  # once, for the search and the coverage
        # Most questions that reach here ask what no passage says (a fallback): one gather over
        # every passage's units shows that none covers enough of them, and saves the search.
        # Only a clear miss stops here; the rest is decided below exactly as before. Not for
        # many passages (no full matrix of what each uses), where the gather would cost more.
        if self.index.unused is not None:
            everyone = np.arange(len(self.items))
            least = np.minimum.reduce(self.index.unexplained(everyone, features))  # (`.min`)
            if least > 1 - COVERAGE + _SHORT_OF:
                return None
        hits = self.index.search(features, 2)
        if not hits:
            return None
        top, score = hits[0]
        if score < MIN_SCORE or self.index.explained(top, features) < COVERAGE:
            return None
        if len(hits) > 1 and score - hits[1][1] < MARGIN:
            return None
        return self.items[top], score
