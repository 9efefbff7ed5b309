"""The index's own machinery, on small inputs whose right answer is plain to see."""

from __future__ import annotations

import numpy as np

from bot.engine.index import _pairs


def test_grouping_is_the_same_whether_or_not_keys_fit_one_packed_integer():
    rng = np.random.default_rng(3)
    small = rng.integers(0, 50, 2000)
    rows = rng.integers(0, 40, 2000).astype(np.int32)
    expected = sorted({(int(k), int(r)) for k, r in zip(small, rows, strict=True)})
    for offset in (0, 1 << 58):  # the second does not fit beside the rows: sorted another way
        keys, found_rows, counts = _pairs(small.astype(np.int64) + offset, rows.copy())
        assert list(zip((keys - offset).tolist(), found_rows.tolist(), strict=True)) == expected
        assert counts.sum() == 2000 and found_rows.dtype == np.int32
