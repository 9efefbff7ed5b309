"""What kind of answer a question wants (its focus), and which kinds an entry gives.

A question's focus is found by what people write when they want that kind of answer (多少钱:
a price, 什么时候: a time, 叫啥: a person's name…). An entry gives the kinds its own questions ask
for, and those its answer shows it gives whatever its questions ask (a body in charge, a place to
go, a number to call, a list). bot.engine.answerability checks one against the other; `ask --json`
shows both (`focus`, `check.entry_gives`).
"""

from __future__ import annotations

import re

from bot.engine._led import led

# Focus kinds, each found by what people write when they want that kind of answer. Checked on
# the folded question (before question particles are removed), first match of each kind.
PRICE, COUNT, TIME, PLACE, PERSON, PROCEDURE, CONTACT, LIST = (
    "price",
    "count",
    "time",
    "place",
    "person",
    "procedure",
    "contact",
    "list",
)
YES_NO, DEFINITION, MEMBERS, NAME = "yes/no", "definition", "members", "name"
COMPANY = "company"
COMPARISON = "comparison"
FORECAST, REASON, OPINION = "forecast", "reason", "opinion"
# 几 that asks how many: not 好几, 十几, 没几 (how often, a dozen odd, hardly any), 几乎, nor 这几,
# 那几, 前几 (these few: 那几张清单是什么 asks what they are, 前几年 says when; 提前几天 still asks).
# (Led by 几, looking behind from there: the regex engine skips to a 几 where a pattern starts so.)
ASKING_JI = r"几(?<![好十没这那]几)(?<![^提]前几)(?<!^前几)(?!乎)"
# 几号 / 多少号 asks a day of the month, but not after a telephone, a hotline or a number (电话是几号,
# 电话多少号 ask which number: the contact focus).
DAY_ASKED = r"(?<![话码线机])(?<![话码线机]是)(?:几|多少)号"
# 最 and an adjective, not before what it bounds: 最多跑一次 (the reform's name), 最多只跑一次,
# 最多一次办完, 最少要交两份 say at most / at least, and rank nothing.
_MOST = r"(?:多|大|高|少|小|低|慢|快|好|严|差|强)(?![跑只就去要用能可一二两三四五六七八九十几半\d])"
# Whether a project will be done or do well (新壹城能建成吗, 项目能不能落地, 是不是年底前都能完工, 建成后
# 能不能火, 生意能好做吗), the word last in its clause or before the yes/no: the report plans
# and starts projects, never says they will succeed. Not a figure asked after it (年内能建成多少:
# the plan's).
_DONE_WELL = "建成|建好|落地|完工|竣工|投产|完成|实现|成功|火(?:起来)?|好做|赚钱|盈利"
# ...not how a service is used (网上能完成吗, 远程能落地吗).
_NOT_HOW = "(?<!网上能)(?<!线上能)(?<!远程能)(?<!见面能)(?<!手机上能)(?<!自助能)"
_WHICH_MORE = "快|慢|大|多|少|好|便宜|贵|近|远|高|低|强"
_SAID = "提法|说法|规划|要求|安排|部署|定位|打算|考虑|想法|思路|规定|讲法|表述"
# A judgement asked with 吗, 么 or 不 (安全吗, 合理不): 不 where the clause ends or the word comes
# again (合理不合理), not before what is said of it (安全不达标的企业, 资金到位不及时: statements).
_JUDGED = r"(?:吗|么|不(?![\u4e00-\u9fff])|不(?=安全|合理|公平|彻底|到位|值得))"
# 都是什么 / 都是啥 up to three characters after a count (6项, 36个项目; in a folded question, a
# space ends a clause): looked behind from 都, so
# that the build looks for it where a 都 is, not at every digit (bot.engine.described `_marked`).
_EACH_COUNTED = "|".join(
    rf"(?<=[0-9两二三四五六七八九十][项个家条样件种张]{'[^ ]' * n})都是(?:什么|啥)"
    for n in range(4)
)
_FOCUS = (
    # A comparison (和黑河比哪边大, 哪个更好): the report compares its facts with nothing, so only
    # an entry that asks one answers it; not 和原来比 (how much less), which a reduction states.
    # ...and so is a superlative among several (11个项目里哪个投资最大, 负面清单 哪个单位最多, 最大的一个
    # 投资多少, 是不是全省最严的, 是不是开工最多的一天, 历史上…): not 最多跑一次 (the reform's name),
    # 最怕, 最关心 (the sender's feelings), nor 最快几天 (a time limit the entry may state), nor
    # 安排第一批 (arranged first).
    (
        COMPARISON,
        r"哪个更|哪边|哪家更|哪里更|谁更|相比|比起|对比"
        r"|(?:和|跟|与|同)(?!原来|以前|之前|过去)[\u4e00-\u9fff]{1,8}比(?!例|较优势)"
        rf"|哪[^\s]{{0,8}}?最{_MOST}|最{_MOST}的(?:是|一|那个)|全(?:省|国|市)最|历史上|(?<=有)史以来"
        r"|(?<!安)排(?:第一|名第|在第)"
        # ...and which of two is more so without 更 or 最 (抚远口岸，绥芬河口岸，哪个通关快; 网上办和大厅办
        # 哪个快), the adjective last in its clause: not 去哪个窗口, 哪个部门负责 (no adjective).
        rf"|哪(?:个|边|家|一个)[^，。？！\s]{{0,8}}?(?:{_WHICH_MORE})(?:些|点|一些|一点)?"
        r"(?=[吗呢啊？?。！\s]|$)",
    ),
    # What will be (12.8亿年底能完成吗, 招商目标能实现吗, 年内能完成投资4.5亿元吗, 以后会不会撤掉,
    # 有第二批吗, 下次招商去哪, 前景), or whether it still is (专窗现在还开着吗, 这些措施还保留吗,
    # 现在还有吗, 疫情后还有吗): a report states what was done and planned on its day, never whether a plan will
    # succeed or a measure of the epidemic is kept after it. Not 以后要建成什么样 (a plan the report
    # states), 今年能完成多少 (the plan's figure), 网上能完成吗 (how a service is used), …会不会走访
    # nor 签约以后还会跟踪服务吗 (whether a body does what the entry says it does, after the sender's
    # own step: 签约, 入驻, 落地, 引进), nor 以后会建成什么样 or 今后会怎么推进 (what it is to become,
    # how it is to be done: the plan, as 以后要建成什么样), nor 梳理以后还剩多少 (what is left now) or
    # 现在还能修复吗 (whether it can still be done, which the entry's procedure says).
    (
        FORECAST,
        rf"(?<=[能会以够]){_NOT_HOW}"
        r"(?:完成|实现|达到|达成)(?:[^，。？！\d]{0,4}\d[^，。？！]{0,8}?)?(?:吗|不|么|没)|(?:完成|实现)得了"
        rf"|(?<=[能会否]){_NOT_HOW}(?:{_DONE_WELL})(?=吗|不|么|没|$|[，。？！\s])"
        r"|(?<=以后|今后|将来|未来|往后|日后|明年|后年)会(?![^，。？！]*(?:什么样|啥样|怎么|如何))"
        r"|(?<=今后|将来|未来|往后|日后)还|(?<=以后)(?<![约驻户产册请完成地进]以后)还(?!(?:会|要)?(?:有人|剩|有多少))"
        r"|(?<=还开)着|还保留(?:吗|不|么|没|着吗)|(?<=现在|情后|过后|之后)还有(?:吗|没有|没)"
        r"|下一?次|下回|下一批|第二批|前景",
    ),
    # The sender's judgement of it (网上办好用不好用, 12345管不管用, 协调员有没有用, 视频公证安全吗,
    # 这个做法好不好, 改得彻底吗, 合理吗, 在全省算高吗, 你觉得…, 靠谱吗, 值不值, 打几分): a report
    # states what was done, never whether it is any good. Not 有没有用大数据平台 (whether one is
    # used), 严不严 or 快不快 (how strict, how fast: the measures and time limits an entry states
    # answer them), 是真的吗 (whether the report says so), nor 帮我查下好不好 (a request).
    (
        OPINION,
        # (Each alternative starts at its rarest character where it can, 用 of 管不管用, 平 of
        # 公平吗: the build looks for every question's kinds only where a pattern's first
        # characters are, and 有, 好, 公 are in most questions: 61 ms → 42 over 500k questions.)
        rf"(?<=[你您])(?:觉得|认为)|靠谱吗|靠不靠谱|值不值|值得{_JUDGED}|划算|打几分|(?<=怎么|如何)评价"
        r"|(?<=[好管有中顶])用(?:吗|不|么|没|(?![\u4e00-\u9fff]))|(?<=好不好|管不管|中不中|顶不顶)用"
        rf"|(?<=有没有)用(?![\u4e00-\u9fff])|(?<=没啥)用|(?<=没什么)用|安全{_JUDGED}|安不安全"
        r"|(?<=好)不好(?![\u4e00-\u9fff])(?<![下吧呗说讲我]好不好)"
        rf"|合理{_JUDGED}|(?<=公)平{_JUDGED}|(?<=彻)底{_JUDGED}|(?<=到)位{_JUDGED}"
        r"|合不合理|(?<=公不公)平|(?<=彻不彻)底|(?<=到不到)位"
        r"|算(?:是)?(?:好|高|低|多|少|大|小|快|慢|先进)(?:的)?(?:吗|么|不|还是)"
        # ...and whether it is needed or done well (有必要建吗, 有没有必要, 效果好吗, 专业吗), or what
        # one thinks of it (你怎么看, 怎么看待, 大家觉得…): not 效果怎么样, 成效咋样 (the results an
        # entry reports), nor 必要的材料 (what is required).
        rf"|(?<=[有没])必要|必要性|效果(?:好|明显|大|显著){_JUDGED}|效果好不好"
        rf"|专业{_JUDGED}|专不专业|(?<=[你您]怎么|[你您]如何)看|(?<=怎么|如何)看待|(?<=大家)觉得",
    ),
    # Why (为什么这么少, 为啥选抚远): a report says what was done, seldom why; an entry whose
    # questions ask it gives a reason, one that asks what for (调研是为了啥, 想达到啥目的) does, and
    # so does an answer that opens a sentence on its purpose (`_GIVEN_BY_ANSWER`).
    # Not 为 of 成为, 列为, 称为… (成为什么样: become what; 被列为什么项目: listed as what).
    (
        REASON,
        r"(?<![成列称作认视定改变选评划升分转设名])(?:为什么|为啥|为何)"
        r"|凭什么|(?:什么|啥)原因|为了(?:什么|啥)|(?:什么|啥)目的",
    ),
    # A person's name (协调员叫啥, 专人 名字, 总经理是谁): only an entry whose questions ask for
    # one gives it. A body in charge (关员, 专班, 部门: `_GIVEN_BY_ANSWER`) answers 谁负责, not this.
    (
        NAME,
        r"(?:员|人|长|领导|书记|主任|老板|老总|经理|干部|师傅|老师)的?\s?"
        r"(?:叫啥|叫什么|名字|姓什么|姓啥|贵姓|全名)"
        r"|(?:经理|董事长|会长|老板|老总|总裁|创始人|法人|法人代表)是谁"
        # ...and so does an office's holder (副市长是谁, 局长是哪位, 专班的班长, 协会的部长, 调研的领队是谁):
        # a report names posts, not who holds them; not a group's own role (组长是谁: 书记、市长任组长
        # answers it). (Started at 长, 任, 记, 队: 市 is in most questions, and the build looks for
        # kinds where first characters are.)
        r"|(?<=[市县局处科所站队班部])长(?:是谁|是哪位)|(?<=主)任(?:是谁|是哪位)|(?<=书)记(?:是谁|是哪位)"
        r"|(?<=领)队(?:是谁|是哪位)"
        # ...and persons on a list by name (随行的企业家都有谁, 见了哪几位企业家, 协调员都有谁): a
        # report names the companies, places and posts, never the persons.
        r"|(?:企业家|协调员|客商|嘉宾|商人)(?:都|分别|各)?(?:有|是)谁"
        r"|哪几?位(?:企业家|老板|客商|商人)",
    ),
    (
        PRICE,
        # 投资多少钱, 投了多少钱, 总投资是多少钱, 拉 / 引多少钱 (招商), 砸多少钱, 目标(是)多少钱, 完成了
        # 多少钱的投资 ask an amount (a count in 元), not what something costs
        r"(?<!投资|资金|投入|花了|投了|目标|完成)(?<!完成了|投资是|目标是|投资额)(?<![投拉引砸])多少钱(?!的?投资)|价格|价钱|票价|房价|门票|收费|收多少|费用是多少|几块钱|租金|多少元|什么价|啥价"
        # ...and a fee, whether asked how much or whether one is due (要不要另外交加急费, 要交钱吗,
        # 费用谁出, 报关费便宜了吗): no answer states one. Not a cut in fees (减费用, one of the 四减;
        # 减免费用, 减税降费, 费用减少了, 物流费降了), a fee's rate (社保费率) or a subsidy for one
        # (电费补贴), nor 消费, 浪费, 经费, 花费. Whether it is free (公证免费吗) asks about a fee too;
        # not 减免费用.
        r"|(?:交|收|付|掏)钱|(?<=要)钱(?=吗|不|么|没)|(?<=要不要)钱|加钱|(?<![减免降])费用(?![减降少省]|补[贴助])"
        r"|(?<![减免降消浪经花])费(?![用心力劲时事率减降少省]|补[贴助])|(?<!减)免费(?!用)",
    ),
    (
        TIME,
        rf"什么时候|啥时候|何时|哪天|哪一天|{DAY_ASKED}|几点|多久|多长时间|几个月能|哪年|哪一年|日期|时间表"
        r"|什么时间|几月|哪个?月|(?:开放|营业|办公|上班|开门|受理)时间"  # 黑瞎子岛 开放时间 asks when
        r"|周末|周六|周日|星期[六天日]|节假日|双休日|晚上|夜里|午休"  # ...and so does 专窗 周末,
        r"|[春夏秋冬]天|[春夏秋冬]季|旺季|淡季",  # ...or 冬天开放吗
    ),
    (
        PLACE,
        r"在哪(?![些几])|哪里|哪儿|哪个地方|(?:什么|啥)地方|何处|地址|位置|怎么去|怎么走|去哪|多远",
    ),
    # (谁, but not everyone on a list: 名单上都有谁, MEMBERS below; nor the 老板 a question is
    # relayed from, 老板问抚远…有多少项: `relayed.relayed_from`)
    (
        PERSON,
        r"(?<!都有|都是|单有)(?<!单上有)谁|哪位|叫什么名字|名字|负责人|老板(?!想?问|说)|会长|联系人|法人"
        r"|哪个单位|哪个部门",
    ),
    # Which company (哪家, 哪个公司建的): an answer naming a 集团 or 公司 gives one; a body in
    # charge or a way to proceed (PERSON's) does not. Who built or runs it (谁建的) may be one.
    (
        COMPANY,
        r"哪一?家|哪一?个(?:公司|企业|集团|厂)|(?:什么|啥)(?:公司|企业|集团)"
        r"|(?:施工|设计|承建|监理)(?:单位|方)",
    ),
    (CONTACT, r"电话|热线|号码|联系方式|手机号|邮箱|微信|网址|(?:怎么|怎样|如何|咋)联系"),
    (
        PROCEDURE,
        # a way to do (咋整, 怎么办理复工的手续), not how it was done (咋整的, 怎么弄出来的) nor how
        # the city goes about it as a whole (复商复市总体上咋弄, 市里怎么整: its measures; not after
        # 抚远 alone: 营业执照抚远咋弄 asks the sender's procedure)
        r"(?:怎么办理|如何办理|怎么办|怎么申请|如何申请|(?<!市里)(?<!总体)(?<!整体)(?<!体上)"
        r"(?:怎么弄|咋弄|咋整|怎么整)|咋办|怎么报)"
        r"(?!的|出来的)|流程|步骤|(?:什么|啥)手续"
        r"|要什么材料|哪些材料|需要准备|要带什么|怎么预约|如何预约|怎么入驻|怎么参加|怎么操作",
    ),
    (
        COUNT,
        rf"多少|(?<!哪){ASKING_JI}[个项家所位条样件]|数量|规模|多大|多少项|总投资|占地|比例|数字|数据",
    ),
    # Each of a set the question counts or names (哪四方, 那6项分别是什么), or everyone on it (名单上
    # 都有谁, 都是谁): only an answer that names several things gives it (`_GIVEN_BY_ANSWER`); one
    # that gives the count, or a body in charge (PERSON's), does not.
    (
        MEMBERS,
        r"哪(?:[2-9]|\d\d|[二两三四五六七八九十])|分别是|分别有|分别为|都有谁|都是谁|名单上?有谁"
        # ...and what each of a counted set is (那6项都是什么, 36个项目都是啥): not what it is.
        rf"|{_EACH_COUNTED}",
    ),
    # 有什么 asks a list, but not of what was said or planned (有什么提法, 有啥说法, 有什么规划,
    # 对…有什么要求): one statement answers it, and the report's is no enumeration.
    (LIST, rf"哪些|有(?:什么|啥)(?!{_SAID})|包括|哪几|列一下|列出|列举|罗列"),
    (DEFINITION, r"是什么|什么是|啥是|是啥|指什么|什么意思|怎么回事|怎么样"),
    (YES_NO, r"吗|是不是|有没有|能不能|可不可以|是否|能否|可以|行不行|会不会|要不要"),
)
# Led by their first characters (bot.engine._led): each is only asked whether it matches, ~15
# times a message, and most start with a look-behind or a group (tried at every position).
_FOCUS_RE = [(name, re.compile(led(pattern))) for name, pattern in _FOCUS]
_FOCUS_PATTERN = dict(_FOCUS_RE)
# What an entry must ask for to answer a question of each focus. A "how do I" question is also
# answered by where to go or whom to see; a list by a description of the thing.
SATISFIED_BY = {
    COMPARISON: {COMPARISON},
    FORECAST: {FORECAST},
    OPINION: {OPINION},
    REASON: {REASON},
    NAME: {NAME},
    COMPANY: {COMPANY},
    PRICE: {PRICE},
    TIME: {TIME},
    PLACE: {PLACE, PROCEDURE},
    PERSON: {PERSON, PROCEDURE, COMPANY},
    CONTACT: {CONTACT},
    PROCEDURE: {PROCEDURE, PLACE, CONTACT},
    COUNT: {COUNT, PRICE},
    LIST: {LIST},
    MEMBERS: {MEMBERS},
}
# What an answer itself shows it gives, whatever its entry's questions ask: a body or person in
# charge, a place to go, a way to proceed or a number to call, a list of several things (three
# between 、, or two with one head: 大数据平台、高端活动平台, 旅游岛、贸易岛; not two figures of one
# unit, 省重点项目1项、市重点项目10项, a breakdown; nor a verb's complement, 补回来、抢回来; nor one
# place said twice, 来抚远、返抚远: the second item has three characters or more before its head), and a
# reason when a sentence opens on its purpose (为保障复工复产速度，…实行网上办: why 网上办 is asked
# of it); 为 inside a sentence names whom a measure serves (…，为群众办事提供指引), no purpose.
_GIVEN_BY_ANSWER = (
    (REASON, re.compile(r"(?:^|[。；！？]\s*)为了?[^，。；]{2,30}，")),
    (PERSON, re.compile(r"负责|组长|小组|单位|部门|专人|关员|专班|领导")),
    (COMPANY, re.compile(r"集团|公司|有限")),
    (PLACE, re.compile(r"设在|位于|可到|到政务服务中心|窗口|网站|门户")),
    (PROCEDURE, re.compile(r"可到|可以到|请到|拨打|可向|可以向")),
    (CONTACT, _GIVEN_CONTACT := re.compile(r"热线|电话")),
    (
        LIST,
        _ENUMERATION := re.compile(
            r"、[^，。；、]{1,16}、|(?<![\d.])([^\W\d来去到])、[^\W\d]{3,12}?\1"
        ),
    ),
    (MEMBERS, _ENUMERATION),
)
# A figure with its unit in an answer: the entry gives a count or an amount.
_COUNTED = re.compile(r"\d+(?:\.\d+)?\s*(?:项|个|亿|万|%|吨|公顷|家|所|人|次|条)")


def focus_of(text: str) -> str | None:
    """The kind of answer a folded question wants, or None if it says nothing of that."""
    for name, pattern in _FOCUS_RE:
        if pattern.search(text):
            return name
    return None


# A sentence that sends the asker to a hotline (可拨打 12345 政务服务热线询问: the answers the report
# says too little for end on one) gives a number to call, not a place, a way to proceed or a body
# in charge of what is asked: 交通卡口都在哪 is not answered by the epidemic measures' entry.
_HOTLINE = re.compile(r"[^。；]*热线[^。；]*")


def given_by_answer(answer: str) -> set[str]:
    """The kinds of answer an entry's answer text gives, by what it says."""
    rest = _HOTLINE.sub("", answer)
    shown = {name for name, pattern in _GIVEN_BY_ANSWER if pattern.search(rest)}
    return shown | ({CONTACT} if _HOTLINE.search(answer) else set())


def hotline_for(answer: str) -> str | None:
    """An answer's hotline sentences, when they are the only contact it gives: the number they
    give is for what they name (怎么预约、要什么材料报道没有写，可拨打 12345…), not the number of
    every office the entry mentions (公证处 电话, 监督局 电话 are not 12345)."""
    rest = _HOTLINE.sub("", answer)
    if _GIVEN_CONTACT.search(rest):
        return None
    return "，".join(_HOTLINE.findall(answer)) or None


_ASKED_IN_WORDS_ONLY = frozenset({LIST, MEMBERS, DEFINITION, COUNT})


def asked_in(focus: str | None) -> re.Pattern | None:
    """The words a question of this focus is asked in, if they are not content (`content`)."""
    return _FOCUS_PATTERN[focus] if focus in _ASKED_IN_WORDS_ONLY else None
