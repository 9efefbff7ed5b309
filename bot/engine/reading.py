"""Where the question is in a message: its clauses, which of them ask, and how much each word
of it weighs for bot.engine.answerability.

Businesses write the way they talk in a chat: a greeting, who they are, their circumstances,
then the question (您好，我们是做旅游开发的，项目马上落地，…，政府会派专人帮忙吗). The greeting and
"who we are" are set aside; the last clause with a question word is the asking clause (where
the writer ends sentences with question marks, the last in one of those; not a question about
the sender's own case when the message asks another), with what follows it
only if that goes on with the question (an alternative: …能加急办吗 还是只能去现场),
not the sender speaking of themselves or their circumstances (…有几项？我们在乡镇不方便进城;
…有没有快速通道？工地等着开工), and from a condition just before it (如果有部门
不作为，…去哪里投诉: it weighs CONDITION), or from the clause before it when the asking clause
says nothing of what it is about (现在说办事不用求人了 是怎么个搞法: it points back, past other
asking clauses that say nothing, 真的假的, and the clause before them weighs CONDITION too); the
clause just before the asking part, unless the sender's, most often names what it asks about
(那11个一起开工的项目，总投资多少钱) and weighs TOPIC; other clauses before it that ask nothing are
background and weigh less (关企协调员是哪个海关的，叫什么名字 asks in both clauses: no background).
A message with no question word that makes a request (烦请告知…, 请提供…) asks in its request; one
that neither asks nor requests, in a statement it wants confirmed (…是在网站上公布的吧).
Keywords with no question word nor request (绿色通道 复工) are asked whole: neither is background
to the other, and searching the last one alone answered 复工's entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.engine._asides import unquoted, without_estimates, without_senders_own
from bot.engine._recalled import RECALLED, recalls, turns
from bot.engine._sender import INTRODUCED as _INTRODUCED
from bot.engine._sender import INTRODUCTION as _INTRODUCTION
from bot.engine._sender import SELF as _SELF
from bot.engine._sender import SENDER as _SENDER
from bot.engine._sender import THEIRS as _THEIRS
from bot.engine._sender import WHO_WORDS as _WHO_WORDS
from bot.engine._sender import introduces
from bot.engine.answerability import content_weight
from bot.engine.focus import ASKING_JI, focus_of
from bot.engine.relayed import relayers_apart
from bot.text.dialect import standard
from bot.text.normalize import fold

# An asking clause is one with any of these; a message without one is all asking. Not 几 in 好几,
# 十几, 没几, 几乎, 这几, 那几, 前几 (ASKING_JI: 去年办证跑了好几趟 says how often, 前几年 when); not 么 in
# 这么, 那么, 多么, 要么 (我看报纸是这么写的 tells, asks nothing). Only ever searched for whether a clause
# has one (2.5 searches a message): every alternative starts with its plain character and looks
# behind from there, so the regex engine skips to those characters (`_led`, which a back-reference
# keeps out): 15.8k -> 2.5k instructions a search, the same truth on 318k texts (speed23).
_ASKING = re.compile(
    rf"吗|呢|么(?<![这那多要]么)|什么|怎|如何|何时|何地|何处|何种|为何|有何|何为|何谓|因何|何以|多少|多久|{ASKING_JI}|哪|谁|是否|能否|啥|咋|真的假的"
    # 是A还是B asks which (当时是停了还是接着干, 是199项还是190项); 不管/无论/不论是A还是B concedes
    # both (营业执照去哪办，不管是个体户还是企业 was asked in its last clause, with no focus).
    r"|是(?<!不管是|无论是|不论是).{1,12}?还是"
    # 是不是, 在不在, 有没有: a verb, 不 and the verb again.
    r"|不(?<=([\u4e00-\u9fff])不)(?=\1)|没(?<=([\u4e00-\u9fff])没)(?=\2)"
    r"|不(?<=[\u4e00-\u9fff]不)$|没(?<=[\u4e00-\u9fff]没)有?$"  # 能修复不, 有栏目没: a yes/no without 吗
)
# A statement ending in 吧 asks to have it confirmed (…是在网站上公布的吧, 这个能办吧, 某某问：…吧): it
# asks where no clause asks with a question word or a request, for 吧 also ends a suggestion (就这样吧),
# and after a question it is the sender's second thought (…后面两个减是啥？合起来是四减吧？ asks 是啥).
# Read as keywords, the relayer's label (某某问) and the sender's aside weighed as much as the question.
_CONFIRM = re.compile(r"(?<![好行])吧$")
# A group chat's "does anyone know" (…是靠哪个文件落地的，有人知道吗) asks whether someone knows the
# question asked with it, not a question of its own: where another clause asks, that one does.
_WHO_KNOWS = re.compile(r"(?:有没有人|有人|谁|哪位)(?:知道|晓得|清楚)")
# The sender's doubt that a measure is only words (…是真的做到了还是口号, …还是只是空话, 是不是走过场) is
# no question of its own where another clause asks (具体靠什么措施, 有没有正式方案): the report answers
# that one, and says nowhere whether a measure is a slogan. Read as asking, or as an alternative
# going on with the question (还是…), its 口号 was a thing the right entry had to cover.
_DOUBT = re.compile(r"口号|空话|过场|走形式|形式主义|做样子|摆样子|花架子")
# 多大, 多远, 多长 ask how big, far or long (设计仓容有多大); right after a clause that asks, they go
# on with its question (建在哪个位置，占地多大: `_GOES_ON`), whose focus is the message's.
_HOW_MUCH = re.compile(r"(?<![很许好诸众差大])多(?:大|远|长|高|宽|重|深)")
# A message without a question word may still ask, as a request (请提供…的项数和比例, 烦请告知…,
# 需要三个数：…, 想知道…的时间和去过的城市, 麻烦问下…的位置和上班时间): its request clause asks,
# with all that follows it that is not the sender's own (the request names what it wants there),
# and what comes before is background as before a question. Read as keywords instead, every word of the sender's story
# (座谈会, 论文) was a thing asked for, and a message of that kind was refused. 想问, 想咨询 and
# 想打听 ask as 想了解 does (你好，我种蓝莓的，想问…的措施: 蓝莓 was a thing asked for).
_REQUEST = re.compile(
    r"需要|提供|告知|告诉我|发我|发给我|给我|列一下|列个|列出|想了解|想知道|想确认|想核实|想请教"
    r"|想问|想咨询|想打听|问下|问一下|问问|^请"
)
_GREETING = re.compile(
    r"^(?:你好|您好|领导好|领导您好|领导你好|老师好|老师您好|各位好|大家好|打扰一下|打扰了|打扰|"
    r"请问|hello|hi|嗨|哈喽|早上好|上午好|下午好|晚上好|在吗)+"
)
# Where a question starts inside a clause typed without a comma (我们是货代公司想问海关…, 老板想知道…,
# 我住江边离城里远我问问…; not a relayed 让我问问, nor 我们想知道, with nothing of the sender's to set
# apart): what precedes it is a clause of its own (who the sender is, set aside; their story,
# background, where 江边 had weighed as asked); and where the sender starts speaking of themselves
# after a particle that ends a question (…保留了多少项啊我在写毕业论文…, …几个啊俺们屯子远: typed or
# dictated without punctuation): their story after the question. ([想请我] first: 1.6 -> 1.0 us.)
_ASKS_FROM = re.compile(
    r"(?<=[\u4e00-\u9fff])(?=[想请我])(?=想问|请问|想咨询|想了解|想打听|(?<![我们俺咱])想知道"
    r"|(?<![让叫帮])我就?问(?:问|一下))"
    r"|(?<=[啊呀呢吗吧嘛哦呗啦嘞])(?=我|俺)"
)
# ...and where a question relayed from someone else starts: bot.engine.relayed's `relayers_apart`.
# A condition just before the asking clause (复工复产这块如果有部门不作为，…可以去哪里投诉) is part of
# what is asked: the question is about that case, and the asking clause alone (可以去哪里投诉)
# matched the general complaints entry. It is searched with the asking clause and weighs
# CONDITION: more than background, less than the asking clause; as in background, a word of it
# no entry uses (扯皮) is quiet (`weight`).
_CONDITION = re.compile(r"如果|要是|假如|假若|万一|一旦|倘若")
CONDITION = 0.6
# A clause of at most this many characters before the asking clause is a topic typed as a
# fragment (申请材料 减少 多少), not the sender's background; one with no word the knowledge
# uses is the sender's aside (哥们, 说句实话, 长话短说, 心里憋屈, 人在杭州), weighed as the other
# clauses before the question are (as a topic or background: its unknown words stay quiet), not
# as asked: at 1, 哥们 alone held a right answer below the bar.
FRAGMENT = 4
# After the asking clause, a clause that does not ask is the sender's circumstances or purpose
# (…有没有快速通道？工地等着开工，一天都耽误不起; …投资多少 银行授信要参考), not more of the question,
# unless it offers an alternative (…能加急办吗 还是只能去现场), is a short piece of it (…什么时候能
# 建好、投入使用: FRAGMENT characters at most), asks how far, long or big (离市区多远) or is a
# reference number (…流程是什么（89750号）, …第12号): it names what is asked about, nothing of the
# sender, and read as an aside it had the asking clause searched alone too (engine_scale's
# generated questions end so: docs/benchmarks.md, Engine at scale).
_GOES_ON = re.compile(rf"^(?:还是|或者|或是|或)|多[远长大高宽重快]|^.{{1,{FRAGMENT}}}$|^第?\d+号$")
# The clause just before the asking part, unless the sender speaks of themselves there (我们…, or
# after their introduction), most often says what the question is about: 那11个一起开工的项目，
# 加起来总投资多少钱; 这种办事得求人的情况，市里有没有整改的说法. It weighs more than background,
# less than a condition. At 0.6 (as a condition) and 0.8 fresh3's even traps let one more in for
# the same natural questions; at 0.45 none (docs/matching.md, sixth round).
TOPIC = 0.45
BACKGROUND = 0.3  # a word of a background clause counts for this much of one in the question...
# ...and a word there that no entry uses, this much of that: what the sender says of their own
# circumstances (我们公司在哈尔滨, 两眼一抹黑) is in no entry and says nothing of what is asked, while a
# background word the knowledge uses (托关系, 复工复产) still shows which entry is meant. Not 0: when
# the asking clause only points back (这种情况怎么处理), the background is what it asks about.
UNKNOWN_BACKGROUND = 0.2


@dataclass(frozen=True)
class Clause:
    text: str  # folded
    weight: float  # 1 for an asking clause, BACKGROUND for background


@dataclass(frozen=True)
class Reading:
    """What a message asks: its clauses without greeting and introduction, and its focus."""

    clauses: tuple[Clause, ...]
    focus: str | None
    asking: str = ""  # the last clause that asks and what follows it; with none, all of it
    keywords: bool = False  # no clause asks: keywords typed (绿色通道 复工, 黑瞎子岛 门票)

    @property
    def text(self) -> str:
        """The message as matched: the clauses kept, in order."""
        return " ".join(c.text for c in self.clauses)

    @property
    def searched(self) -> str:
        """The message as the index searches it whole: without what it recalls of the bot's
        previous answer (bot.engine._recalled), which would find that answer's entry again."""
        return " ".join(c.text for c in self.clauses if c.weight != RECALLED) or self.text

    @property
    def foreground(self) -> str:
        """The message without its background: every clause that asks, with the conditions
        and fragments asked with them."""
        return " ".join(c.text for c in self.clauses if c.weight > BACKGROUND)

    @property
    def asks(self) -> str:
        """Every clause that asks, save the sender's own (我们厂子去年有几笔款没还 speaks of
        them, whatever its 几 says)."""
        return " ".join(c.text for c in self.clauses if c.weight == 1.0 and not _SELF.match(c.text))


def asks_itself(clause: str) -> bool:
    """Whether a clause has a question word of its own (bot.engine.parts: two questions)."""
    return bool(_ASKING.search(clause) or _HOW_MUCH.search(clause))


def fold_message(text: str) -> str:
    """A message folded for `read`: as `fold` does, but a quoted term stays in its clause, a
    mention (@政策小助手) and a figure given as an estimate (两百多项) are left out, dialect
    question words are standard Mandarin (bot.text.dialect: 四减是乜嘢 asks 是什么), and a
    message typed word by word has its words joined into clauses (`joined_words`)."""
    return without_senders_own(without_estimates(standard(joined_words(unquoted(text)))))


# A message typed word by word, a space after every word or two (你好 我是韩国 采购商 联合 预审 要
# 交 钱 吗: a foreign buyer writing Chinese, or voice input), has its spaces where words end,
# not clauses: split on them, every word was a clause of its own (the asking clause 钱 吗, 联合
# and 预审 fragments weighing 1) and the segmenter never saw 交钱. Told by two pieces or more of one
# Chinese character each (交, 吗), which spaces between clauses or keywords (复工 网上办 自助办,
# 办施工许可有啥快的法子不 材料差一样中不中) leave none of.
_ALONE = re.compile(r"(?<!\S)[\u3400-\u9fff](?!\S)")
# Where its spaces stand for a comma: after a greeting; after who the sender is (我是韩国人, 我是韩国
# 采购商: the introduction, with a piece right after it that names what they are); after a
# particle that ends a question (…可以投诉吗 怎么投诉).
_WHO = re.compile(rf"(?:{_WHO_WORDS})的?$")
_ENDS = re.compile(r"[吗呢吧啊呀嘛]$")


def joined_words(text: str) -> str:
    """`fold` of a message; of one typed word by word (`_ALONE`), with its words joined into
    clauses: a space stays only where a comma would stand (`_WHO`)."""
    if len(_ALONE.findall(text)) < 2:
        return fold(text)
    typed = [(piece, folded) for piece in text.split() if (folded := fold(piece))]
    pieces = [folded for _, folded in typed]
    # (A mark typed at either side of the space is a boundary already: 在哪里？ 几点上班.)
    ends = [
        bool(_GREETING.fullmatch(p) or _ENDS.search(p) or not _KEPT.match(raw[-1]))
        for raw, p in typed
    ]
    for i, (raw, _) in enumerate(typed[1:]):
        ends[i] |= not _KEPT.match(raw[0])
    for i, piece in enumerate(pieces):
        # Who the sender is, typed whole (我是韩国人) or word by word too (我 是 韩国 人): it ends
        # with the first piece that names what they are, up to three pieces on, else where 是 is.
        said = next((j for j in (i, i + 1) if _INTRODUCTION.match("".join(pieces[i : j + 1]))), -1)
        if said >= 0 and not _ASKING.search(piece):
            reach = range(said, min(said + 4, len(pieces)))
            ends[next((j for j in reach if _WHO.search(pieces[j])), said)] = True
    return "".join(p + (" " if end else "") for p, end in zip(pieces, ends, strict=True)).strip()


# A letter or digit (what folding keeps).
_KEPT = re.compile(r"[^\W_]")


def _marked(parts: list[str], marked: tuple[tuple[int, bool], ...] | None) -> list[bool] | None:
    """Per part of a folded message, whether its sentence ends with a question mark (`marked`:
    `questions_marked` of the message); None if there is none, or the parts do not line up
    with the sentences (folding a sentence alone made it another length)."""
    if not marked or sum(size for size, _ in marked) != sum(map(len, parts)):
        return None
    found, sentence, left = [], 0, marked[0][0]
    for part in parts:
        while left <= 0 and sentence + 1 < len(marked):
            sentence += 1
            left += marked[sentence][0]
        found.append(marked[sentence][1])
        left -= len(part)
    return found


def _introduced_apart(part: str) -> tuple[str, ...]:
    """A clause in pieces: the introduction it opens with if it asks (`_INTRODUCED`), and the
    rest, cut where the sender speaks of themselves after asking (`_THEIRS`)."""
    if "我" not in part and "俺" not in part and "咱" not in part:
        return (part,)  # (most clauses: `in` is ~50 times cheaper than a search)
    said = _INTRODUCED.match(part) if part[:1] in "我俺咱" and asks_itself(part) else None
    pieces = (part[: said.end()], part[said.end() :]) if said else (part,)
    rest = pieces[-1]
    for theirs in _THEIRS.finditer(rest):
        if asks_itself(rest[: theirs.start()]):
            return (*pieces[:-1], rest[: theirs.start()], rest[theirs.start() :])
    return pieces


def read(
    folded: str,
    says: Callable[[str], bool] | None = None,
    marked: tuple[tuple[int, bool], ...] | None = None,
    knows: Callable[[str], bool] | None = None,
    label: str = "",
) -> Reading:
    """Split a folded message into clauses, set aside greetings and introductions, and find
    the asking clause and its focus. `says`: whether a clause says what it is about (has a
    content word); an asking clause that does not (是怎么个搞法, 这种情况怎么处理) points back,
    and the clause before it is asked with it. `marked`: `questions_marked` of the message, if
    it has question marks: then only the clauses of the sentences they end ask. `knows`:
    whether a clause has a word the knowledge uses (without it, every short clause before the
    question is a topic typed as a fragment). `label`: `labelled` of the message, if it opens
    with one: that clause is background."""
    parts = relayers_apart(_ASKS_FROM.sub(" ", folded)).split()
    questioned = _marked(parts, marked) or [True] * len(parts)
    split = [
        (q, piece)
        for q, part in zip(questioned, parts, strict=True)
        for piece in _introduced_apart(_GREETING.sub("", part))
        if piece
    ]
    questioned, parts = [q for q, _ in split], [p for _, p in split]
    introduced = [introduces(p) and not _ASKING.search(p) for p in parts]
    kept = [p for p, intro in zip(parts, introduced, strict=True) if not intro]
    # Per clause kept, whether the sender spoke of themselves just before it (an introduction
    # set aside): after the question, what follows that is more of their circumstances.
    spoke = [introduced[i - 1] for i, intro in enumerate(introduced) if not intro and i]
    spoke = [False] * (len(kept) - len(spoke)) + spoke
    if kept:
        questioned = [q for q, intro in zip(questioned, introduced, strict=True) if not intro]
    else:
        kept, spoke = parts, [False] * len(parts)
    if not kept:
        return Reading((), None)
    asks = [
        i
        for i, p in enumerate(kept)
        if _ASKING.search(p) or (_HOW_MUCH.search(p) and not (i and _ASKING.search(kept[i - 1])))
    ]
    requested = not asks  # no question word: a request, if any, asks (`_REQUEST`)
    if requested:
        asks = [i for i, p in enumerate(kept) if _REQUEST.search(p)]
        # A request that says nothing of what it wants, nor does what follows it (黑瞎子岛门票 问一下,
        # …告诉我; not 需要三个数：项目个数、总投资), leaves the message keywords: read as a request
        # pointing back, 门票 was quiet and the island's entry answered.
        if asks and says is not None and not any(map(says, kept[asks[0] :])):
            asks = []
        if not asks:
            asks = [i for i, p in enumerate(kept) if _CONFIRM.search(p)]
            requested = False
    # Where the writer marks their questions, those are what they ask (`questions_marked`).
    asks = [i for i in asks if questioned[i]] or asks
    # When the last question is about the sender's own case and another is not, that other asks
    # and theirs are their circumstances (…留了多少、取消了多少，对我们业务影响大不大); so is a
    # question that starts with them, wherever it is (我们公司业务会不会受影响？保留的还有多少项).
    # (Not one that names them further on, 抚远以后还需要我们这种中介吗？会不会被取消: asked of
    # 抚远, it is what the message asks.)
    asks = [
        i  # (nor does a clause recalling what the bot said before: bot.engine._recalled)
        for i in asks
        if not (_WHO_KNOWS.match(kept[i]) or _DOUBT.search(kept[i]) or recalls(kept[i]))
    ] or asks
    others = [i for i in asks if not _SENDER.search(kept[i])]
    if others and asks[-1] not in others:
        asks = others
    elif others:
        asks = [i for i in asks if not _SELF.match(kept[i])]
    if not asks:
        whole = " ".join(kept)
        return Reading(tuple(Clause(p, 1.0) for p in kept), focus_of(whole), whole, True)
    last = asks[-1]
    first = last  # the asking part starts here: the asking clause, or a condition just before it
    while first and _CONDITION.search(kept[first - 1]):
        first -= 1
    # An asking clause that says nothing points back, past others saying nothing (真的假的，是哪家), to
    # the clause before them; one that says something asks its own (…有哪些，环评这行还在不在里面). It
    # points past a remark with no word the knowledge uses, to the topic (三位一体，听着挺玄，到底是啥).
    while says and first - 1 in asks and not says(kept[first]) and not says(kept[first - 1]):
        first -= 1
    before = first - 1
    pointed = before if first and before not in asks and says and not says(kept[first]) else None
    if pointed and knows and pointed - 1 not in asks and not knows(kept[pointed]):
        pointed -= knows(kept[pointed - 1])

    # After the asking clause, once the sender speaks of themselves (我们是…, 我们饭店要复工) or of
    # their circumstances (工地等着开工), what follows without asking is more of that (是做东北菜的,
    # 店在城区, 所以特别关心这个). After a request, what follows is what it wants, unless the
    # sender's (…的数量，我们行业协会要汇总). Their doubt (还是只是口号) is theirs too.
    aside = [
        i
        for i, p in enumerate(kept)
        if i > last
        and (
            _SELF.match(p) or spoke[i] or _DOUBT.search(p) or not (requested or _GOES_ON.search(p))
        )
    ]
    since = aside[0] if aside else len(kept)

    def weighs(i: int, part: str) -> float:
        if i in asks:
            return 1.0
        if i == pointed:
            return CONDITION
        if part == label and label not in kept[:i]:
            return BACKGROUND  # who asks or what for (实习报告：…; 喂，冷链车主，…)
        # A topic typed as a fragment (复工 窗口在哪, 申请材料 减少 多少), unless no word of it is
        # the knowledge's (哥们, 说句实话): the sender's aside, weighed as below.
        fragment = i < first and len(part) <= FRAGMENT and not _SELF.match(part)
        if fragment and (knows is None or knows(part)):
            return 1.0
        if recalls(part) and turns(kept[last]):
            return RECALLED  # what the bot said before: the question is what is new
        if i == first - 1 and not _SELF.match(part) and not spoke[i]:
            return TOPIC  # 那11个一起开工的项目，…总投资多少钱
        if i < first or i >= since:
            return BACKGROUND
        return CONDITION if i < last else 1.0

    clauses = tuple(Clause(p, weighs(i, p)) for i, p in enumerate(kept))
    asked = " ".join(c.text for c in clauses[first:] if c.weight > BACKGROUND)
    # The clause pointed back to is asked with the asking clause, as if typed without the comma
    # between (11个项目，投资，多少钱 asks what 投资多少钱 asks: an amount invested, not a price).
    pointed_to = "" if pointed is None else clauses[pointed].text
    return Reading(clauses, focus_of(pointed_to + asked), f"{pointed_to} {asked}".lstrip())


@lru_cache(maxsize=65536)  # a pure function of a word, asked for every word of every message
def weight(
    word: str, known: bool, clause: float, word_classes: bool = True, quiet: bool = True
) -> float:
    """How much a word of a clause of weight `clause` carries if an entry does not cover it
    (`known`: some entry uses it; `word_classes` as for `content_weight`; `quiet`: a background
    word no entry uses weighs UNKNOWN_BACKGROUND of one, unless an ablation turns it off)."""
    carried = clause * content_weight(word, known, word_classes)
    return carried if known or clause == 1.0 or not quiet else carried * UNKNOWN_BACKGROUND
