"""A clause that recalls what the bot said before (你刚才说复工专窗在政务服务中心, 刚才你讲了行政权力事项的数,
你说的那个清单), set apart by bot.engine.reading: what the message asks is what is new in it.

Followed by a question on another thing (…，那网上办的事项是多少项; 那政务服务中心在哪呢？你刚才说复工专窗
在那里), the recalled part is what the bot answered already: its words are the previous entry's,
and read as the message's topic they held that entry up against the one asked about now (the
复工专窗's entry answered 政务服务中心在哪, covering 复工 and 专窗 of the recall). So it asks
nothing where another clause asks and, when the question turns to another thing (`turns`), weighs
nothing (`RECALLED`) and is left out of the search. A question that goes on with what was recalled
(那它是靠哪个文件推进的, 那个清单网上能查吗, 具体内容哪能看到) is about it: the recalled part is read
as any clause before the question is.
"""

from __future__ import annotations

import re

# A recalled clause's weight: nothing of the check's, and out of the text searched.
RECALLED = 0.0

# Who said it (你 / 您, or no one named after 刚才), when (刚才, 刚刚, 前面, 上面…), and the saying
# (说, 讲, 提到, 回答, 介绍; 只说了, 也提了); or 你说的 (the thing the bot or a group member said).
_RECALLS = re.compile(
    r"^(?:那|就|可|但)?(?:(?:你|您)(?:刚才|刚刚|方才|之前|前面|上面|先前)|(?:刚才|刚刚|方才|前面|上面)(?:你|您)?)"
    r"(?:只|也|还|都|已经)?(?:说|讲|提|答|回答|介绍)|^(?:你|您)说的"
)
# A question that turns to another thing: 那 and the thing (那网上办的事项是多少项, 那政务服务中心在哪呢;
# not 那个 / 那些 / 那几 / 那它, pointing back into what was recalled, nor 那是 / 那就 / 那样), 还有 or
# 另外 and the thing, or the thing and 呢 alone (网上办呢). A question that goes on with the recalled
# thing (回复 老李：你说的那个复工清单目录，具体内容哪能看到; 是政府建的吗) asks about it: there the
# recalled part is the topic, and read as nothing, those were answered wrong.
_TURNS = re.compile(r"^(?:那(?![个些几它是就样么])|还有|另外)|^[^吗么什怎如多哪谁啥咋几]+呢$")


def recalls(clause: str) -> bool:
    """Whether a clause (folded) recalls what the bot said before."""
    return bool(_RECALLS.match(clause))


def turns(clause: str) -> bool:
    """Whether an asking clause (folded) turns from what was said before to another thing."""
    return bool(_TURNS.search(clause))
