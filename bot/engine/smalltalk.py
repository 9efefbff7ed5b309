"""Small talk: a message that is nothing but a greeting, thanks, a request for help or a reply
to a list no longer open. The patterns are bot.yaml's (`smalltalk:`), folded once per engine,
plus the list replies every deployment has (不是, 都不是…), so no knowledge needs to list them.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.knowledge.model import LIST_REPLIES, Texts, bare_reply
from bot.text.normalize import fold


class SmallTalkReplies:
    """bot.yaml's small-talk patterns, folded, and the reply each gets."""

    def __init__(self, texts: Texts) -> None:
        self.empty = texts.empty
        # A list reply with no list open, in every deployment; bot.yaml's own patterns win.
        self.replies = dict.fromkeys(map(fold, LIST_REPLIES), texts.no_list)
        self.list_replies = tuple(map(fold, LIST_REPLIES))  # (a set pickles in hash order)
        self.talk = {
            fold(pattern).replace(" ", ""): talk.reply
            for talk in texts.smalltalk
            for pattern in talk.patterns
        }
        self.replies |= self.talk

    def reply(self, folded: str, normalized: str) -> str | None:
        """The reply to `folded` (the message folded) if it is only small talk; `normalized`:
        what is left of it once fillers are dropped (empty when it was fillers only)."""
        compact = folded.replace(" ", "")
        if not compact:
            return self.empty
        if compact in self.replies:
            return self.replies[compact]
        if (bare := bare_reply(compact)) in self.list_replies:  # "不是啊": a list reply too
            return self.replies[bare]
        # Small talk piece by piece (好的好的 收到, 晚上好呀 在忙啥呢): the last piece's reply.
        pieces = folded.split()
        said = [talked for piece in pieces if (talked := self._talked(piece))]
        if 1 < len(said) == len(pieces):
            return self.talk[said[-1]]
        if normalized or len(compact) > 8 or not self.replies:
            return None
        # Only fillers were typed ("你好啊", "谢谢了"): the closest pattern says which kind.
        best = max(self.replies, key=lambda pattern: fuzz.ratio(compact, pattern))
        return self.replies[best]

    def _talked(self, piece: str) -> str | None:
        """The pattern a piece of a message is (晚上好呀: 晚上好), or says twice (好的好的)."""
        bare = bare_reply(piece)
        half = bare[: len(bare) // 2]
        talk = self.talk
        return bare if bare in talk else half if half * 2 == bare and half in talk else None
