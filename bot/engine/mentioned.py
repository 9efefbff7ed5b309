"""Whether an entry mentions a thing a question asks for by name (bot.engine.asked finds the
things; bot.engine.answerability.check asks this of each candidate): a word anywhere in the
entry (where it is spelled, for a word the knowledge uses: `spelled_only`), or, for things an
answer states in its own way, a figure in the unit asked, a title, a figure reached rather than
planned, the year asked about, the N things of a set, a figure per year, a figure from before, a
part of a total, an area, the sender's own company on a list, which person, how many cases were
handled, whom a measure is for, what a short yes/no says of its topic, a day other than those
the message states, an amount the message quotes (bot.engine.amounts), a total of what is named,
a figure of a thing named not only as one member of a list whose figures are the whole's, or a
list asked of one named member of a list (bot.engine.listed), or a place asked in named not only
in an organization's name (福建上瑞集团). And whether an entry contradicts a scope the message
states (省重点 asked, only 市重点 in the entry; 2月 asked, only 3月 there: `scopes`,
`contradicted`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Set
from functools import lru_cache

from bot.engine.amounts import AMOUNT, states
from bot.engine.features import spoken
from bot.engine.listed import names_other, of_member, one_named
from bot.text.words import FUNCTION_TAGS, in_dictionary, part_of_speech

# How bot.engine.asked writes a thing asked for that an answer states in its own way: a unit
# after 几 / 多少 (几星, 多少钱 → 元) wants a figure in that unit; a name, a title (《…》).
COUNT_OF, TITLE, DONE = "#", "《", "已…"  # DONE: an amount reached so far (`_REACHED`)
YEAR = "年:"  # a year asked about (去年, 2021年): the entry's answer or quote must name it
EACH = "各:"  # each of a set of N (哪6项, 那10项分别是什么): the answer must name N things
PER_YEAR = "每年…"  # a figure per year (一年能加工多少吨, 年产值): the answer or quote gives one
EARLIER = "原…"  # a figure from before (原来有多少项, 从多少项减下来): the answer states one
PART = "分:"  # a part of a total the question states (199项里…有几项): the answer breaks it down
OF_TOLD = "其中"  # as PART's total: one the message states before the clause asking (…，其中…多少)
AREA = "㎡"  # an area asked (占地多少, 面积多大): the answer gives a figure in 公顷, 亩, 平方米…
OURS = "名单:我司"  # the sender's company on a list (名单上有我们公司吗): the list said unstated
POST = "职:"  # which person (哪位领导, 来的人是谁): the answer names a post held (书记, 市长, 组长)
HANDLED = "件…"  # how many cases were handled (受理了多少, 办件量): the answer counts them
# What a short yes/no says of its topic in a word no entry uses (是学区房吗, 招工吗, 签合同了吗): the
# entry must say that word, or each of its characters (系统升级 of 升级…消杀系统, 油厂 of 大豆油、…加工厂).
PREDICATE = "是否:"
DAYS = "日:"  # a day asked by a message stating days (those days): the answer gives another
LISTED = "列:"  # a figure of what the words after it name: not one member of a list (listed.py)
TOTAL = "总:"  # a total (总投资多少) of what the words after it name: the answer states one
# Who may use a measure (只有…才能, 哪些企业能走): the answer states whom it is for (面向, 条件…).
ELIGIBLE = "资格"
# A place asked in (在福建): the answer names it, not only in an organization's name.
IN_PLACE = "在:"
# A list asked of what the words after it name: not of one named member of a list (listed.py).
HELD = "含:"
# Members a message sets aside, asking for others (除了热电联产和天然气管网，还有哪些): the entry
# names a member of their list beyond them (listed.py).
EXCEPT = "除:"
# A name asked of a thing (大数据平台叫什么): the entry names it, not only as what was done with it.
NAMED = "名:"
# A word the knowledge itself spells (乡镇, of the 招商 entry's 各乡镇), asked for by name: that
# word, not an input-method typo of another, so found only where spelled, not where it sounds alike
# (项政 of …事项政务…, xiang zheng by fuzzy pinyin, says nothing of 乡镇). A typo (政勿) is no
# word of the knowledge: sounded as before (`spelled_only`); one an entry's similar question
# spells (政物) is found spelled there.
SPELLED = "字:"
WITH = " ← "  # ...then the whole message, where a sibling named counts (the list is asked)
ONE = "一个"  # among those words: one project pointed back at (它, 这个项目), not several
# Each of the above: a thing asked that starts with one is looked for as the answer states it,
# not as a word (bench/matching_quality.py's variant without them takes these out).
MARKED = (
    COUNT_OF,
    TITLE,
    DONE,
    YEAR,
    EACH,
    PER_YEAR,
    EARLIER,
    PART,
    AREA,
    OURS,
    POST,
    HANDLED,
    PREDICATE,
    TOTAL,
    DAYS,
    LISTED,
    IN_PLACE,
    HELD,
    EXCEPT,
    NAMED,
    ELIGIBLE,
    AMOUNT,
)
_AREA = re.compile(r"\d\s*(?:公顷|亩|平方|平米|万平|㎡)")
# A figure per year as an answer or quote gives it (年加工大豆30万吨, 每年, 年均), and so does a year's
# plan or target (年内计划完成投资12.8亿元, 力争全年实际利用省外资金22亿元): 一年的招商目标是多少 asks
# just that.
_PER_YEAR = re.compile(r"每年|年均|全年|年内|一年|年度|年(?:产|加工|处理|销售|接待|受理)")
_FIGURE_BEFORE = r"[\d一二两三四五六七八九十百千万亿]\s*"
# A sentence of an answer that states a plan or a target: its figures are not what was reached.
_SENTENCE = re.compile(r"[。；;]")
_PLANNED = re.compile(r"计划|力争|预计|目标|争取|(?<!模)拟")
_FIGURE = re.compile(r"\d(?!\d*年)")  # a figure, not a year
_CLAUSE, _NAMING = re.compile(r"[，。；：,;]"), re.compile(r"、|和|及")
# A figure from before as an answer would state it (由2887项减至…, 原有…): the report gives only
# what is now, so a count of before (梳理前一共有多少项) is not what its figure (845项) says. A count,
# not a date: 从2月起 states no figure from before.
_EARLIER = re.compile(r"(?:由|从|原有|原来|原先)\s*\d+(?:\.\d+)?\s*(?![年月日号])\D")
# What breaks a total down in an answer: 845项，其中“马上办”233项 or 11个项目中，省重点项目1项.
_BROKEN_DOWN = re.compile(r"其中|^[^\d]{0,6}?[中里][，,：:]")
# A report names no company that asks, so only an answer that says its list is not given
# (名单…报道本身没有列出) tells a sender whether theirs is on it; one that says a list was drawn up
# (制定领导干部联系企业名单) does not.
_LIST_UNSTATED = re.compile(r"(?:名单|清单|目录)[^。]*(?:没有|未)(?:列出|公布|写)")
# A post held, as an answer names who leads or came (市委主要领导率队, 书记、市长任组长): 近期到抚远调研
# names a company, 领导干部联系企业 a practice, and neither says which person.
_POST_HELD = re.compile(
    r"书记|市长|县长|区长|省长|局长|处长|科长|主任|组长|部长|厅长|董事长|总经理|会长|主要领导|分管[^，。；]{0,4}领导"
)
# Cases handled, counted as an answer would (受理投诉120件, 处理案件8起): the report counts what is
# offered (233项 马上办, 一件事一次办), never how often it was used.
_CASES = re.compile(r"\d\s*(?:件|笔|单|起|人次|次)")

# Whom a measure is for, as an answer would say it (面向中小企业, 符合条件的, 仅限…, 适用于…): the
# report says what is offered, never who qualifies.
_FOR_WHOM = re.compile(r"面向|符合|条件|仅限|限于|适用|只有|只对|才能")
# The things an entry gives where what it states has the pattern (`mentions`).
_GIVEN_AS = {
    PER_YEAR: _PER_YEAR,
    AREA: _AREA,
    EARLIER: _EARLIER,
    OURS: _LIST_UNSTATED,
    POST: _POST_HELD,
    HANDLED: _CASES,
    ELIGIBLE: _FOR_WHOM,
}


def mentions(thing: str, stated: str, covers: Callable[[str, str], bool]) -> bool:
    """Whether an entry mentions a thing asked for (bot.engine.asked): a figure in the unit
    asked or a title in what it states (`stated`: its answer and source quote as written), or
    else the word anywhere in the entry (`covers`, as for uncovered words)."""
    if thing == DONE:  # a figure the answer does not give as a plan (计划完成12.8亿元)
        answer = stated.split(" | ")[0]
        return any(_FIGURE.search(s) and not _PLANNED.search(s) for s in _SENTENCE.split(answer))
    if thing.startswith(COUNT_OF):
        return re.search(_FIGURE_BEFORE + re.escape(thing[1:]), stated) is not None
    if thing == TITLE:
        return TITLE in stated
    if (given := _GIVEN_AS.get(thing)) is not None:
        return given.search(stated) is not None
    if thing.startswith(PART):
        total, *part = thing[len(PART) :].split()
        return _breaks_down(total, part, stated)
    if thing.startswith(YEAR):
        return thing[len(YEAR) :] in stated
    if thing.startswith(AMOUNT):  # an amount quoted (23.8亿), as written (bot.engine.amounts)
        return states(thing[len(AMOUNT) :], stated)
    if thing.startswith(HELD):
        asked, _, message = thing[len(HELD) :].partition(WITH)
        return not one_named(asked, message, stated)
    if thing.startswith(NAMED):
        return _named(thing[len(NAMED) :], stated)
    if thing.startswith(EXCEPT):
        return names_other(thing[len(EXCEPT) :].split(), stated)
    if thing.startswith(IN_PLACE):  # named as a place, or not at all (the sender's own: 我在韩国)
        found = [m.end() for m in re.finditer(re.escape(thing[len(IN_PLACE) :]), stated)]
        return not found or any(_OF_ORGANIZATION.match(stated, end) is None for end in found)
    if thing.startswith(DAYS):  # a day the message does not state, not the report's own
        told = thing[len(DAYS) :].split()
        return any(day not in told for day in DATE.findall(_REPORTED.sub("", stated)))
    if thing.startswith(TOTAL):
        return _total_of(thing[len(TOTAL) :].split(), stated)
    if thing.startswith(LISTED):
        return not of_member(thing[len(LISTED) :].split(), stated)
    if thing.startswith(PREDICATE):  # the word, or its characters apart (the word is no entry's)
        word = thing[len(PREDICATE) :]
        return covers(word, f" {spoken(word)} ") or all(covers(c, "\0") for c in word)
    if thing.startswith(SPELLED):
        return covers(thing[len(SPELLED) :], "\0")
    if thing.startswith(EACH):  # named one by one (、, 和, 及), or all of them with 等N
        answer, count = stated.split(" | ")[0], thing[len(EACH) :]
        named = max(len(_NAMING.findall(part)) + 1 for part in _CLAUSE.split(answer))
        return named >= int(count) or re.search(f"等{count}", answer) is not None
    return covers(thing, f" {spoken(thing)} " if len(thing) > 1 else "\0")


def spelled_only(things: tuple[str, ...], known: Container[str]) -> tuple[str, ...]:
    """`things` with each word of two characters or more that the knowledge uses (`known`:
    the index's vocabulary) marked SPELLED; the marked ones, as they were."""
    return tuple(
        SPELLED + thing
        if len(thing) > 1 and thing in known and not thing.startswith(MARKED)
        else thing
        for thing in things
    )


# A thing named as a name gives it: in quotes or a title (“一区两岛一城两港”发展构想, 《…方案》), after
# the names it sums up (…“一件事一次办”等一系列改革举措) or a noun (天然气管网项目), or before its name (其中省重点
# 项目为…: `_NAME_AFTER`); not right after what was done with it (运用大数据平台, 推动项目), a
# count (2个项目) or 的.
_QUOTED = "”》’\"'"
_NAMING_TAGS = ("n", "nz", "ns", "nt", "nr", "j", "eng")
_SUMMED_UP = re.compile(r"等[^，。；、“”]{0,3}$")
_NAME_AFTER = re.compile(r"[为是即：:（(“《]")  # 省重点项目为…: the name follows


def _named(thing: str, stated: str) -> bool:
    """Whether an entry names the thing a name is asked of; one that never says it is not
    judged so (its words are weighed as the question's)."""
    found = [m.start() for m in re.finditer(re.escape(thing), stated)]
    for start in found:
        before = stated[:start]
        if not before or before[-1] in _QUOTED or before.rfind("《") > before.rfind("》"):
            return True
        if _SUMMED_UP.search(before):  # the names listed before it (“不见面审批”…等一系列改革举措)
            return True
        if before.rfind("“") > before.rfind("”"):
            return True
        if _NAME_AFTER.match(stated, start + len(thing)):
            return True
        before = before[-8:]
        last = in_dictionary(before)[-1] if re.match(r"[\u4e00-\u9fff]", before[-1]) else ""
        if last and part_of_speech(last) in _NAMING_TAGS:
            return True
    return not found


# What follows a place in an organization's name (福建上瑞集团, 山东省饭店协会): an entry naming a
# place only so names where the organization comes from, and says nothing of what it does there.
_OF_ORGANIZATION = re.compile(r"[^，。；、\s|]{0,8}?(?:集团|协会|公司|商会)")
# A day of the month as a text states it (11日, 16号): a message's own (bot.engine.beyond's
# `days_told`) and an answer's, compared (DAYS).
DATE = re.compile(r"(\d{1,2})[日号]")
# A total as an answer states it (总投资23.8亿元, 预计投资约6亿元), not an amount done (已完成投资);
# and one of several (11个项目总投资…, 共有36项，总投资…).
_TOTAL = re.compile(r"(?:总投资|投资总额|预计投资|投资约)[^，。；\d]{0,4}\d")
_SEVERAL = re.compile(r"\d+\s*(?:个项目|项)[^。；]{0,4}?总投资")


def _total_of(named: list[str], stated: str) -> bool:
    """Whether an answer states a total (总投资23.8亿元, 预计投资约6亿元) of what the question
    names (`named`: its words and figures before the total asked, ONE for a project pointed
    back at), not of a whole it names only as a part: in …11个项目总投资23.8亿元。其中省重点项目1项
    (the answer, then the quote, each on its own), 省重点 is named only after 其中, and the
    total is not that project's, unless a figure named is the whole's (那11个重点项目总投资)."""
    if not _TOTAL.search(stated):
        return False
    if ONE in named:
        return _SEVERAL.search(stated) is None
    texts = stated.split(" | ")
    wholes = [text.split("其中")[0] for text in texts]
    part = any(
        any(word in text for text in texts) and not any(word in whole for whole in wholes)
        for word in named
    )
    whole = any(word.isdigit() and any(word in w for w in wholes) for word in named)
    return whole or not part


def _breaks_down(total: str, named: list[str], stated: str) -> bool:
    """Whether an answer breaks a total (845项) down: after the total, before the next figure in
    its unit, 其中 or 中， (fgf-chengxiao's 公共服务事项199项、政务服务事项845项；其中… breaks down the
    845, not the 199); and by the part asked, when the question names it (`named`: 845项里网上办的
    有几项 is answered by 其中…“网上办”683项, 845项里企业办的有几项 by no breakdown naming 企业)."""
    unit = total.lstrip("0123456789.")
    for text in stated.split(" | "):  # the answer, then the quote: each on its own
        if total == OF_TOLD:  # any breakdown, of whichever total the message stated
            breakdowns = (text[m.start() :].split("。")[0] for m in re.finditer(OF_TOLD, text))
            if any(_names_part(named, breakdown) for breakdown in breakdowns):
                return True
            continue
        for found in re.finditer(rf"(?<![\d.]){re.escape(total)}", text):
            after = text[found.end() :]
            following = re.search(rf"\d\s*{re.escape(unit)}", after)
            split = _BROKEN_DOWN.search(after[: following.start() if following else len(after)])
            if split is None:
                continue
            if _names_part(named, after[split.start() :].split("。")[0]):
                return True
    return False


def _names_part(named: list[str], breakdown: str) -> bool:
    """Whether a breakdown names the part asked (`named`: its words; none named, any will do).
    A character of the part will do (省级 of 省重点项目1项): how a part is named varies."""
    return not named or any(c in breakdown for word in named for c in word)


# Sibling scopes of one thing: 省重点项目, 市重点项目 and 县重点项目 are different projects. A single
# character is never a known word, so an entry without 省 barely loses for it (~0.04 of the
# content weight) and its asking clause alone (完成了多少投资) can outweigh it: a scope the
# message states and the entry contradicts with a sibling is a mismatch, not a missing word.
_SCOPE = r"([省市县区])(?:级|里的?)?"  # 省重点, 省级重点, 省里的重点
# 除了省重点，市重点… sets 省 aside: it is not what is asked.
_SCOPED = re.compile(rf"(?<!除)(?<!除了){_SCOPE}(\w\w)")
# A month is a scope of its own (今年2月…都去了哪些城市: the visit of 2月, not that of 3月): its
# siblings are the other months. Not a figure's tail (2022年5月 is the month 5, 12月 not 2月).
MONTH = "月"
_MONTHS = "一二三四五六七八九十"
_MONTH = re.compile(rf"(?<![\d.])(\d{{1,2}}|十[一二]|[{_MONTHS}])月")
_TENS_MONTHS = {"十一": 11, "十二": 12}
# Every entry's text says which day its facts were reported (据2022年5月26日报道): not its month.
_REPORTED = re.compile(r"据[^据报]{0,16}报道")


def scopes(text: str) -> tuple[tuple[str, str], ...]:
    """The (scope, what it scopes) pairs a message states: 省重点项目 → (省, 重点). The scope must
    be a word of its own, and so must what it scopes, a content word: 市中心, 县城, 城市 are other
    words, and 省里是怎么, 抚远市今年 scope nothing. A month (今年2月, 二月份) is (2, 月)."""
    return tuple(
        dict.fromkeys(
            [
                *(
                    (m[1], m[2])
                    for m in _SCOPED.finditer(text)
                    if in_dictionary(m[2]) == (m[2],)
                    and part_of_speech(m[2]) not in FUNCTION_TAGS
                    and in_dictionary(m[1] + m[2])[0] == m[1]
                    and (
                        m.start() == 0
                        or len(in_dictionary(text[m.start() - 1 : m.start() + 1])) > 1
                    )
                ),
                *((month, MONTH) for month in _months(text)),
            ]
        )
    )


def _months(text: str) -> list[str]:
    """The months a text names, as figures (二月份, 2月 → 2), in order."""
    if MONTH not in text:  # (most messages: `_MONTH` starts with a look-behind, tried everywhere)
        return []
    return [
        m[1] if m[1].isdigit() else str(_TENS_MONTHS.get(m[1]) or _MONTHS.index(m[1]) + 1)
        for m in _MONTH.finditer(text)
    ]


@lru_cache(maxsize=4096)
def _stated_months(covered: str) -> frozenset[str]:
    """The months an entry's text names, not the month it was reported in. Kept: a message
    naming a month checks each candidate's text in every search (two or three of a long one),
    and the same entries come up for other messages (~80 scans of ~500 characters a message)."""
    return frozenset(_months(_REPORTED.sub("", covered)))


def contradicted(said: tuple[tuple[str, str], ...], covered: str) -> tuple[str, ...]:
    """The scopes of `said` that an entry's `covered` text never gives its thing, giving it
    a sibling's instead (省重点 asked, only 市重点 there); an entry with neither says nothing."""
    found = []
    there: Set[str]
    for scope, thing in said:
        if thing == MONTH:
            there = _stated_months(covered)
        else:
            there = {m[1] for m in re.finditer(_SCOPE + re.escape(thing), covered)}
        if there and scope not in there:
            found.append(scope + thing)
    return tuple(found)
