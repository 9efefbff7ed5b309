"""An entry's covered text as the pieces a short word can be found as, kept per entry while
there is room: bot.engine.answerability's `check` looks a question's words up in them instead of
searching the text (a speed cache: the verdicts are the same either way)."""

from __future__ import annotations

from collections.abc import Iterable

# A small knowledge base keeps each entry's covered text as the pieces a short word can be found
# as (`pieces`), and `check` (bot.engine.answerability) looks words up in them: searching the
# text for a long message's ~20 words in each of ~12 entries (most found in neither spelling)
# cost more than all other checks.
PIECE = 4  # characters, or syllables: ~97% of a long message's content words are this short


def pieces(covered: tuple[str, str]) -> tuple[frozenset[str], frozenset[str]]:
    """An entry's covered text (`describe`: spelled, and as sounds) as the pieces a word of up
    to PIECE characters can be found as: every substring of 1..PIECE characters of the spelled
    text, and every stretch of the sounds from a space to the 1st..PIECE-th space after it. A
    word's sound (" ban shi ") can only be found in the sounds as such a stretch, so for a word
    `findable` admits, `word in spelled` is `word in` the first set and `sound in heard` is `sound
    in` the second: each a set lookup instead of a search through the text."""
    spelled, heard = covered
    letters = frozenset(
        spelled[start : start + size]
        for size in range(1, PIECE + 1)
        for start in range(len(spelled) - size + 1)
    )
    spaces = [n for n, character in enumerate(heard) if character == " "]
    sounds = frozenset(
        heard[start : end + 1]
        for size in range(1, PIECE + 1)
        for start, end in zip(spaces, spaces[size:], strict=False)
    )
    return letters, sounds


# Pieces kept in all (`Pieces`): the shipped knowledge's 67 entries make ~73k (~4 MB of resident
# memory); a larger knowledge base keeps its first few hundred entries' and searches the rest.
PIECES_KEPT = 250_000
# An entry's pieces are made at its this-many-th check. Making them costs ~2 us a character
# of its covered text (660 us for a shipped entry of ~340), while they save ~12 us a check of a
# 7-word message over searching the text, nothing for a 1-word one: they pay for an entry
# checked over and over, not on first sight, where at 100k entries most checks are
# (docs/benchmarks.md).
PIECES_AFTER = 8


class Pieces:
    """Entries' covered text as `pieces`, each entry's made at its PIECES_AFTER-th check, while
    fewer than PIECES_KEPT are kept; None for the rest (`check` then searches the text). Not
    saved with a cached engine: made again as questions come."""

    def __init__(self, entries: int) -> None:
        self.made: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self.checked = bytearray(entries)  # per entry, its checks so far, up to PIECES_AFTER
        self.room = PIECES_KEPT

    def __getstate__(self) -> dict:
        return {"made": {}, "checked": bytearray(len(self.checked)), "room": PIECES_KEPT}

    def __call__(
        self, entry: int, covered: tuple[str, str]
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        found = self.made.get(entry)
        if found is None and self.room > 0:
            checks = self.checked[entry] + 1
            if checks < PIECES_AFTER:
                self.checked[entry] = checks  # (threads may miss one: made a check later)
                return None
            # (threads may both make it: the same pieces)
            found = self.made[entry] = pieces(covered)
            self.room -= len(found[0]) + len(found[1])
        return found

    def make_all(self, covered: Iterable[tuple[str, str]]) -> None:
        """The pieces of every entry not made yet, now (`covered`: each entry's, in order), if
        they surely fit in the room: for a server about to answer (`Engine.ready`), which would
        otherwise make them inside its first replies. An entry has at most PIECE pieces a
        character of its spelled text and a space of its sounds; a larger knowledge base keeps
        making them as checked."""
        texts = {n: text for n, text in enumerate(covered) if n not in self.made}
        most = sum(PIECE * (len(spelled) + heard.count(" ")) for spelled, heard in texts.values())
        if most > self.room:
            return
        for entry, text in texts.items():
            found = self.made[entry] = pieces(text)
            self.room -= len(found[0]) + len(found[1])


def findable(word: str, sound: str) -> bool:
    """Whether `pieces` tells if an entry covers this word and sound: a word of 1..PIECE
    characters, a sound of 1..PIECE syllables between single spaces, spaces at both ends."""
    return (
        0 < len(word) <= PIECE
        and sound[:1] == sound[-1:] == " "
        and 2 <= sound.count(" ") <= PIECE + 1
    )
