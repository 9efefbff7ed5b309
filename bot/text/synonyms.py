"""Synonym groups: every variant is rewritten to its group's standard (first) word, in the
knowledge and in questions alike, so a synonym gives exactly the answer its standard word gives."""

from __future__ import annotations

import re

from bot.text.normalize import normalize


class Synonyms:
    """Rewrites every variant of a synonym group to the group's first word, longest match first."""

    def __init__(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self.canonical: dict[str, str] = {}
        for group in groups:
            head = normalize(group[0])
            for word in group:
                key = normalize(word)
                if key:
                    self.canonical[key] = head
        variants = sorted(self.canonical, key=len, reverse=True)
        # No variant with a space: texts joined by spaces are rewritten as each one apart.
        self.joinable = not any(" " in variant for variant in variants)
        self.pattern = re.compile("|".join(map(re.escape, variants))) if variants else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda match: self.canonical[match.group(0)], text)
