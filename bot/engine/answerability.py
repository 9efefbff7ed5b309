"""Does the best entry answer what is asked, or only talk about the same thing?

Retrieval measures how much text a question shares with an entry. That is not the same as the
entry answering it: 黑瞎子岛门票多少钱 shares 黑瞎子岛 with the entry on the island's development
plan, which says nothing of tickets or prices. Three checks, each one an admin can read back
(`ask --json` shows them):

- **Focus** (bot.engine.focus): what kind of answer the question wants (a count, a price, a time,
  a place, a person, a procedure, a contact, a list…) against what the entry's own questions ask
  for. An entry whose questions never ask "when" does not answer 什么时候开业.
- **Uncovered words**: content words of the question that neither the entry's questions nor its
  answer contain, weighted by how much they carry: a word the knowledge never uses (门票, 房价,
  会长) weighs most, a word of another entry less, words that only frame a question (我们, 公司,
  想问一下) nothing.
- **Where the question is** (bot.engine.reading): a long message's asking clauses weigh more
  than the background before them.

A count asked by a message that already states every figure the entry's answer gives (2887项里
行政许可占多少项, 这100个里面有多少个…) asks for another one, a part or a later figure: the entry
says nothing the asker does not know, and is weighed as not giving the focus (`figures_restated`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine._frozen import made
from bot.engine._pieces import findable
from bot.engine.features import GENERIC_CHARS, spoken
from bot.engine.focus import (
    _COUNTED,
    _FOCUS_PATTERN,
    COUNT,
    PERSON,
    PRICE,
    SATISFIED_BY,
    asked_in,
)
from bot.engine.mentioned import contradicted, mentions, scopes
from bot.engine.relayed import relayed_from
from bot.text.words import FUNCTION_TAGS, part_of_speech

# "（据2022年5月26日报道）": every answer says which day its facts are from.
_REPORTED = re.compile(r"（据[^）]*报道）")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
# Words that frame a question or name the asker and the city, or whom it is asked for (客户问…,
# 居民问…, 给客户做授信要写…: the client asks what any business would): they say nothing of what is asked.
# The city's own names (抚远) are the knowledge's to say: bot.yaml's `places` (`Wording.places`).
_FRAMING_WORDS = (
    "我们 你们 他们 咱们 自己 公司 企业 单位 厂子 政府 市里 现在 目前 听说 "
    "具体 一下 这边 那边 这块 那个 这个 情况 问题 事情 东西 需要 了解 知道 想要 打算 "
    "准备 可以 能够 时候 什么 怎么 怎么样 如何 多少 哪些 哪里 是不是 有没有 能不能 已经 还是 "
    "或者 而且 一些 一个 一家 大概 一共 总共 合计 共计 总计 到底 主要 相关 关于 方面 请问 咨询 问问 "
    "谢谢 领导 老师 办理 办事 想问 告诉 应该 比较 最近 今年 之前 以后 后面 打听 确认 "
    "请教 清楚 比如 例如 譬如 介绍 汇总 说说 讲讲 现象 核实 核对 为主 "
    "详细 弄清楚 搞清楚 概括 总结 解释 说明 讲解 担心 关心 认为 觉得 专门 说法 一般 "
    "客户 居民 群众 朋友 亲戚 家人 老乡 同事 会员 "
    "烦请 表述 回事 含义 平常 个数 事儿 简要 考虑 着急 引用 "
    "完整 实打实 大家 记得 记不清 属于 类似 感觉 念叨 "
    "新闻 文章 有关 采取 提到 算不算 办法 法子 方式 这么回事 那么回事 "
    # a figure asked for each (马上办和网上办各是多少项, as 分别), a second question put by the way
    # (…，顺便问下…总共多少项), understanding wanted (整明白点, as 弄清楚): how, not what, is asked
    "各是 顺便 明白 "
)
FRAMING = frozenset(_FRAMING_WORDS.split())
# 外地 says where the sender, or those they write about, are or come from (我在外地, 人在外地跑冷链,
# 外地客商来不了, 有人坑外地投资商, 外地投资人问我…): it weighs nothing, as the asker's words of FRAMING
# do, unless the message asks whether something is from elsewhere (招商小分队是不是常年在外地, 11个项目里
# 几个是外地企业投资的), where it is what is asked. Weighed as another entry's word (the knowledge's own
# phrasings say 人在外地), it held 7 natural questions of the tuned-on sets under the bar, and 3
# more in an offer (docs/matching.md, twentieth round).
ELSEWHERE = "外地"
_ELSEWHERE_ASKED = re.compile(r"是[^，。？！,?!\s]{0,5}外地")
# What the sender cannot recall or make out (记不住, 说不清, 分不清, 看不懂, 不太懂, 没听清): about the
# asker, as 记不清 of FRAMING is, never about what is asked.
_UNSURE = re.compile(
    r"[记说看听搞弄分想认读]不(?:住|清楚?|懂|明白|上来|起来|准)|不太?(?:懂|清楚|明白)|没[记听看搞弄]?(?:清楚?|懂|明白|全)"
)
# How much an uncovered word takes off: a word no entry uses is the clearest sign of a question
# about something else; a word of another entry may be a paraphrase the entry did not foresee.
UNKNOWN_WORD = 1.0
OTHER_ENTRY_WORD = 0.6
# A verb no entry uses is more often another way to say what an entry says (推 for 推进, 查到,
# 设在) than an unknown noun is (门票, 房价 name a thing no entry has). At 0.6, as a word of
# another entry, dev answered one more out-of-scope question and holdout/traps two more.
UNKNOWN_VERB = 0.8
FIGURE = 1.0  # a figure of the question (2021年) the entry does not contain
SINGLE = 0.5  # a character the segmenter left on its own (招 人) says less than a word


@dataclass(frozen=True)
class Check:
    """Why an entry does or does not answer a question: the multiplier and its reasons."""

    factor: float
    focus: str | None
    gives: tuple[str, ...]  # the kinds of answer the entry's questions ask for
    mismatch: bool
    uncovered: tuple[tuple[str, float], ...]  # (word, weight)
    weight: float = 0.0  # the question's content words' weight in all
    long: bool = False  # a long message: bot.engine.decision weighs its evidence differently...
    share: float = 1.0  # ...giving its match this share of the score, the rest to coverage
    asked_for: tuple[str, ...] = ()  # the things the question asks for by name (`asked_for`)...
    unstated: tuple[str, ...] = ()  # ...that the entry's answer never mentions
    restated: tuple[str, ...] = ()  # a count asked: the answer's figures, all in the question
    contradicted: tuple[str, ...] = ()  # scopes asked (省重点) the entry gives a sibling of instead

    @property
    def coverage(self) -> float:
        """The share of the question's content weight the entry covers; none for a question
        without content (only framing words: nothing in it shows the entry is what is asked)."""
        missing = sum(weight for _, weight in self.uncovered)
        return 1 - missing / self.weight if self.weight else 0.0

    def to_dict(self) -> dict:
        return {
            "factor": round(self.factor, 4),
            "focus": self.focus,
            "entry_gives": list(self.gives),
            "focus_mismatch": self.mismatch,
            "coverage": round(self.coverage, 4),
            "long_message": self.long,
            "match_share": self.share,
            "asked_for": list(self.asked_for),
            "asked_for_unstated": list(self.unstated),
            "figures_restated": list(self.restated),
            "scopes_contradicted": list(self.contradicted),
            "uncovered": [{"word": w, "weight": round(x, 2)} for w, x in self.uncovered],
        }


def content_weight(word: str, known: bool, word_classes: bool = True) -> float:
    """How much a word of a question carries, if an entry does not cover it (`word_classes`:
    by its part of speech too, as the engine does unless an ablation turns it off)."""
    if word in FRAMING or GENERIC_CHARS.issuperset(word):
        return 0.0
    if ("不" in word or "没" in word) and _UNSURE.fullmatch(word):
        return 0.0
    if word.isascii():
        return 0.0  # numbers and Latin are weighed by the character-level discount
    if word_classes and part_of_speech(word) in FUNCTION_TAGS:
        return 0.0  # 比如…之类, 里面, 一点: how a question is put, not what it is about
    weight = OTHER_ENTRY_WORD if known else UNKNOWN_WORD
    if not known and word_classes and part_of_speech(word) == "v":
        weight = UNKNOWN_VERB
    return weight * SINGLE if len(word) == 1 else weight


def figures(text: str) -> frozenset[str]:
    """The figures a text states (2887, 0.41), as `check` compares them."""
    return frozenset(_FIGURE.findall(text))


def restated(focus: str | None, asked: frozenset[str], stated: str) -> tuple[str, ...]:
    """For a count asked, the figures with a unit the entry's answer (and quote) gives (2887项,
    100个), sorted, when the question states every one of them (`asked`: its `figures`); else
    none. Such an answer tells the asker only what the question says already."""
    if focus != COUNT or not asked:
        return ()
    given = {figure for counted in _COUNTED.findall(stated) for figure in _FIGURE.findall(counted)}
    return tuple(sorted(given)) if given and given <= asked else ()


def asked(text: str, heard: str | None = None) -> tuple[str, str]:
    """Questions' text as `check` looks words up in it: spelled, and as sounds (`heard`: the
    text's `spoken` form, when the caller has it already)."""
    return text, f" {spoken(text) if heard is None else heard} "


@dataclass(frozen=True)
class Content:
    """A question's content words as every candidate's `check` reads them, worked out once per
    question: a long message has a dozen or two, and was gone over again for each of the ~12
    entries checked."""

    subject: tuple[tuple[str, str], ...]  # each (word, sound) that carries weight, once (not 电话)
    heaviest: tuple[tuple[str, str, float], ...]  # the same with its heaviest weight
    weight: float  # the question's content weight in all: each word once, as last weighed
    short: tuple[bool, ...] = ()  # per word of `heaviest`, whether its pieces tell (`findable`)
    figures: frozenset[str] = frozenset()  # a count asked: the figures it states (`restated`)
    own_assignee: bool = False  # a person asked: the one assigned to the sender (`_OWN_ASSIGNEE`)
    scopes: tuple[tuple[str, str], ...] = ()  # 省重点项目: (省, 重点) (bot.engine.mentioned.scopes)
    sum_asked: bool = False  # a price asked: a sum of money rather than a price (`_SUM_ASKED`)


# Who is assigned to the sender's own company (我们企业对口联系的是哪位领导, 对接我们的关员是谁): the
# report says who is in charge and how companies are paired, never which person serves a given
# company, so no entry gives that person.
_OWN_ASSIGNEE = re.compile(
    r"(?:我们|咱们?|我)[^，。？！,?!]{0,8}(?:对应|对接|对口)[^，。？！,?!]{0,6}(?:哪位|谁)"
    r"|(?:对应|对接|对口)(?:我们|咱们?|我)[^，。？！,?!]{0,6}(?:哪位|谁)"
)

# A bare 多少钱 asks what something costs, or a sum: that 11个项目一共多少钱, 招商目标定了多少钱 and
# 项目，投资，大概多少钱 ask (focus.py's PRICE leaves out 投资多少钱 only, and 投资，多少钱 as reading.py
# reads it, with the clause pointed back to) is what an answer stating an amount of money
# (总投资23.8亿元) gives, as it gives a count. Not a price by the unit (多少钱一斤, 一天多少钱,
# 每家多少钱), a fee, a fine, a reward or a saving (交 / 收 / 罚 / 奖 / 领 / 省…多少钱), nor a message
# asking a price in other words too (门票, 价格, 收费: PRICE's other words).
_SUM_ASKED = re.compile(r"(?<![交收付罚奖领补赚卖买租换省减给])多少钱(?![一每])")
_NOT_SUM = re.compile(
    r"[一每](?!共)[^ ]{0,3}多少钱|[交收付罚奖领补赚卖买租换省减给][^ ]{1,2}多少钱"
    r"|价格|价钱|票价|房价|门票|收费|费|收多少|几块钱|租金|多少元|什么价|啥价|交钱|收钱|付钱|掏钱"
)
# An answer stating an amount of money: 23.8亿元, 55万美元.
_MONEY = re.compile(r"\d(?:\.\d+)?\s*[亿万]美?元")


def content(
    words: list[tuple[str, float, str]],
    focus: str | None = None,
    text: str = "",
    places: tuple[str, ...] = (),
) -> Content:
    """`words`: the question's content words with their weight (clause weight × content
    weight) and sound (" ban shi "); `focus`: what kind of answer the question wants; `text`:
    the question, whose figures a count asked is compared with (`restated`), whose words naming
    who relayed it weigh nothing (`relayed_from`; `places`: the city's own names, for it), and
    whose scopes (省重点) an entry may contradict (`scopes`). The words that say what it asks
    for (电话多少: 电话) are not what it asks about: not its subject; those of a list or a
    definition (都包括哪些: 包括) are not content at all."""
    askers = relayed_from(text, places)
    if ELSEWHERE in text and not _ELSEWHERE_ASKED.search(text):
        askers |= {ELSEWHERE}
    words = [(word, 0.0 if word in askers else x, sound) for word, x, sound in words]
    heaviest: dict[tuple[str, str], float] = {}
    for word, weight, sound in words:
        if weight:
            heaviest[word, sound] = max(weight, heaviest.get((word, sound), 0.0))
    asking_for = _FOCUS_PATTERN.get(focus) if focus else None
    # A list or a definition is asked in words (都包括哪些, 分别是) that say nothing of what it is
    # of; a price, a time, a contact… in words that may be just what no entry gives (门票, 电话).
    shaping = asked_in(focus)
    if shaping:
        heaviest = {key: weight for key, weight in heaviest.items() if not shaping.search(key[0])}
        words = [item for item in words if not shaping.search(item[0])]
    return Content(
        tuple(key for key in heaviest if not (asking_for and asking_for.search(key[0]))),
        tuple((word, sound, weight) for (word, sound), weight in heaviest.items()),
        sum({word: weight for word, weight, _ in words}.values()),
        tuple(findable(word, sound) for word, sound in heaviest),
        figures(text) if focus == COUNT else frozenset(),
        focus == PERSON and _OWN_ASSIGNEE.search(text) is not None,
        scopes(text),
        focus == PRICE and _SUM_ASKED.search(text) is not None and not _NOT_SUM.search(text),
    )


def check(
    focus: str | None,
    gives: dict[str, tuple[str, str]],
    words: Content,
    covered: tuple[str, str],
    mismatch_factor: float,
    long: bool = False,
    share: float = 1.0,
    things: tuple[str, ...] = (),
    stated: str = "",
    pieces: tuple[frozenset[str], frozenset[str]] | None = None,
) -> Check:
    """`gives`: per kind of answer the entry's questions ask for, those questions' text, spelled
    and as sounds (`Asked`);
    `words`: the question's content words (`content`); `covered`: the entry's text a word may
    be in, spelled and as sounds (`describe`);
    `mismatch_factor`: the check's factor when the entry does not give the focus asked, or
    does not mention a thing the question asks for by name (`things`, bot.engine.asked;
    `stated`: the entry's answer and quote as written, `mentions`); `pieces`: `covered` as
    bot.engine._pieces gives it, when the engine keeps them.

    An entry gives the focus asked for only about what its questions of that kind mention:
    the entry whose question is 项目建在哪 (the answer: 抚远经济开发区) says where the project
    is, not where the zone is; so one of the asking clause's content words must be in them."""
    mismatch = False
    if focus in SATISFIED_BY:
        # A sum of money asked of an entry stating amounts is asked as a count (`_SUM_ASKED`).
        kinds = SATISFIED_BY[COUNT if words.sum_asked and _MONEY.search(stated) else focus]
        asked = [gives[kind] for kind in kinds if kind in gives]
        # A question with nothing but its focus (抚远在哪) asks about nothing an entry gives.
        mismatch = not any(
            word in spelled or sound in heard
            for spelled, heard in asked
            for word, sound in words.subject
        )
    mismatch = mismatch or words.own_assignee
    spelled, heard = covered
    uncovered: dict[str, float] = {}
    letters, sounds = pieces if pieces is not None else (frozenset(), frozenset())
    for (word, sound, weight), short in zip(words.heaviest, words.short, strict=True):
        # Spelled alike, or sounded alike (an input-method typo); inline: it runs per word per entry.
        if pieces is not None and short:
            found = word in letters or sound in sounds
        else:
            found = word in spelled or sound in heard
        if not found:
            uncovered[word] = max(weight, uncovered.get(word, 0.0))
    unstated: tuple[str, ...] = ()
    if things:
        covers = lambda word, sound: word in spelled or sound in heard  # noqa: E731
        unstated = tuple(thing for thing in things if not mentions(thing, stated, covers))
    again = restated(focus, words.figures, stated)
    other = contradicted(words.scopes, spelled) if words.scopes else ()
    factor = mismatch_factor if mismatch or unstated or again or other else 1.0
    return made(
        Check,
        {
            "factor": factor,
            "focus": focus,
            "gives": tuple(sorted(gives)),
            "mismatch": mismatch,
            "uncovered": tuple(uncovered.items()),
            "weight": words.weight,
            "long": long,
            "share": share,
            "asked_for": things,
            "unstated": unstated,
            "restated": again,
            "contradicted": other,
        },
    )
