"""The matching knobs of an index and of the engine around it (`bot.engine.index.Index`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """The matching knobs; each value was measured on the dev eval set (docs/matching.md)."""

    char: float = 0.6  # weight of single characters...
    pair: float = 1.0  # ...of character bigrams...
    sound: float = 0.7  # ...of pinyin bigrams...
    word: float = 1.0  # ...and of words (when the index is given a segmenter)
    fields: float = 0.3  # weight of an entry's answer and source quote beside its questions
    saturation: float = 0.0  # BM25's k1 for term frequency in entry vectors; 0: 1 + log(tf)
    # Used by the engine around the index (bot.engine.core), kept here so one object holds
    # every knob an ablation turns off:
    answerability: bool = True  # check that the best entries answer what is asked
    asking_clause: bool = True  # also match a long message's asking clause on its own
    cosine_share: float = 0.4  # share of the TF-IDF cosine in the score; the rest is rapidfuzz
    discount_unexplained: bool = True  # take off what the entry cannot explain of the query
    rerank_depth: int = 12  # how many entries re-ranking looks at
    word_classes: bool = True  # words that only shape a question (之类, 里面) carry no weight
    quiet_background: bool = True  # background words no entry uses (哈尔滨) weigh least
