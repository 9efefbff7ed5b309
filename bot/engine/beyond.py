"""What a message asks for beyond its asking clause (bot.engine.asked reads that clause): an office
named in a piece of its own (招商局，地址在哪), a list asked of one member of a list an entry states,
with the siblings the message names anywhere (一件事一次办、不见面审批这些举措都有哪些), a day asked by
a message that states days (2月11日至16日…在厦门是哪天), a kind asked whether it is covered
(幼儿园也算复工企业吗), a place a figure is asked of (佳木斯保留了多少), a kind of a set counted
(社保类几项), what a message sets aside asking for more (除了热电联产和天然气管网，还有哪些).
bot.engine.judging adds these to the things asked for, which bot.engine.mentioned looks for in
each candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.engine.focus import ASKING_JI, CONTACT, DAY_ASKED, PLACE, TIME
from bot.engine.mentioned import DATE, DAYS, EXCEPT, HELD, NAMED, WITH
from bot.text.words import part_of_speech

# Where an office is, how to reach it or when it is open (我俄罗斯人，抚远，招商局，地址在哪; 商务局 电话多少;
# 公证处在哪 几点上班): the office is what is asked of, though the clause asking (地址在哪) may not
# name it, and an entry giving another's place or number (the service centre's, the 12345
# hotline) does not give it. An office is a word of three characters or more ending as one does.
OF_AN_OFFICE = frozenset({PLACE, CONTACT, TIME})
_OFFICE = ("局", "处", "厅", "所", "院", "中心")


def offices(
    text: str, cut: Callable[[str], list[str]], canonical: Callable[[str], str]
) -> tuple[str, ...]:
    """The offices a message names (`text`: its foreground, `Reading.foreground`: the sender's
    own 宠物医院 in the background is not asked of), in matching form: things asked for, when it
    asks where one is, how to reach it or when it opens (`OF_AN_OFFICE`)."""
    if not any(tail[-1] in text for tail in _OFFICE):  # (most messages name none)
        return ()
    named = (w for w in cut(text) if len(w) > 2 and w.endswith(_OFFICE))
    return tuple(canonical(w).replace(" ", "") for w in named)


# A list asked at the end of a clause (一件事一次办都有哪几件事, 不见面审批能办哪些事): of
# one member of a list an entry states (推出了“不见面审批”、“最多跑一次”、“一件事一次办”等改革举措),
# the entry lists its siblings, not what the member holds. Not the siblings asked (还有哪些, 其他,
# 别的, 除了…), which that list answers.
_LIST_WANTED = re.compile(
    r"(?<!还)(?<!还有)(?:有?哪些|哪几)[\u4e00-\u9fff]{0,3}?[啊呢呀吗了啦]?(?=[，。？！,?!\s]|$)"
)


def held(asking: str, folded: str) -> tuple[str, ...]:
    """For a list asked at the end of the asking clause (一件事一次办都有哪几件事), HELD + what the
    clause names before it + WITH + the whole message (`folded`: a sibling named in a clause a 、
    cut off counts, 一件事一次办、不见面审批这些举措都有哪些); else nothing."""
    if "哪" not in asking or (wanted := _LIST_WANTED.search(asking)) is None:
        return ()
    return (f"{HELD}{asking[: wanted.start()]}{WITH}{folded}",)


# A day asked (哪天, 哪一天, 几号) by a message that states dates itself (报道说2月11日至16日去了三座城市，
# 在第三座是哪天): it wants a day within or beside them, which an answer stating only those dates
# does not give (bot.engine.mentioned's DAYS).
_DAY_WANTED = re.compile(rf"哪一?天|哪日|{DAY_ASKED}")


def days_told(folded: str) -> tuple[str, ...]:
    """For a day asked by a message that states days itself (`folded`: all of it, background
    too), DAYS + those days (2月11日至16日 → "11 16"); else nothing."""
    if ("哪" not in folded and "号" not in folded) or not _DAY_WANTED.search(folded):
        return ()  # (each way of asking says 哪 or 号: the pattern is tried at every position)
    told = DATE.findall(folded)
    return (DAYS + " ".join(told),) if told else ()


# Whether a kind of firm, thing or case is covered (幼儿园也算复工复产企业吗, 动物诊疗许可证算不算高频
# 事项, 小微企业能不能进名单, 网约车能不能走绿色通道, 会抽到小店吗): the kind named right before
# the verb of belonging in its clause (after 抽到 / 轮到), which the entry must name to settle it; the
# sender's own (我们企业能不能走) and a kind in another clause (…欺行霸市，算不算…) name none.
# (Every alternative starts with a plain character: the regex engine skips to where one may start,
# ~1 µs a message; a kind's pattern first would be tried at every position, ~5 µs.)
_BELONGS = re.compile(
    r"算不算|算是?|属不属于|属于|在不在|能不能进|能进|可以进|能不能走|能走|可以走|能不能享受|能享受"
)
_BEFALLS = re.compile(r"(?:抽到|查到|轮到|抽中)([^，。？！,?!\s]{1,12}?)(?:吗|么|不|没|呢|$)")
_PAUSE = re.compile(r"[，。？！,?!\s]")
_KIND = 12  # characters before the verb a kind is looked for in


def kinds(asks: str, heaviest: tuple[tuple[str, str, float], ...]) -> tuple[str, ...]:
    """For a kind asked whether it is covered, in a clause that asks (`asks`: `Reading.asks`),
    its words that weigh (`heaviest`: `answerability.Content.heaviest`), those side by side as one
    (小 微 of 小微企业: the segmenter leaves an unknown kind in pieces), of two characters or more:
    things asked for; else nothing."""
    found: list[str] = []
    before = (
        _PAUSE.split(asks[max(0, v.start() - _KIND) : v.start()])[-1]
        for v in _BELONGS.finditer(asks)
    )
    for kind in [*before, *_BEFALLS.findall(asks)]:
        at = sorted((kind.find(w), -len(w), w) for w, _, x in heaviest if x and w in kind)
        phrase, end = "", -1
        for start, _, word in at:
            if start < end:
                continue  # (a word inside one taken: 许可 of 许可证)
            if start != end:
                found.append(phrase)
                phrase = ""
            phrase, end = phrase + word, start + len(word)
        found.append(phrase)
    return tuple(dict.fromkeys(p for p in found if len(p) > 1))


# A figure asked of another place (佳木斯保留了多少行政权力事项, 抚远…22亿，黑河是多少, 别的县一般取消多少项):
# each answer states the city's own figures. The place is what a clause asking 多少 / 几 opens with,
# a place name (the segmenter's tag) that weighs, right before what it did (保留, 是: a verb, not a
# modal, 立马能办, nor a noun it names the kind of, 外国资金); or another county or city (别的县,
# 其他城市) anywhere before 多少 / 几.
_COUNT_ASKED = re.compile(rf"多少|{ASKING_JI}")
_ELSEWHERE = re.compile(r"(?:别的|其他|其它|外)(?:县市?|市县?|地方|城市|地区|省)")
_MODALS = ("能", "会", "可以", "要", "想", "得")  # what may open a verb after the place: 能办


def elsewhere(
    asks: str, heaviest: tuple[tuple[str, str, float], ...], cut: Callable[[str], list[str]]
) -> tuple[str, ...]:
    """For a figure asked of a place other than the city, in a clause that asks (`asks`:
    `Reading.asks`), that place (`heaviest`: `answerability.Content.heaviest`, the words that
    weigh; `cut`: `Wording.content`): things asked for, which an entry must name."""
    if "多少" not in asks and "几" not in asks:  # (most messages ask no figure)
        return ()
    weighs = {word for word, _, weight in heaviest if weight}
    found: list[str] = []
    for clause in _PAUSE.split(asks):
        counted = _COUNT_ASKED.search(clause)
        if counted is None:
            continue
        before = clause[: counted.start()]
        found += _ELSEWHERE.findall(before)
        words = cut(before)
        if len(words) > 1 and words[0] in weighs and part_of_speech(words[0]) == "ns":
            done = words[1]
            if done == "是" or (
                part_of_speech(done).startswith("v") and not done.startswith(_MODALS)
            ):
                found.append(words[0])
    return tuple(dict.fromkeys(found))


# A count of one kind of a set (公共服务事项里社保类几项, 权力事项里处罚类的有多少项): no answer breaks a set
# down by kind, so the kind must be named. The word that weighs right before 类, when 几 / 多少 follows.
_KIND_COUNTED = re.compile(rf"类(?:的|事项)?(?:有|占|是)?(?:多少|{ASKING_JI})")


def kinds_counted(asks: str, heaviest: tuple[tuple[str, str, float], ...]) -> tuple[str, ...]:
    """For a count asked of a kind (`asks`: `Reading.asks`; `heaviest`:
    `answerability.Content.heaviest`), the kind's word: things asked for."""
    if "类" not in asks:
        return ()
    found = []
    for counted in _KIND_COUNTED.finditer(asks):
        before = asks[: counted.start()]
        named = [w for w, _, x in heaviest if x and len(w) > 1 and before.endswith(w)]
        found += [max(named, key=len)] if named else []
    return tuple(found)


# What a message sets aside before asking for more (除了热电联产和天然气管网，还有哪些项目在办施工许可证;
# 新壹城除了贸易中心还建什么项目): the members named after 除了, up to where the asking for others
# starts; an entry listing only those (bot.engine.listed's `names_other`) does not answer. A member
# is cut where a pointer or a count follows it (天然气管网这两个项目 → 天然气管网); one named only so
# (除了那四个) names nothing to look for.
_EXCEPTING = re.compile(
    r"除(?:了|开|去)(.{1,24}?)(?:以外|之外|外)?(?=\s|还|其[他它]|别的|另外)(.*)"
)
_OTHERS_ASKED = re.compile(r"还|其[他它]|别的|另外")
_EXCEPTED_CUT = re.compile(r"[这那]|等|[两俩几\d一二三四五六七八九十]+[个项]")
_NAMES_APART = re.compile(r"\s|、|以及|及|与|和")


def excepted(folded: str) -> tuple[str, ...]:
    """For a message asking what else there is beyond what it names after 除了 (`folded`: all of
    it), EXCEPT + those names; else nothing."""
    if "除" not in folded or (found := _EXCEPTING.search(folded)) is None:
        return ()
    if not _OTHERS_ASKED.search(found[2]):
        return ()
    names = (_EXCEPTED_CUT.split(name)[0] for name in _NAMES_APART.split(found[1]))
    kept = [name for name in names if len(name) > 1]
    return (EXCEPT + " ".join(kept),) if kept else ()


# A name asked of a thing (大数据平台叫什么, 大数据招商平台叫什么名, 那个方案全称): an entry that says the
# thing only as what was done with it (运用大数据平台) does not say which it is (bot.engine.mentioned's
# NAMED). The thing is the words that weigh side by side right before the name asked. (Not 哪个 +
# a thing, nor 是哪个: 省重点项目是哪个 is answered by …省重点项目1项，为…, 哪个热线 by 政务服务热线.)
_NAME_ASKED = re.compile(r"(?:都|就|到底)?(?:是|叫)?(?:叫什么|叫啥|什么名|啥名|名字|名称|全称)")


def named(asks: str, said: list[tuple[str, float, str]]) -> tuple[str, ...]:
    """For a name asked of a thing in a clause that asks (`asks`: `Reading.asks`; `said`: its
    words and their weights, `Wording.content_words`), NAMED + the words that weigh side by side
    right before the name asked (大 数据 平台: the segmenter leaves a word it lacks in pieces), of
    two characters or more: things asked for."""
    if "叫" not in asks and "名" not in asks and "称" not in asks:
        return ()
    weighs = [word for word, weight, _ in said if weight]
    found = [
        _ending(asks[: m.start()].removesuffix("的"), weighs) for m in _NAME_ASKED.finditer(asks)
    ]
    return tuple(NAMED + thing for thing in dict.fromkeys(found) if len(thing) > 1)


def _ending(text: str, words: list[str]) -> str:
    """The words of `words` side by side at the end of `text`, longest first."""
    phrase = ""
    while ends := [word for word in words if text.endswith(word)]:
        word = max(ends, key=len)
        phrase, text = word + phrase, text[: -len(word)]
    return phrase
