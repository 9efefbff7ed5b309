"""Text as it is safe to print on a terminal: without the control characters (escape sequences
among them) that could rewrite the screen or set its title, and the bidirectional overrides that
make a line read differently from what it holds. Logged questions (`policybot gaps`) and
answers from the knowledge (`ask`, `chat`; an imported sheet or an ingested web page may carry
them) are printed through it."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str, keep_lines: bool = False) -> str:
    """`text` with each such character a space: on one line, or (`keep_lines`) its lines kept."""
    if keep_lines:
        return "\n".join(_UNPRINTABLE.sub(" ", line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(" ", text)
