"""Feature keys whole, for tests that read them."""

from __future__ import annotations

import numpy as np

from bot.engine.features import Encoded


def whole_keys(encoded: Encoded, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """`Encoded.keys` as whole int64 keys and the text of each (it gives the grouping's digits,
    here split at 20 bits and joined again)."""
    rows, low, high = encoded.keys(bits, 20)
    return high.astype(np.int64) << 20 | low, rows
