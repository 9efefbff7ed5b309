"""What a question asks for by name, and whether an entry mentions it.

The focus (bot.engine.answerability) says what kind of answer a question wants; the word after
its which-word says which thing: 哪个厂家 wants a supplier, 什么消毒液 a disinfectant, 几星 a
star rating, 叫什么名字 a name. An entry can be about everything else the question says and still
never mention that thing (the entry on the province's key project names no supplier); then it
does not answer the question, and bot.engine.decision weighs it as a focus the entry does not
give. `ask --json` shows the things (`asked_for`) and those the entry lacks (`asked_for_unstated`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.engine.answerability import (
    COUNT_OF,
    DONE,
    HOW_ASKED,
    QUESTION_WORDS,
    TITLE,
    content_weight,
)
from bot.engine.features import GENERIC_CHARS
from bot.text.words import part_of_speech

# A which-word, and the word after it names the thing asked for: 哪个厂家, 什么消毒液, 多少工人,
# 几星. An entry that never mentions that thing does not answer the question, however much else
# of it the entry covers (bot.engine.decision weighs it as a focus the entry does not give).
_WHICH = re.compile(
    r"(哪(?:一|几)?(?:个|些|家|位|种|类|条|所|座|项|天)|哪[一几]|什么|啥|多少个?"
    r"|(?<![好十没])几(?:个|家|位|种|类|条|所|座|项)?)(?=([\u3400-\u9fff]+))"
)
# What may follow a which-word without naming a thing an entry must mention (`HOW_ASKED`); nor
# does a word that carries nothing (`content_weight`: 来着, 企业).
_NOT_A_THING = HOW_ASKED
# Things the question writes one way and an answer another: 多少钱 (…元), 几号 / 哪天 (4月7日),
# 叫什么名字 (a title: 《抚远市“办事不求人”工作实施方案》; no answer names a person).
_WRITTEN_AS = {
    "钱": COUNT_OF + "元",
    "块": COUNT_OF + "元",
    "号": COUNT_OF + "日",
    "哪天": COUNT_OF + "日",
}
_NAMES = frozenset({"名字", "名称", "全称"})
# An amount reached so far (已经完成了多少, 去年…是多少): an answer that gives only a plan or a
# target for it (年内计划完成投资12.8亿元, 力争…达22亿元) does not say how much was done.
_REACHED = re.compile(
    r"(?:已经|去年|上年|前年|截至|截止|到目前).*(?:多少|几)|完成了多少|完成多少了"
)


def asked_for(
    text: str, cut: Callable[[str], list[str]], canonical: Callable[[str], str]
) -> tuple[str, ...]:
    """The things a question asks for by name (`text`: its folded asking clause; `cut` splits
    text into words, single characters kept): the first word after each which-word, in matching
    form (`canonical`); a unit after 几 / 多少 as COUNT_OF + unit, a name as TITLE; an amount
    reached so far (已经完成了多少) as DONE, first.

    The words are found in the text as folded, not in matching form: a synonym made canonical
    (消毒 → 消杀) would cut 消毒液 into 消杀 and 液, and 消杀 is not what is asked for."""
    found = [DONE] if _REACHED.search(text) else []
    for which, after in _WHICH.findall(text):
        if which in _WRITTEN_AS:
            found.append(_WRITTEN_AS[which])
            continue
        words = cut(after) or [after[0]]  # `cut` leaves out a lone character: 多少钱
        if len(words) > 2 and words[1] == "的":
            words = words[2:]  # 哪些量化的成效: the thing is what the modifier describes
        thing = words[0]
        if len(thing) == 1 and which in ("什么", "啥") and part_of_speech(thing) == "v":
            continue  # a verb's object in a set phrase (帮什么忙, 吃什么亏) names no thing
        if which == "几" and thing not in _NOT_A_THING:
            thing = thing[0]  # 几 counts in the unit after it: 几星级 asks for a figure of 星
        # A unit (几天, 几层, 多少亩) is a measure word, which carries nothing anywhere else.
        unit = len(thing) == 1 and which in ("几", "多少") and thing not in GENERIC_CHARS
        if thing in _NOT_A_THING or (QUESTION_WORDS.search(thing) and thing not in _NAMES):
            continue
        if not (unit or content_weight(thing, True)):
            continue
        if thing in _WRITTEN_AS:
            thing = _WRITTEN_AS[thing]
        elif thing in _NAMES:
            thing = TITLE
        elif unit:
            thing = COUNT_OF + thing
        else:
            thing = canonical(thing).replace(" ", "")
        found.append(thing)
    return tuple(found)
