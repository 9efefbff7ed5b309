"""Synonym rewriting: the trie pattern picks what the words' longest-first alternation picks."""

from __future__ import annotations

import random
import re

from bot.text.synonyms import Synonyms


def test_the_trie_matches_as_the_longest_first_alternation_would(knowledge):
    synonyms = Synonyms(knowledge.synonyms)
    variants = sorted(synonyms.canonical, key=len, reverse=True)
    alternation = re.compile("|".join(map(re.escape, variants)))
    # Texts made of pieces of the variants (prefixes of each other, overlaps) and other text.
    rng = random.Random(3)
    pieces = [v[: rng.randint(1, len(v))] for v in variants for _ in range(3)] + ["的", "x", " "]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert synonyms.pattern.findall(text) == alternation.findall(text), text
    nested = Synonyms((("甲", "a", "ab", "abc", "abd", "bc"),))
    assert nested("xabcdabdabbcb") == "x甲d甲甲甲b"
