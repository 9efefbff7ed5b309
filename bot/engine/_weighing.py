"""Weighing an index's feature occurrences into what it searches with: IDF and column weights,
the question vectors, the entries' vectors and what each entry talks about. Private to
`bot.engine.index`'s build; from `FORKED_FROM` questions a forked child runs it and hands each
part back as soon as it is made (`Forked(parts=True)`): at 100k entries this process reads the
question vectors (109 MB of the 234 handed back) while the child weighs the entries, and the
entries' vectors (93 MB) while it works out what each talks about, rather than all of it after
the child's last step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from bot.engine._arrays import DENSE_CELLS, _Postings, _Questions, _sparsetools
from bot.engine._grouping import (
    _clipped,
    _digit,
    _grouped,
    _merged,
    _owned_starts,
    _saturated,
    _starts,
    _weighed,
)
from bot.engine.features import CHAR, SOUND_PAIR, kind

if TYPE_CHECKING:
    from bot.engine.features import Encoded
    from bot.engine.index import Index


def weighed(index: Index, encoded: Encoded, found: list[np.ndarray], asked: int) -> Iterator[tuple]:
    """The attributes `bot.engine.index._WEIGHED` names, in three parts: the columns, their IDF
    and weights and the question vectors; the entries' vectors (answers a weaker field:
    `_entries`); what each entry talks about (`_described`). From the batch `encoded` and
    `found` (the words' keys and rows), both emptied: every feature occurrence (key, text)
    grouped (at 100k entries, 31M, in a list `_grouped` empties). Nothing here holds a part
    once it is given (a child lets each array go as it is written)."""
    width = 2 * index.bits + 3  # (a key's kind is in its top two bits: `Encoded.keys`)
    parts = encoded.keys(index.bits, _digit(width), sum(map(len, found[1::2])))
    columns, items, grouped = _grouped(parts, found, width, asked)  # (`build` empties `items`)
    entries, answers = len(index.spans), [*grouped]
    del grouped
    pooled, idf = _pooled(index, items, len(columns), entries)
    column_weights = idf * index.scale(columns)
    # As soon as it can be: the compact vectors replace the items (at 100k entries 85 MB
    # less held through the rest of the build, whose peak it was).
    yield (
        columns,
        idf,
        float(np.log(entries + 1) + 1),
        column_weights,
        _Questions.build(items, column_weights, len(index.texts)),
    )
    yield (_entries(index, columns, column_weights, pooled, answers, entries),)
    yield _talked_about(columns, index.bits, pooled, answers, entries)


def _pooled(
    index: Index, items: list[np.ndarray], columns: int, entries: int
) -> tuple[list, np.ndarray]:
    """Each entry's question features as [columns, entries, counts] (each (column, entry) pair
    once), and the columns' IDF. `items`: the questions' [rows, columns, counts], their counts
    clipped here as `_Questions.build` reads them (64 MB less)."""
    rows, by_column, counts = items
    pooled = _owned_starts(by_column, rows, index.owner)
    pooled_columns, pooled_entries = by_column[pooled], index.owner[rows[pooled]]
    del rows  # (each temporary here is tens of MB at 100k entries: freed when done)
    # (Summed in int32, as stored: NumPy's default int64 sum copied the counts first.)
    pooled_counts = np.add.reduceat(counts, pooled, dtype=np.int32) if len(pooled) else counts
    del pooled
    items[2] = _clipped(counts)
    del counts, by_column
    # IDF counts entries rather than questions: similar questions repeat their entry's
    # words, and would otherwise make its most telling words look common.
    document_frequency = np.diff(_starts(pooled_columns, columns))  # (in order: `_starts`)
    idf = np.log((entries + 1) / (document_frequency + 1)) + 1
    return [pooled_columns, pooled_entries, pooled_counts], idf


def _entries(
    index: Index,
    columns: np.ndarray,
    column_weights: np.ndarray,
    pooled: list[np.ndarray],
    answers: list[np.ndarray],
    entries: int,
) -> _Postings:
    """The entries' vectors (each entry's questions taken together: a query may mix words from
    several of them, and its answer as a weaker field), TF-IDF and L2-normalized. `pooled` and
    `answers` ([columns, entries, counts]) lose their counts: `_talked_about` reads the rest."""
    pooled_columns, pooled_entries, pooled_counts = pooled
    answer_columns, answer_entries, answer_counts = answers
    del pooled[2], answers[2]
    tuning = index.tuning
    frequencies = _saturated(pooled_counts, pooled_entries, entries, tuning.saturation)
    del pooled_counts
    vector_columns, vector_entries = pooled_columns, pooled_entries
    if tuning.fields and len(answer_columns):
        # An answer's words found an entry too (Azure's question answering searches both),
        # but weaker than what people ask: the answer says more than any question does.
        answer_frequencies = tuning.fields * _saturated(
            answer_counts, answer_entries, entries, tuning.saturation
        )
        first = [pooled_columns, pooled_entries, frequencies]
        second = [answer_columns, answer_entries, answer_frequencies]
        del frequencies, answer_frequencies  # (`_merged` empties the lists: see there)
        shape = (len(columns), entries)
        vector_columns, vector_entries, frequencies = _merged(first, second, shape)
    del answer_counts
    weights = _weighed(frequencies, vector_columns, vector_entries, column_weights)
    starts = _starts(vector_columns, len(columns))
    return _Postings.build(starts, vector_entries, weights, entries)


def _talked_about(
    columns: np.ndarray,
    bits: int,
    pooled: list[np.ndarray],
    answers: list[np.ndarray],
    entries: int,
) -> tuple:
    """`_described` of the entries' question features and their answers' ([columns, entries]
    each, emptied): a child hands the entries' vectors back while it works this out."""
    (features, owners), (answer_columns, answer_entries) = pooled, answers
    pooled.clear()
    answers.clear()
    return _described(columns, bits, features, owners, answer_columns, answer_entries, entries)


def _described(
    keys: np.ndarray,
    bits: int,
    features: np.ndarray,
    owners: np.ndarray,
    columns: np.ndarray,
    answers: np.ndarray,
    entries: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """What each entry talks about: the units and sound pairs of its questions and answer, as
    sorted columns per entry (int32, entry after entry) and where each entry's begin; and for
    a small index, what each entry does *not* use as a full matrix, a row per column and a
    column per entry (one gather answers `Index.unexplained`), plus a row none uses for
    probes of -1 (no mask, no negation needed), else None. `keys` are the index's columns'
    feature keys; `features` and `owners` the entries' question features (pairs of column and
    entry); `columns` and `answers` the same for their answers.

    Units found in most answers (the "据2022年5月26日报道" every answer ends with) say nothing
    about any one entry and are left out of what answers contribute.
    """
    kinds = kind(keys, bits)  # (per column: per item, ~190 MB at 100k entries)
    seen_in = np.diff(_starts(columns, len(keys)))  # (by column: each list is)
    own = ((seen_in <= entries / 2) & (kinds == CHAR))[columns]
    spoken = np.isin(kinds, (CHAR, SOUND_PAIR))[features]
    # Both lists' pairs are sorted by (column, entry), each pair once: joined by SciPy's merge
    # (`_merged`), then laid out by entry by one stable counting pass (CSR to CSC), each
    # entry's columns in order, as grouping them again (`_pairs`: two passes) laid them out.
    first, second = [features[spoken], owners[spoken]], [columns[own], answers[own]]
    for pairs in (first, second):
        pairs.append(np.ones(len(pairs[0]), np.int8))  # (what the merge adds: any non-zero)
    del features, owners, columns, answers
    columns, owners, marks = _merged(first, second, (len(keys), entries))
    by_column = _starts(columns, len(keys)).astype(np.int32)
    del columns
    starts, described = np.empty(entries + 1, np.int32), np.empty_like(owners)
    _sparsetools().csr_tocsc(
        len(keys), entries, by_column, owners, marks, starts, described, np.empty_like(marks)
    )
    starts = starts.astype(np.int64)
    unused = None
    if entries * len(keys) <= DENSE_CELLS:
        # Feature by feature: the shortlist's cells of one probe are neighbours (one or two
        # cache lines, not one per entry), and the last row, all set, is where -1 lands.
        unused = np.ones((len(keys) + 1, entries), dtype=bool)
        unused[described, np.arange(entries).repeat(np.diff(starts))] = False
    return described, starts, unused
