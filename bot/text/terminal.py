"""Text as it is safe to print on a terminal: without the control characters (escape sequences
among them) that could rewrite the screen or set its title, and the bidirectional overrides that
make a line read differently from what it holds. Logged questions (`policybot gaps`) and
answers from the knowledge (`ask`, `chat`; an imported sheet or an ingested web page may carry
them) are printed through it."""

from __future__ import annotations

import json
import re

# DEL, the C1 controls (U+009B is CSI to a terminal that reads C1) and the bidirectional
# overrides and isolates; with the C0 controls below U+0020, what a terminal must not be given.
_OBEYED = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[\x00-\x1f{_OBEYED}]")
_OBEYED_IN_JSON = re.compile(f"[{_OBEYED}]")  # JSON escapes the C0 controls itself


def terminal_text(text: str, keep_lines: bool = False) -> str:
    """`text` with each such character a space: on one line, or (`keep_lines`) its lines kept."""
    if keep_lines:
        return "\n".join(_UNPRINTABLE.sub(" ", line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(" ", text)


def terminal_json(value: object, indent: int | None = None) -> str:
    """`value` as JSON that is safe to print (`ask --json`, `gaps` and `stats --format json`):
    Chinese as it is, and what `terminal_text` blanks as escapes (`\\u009b`), which a program
    reading it decodes to the same strings (left by probe22: they went out as they were)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _OBEYED_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
