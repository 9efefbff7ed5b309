"""What a question asks for by name, and whether an entry mentions it.

The focus (bot.engine.answerability) says what kind of answer a question wants; the word after
its which-word says which thing: 哪个厂家 wants a supplier, 什么消毒液 a disinfectant, 几星 a
star rating, 叫什么名字 a name. An entry can be about everything else the question says and still
never mention that thing (the entry on the province's key project names no supplier); then it
does not answer the question, and bot.engine.decision weighs it as a focus the entry does not
give. `ask --json` shows the things (`asked_for`) and those the entry lacks (`asked_for_unstated`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import partial

from bot.engine._led import led
from bot.engine.answerability import UNKNOWN_VERB, content_weight
from bot.engine.features import GENERIC_CHARS
from bot.engine.focus import ASKING_JI, DAY_ASKED
from bot.engine.mentioned import (
    AREA,
    COUNT_OF,
    DONE,
    EACH,
    EARLIER,
    ELIGIBLE,
    HANDLED,
    IN_PLACE,
    LISTED,
    OF_TOLD,
    ONE,
    OURS,
    PART,
    PER_YEAR,
    POST,
    PREDICATE,
    TITLE,
    TOTAL,
    YEAR,
)
from bot.text.words import part_of_speech

# A which-word, and the word after it names the thing asked for: 哪个厂家, 什么消毒液, 多少工人,
# 几星. An entry that never mentions that thing does not answer the question, however much else
# of it the entry covers (bot.engine.decision weighs it as a focus the entry does not give).
_WHICH = re.compile(
    r"(哪(?:一|几)?(?:个|些|家|位|种|类|条|所|座|项|天)|哪[一几]|什么|啥|多少个?"
    rf"|{ASKING_JI}(?:个|家|位|种|类|条|所|座|项)?|谁)(?=([\u3400-\u9fff]+))"
)
# What may follow a which-word and only say how a question is put (什么意思, 干什么用, 什么时候,
# 哪一步: the focus says what those want; 有什么举措, 哪些做法: an entry that lists what is done
# never calls it 举措 or 办法; 整改到什么程度 asks how far along, as 整改得怎么样 does) or what kind
# of place is asked (the focus checks those; 哪些城市 is answered by 郑州市、福州市, which never
# say 城市; not 国家: no answer names one). With its which-word it is a question word (below),
# and names no thing an entry must mention.
_HOW_ASKED_WORDS = (
    "用 作用 意思 区别 关系 样 样子 情况 时候 时间 地方 东西 事 事情 内容 方面 问题 回事 好处 "
    "步 点 位置 地点 地址 地段 活 城市 省份 举措 措施 办法 做法 方法 法子 角色 说法 形式 思路 程度"
)
_HOW_ASKED = frozenset(_HOW_ASKED_WORDS.split())
# ...except a spot (哪个位置): asked within a place the entry names (建在开发区哪个位置), it wants
# more than the entry says, and the entry leaves the word uncovered.
_SPOTS = frozenset({"位置", "地点", "地址", "地段"})
_WHICH_HOW = "|".join(sorted(w for w in _HOW_ASKED if len(w) > 1 and w not in _SPOTS))
# The words that make a sentence a question: they are the focus, not what it is about, and are
# taken out before a question's content words are looked for. Not the 几 of 几十个 / 几百项 (tens,
# hundreds of them): without it 十个 would read as the figure 10个, which an entry may not give.
# 什么地方, 哪些城市: all of it asks. (Every alternative starts with a plain character, so the
# regex engine skips to where one may start; a group first made it try every position: 7 → 0.4 µs.)
QUESTION_WORDS = re.compile(
    rf"哪[一几]?[个些种类]?(?:{_WHICH_HOW})|什么(?:{_WHICH_HOW})|啥(?:{_WHICH_HOW})|"
    r"怎么个[\u4e00-\u9fff]{0,2}?法|"  # 是怎么个搞法 asks how, as 怎么搞 does
    r"叫什么名字|叫啥名字|叫什么|叫啥|全称|名称|名字|"  # asks for a name: what is named is the subject
    r"真的假的|多少钱|多少|什么时候|啥时候|怎么回事|怎么办理|怎么办|怎么样|怎么|怎样|如何|哪里|哪儿|哪些|"
    r"哪一?[天年]|哪个|哪|谁|什么|啥|咋|何时|何地|何处|何种|为何|有何|何为|何谓|因何|何以|几(?![十百千万])|吗|呢|是不是|有没有|能不能|可不可以|是否|能否|可以|是什么|意思"
)
# Things the question writes one way and an answer another: 多少钱 (…元), 几号 / 哪天 (4月7日),
# 几成 (a share: 减少比例61%), 叫什么名字 (a title: 《抚远市“办事不求人”工作实施方案》; no answer names a
# person).
_WRITTEN_AS = {
    "钱": COUNT_OF + "元",
    "块": COUNT_OF + "元",
    "号": COUNT_OF + "日",
    "成": COUNT_OF + "%",
    "哪天": COUNT_OF + "日",
}
_DAY = re.compile(DAY_ASKED)
# How many kinds (分几类): an answer that names them one by one (其中“马上办”233项、“网上办”683项…)
# answers it though it never writes 4类; asked as a set of at least two (EACH), not a figure in 类.
# (几种 asks for nothing by name: 种 is a measure word that carries nothing, GENERIC_CHARS.)
_KINDS = frozenset("类")
_NAMES = frozenset({"名字", "名称", "全称"})
# An amount reached so far (已经完成了多少, 去年…是多少): an answer that gives only a plan or a
# target for it (年内计划完成投资12.8亿元, 力争…达22亿元) does not say how much was done.
_REACHED = re.compile(
    r"(?:已经|去年|上年|前年|截至|截止|到目前).*(?:多少|几)|完成了多少|完成多少了"
)


# A year the question asks about, by number or relative to now (去年, 明年): an entry states the
# report's facts, of its own year; one whose answer never names that year (no answer says 去年)
# says nothing of another year's figure or of next year's plans.
_YEARS = re.compile(r"(?:19|20)\d\d年|去年|前年|明年|后年|来年|上一年|下一年")


# Each member of a set of N asked for (哪6项, 哪四方, 那10项分别是什么, 199项都有哪些): an answer
# that names fewer things (取消6项 gives the count, 2887项、199项、845项 three other figures) does
# not say which they are.
_EACH = re.compile(
    r"哪(\d+|[二两三四五六七八九十])|(\d+|[两三四五六七八九十])[个项家条]"
    r"[\u4e00-\u9fff]{0,10}?(?:都有哪些|有哪些|都是哪些|是哪些|分别是|分别有|包括哪些)"
    # ...or a figure for each of them (这10个项目分别完成多少, 4个专班各负责几个): an answer that
    # gives the total does not give each one's; not the parts named (省重点和市重点各几个).
    r"|(\d+|[两三四五六七八九十])[个项家条][^\W里中和与及]{0,6}?(?:分别|各自|各)[\u4e00-\u9fff]{0,6}?(?:多少|几)"
)
# A figure per year asked (一年能加工多少吨, 每年采购几次, 年产值多少, 上瑞年加工能力): a report gives a
# project's investment, area and storage, seldom its output or a yearly rate, and an entry whose
# answer gives a figure in the unit asked (仓容100万吨) for something else does not give it.
# Looked for in every clause that asks (…一年能加工多少吨大豆、出多少吨豆油: the year is in the clause
# before the last), not in the sender's story (一年到头忙 asks nothing); not 没几
# (一年没几回 says how seldom), 年内 (this year's plan) nor 今年产….
_PER_YEAR_ASKED = re.compile(
    r"(?:一年|每年|年均)[\u4e00-\u9fff]{0,8}?(?:多少|(?<!没)几)"
    r"|(?<![今去明前全当同新近])年(?:产|加工|处理|销售|接待|受理)"
)
# A figure from before asked (原来有多少项, 梳理前一共有多少, 从多少项减下来): the report states what
# is now (保留845项, 减少3596项), never what there was before; not 比以前少多少 (the reduction), nor
# what something is made of (由多少人组成) or starts from (从多少号开始). A few words may come between
# (原来的材料有多少项, 本来要交多少项, 改革以前保留了多少项, 减少前一共多少项; but 本来想问…, 好几趟,
# nor how often the sender did something: 以前来过几次都没办成).
_EARLIER_ASKED = re.compile(
    r"(?<!比)(?:原来|原先|原本|本来|以前|之前|过去|当初|起初|最初|早先|一开始"
    r"|(?:[梳清]理|精简|改革|减少|压减)之?前)[^，。？！,?!\s想问]{0,6}?(?:多少|(?<!好)几(?![次趟回遍]))"
    r"|[从由]多少[^，。？！,?!]{0,8}?(?:减|降|压|缩|精简|砍)"
)
# A part of a total the question states (这199项里能在网上办的有几项, 36个项目里省重点项目有几个): an
# answer that gives the total alone (保留公共服务事项199项) does not say how many of it are which,
# nor one breaking it down by another thing than the part named (the words between: 网上办).
# 中 only before 有, 的, 是 or a pause (not 中介, 中心); a span of time is no total (3个工作日里).
_PART_ASKED = re.compile(
    r"(\d+(?:\.\d+)?\s?[项个家条所](?![月天日周星礼小工钟]))[^，。？！,?!]{0,14}?"
    r"(?:里面?|当中|之中|其中|中(?=[有的是\s，,]))([^，。？！,?!]*?)(?:多少|几)"
)
# ...or of a total the message stated before the clause asking (报道说材料减少了3596项，其中企业办事减少了
# 多少项: the figure is in what the reading sets aside): any breakdown the entry gives must name it.
_PART_OF_TOLD = re.compile(r"(?:^|[，。？！,?!\s])其中([^，。？！,?!]*?)(?:多少|几)")
# A part of the year asked a figure of (上半年完成多少, 一季度到位了多少, 6月底要完成多少): an entry that
# gives a year's plan or target (年内计划完成投资12.8亿元) and never names that part does not say it.
_PERIOD_ASKED = re.compile(
    r"(?:[上下]半年|第?[一二三四1-4]季度|前三季度|首季|\d{1,2}月底|每个?月)(?=[^，。？！,?!]*(?:多少|几))"
)
# An area asked (占地多少, 面积多大, 多少亩): an answer that gives the project's count or investment
# (11个项目, 23.8亿元) does not say how large a site is.
_AREA_ASKED = re.compile(r"占地|面积|多少(?:亩|公顷|平方|平米)|几(?:亩|公顷)")
# The sender's own company on a list (名单上有没有我们公司, 我们公司在名单里吗, 我们企业有没有被列进去):
# the report names none of the companies that ask. Not a kind of business (目录里有没有我们仓储这类的:
# the list's kinds may be stated), nor whether to join (我们企业要不要进这个目录).
_OURS_LISTED = re.compile(
    r"(?:名单|清单|目录)[上里中]?(?:有没有|有)(?:我们|咱们?|我|俺)的?(?:公司|企业|厂|单位)(?!这|那)"
    r"|(?:我们|咱们?|我|俺)的?(?:公司|企业|厂子?|单位)(?:在不在|在)[^，。？！,?!\s]{0,12}"
    r"(?:名单|清单|目录)|(?:我们|咱们?|我|俺)的?(?:公司|企业|厂子?|单位)有没有被?列"
)
# Which person (哪位领导, 来调研的人是谁, 联系我们的干部是谁): an answer naming a company (近期到抚远
# 调研) or a practice (领导联系企业) says who was involved, not which person; one naming a post held
# (市委主要领导率队, 书记、市长任组长) does. Not 谁负责 or 谁牵头, which a body in charge answers.
_POST_ASKED = re.compile(r"哪位|(?:人|领导|干部|官员)是谁")
# Who may use a measure (只有进出口企业才能申请吗, 什么样的企业才能进名单, 哪些企业能走绿色通道, 有资格,
# 只对接大企业吗): a report says what is offered and to whom it was done, never who qualifies; an
# answer that does not say whom it is for (`mentioned.ELIGIBLE`) does not answer it.
_ELIGIBLE = re.compile(
    r"只有[^，。？！,?!\s]{1,10}?才(?:能|有|可以|行)|什么样的?(?:企业|公司|单位|人|项目)才?(?:能|可以)"
    r"|哪些(?:企业|公司|单位|人|项目)(?:能|可以|有资格|才能)|有资格"
    r"|只(?:对接|面向|针对|服务|给)[^，。？！,?!\s]{0,6}?(?:企业|公司)"
)
# How many cases were handled (12345受理了多少件, 咨询电话接了多少个, 修复了多少家, 办件量): a report
# counts what is offered, never how often it was used; an answer that counts the services
# (一次办612项) or names the hotline does not say how many calls it took.
_HANDLED_ASKED = re.compile(r"办件量|(?:受理|接|接到|办结|处理|修复|成交)了?多少")
_NUMERALS = {n: str(i) for i, n in enumerate("一二三四五六七八九十", 1)} | {"两": "2"}
# When something happens (什么时候完工): the event asked about must be in the entry; one that
# dates the start (开工) does not say when the work ends.
# ...and so for a year, a month or a day asked (哪年建完, 哪年哪月完工, 几月份投产): two words of one
# event; a word of one character (几号来的, 哪天开的工) says too little of it to be looked for.
_WHEN = re.compile(r"(?:什么时候|啥时候|何时|什么时间)(?:能|会|才|就|可以|开始)?([\u4e00-\u9fff]+)")
_WHEN_DATED = re.compile(
    r"(?:哪一?年|哪个?月份?|几月份?|哪一?天|几号)+(?:能|会|才|就|可以|开始)?([\u4e00-\u9fff]{2,})"
)
# How to take part in something (怎么申请, 如何加入, 怎样才能申报, 怎么报名): the act must be in the
# entry; one that says how a mechanism works (领导包抓、责任到人) or what a team does never says how
# to apply to it or join it. Only the sender's acts of taking part: 怎么理解, 怎么处理, 怎么安排 ask
# how the city does a thing, which the entry's measures answer in other words.
_TAKING_PART = "申请|申报|加入|报名|参加|参与|入选|入围|进入|纳入|列入|入驻|登记|注册|预约"
_HOW_TO_TAKE_PART = re.compile(rf"(?:怎么|怎样|如何)(?:样)?(?:才能|才|能|去)?({_TAKING_PART})")
# An amount invested (总投资多少, 投资额, or keywords ending on it: 冷链物流园区投资): a figure in 元
# (6亿元), not a count of projects.
_INVESTED = re.compile(
    r"投资(?:额|总额)?[是有]?多少|总投资|投资额|投了?多少|多少投资|投入多少|投资\s*$"
)

# A figure asked at the end of a clause (研发中心投资多少, 冷链物流园区多大, 企业办事减少了多少项):
# of what the clause names before it; of one member of a list an entry states, the entry gives
# none (bot.engine.listed). Not a figure of a thing named after it (用模拟审批办了几个项目: of
# 项目), which (哪几), these (这几类), a time (几点, 几号) nor a number to call (电话多少).
# (Each alternative starts with its plain character, the look-behinds after it: with them first
# the pattern was tried at every position, 2.5 µs a message against 0.17.)
_FIGURE_WANTED = re.compile(
    r"(?:多(?<!电话多)(?<!号码多)(?<!号多)(?<!电话是多)少|多大|多高|多长|多宽|多重|多远|几(?<![哪这那]几))"
    r"(?:[个项家条所位名亩吨元]|公顷|平方米?|万元|亿元?)?[啊呢呀吗了啦]?(?=[，。？！,?!\s]|$)"
)
# What ends a clause or a piece of one, for what a clause names before the figure it asks.
_PAUSE = re.compile(r"[，。？！,?!\s]")

# A total asked (总投资多少, 一共投资多少): an answer must state one of what the question names,
# not the amount done so far (已完成投资0.5亿元) nor the total of a whole that names it only as a
# part (11个项目总投资23.8亿元。其中省重点项目1项): bot.engine.mentioned's TOTAL.
_TOTAL_ASKED = re.compile(r"总投资|投资总额|(?:一共|总共)投(?:资|了)")
# ...of one project pointed back at (它总投资, 这个项目总投资): a total of several is not its.
_ONE = re.compile(r"(?:它|(?:这|那|该|此)个?项目)(?:自己|本身)?的?$")


# Asked only whether they match, once or twice a message, and they start with a group or a
# look-behind (tried at every position): led by their first characters (bot.engine._led).
_REACHED, _PER_YEAR_ASKED, _EARLIER_ASKED, _OURS_LISTED, _POST_ASKED, _HANDLED_ASKED, _DAY = (
    re.compile(led(pattern.pattern))
    for pattern in (
        _REACHED,
        _PER_YEAR_ASKED,
        _EARLIER_ASKED,
        _OURS_LISTED,
        _POST_ASKED,
        _HANDLED_ASKED,
        _DAY,
    )
)

# Whether a word names a thing, in a knowledge base that names no places (`Wording.carries`).
_CARRIES = partial(content_weight, known=True)


def asked_for(
    text: str,
    cut: Callable[[str], list[str]],
    canonical: Callable[[str], str],
    asks: str | None = None,
    carries: Callable[[str], float] = _CARRIES,
) -> tuple[str, ...]:
    """The things a question asks for by name (`text`: its folded asking clause; `cut` splits text
    into words, single characters kept, a guess across two words as its dictionary words:
    `Wording.content`): the first word after each which-word, in matching form (`canonical`); a unit
    after 几 / 多少 as COUNT_OF + unit, a name as TITLE; an amount reached so far (已经完成了多少)
    as DONE, first; a figure per year (一年能加工多少吨) as PER_YEAR; a figure from before
    (原来有多少项) as EARLIER; a part of a total stated (199项里…有几项) as PART + the total and the
    part's words; a part of the year (上半年…多少) as itself; an area (占地多少) as AREA; the
    sender's company on a list (名单上有我们公司吗) as OURS; which person (哪位领导) as POST; how
    many cases were handled (受理了多少) as HANDLED; who may use a measure (哪些企业能走) as
    ELIGIBLE; how many kinds (分几类) as EACH + 2; a total
    (总投资多少) as TOTAL + what its clause names before it (its words, figures, ONE for a project
    pointed back at); a figure that ends a clause (研发中心投资多少) as LISTED + the words the
    clause names before it; a year asked about as YEAR + the year, from `asks` (every clause that
    asks, when the caller has them: 明年还会开工吗？大概有多少个 asks about next year in its first
    clause) or else `text`; a place asked in (上瑞集团在福建有哪些厂) as IN_PLACE + the place; the
    act of taking part asked how to do (怎么申请, 如何加入) as itself. A word names a thing if it
    `carries` (`Wording.carries`: the city's own names do not).

    The words are found in the text as folded, not in matching form: a synonym made canonical
    (消毒 → 消杀) would cut 消毒液 into 消杀 and 液, and 消杀 is not what is asked for."""
    found = [DONE] if _REACHED.search(text) else []
    every = text if asks is None else asks
    found += [YEAR + year for year in _YEARS.findall(every)]
    found += [EACH + _NUMERALS.get(n, n) for pair in _EACH.findall(every) for n in pair if n]
    if _PER_YEAR_ASKED.search(every):
        found.append(PER_YEAR)
    if _AREA_ASKED.search(text):
        found.append(AREA)
    if _EARLIER_ASKED.search(every):
        found.append(EARLIER)
    parts = _PART_ASKED.findall(every) or [(OF_TOLD, p) for p in _PART_OF_TOLD.findall(every)]
    for total, part in parts:  # the total, and the part's own words
        named = [canonical(w) for w in cut(part) if len(w) > 1 and not QUESTION_WORDS.search(w)]
        found.append(" ".join([PART + total.replace(" ", ""), *named]))
    found += _PERIOD_ASKED.findall(every)
    if _OURS_LISTED.search(every) or _OURS_LISTED.search(text):
        found.append(OURS)
    if _POST_ASKED.search(text):
        found.append(POST)
    if _HANDLED_ASKED.search(every):
        found.append(HANDLED)
    if _ELIGIBLE.search(every):
        found.append(ELIGIBLE)
    for after in _WHEN.findall(text):
        event = (cut(after) or [after[0]])[0]
        if carries(event) and not QUESTION_WORDS.fullmatch(event):
            found.append(canonical(event).replace(" ", ""))
    for after in _WHEN_DATED.findall(text):
        event = (cut(after) or [after])[0]
        if len(event) > 1 and carries(event) and not QUESTION_WORDS.search(event):
            found.append(canonical(event).replace(" ", ""))
    found += [canonical(act).replace(" ", "") for act in _HOW_TO_TAKE_PART.findall(text)]
    for which, after in _WHICH.findall(text):
        if which in ("几", "多少") and after.startswith("号") and not _DAY.search(text):
            continue  # 电话是几号: the contact focus asks for it, no date
        if which in _WRITTEN_AS:
            found.append(_WRITTEN_AS[which])
            continue
        words = cut(after) or [after[0]]  # `cut` leaves out a lone character: 多少钱
        if len(words) > 1 and words[0] == "是":
            words = words[1:]  # 有多少是行政许可: how many of them are 行政许可
        if len(words) > 2 and words[1] == "的":
            words = words[2:]  # 哪些量化的成效: the thing is what the modifier describes
        thing = words[0]
        if len(thing) == 1 and which in ("什么", "啥") and part_of_speech(thing) == "v":
            continue  # a verb's object in a set phrase (帮什么忙, 吃什么亏) names no thing
        if which == "几" and thing not in _HOW_ASKED:
            # 几 counts in the unit after it: 几星级 asks for a figure of 星; 几百项 in 项.
            thing = thing.lstrip("十百千万亿")[:1] or thing[0]
        # A unit (几天, 几层, 多少亩) is a measure word, which carries nothing anywhere else.
        unit = len(thing) == 1 and which in ("几", "多少") and thing not in GENERIC_CHARS
        if thing in _HOW_ASKED or (QUESTION_WORDS.search(thing) and thing not in _NAMES):
            continue
        if not (unit or carries(thing)):
            continue
        if thing in _WRITTEN_AS:
            thing = _WRITTEN_AS[thing]
        elif thing in _NAMES:
            thing = TITLE
        elif thing in _KINDS and unit:
            thing = EACH + "2"  # 分几类: the kinds named one by one answer it, as 4类 would
        elif unit:
            thing = COUNT_OF + thing
        else:
            thing = canonical(thing).replace(" ", "")
        found.append(thing)
    total = _TOTAL_ASKED.search(text) if "投" in text else None  # (each way says 投)
    if total:
        # What its own clause names before it; for a total that opens a clause (省重点 总投资,
        # 是这样吗 总投资多大), what the piece before it does.
        before = next((p for p in reversed(_PAUSE.split(text[: total.start()])) if p), "")
        named = [w for w in cut(before) if carries(w)] + re.findall(r"\d+", before)
        named += [ONE] if _ONE.search(before) else []
        found.append(TOTAL + " ".join(w for w in named if not QUESTION_WORDS.fullmatch(w)))
    if (figure := _FIGURE_WANTED.search(text)) is not None:
        before = _PAUSE.split(text[: figure.start()])[-1]
        named = [
            w for w in cut(before) if len(w) > 1 and carries(w) and not QUESTION_WORDS.search(w)
        ]
        found += [LISTED + " ".join(named)] if named else []
    if "在" in text:  # a place asked in (上瑞集团在福建还有哪些厂): as IN_PLACE + the place
        words = cut(text)
        found += [
            IN_PLACE + place
            for at, place in itertools.pairwise(words)
            if at == "在" and part_of_speech(place) == "ns" and carries(place)
        ]
    if _INVESTED.search(text) and COUNT_OF + "元" not in found:  # (投资多少钱 has it already)
        found.append(COUNT_OF + "元")
    return tuple(found)


def unsettled(heaviest: tuple[tuple[str, str, float], ...]) -> tuple[str, ...]:
    """What a short yes/no (one clause: 滨江花园是学区房吗, 上瑞大豆项目招工吗, 复工通道要排队吗) says of
    its topic in words no entry uses (`heaviest`: `answerability.Content.heaviest`, weighed at
    UNKNOWN_VERB or more), as PREDICATE + the word: the topic is an entry's, the word is not, and
    an entry that never says it does not settle whether it is so (bot.engine.mentioned). Not in
    a longer message, whose words no entry uses are as often the sender's own case or another
    way to say what an entry says (我们这样的中型企业能不能…, 有没有个成文的方案下发): there an
    uncovered word only lowers the coverage."""
    return tuple(PREDICATE + word for word, _, weight in heaviest if weight >= UNKNOWN_VERB)
