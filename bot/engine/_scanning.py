"""The scan of a batch of texts that an alphabet learns from and encodes (`Alphabet.learn` and
`encode`, bot.engine.features): per unit its code, its text and its segment. Private to it.

A block of texts at a time: at 100k entries the scan made a dozen arrays as long as all the
texts (their UTF-32 copy, the masks, the running counts: ~200 MB), all fresh memory, which on
this VM costs system time and wall far beyond its CPU (docs/benchmarks.md, Engine at scale) and
was the building process's peak; a block's are a few hundred kB, the same memory each time, and
only what the scan gives is as long as the batch."""

from __future__ import annotations

import numpy as np

_CODE_POINTS = 0x110000
_LATIN = np.zeros(_CODE_POINTS, dtype=bool)
_LATIN[[ord(ch) for ch in "abcdefghijklmnopqrstuvwxyz0123456789."]] = True
_SPACE, _NEWLINE = ord(" "), ord("\n")
# Texts scanned at once: ~150k characters of generated questions, whose arrays stay in a core's
# L2 cache.
_SCANNED_AT_ONCE = 1 << 13


def scanned(
    runs: dict[str, int], texts: list[str], grow: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per unit of the texts joined by newlines: its code point, or for a run of Latin letters
    and digits `_CODE_POINTS` past the run's code in `runs` (learned with `grow`, else -1
    when unknown); the text and the segment it is in (counting newlines and spaces before it).
    And the runs `runs` does not know (none with `grow`), in order."""
    # Each array made once at most as long as every character (and newline) and cut to what
    # was written: pages never written are never taken.
    size = sum(map(len, texts)) + len(texts)
    made = [np.empty(size, np.int32) for _ in range(3)]
    unknown: list[str] = []
    written = lines = segments = 0  # (the newlines and spaces before a block, as if joined)
    for first in range(0, max(len(texts), 1), _SCANNED_AT_ONCE):
        block = texts[first : first + _SCANNED_AT_ONCE]
        parts, (newlines, bounds) = _scanned(runs, block, grow, unknown)
        end = written + len(parts[0])
        for whole, part, offset in zip(made, parts, (0, lines, segments), strict=True):
            np.add(part, offset, out=whole[written:end])
        written = end
        lines, segments = lines + newlines + 1, segments + bounds + 1  # (+ the one between)
    for whole in made:
        whole.resize(written, refcheck=False)  # (in place: nothing else sees it yet)
    return made[0], made[1], made[2], unknown


def _scanned(
    runs: dict[str, int], texts: list[str], grow: bool, unknown: list[str]
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[int, int]]:
    """`scanned` of one block, its texts and segments counted from 0, with the count of its
    newlines and of its newlines and spaces; the runs it does not know added to `unknown`."""
    joined = "\n".join(texts)
    # int32: a code point, or a run's code past them (-1 unknown), fits.
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
    latin = _LATIN[codes]
    inside_run = np.zeros_like(latin)
    inside_run[1:] = latin[1:] & latin[:-1]
    # Each run cut out where the mask says it starts and ends: `features._RUN_RE.findall`
    # scanned the text again (a third of this scan at 100k generated entries, each question
    # numbered).
    starts = latin & ~inside_run
    ends = latin.copy()
    ends[:-1] &= ~latin[1:]
    bounds = zip(np.flatnonzero(starts).tolist(), (np.flatnonzero(ends) + 1).tolist(), strict=True)
    found = [joined[start:end] for start, end in bounds]
    if grow:
        ids = [runs.setdefault(run, len(runs)) for run in found]
    else:
        ids = [runs.get(run, -1 - _CODE_POINTS) for run in found]
        unknown.extend(run for run in found if run not in runs)
    codes[starts] = np.array(ids, dtype=np.int64) + _CODE_POINTS
    newline = codes == _NEWLINE
    boundary = newline | (codes == _SPACE)
    keep = ~(boundary | inside_run)
    text = newline.cumsum(dtype=np.int32)
    segment = boundary.cumsum(dtype=np.int32)
    counts = (int(text[-1]), int(segment[-1])) if len(codes) else (0, 0)
    return (codes[keep], text[keep], segment[keep]), counts
