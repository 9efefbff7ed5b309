"""Who a question is relayed from, or who said what it asks about (群友问抚远…, 客人问…, 楼上说…).

They ask what any business would and say nothing of what is asked: their words weigh nothing in
the checks (`relayed_from`, read by bot.engine.answerability.content) and are left out of the
text the index searches (`unrelayed`, bot.engine.core), as a greeting or the sender's
introduction is (bot.engine.reading). Where a relayed question or an errand starts inside a clause
(外地投资人问我抚远…, 老板让我查下…), bot.engine.reading splits the clause (`relayers_apart`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# Who a question is relayed from, or who said what it asks about, named where a clause opens
# (群友问抚远…, 客人问…, 我家老板问…, 楼上说…; not 门票问一下, 房价问问, where the sender asks about it, nor
# 门票说是免费的, 说明, 说法): they ask what any business would and say nothing of what is asked, as
# 客户 and 居民 of FRAMING do. Weighed as words no entry uses, they took a whole word's coverage
# off the entries that answer the question. Nor is a thing the sender asks whom to ask about
# (信用修复问谁, 清单问哪里: the clause ends there) or asks to be told (四减说一下, 说清楚点, 说到底,
# 说白了), nor one the sender has asked about before (绿色通道问了好几回, 营业执照问了三次, 厂房问过了):
# taken for an asker, the thing asked about weighed nothing and the right entry was refused.
_ASKER = re.compile(
    r"(?:^|\s)(?:我|俺|咱)?[家们的]?((?:(?![问说])[\u4e00-\u9fff]){1,6}?)"
    r"(?:想?问(?!题|一下|下|问|一问|(?:谁|哪|哪里|哪儿|哪个部门|哪个单位)[呢啊呀]?(?:\s|$)"
    r"|了?(?:好?几|\d|[一二两三四五六七八九十])[次回遍趟]|过(?:了|\s|$))"
    r"|说(?!明|法|的|说|是|一下|下|清|到底|白了))"
)


# Where a question relayed from someone else starts inside a clause (外地投资人问我抚远…, 经常被客人问…
# 在哪, 商户都在问什么时候…), or an errand someone sent the sender on (老板让我查下抚远…有几项, 叫我找找…):
# who asked is not what is asked about (bot.engine.reading reads it as a clause of its own: 老板
# asked for a person); nor is the sender's own asking verb opening a clause (俺问问…, 我就问一下…:
# unsplit, 俺问问疫情时候工地停没停工 matched its entry 0.37 against 0.52 without it). Every
# alternative starts with a plain character (问 before its look-behinds, 让 and 叫 apart), so the
# regex engine skips to where one is rather than trying every position (a look-behind or a class
# first: a search 2.2 µs, 0.17 this way; timeit, load ~9).
_ERRAND = r"[我俺](?:查|问|找|打听|了解)(?:一下|一查|一问|一找|查|找|问|下)?"
_RELAYED = re.compile(
    rf"(?:问(?<![请想]问)[我俺](?!们)|在问|被[\u4e00-\u9fff]{{1,4}}?问|让{_ERRAND}|叫{_ERRAND}"
    r"|问(?:(?<=^[我俺咱]问)|(?<=\s[我俺咱]问)|(?<=^[我俺咱]就问)|(?<=\s[我俺咱]就问))(?:问(?!题)|一下|下))"
    r"(?=[\u4e00-\u9fff])"
)


def relayers_apart(text: str) -> str:
    """`text` (a folded message) with a space after each place `_RELAYED` finds, where a relayed
    question or an errand starts."""
    # (A function gives the match back, not a template such as r"\g<0> ": given a template, Python
    # 3.11's `sub` imports `re` and calls its `_subx` on every call, ~6 µs where nothing matches.)
    return _RELAYED.sub(_spaced, text)


def _spaced(found: re.Match[str]) -> str:
    return found[0] + " "


# An office said to have said something (税务局说…, 专窗说…, 海关说网上办) is a source of what the
# sender asks about, often its subject (海关说网上办，我想问抚远海关的…): no relayer of the question;
# nor is the city itself (市里说…, and by its name, 抚远说坚持例会制度…: bot.yaml's `places`), for the
# same reason.
_OFFICE = re.compile(r"(?:局|专窗|窗口|海关|政府|部门|中心|大厅|银行|法院|市里)$")


def _relayers(text: str, places: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """Each place in `text` (the folded message) where a clause opens on who relayed it:
    `_ASKER`'s matches, the name who relayed it their first group."""
    for found in _ASKER.finditer(text):
        if not (
            found[0].endswith("说") and (_OFFICE.search(found[1]) or found[1].endswith(places))
        ):
            yield found


def relayed_from(text: str, places: tuple[str, ...] = ()) -> frozenset[str]:
    """The words that name who relayed the question in `text` (the folded message; `places`:
    the city's own names)."""
    if "问" not in text and "说" not in text:
        return frozenset()  # (most messages: as in `unrelayed`, ~15k instructions a message)
    return frozenset(found[1] for found in _relayers(text, places))


def unrelayed(text: str, knows: Callable[[str], bool], places: tuple[str, ...] = ()) -> str:
    """`text` (a folded message, or clauses of one) as the index searches it: without who
    relayed it and the 问 or 说 after them (朋友说抚远一次办有…，具体几项 is searched as 抚远一次办有…).
    Weighed as nothing, the relayer still held a quarter to half of the match: 楼上说, 群里有人说
    matched no entry's question, and the right entry's match sank below the bar (0.43 → 0.22).

    A name of one character is kept (想问, 请问, 听说: how the sender asks or heard, no one who
    relayed it; left out, they moved replies to questions with no relayer), and so is a name
    with a word the knowledge uses (`knows`: 报道说…, 窗口的人说…, 群里开饭店的问…: it may be what is
    asked about). A text that is nothing but its relayer is searched as it is. `places` as for
    `relayed_from`."""
    if "问" not in text and "说" not in text:
        return text  # (most messages: _ASKER tries every clause, ~10 us a search)
    kept, start = [], 0
    for found in _relayers(text, places):
        if len(found[1]) > 1 and not knows(found[1]):
            kept.append(text[start : found.start()])
            start = found.end()
    if not kept:
        return text
    return " ".join(" ".join([*kept, text[start:]]).split()) or text
