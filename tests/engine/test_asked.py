"""What a question asks for by name (bot/engine/asked.py) and whether an entry mentions it."""

from __future__ import annotations

from bot.engine import beyond
from bot.engine.asked import _FIGURE_WANTED, asked_for, unsettled
from bot.engine.beyond import days_told, elsewhere, kinds, kinds_counted, offices
from bot.engine.mentioned import (
    AREA,
    COUNT_OF,
    DAYS,
    DONE,
    EACH,
    EARLIER,
    ELIGIBLE,
    HANDLED,
    IN_PLACE,
    LISTED,
    NAMED,
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
    contradicted,
    mentions,
    scopes,
)
from bot.text.words import Words

WORDS = Words()


def things(text: str) -> tuple[str, ...]:
    return asked_for(text, lambda part: WORDS(part, search=False), lambda word: word)


def test_the_word_after_a_which_word_is_the_thing_asked_for():
    assert things("设备是哪个厂家的") == ("厂家",)
    assert things("雾炮车用的是什么消毒液") == ("消毒液",)
    assert things("大豆项目要招多少工人") == ("工人",)
    assert things("哪个部门和什么人负责") == ("部门", "人")
    # The thing is what a modifier with 的 describes (哪些量化的成效: 成效, not 量化).
    assert things("有哪些量化的成效") == ("成效",)
    # A verb's object in a set phrase names nothing (帮什么忙).
    assert things("协调员能帮企业什么忙") == ()
    # Nor does the kind of thing asked (以什么形式落实: an entry says how, never 形式).
    assert things("这项改革以什么形式落实的") == ()
    # How many of them are something: that something is asked for (an entry giving the total
    # does not say how many of them are 行政许可).
    assert things("2887项里有多少是行政许可")[-1:] == ("行政许可",)
    # After 谁, what the person does (an entry that never says 主持 does not say who chairs).
    assert things("项目协调推进例会是谁主持") == ("主持",)


def test_units_dates_and_names_are_asked_for_as_an_answer_writes_them():
    assert things("酒店是几星的") == (COUNT_OF + "星",)
    assert things("酒店是几星级") == (COUNT_OF + "星",)  # 几 counts in the unit after it
    assert things("网上能办的有几百项") == (COUNT_OF + "项",)  # ...after its magnitude
    assert things("要几天") == (COUNT_OF + "天",)
    assert things("投资多少钱") == (COUNT_OF + "元",)
    assert things("材料减了几成") == (COUNT_OF + "%",)  # a share, which an answer gives in %
    assert things("考察是几号到几号") == (COUNT_OF + "日", COUNT_OF + "日")
    assert things("国家电投哪天来") == (COUNT_OF + "日",)
    assert things("副组长叫什么名字") == (TITLE,)
    assert things("方案是什么全称") == (TITLE,)  # a question word (全称), still a name asked


def test_how_a_question_is_put_names_no_thing():
    # The focus says what these want (a time, a place, a list); no word must be in the entry.
    for text in ["是什么意思", "有什么用", "什么时候", "在哪看", "有哪些", "进展到哪一步了"]:
        assert things(text) == (), text
    # Nor do words that carry nothing: 来着, and 企业 (every asker is one).
    assert things("就近办事项几个来着") == ()
    assert things("见了哪些企业") == ()
    # A kind of place: 哪些城市 is answered by 郑州市、福州市, which never say 城市.
    assert things("还去了哪些城市") == ()
    # Measures and ways: an entry that lists what is done never calls it 举措 or 办法.
    assert things("在复工上有什么举措") == ()
    assert things("有哪些做法") == ()
    assert things("有啥快的法子") == ()
    # 有啥说法 asks for the city's position on it, which an entry states without calling it 说法.
    assert things("市里对项目抢工期有啥说法没有") == ()
    # ...nor its 思路: an entry says how招商 is aimed without calling it that.
    assert things("园区招商是按啥思路搞的") == ()
    # ...nor 程度: 整改到什么程度了 asks how far along it is, as 整改得怎么样了 does.
    assert things("园区整改到啥程度了") == ()
    assert things("推进到什么程度") == ()


def test_how_many_kinds_is_asked_as_a_set_of_two_or_more():
    # 分几类 is answered by the kinds named one by one, though no answer writes 4类.
    assert things("园区的企业分几类") == (EACH + "2",)
    assert things("冷库有多少类") == (EACH + "2",)
    never = lambda word, sound: False  # noqa: E731
    assert mentions(EACH + "2", "其中冷链企业12家、电商企业8家。 | …", never)
    assert not mentions(EACH + "2", "园区共有企业20家。 | …", never)


def test_an_entry_mentions_a_figure_in_the_unit_asked_or_a_title():
    def nowhere(word: str, sound: str) -> bool:
        return False

    stated = "总投资23.8亿元，《抚远市“办事不求人”工作实施方案》，4月7日"
    assert mentions(COUNT_OF + "元", stated, nowhere)
    assert mentions(COUNT_OF + "%", "累计减少材料300项，减少比例40%。", nowhere)
    assert mentions(COUNT_OF + "日", stated, nowhere)
    assert mentions(TITLE, stated, nowhere)
    assert not mentions(COUNT_OF + "星", "星级酒店", nowhere)  # a star rating needs a figure
    assert mentions("厂家", "", lambda word, sound: word == "厂家")


def test_an_amount_reached_so_far_is_not_stated_by_a_plan():
    assert things("现在已经完成了多少")[0] == DONE
    assert things("去年实际利用资金是多少")[0] == DONE
    assert DONE not in things("年内计划完成投资多少")
    never = lambda word, sound: False  # noqa: E731
    # A figure in a sentence that states a plan or a target is not what was reached...
    assert not mentions(DONE, "2022年抚远力争实现利用资金达22亿元。 | 力争达22亿元", never)
    assert not mentions(DONE, "共36项，年内计划完成投资12.8亿元。 | …", never)
    # ...a figure stated as done is, and 模拟审批 is no plan (拟).
    assert mentions(DONE, "市重点项目10项，均已开复工，完成投资0.41亿元。 | …", never)
    assert mentions(DONE, "推广“模拟审批”，为2个项目办理了施工许可证。 | …", never)


def test_a_figure_per_year_must_be_given_as_one():
    assert PER_YEAR in things("冷库一年能周转多少吨")
    assert PER_YEAR in things("园区每年招几次商")
    assert PER_YEAR in things("大豆厂年产值多少")
    assert PER_YEAR in things("豆粕厂年加工能力")  # keywords, no question word
    assert PER_YEAR not in things("年内计划完成投资多少")  # this year's plan
    assert PER_YEAR not in things("今年产业园有几家企业")
    never = lambda word, sound: False  # noqa: E731
    # A figure in the unit asked for something else (storage, not output) does not give it...
    assert not mentions(PER_YEAR, "设计仓容100万吨，占地46公顷。 | …", never)
    # ...a year's plan or target does (一年的招商目标是多少 asks just that).
    assert mentions(PER_YEAR, "力争全年实际利用资金22亿元。 | …", never)
    assert mentions(PER_YEAR, "年内计划完成投资1亿元。 | …", never)
    assert mentions(PER_YEAR, "建成后年加工大豆30万吨。 | …", never)
    assert mentions(PER_YEAR, "每年组织两次推介会。 | …", never)


def test_a_figure_per_year_is_looked_for_in_every_clause_that_asks(engine):
    # 一年能加工多少吨大豆、出多少吨豆油: the asking clause is the last; the year is in the one before.
    cut = lambda part: WORDS(part, search=False)  # noqa: E731
    asks = "它建成以后一年能加工多少吨大豆 出多少吨豆油"
    assert PER_YEAR in asked_for("出多少吨豆油", cut, lambda word: word, asks)
    question = "上瑞大豆项目设计仓容100万吨，那它建成以后一年能加工多少吨大豆、出多少吨豆油？"
    assert engine.answer(question).status != "answered"


def test_a_year_asked_about_must_be_named_by_the_entry():
    assert things("一次办的事项去年有多少项")[:2] == (DONE, YEAR + "去年")
    assert YEAR + "明年" in things("明年还开工吗")
    assert YEAR + "2021年" in things("2021年保留了多少项")
    # Looked for in every clause that asks, when the caller gives them.
    found = asked_for(
        "大概有几个", lambda p: WORDS(p, search=False), str, "明年还开工吗 大概有几个"
    )
    assert found == (YEAR + "明年",)
    never = lambda word, sound: False  # noqa: E731
    assert mentions(YEAR + "2022年", "2022年抚远力争实现… | …", never)
    assert not mentions(YEAR + "去年", "2022年抚远力争实现… | …", never)


def test_a_telephone_number_asked_is_no_date():
    assert things("园区招商热线是几号") == ()
    assert things("招商会是几号") == (COUNT_OF + "日",)
    # 多少号 as 几号: after a telephone it asks which number; else a day.
    assert things("园区招商电话是多少号") == ()
    assert things("招商会是多少号") == (COUNT_OF + "日",)


def test_each_of_a_set_of_n_needs_an_answer_naming_n_things():
    assert things("保留的中介服务是哪6项") == (EACH + "6",)
    assert things("四方责任是哪四方") == (EACH + "4",)
    assert things("那10项分别是什么") == (EACH + "10",)
    # ...or a figure for each of them; not for parts the question names.
    assert things("这5个园区分别招了多少企业")[:1] == (EACH + "5",)
    assert EACH + "2" not in "".join(things("省级和市级2个名单里各有几个"))
    never = lambda word, sound: False  # noqa: E731
    # Fewer things named (the count alone, or three other figures) is not which they are...
    assert not mentions(EACH + "6", "保留中介服务事项18项，取消6项。 | …", never)
    assert not mentions(
        EACH + "4", "权力事项2887项、公共服务事项199项、政务服务事项845项 | …", never
    )
    # ...four named (、 and 及) are, and so are all of them summed up with 等N.
    assert mentions(EACH + "4", "新建大豆油、蛋白加工厂、研发中心及仓储设施 | …", never)
    assert mentions(EACH + "11", "A项目、B项目、C项目等11个重点项目集中开工 | …", never)


def test_an_amount_invested_and_the_event_whose_time_is_asked_are_asked_for():
    # An amount invested is a figure in 元, not the count of projects an entry gives.
    assert things("营房项目总投资多少") == (
        TOTAL + "营房 项目",
        LISTED + "营房 项目 投资",  # (of one member of a list an entry states: test_listed.py)
        COUNT_OF + "元",
    )
    assert things("项目投资额") == (COUNT_OF + "元",)
    assert things("冷库项目投多少")[-1:] == (COUNT_OF + "元",)  # 投 alone, as 投了多少
    assert things("冷库项目投多少") == (LISTED + "冷库 项目", COUNT_OF + "元")
    assert things("冷库项目 投资") == (COUNT_OF + "元",)  # keywords ending on it
    # The time of what: an entry that dates the start does not say when the work ends.
    assert things("营房项目什么时候完工") == ("完工",)
    assert things("什么时候能开业") == ("开业",)
    # ...and so for a year, a month or a day asked (哪年哪月完工, 几月份投产), by a word of two or more.
    assert things("营房项目哪年哪月完工") == ("完工",)
    assert things("冷库几月份能投产")[:1] == ("投产",)
    assert "开" not in things("冷库是哪天开的工")  # one character says too little of the event


def test_a_figure_from_before_must_be_given_as_one():
    assert EARLIER in things("园区企业原来有多少家")
    assert EARLIER in things("清理前一共有多少项")
    assert EARLIER in things("减少的300项是从多少项减下来的")
    assert EARLIER not in things("材料比以前少了多少")  # the reduction, which an answer states
    assert EARLIER not in things("招商领导小组由多少人组成")  # what it is made of
    assert EARLIER not in things("从多少号开始受理")  # when it starts
    assert EARLIER not in things("以前来过几次都没办成")  # how often the sender came
    # A few words may come between (原来的…有多少, 本来要交多少, 以前保留了多少, 一开始有多少)...
    for text in (
        "园区原来的企业有多少家",
        "本来要交多少份材料",
        "改革以前保留了多少项",
        "一开始有几家",
    ):
        assert EARLIER in things(text), text
    # ...but not a sender's plan (本来想问有几家), a count of trips (以前要跑好几趟), nor the
    # reduction (比原来少了多少).
    for text in ("本来想问园区有几家", "以前办事要跑好几趟", "材料比原来少了多少"):
        assert EARLIER not in things(text), text
    assert EARLIER in asked_for(
        "比例呢", lambda p: WORDS(p, search=False), str, "以前有几个 比例呢"
    )
    never = lambda word, sound: False  # noqa: E731
    # What is now (保留120项) is not what there was; a figure stated from before is.
    assert not mentions(EARLIER, "园区保留审批事项120项。 | …", never)
    assert mentions(EARLIER, "审批事项由150项减至120项。 | …", never)
    assert not mentions(EARLIER, "从2月起，园区保留审批事项120项。 | …", never)  # a date


def test_a_part_of_a_total_must_be_broken_down():
    # The total, then the words naming the part (none where it follows 几: 有几个是市级的).
    assert things("这120项里能网上办的有几项")[:1] == (PART + "120项 网上",)
    assert things("30个项目中有几个是市级的")[:1] == (PART + "30个",)
    assert PART + "18项" not in things("18项中介服务保留了多少")  # 中介: no part
    assert not [t for t in things("3个工作日里能办结几项") if t.startswith(PART)]  # a span
    never = lambda word, sound: False  # noqa: E731
    # The total alone, or a breakdown of another total, does not say how many of it are which...
    assert not mentions(PART + "120项", "园区保留审批事项120项。 | …", never)
    assert not mentions(PART + "120项", "审批事项120项、服务事项300项；其中网上办200项 | …", never)
    # ...a breakdown after it does (其中…, or 30个项目中，…), in the answer or the quote.
    assert mentions(PART + "300项", "审批事项120项、服务事项300项；其中网上办200项 | …", never)
    assert mentions(PART + "30个", "开工的30个项目中，市级项目3个。 | …", never)
    assert mentions(PART + "30个", "30个项目总投资9亿元。其中市级3个。 | …", never)
    assert not mentions(PART + "30个", "30个项目总投资9亿元。 | 其中…", never)  # not across
    # ...by the part asked, when the question names one: 120项里企业办的有几项 is not answered by
    # a breakdown by how things are done.
    by_way = "保留事项120项，其中网上办80项、就近办30项。 | …"
    assert mentions(PART + "120项 网上", by_way, never)
    assert not mentions(PART + "120项 企业", by_way, never)


def test_a_part_of_a_total_stated_before_the_asking_clause_must_be_broken_down_by_it():
    # 其中 opens the clause asking: the total is in what the reading sets aside (报道说…120项).
    assert things("其中企业办的有几项")[:1] == (PART + OF_TOLD + " 企业",)
    never = lambda word, sound: False  # noqa: E731
    by_way = "保留事项120项，其中网上办80项、就近办30项。 | …"
    assert mentions(PART + OF_TOLD + " 网上", by_way, never)
    assert not mentions(PART + OF_TOLD + " 企业", by_way, never)
    assert not mentions(PART + OF_TOLD + " 企业", "材料累计减少300项。 | …", never)  # none


def test_a_part_of_the_year_asked_a_figure_of_must_be_named():
    assert "上半年" in things("园区年内计划投资3亿 上半年完成多少")
    assert "二季度" in things("二季度到位了多少资金")
    assert "5月底" in things("截至5月底完成了多少")
    assert "一季度" not in things("一季度开门红是怎么部署的")  # no figure asked
    never = lambda word, sound: False  # noqa: E731
    assert not mentions("上半年", "园区年内计划完成投资3亿元。 | …", never)


def test_an_area_must_be_given_in_a_unit_of_area():
    assert AREA in things("冷库占地多少")
    assert AREA in things("园区面积多大")
    assert AREA not in things("园区规模多大")  # a scale, which a count or an amount gives
    never = lambda word, sound: False  # noqa: E731
    assert not mentions(AREA, "5个项目总投资3亿元。 | …", never)
    assert mentions(AREA, "预计投资约2亿元，占地30公顷。 | …", never)


def test_the_senders_own_company_on_a_list_is_asked_for():
    assert OURS in things("园区帮扶名单上有没有我们公司")
    assert OURS in things("帮扶名单上有我们企业吗")
    assert OURS in things("我们厂在重点企业名单里吗")
    assert OURS in things("我们单位有没有被列进去")
    assert OURS not in things("目录里有没有我们冷库这类的")  # a kind of business, not the company
    assert OURS not in things("我们企业要不要进这个目录")  # whether to join
    assert OURS not in things("园区有帮扶企业的名单吗")
    never = lambda word, sound: False  # noqa: E731
    # A report names no company that asks: only an answer saying the list is not given tells.
    assert not mentions(OURS, "园区制定了帮扶企业名单，落实专人联系。 | …", never)
    assert mentions(OURS, "名单已在网站公布（报道本身没有列出是哪些企业）。 | …", never)


def test_which_person_asks_for_a_post_held():
    assert POST in things("来园区考察的是哪位领导")
    assert POST in things("来调研的人是谁")
    assert POST in things("联系我们的干部是谁")
    assert POST not in things("园区招商是谁牵头")  # a body in charge answers it
    assert POST not in things("专人是哪个单位派的")  # a body, not a person
    never = lambda word, sound: False  # noqa: E731
    assert not mentions(POST, "某能源公司将于近期到园区调研。 | …", never)  # a company
    assert not mentions(POST, "园区落实领导干部联系企业制度。 | …", never)  # a practice
    assert mentions(POST, "园区主要领导率队赴南方考察。 | …", never)
    assert mentions(POST, "由书记、区长任组长。 | …", never)


def test_how_many_cases_were_handled_wants_them_counted():
    assert HANDLED in things("园区热线去年受理了多少件投诉")
    assert HANDLED in things("咨询电话开通以后接了多少个电话")
    assert HANDLED in things("零跑腿服务办件量")
    assert HANDLED not in things("零跑腿服务有多少项")  # what is offered, which a report counts
    never = lambda word, sound: False  # noqa: E731
    assert not mentions(HANDLED, "园区开通了咨询热线，零跑腿事项120项。 | …", never)
    assert mentions(HANDLED, "热线全年受理投诉320件。 | …", never)


def test_a_short_yes_no_says_of_its_topic_in_words_no_entry_uses():
    # (word, sound, weight): weighed at UNKNOWN_VERB or more, a word no entry uses.
    heaviest = (
        ("园区", " yuan qu ", 0.6),
        ("停车场", " ting che chang ", 1.0),
        ("收", " shou ", 0.5),
    )
    assert unsettled(heaviest) == (PREDICATE + "停车场",)
    assert unsettled((("代收", " dai shou ", 0.8),)) == (PREDICATE + "代收",)  # an unknown verb
    assert unsettled((("园区", " yuan qu ", 0.6),)) == ()  # a word of another entry


def test_a_yes_no_is_settled_by_its_word_or_each_of_its_characters():
    def covers(word: str, sound: str) -> bool:
        return word in "园区新建消毒系统，今年完成升级；建设冷库、仓库。"

    assert mentions(PREDICATE + "消毒系统", "", covers)
    assert mentions(PREDICATE + "系统升级", "", covers)  # 系统…升级: said, apart
    assert mentions(PREDICATE + "冷仓", "", covers)
    assert not mentions(PREDICATE + "停车场", "", covers)
    assert not mentions(PREDICATE + "升降机", "", covers)  # 升 alone does not say it


def test_a_total_is_asked_of_what_its_clause_names():
    assert TOTAL + "湿地 公园 项目" in things("湿地公园项目总投资多少")
    assert TOTAL + "项目 8" in things("那8个项目一共投资多少")
    assert TOTAL + "项目 " + ONE in things("这个项目总投资是多少")
    assert TOTAL + ONE in things("园区说它完成了一半 它总投资是多少")
    assert not any(t.startswith(TOTAL) for t in things("湿地公园项目完成投资多少"))  # done so far


def test_a_total_is_stated_of_what_is_named_not_of_a_whole_naming_it_as_a_part():
    never = lambda word, sound: False  # noqa: E731
    whole = "8个项目总投资9亿元。其中湿地公园项目1项。 | 8个项目,总投资9亿元。其中:湿地公园项目1项"
    assert mentions(TOTAL + "项目 8", whole, never)
    assert mentions(TOTAL + "开工 项目", whole, never)  # named before 其中: the whole's
    assert not mentions(TOTAL + "湿地 公园 项目", whole, never)  # only a part of the whole
    assert not mentions(TOTAL + "项目 " + ONE, whole, never)  # one project, a total of 8
    assert not mentions(TOTAL + "湿地 公园", "湿地公园项目已完成投资0.5亿元。 | …", never)
    assert mentions(TOTAL + "项目 " + ONE, "湿地公园项目预计投资约6亿元。 | …", never)


def test_a_day_asked_by_a_message_stating_days_wants_another():
    never = lambda word, sound: False  # noqa: E731
    assert days_told("报道说5月3日至8日去了三个城市 在第二个是哪天") == (DAYS + "3 8",)
    assert days_told("园区哪天开工") == ()  # no day stated: the time focus checks it
    assert days_told("5月3日开工的有哪些项目") == ()  # no day asked
    trip = "5月3日至8日赴南方三市考察。（据2022年6月1日报道） | 5月3日至8日赴南方三市考察"
    assert not mentions(DAYS + "3 8", trip, never)  # only the days the message states
    assert mentions(DAYS + "3 8", "5月3日出发，5日到第二个城市。 | …", never)


def test_an_office_asked_where_it_is_or_how_to_reach_it_is_asked_for():
    def named(text: str) -> tuple[str, ...]:
        return offices(text, lambda part: WORDS(part, search=False), lambda word: word)

    # Named in a piece of its own, before the clause that asks (the staccato of a learner).
    assert named("园区 税务局 地址在哪") == ("税务局",)
    assert named("公证处在哪 几点上班") == ("公证处",)
    assert named("我们公司的地址在哪") == ()  # a company, not an office
    assert named("园区大门在哪") == ()  # a place, not an office
    never = lambda word, sound: False  # noqa: E731
    assert not mentions("税务局", "政务服务中心的地址报道没有写，请拨打 12345。 | …", never)


def test_who_may_use_a_measure_wants_an_answer_saying_whom_it_is_for():
    for question in (
        "是不是只有外贸企业才能申请协调员",
        "什么样的企业才能进帮扶名单",
        "哪些企业能走快速通道",
        "快速通道哪些企业有资格走",
        "协调员只对接大企业吗",
    ):
        assert ELIGIBLE in things(question), question
    assert ELIGIBLE not in things("快速通道怎么走")  # how, not who may
    assert ELIGIBLE not in things(
        "园区只有一个省重点项目吗"
    )  # only one: a count, no one qualifying
    never = lambda word, sound: False  # noqa: E731
    assert not mentions(ELIGIBLE, "园区开设快速通道，实行网上办、加急办。 | …", never)
    assert mentions(ELIGIBLE, "快速通道面向园区内中小企业。 | …", never)


def test_a_place_asked_in_must_be_named_as_a_place_not_as_where_an_organization_is_from():
    assert IN_PLACE + "浙江" in things("宏达集团在浙江还有哪些工厂")
    assert IN_PLACE + "浙江" in things("宏达集团在浙江的总部多大")
    assert not [
        t for t in things("宏达集团在开发区建什么") if t.startswith(IN_PLACE)
    ]  # no place name
    never = lambda word, sound: False  # noqa: E731
    entry = "浙江宏达集团计划在园区建设冷库。（据2022年5月1日报道） | 浙江宏达集团在园区建冷库"
    assert not mentions(IN_PLACE + "浙江", entry, never)  # only where the company is from
    assert mentions(IN_PLACE + "浙江", "园区赴浙江、江苏招商，与宏达集团洽谈。 | …", never)
    # A place the entry never names is the sender's own (我在韩国，能远程公证吗): no sign either way.
    assert mentions(IN_PLACE + "韩国", entry, never)


def test_a_scope_is_stated_where_it_and_what_it_scopes_are_words_of_their_own():
    assert scopes("县重点工程开工了吗") == (("县", "重点"),)
    assert scopes("区级重点工程和区里的重点工程") == (("区", "重点"),)
    assert scopes("省里的重点工程有哪些") == (("省", "重点"),)
    # 市中心, 城市 and 县城 are words of their own; 省里是怎么 scopes nothing...
    assert scopes("市中心的城市重点工程在县城吗") == ()
    assert scopes("省里是怎么规定的") == ()
    assert scopes("抚远市今年重点工程有几个") == ()
    # ...and 除了县重点 sets the county's aside.
    assert scopes("除了县重点，区重点工程有几个") == (("区", "重点"),)


def test_a_scope_is_contradicted_by_a_sibling_not_by_silence():
    said = (("县", "重点"),)
    assert contradicted(said, "区重点工程8项已全部开工") == ("县重点",)
    assert contradicted(said, "县级重点工程2项区重点工程8项") == ()
    assert contradicted(said, "工程8项已全部开工") == ()  # says no scope: only a missing word


def test_a_month_is_a_scope_its_siblings_are_the_other_months():
    assert scopes("去年九月份那次展会，6月还办吗") == (("9", "月"), ("6", "月"))
    assert scopes("十二月的培训") == (("12", "月"),)
    assert scopes("培训要3个月") == ()  # a span of months names no month
    said = scopes("今年7月的展会去了哪些国家")
    assert contradicted(said, "8月12日至15日赴俄罗斯参展") == ("7月",)
    assert contradicted(said, "7月3日、8月12日两次参展") == ()
    # Every entry says when it was reported: that day's month is not what it gives.
    assert contradicted(said, "参展企业20家。据2022年8月1日报道") == ()
    # An entry's months are kept once read (`_stated_months`): another month asked, checked anew.
    assert contradicted(scopes("8月的展会去了哪些国家"), "8月12日至15日赴俄罗斯参展") == ()
    assert contradicted(said, "8月12日至15日赴俄罗斯参展") == ("7月",)


def test_a_figure_wanted_is_found_where_the_look_behinds_first_found_it():
    # Each alternative led by its plain character (a speed change): the same matches.
    found = {
        text: (m.span(), m[0]) if (m := _FIGURE_WANTED.search(text)) else None
        for text in (
            "研发中心投资多少",
            "冷链物流园区多大，",
            "办了几个",
            "电话多少",
            "号码是多少",
            "电话是多少",
            "哪几",
            "这几个",
            "有几项啊",
            "座机号多少",
            "面积多少平方米",
        )
    }
    assert found == {
        "研发中心投资多少": ((6, 8), "多少"),
        "冷链物流园区多大，": ((6, 8), "多大"),
        "办了几个": ((2, 4), "几个"),
        "电话多少": None,
        "号码是多少": ((3, 5), "多少"),
        "电话是多少": None,
        "哪几": None,
        "这几个": None,
        "有几项啊": ((1, 4), "几项啊"),
        "座机号多少": None,
        "面积多少平方米": ((2, 7), "多少平方米"),
    }


def test_how_to_take_part_asks_for_the_act_which_the_entry_must_name():
    # 怎么申请, 如何加入, 怎样才能申报: how the sender takes part; an entry on how a mechanism works
    # (领导包抓、责任到人) or what a team does says nothing of applying to it or joining it.
    assert "申请" in things("园区包联项目怎么申请")
    assert "加入" in things("怎么加入园区招商队")
    assert "申报" in things("怎样才能申报冷库补贴")
    assert "报名" in things("园区招商会如何报名")
    # ...not how the city does a thing: 怎么理解, 怎么安排, 怎么处理 (the entry's measures answer it).
    for question in ("园区招商的组织保障是怎么安排的", "滚动发展怎么理解", "违规的怎么处理"):
        assert not {"安排", "理解", "处理"} & set(things(question)), question
    for entry, named in (
        ("园区实行领导包抓、责任到人。", False),
        ("企业可向管委会申请修复。", True),
    ):
        covers = lambda word, sound, entry=entry: word in entry  # noqa: E731
        assert mentions("申请", entry, covers) is named


def test_a_kind_asked_whether_it_is_covered_is_a_thing_the_entry_must_name():
    def weighing(*words: str) -> tuple[tuple[str, str, float], ...]:
        return tuple((word, "", 0.6) for word in words)

    # The kind right before the verb of belonging, or after 抽到: the entry must name it.
    assert kinds("托儿所也算复工企业吗", weighing("托儿所", "复工")) == ("托儿所",)
    assert kinds("兽药许可证算不算高频事项", weighing("兽药", "许可证", "高频")) == ("兽药许可证",)
    assert kinds("会抽到小卖部吗", weighing("小卖部")) == ("小卖部",)
    # ...its pieces side by side as one (the segmenter leaves an unknown kind in pieces).
    assert kinds("小微企业能不能进联系名单", weighing("小", "微", "联系", "名单")) == ("小微",)
    # The sender's own, in words that weigh nothing, and a kind in another clause name none.
    assert kinds("我们企业能不能走绿色通道", weighing("绿色通道")) == ()
    assert kinds("有人欺行霸市 算不算损害环境", weighing("欺行霸市", "损害")) == ()
    assert kinds("园区有几个项目", weighing("项目")) == ()  # no verb of belonging


def test_a_figure_asked_of_another_place_is_a_thing_the_entry_must_name(engine):
    cut = engine.wording.content

    def weighing(*words: str) -> tuple[tuple[str, str, float], ...]:
        return tuple((word, "", 1.0) for word in words)

    # The place a clause asking 多少 / 几 opens with, before what it did; or another county.
    assert elsewhere("佳木斯保留了多少行政权力事项", weighing("佳木斯", "行政"), cut) == ("佳木斯",)
    assert elsewhere("抚远利用省外资金22亿 黑河是多少", weighing("黑河", "资金"), cut) == ("黑河",)
    assert elsewhere("别的县一般取消多少项", weighing("取消"), cut) == ("别的县",)
    # Not a place tagged so that is a modal's adverb or names a kind (立马能办, 外国资金).
    assert elsewhere("立马能办的事项有几个", weighing("立马"), cut) == ()
    assert elsewhere("外国资金多少", weighing("外国", "资金"), cut) == ()
    assert elsewhere("佳木斯离抚远远吗", weighing("佳木斯"), cut) == ()  # no figure asked
    for question in ("佳木斯保留了多少行政权力事项", "抚远利用省外资金22亿，黑河是多少"):
        assert engine.answer(question).status != "answered", question
    assert engine.answer("抚远保留了多少行政权力事项").entry_id == "fgf-quanli-shixiang"


def test_a_count_of_one_kind_of_a_set_is_a_thing_the_entry_must_name(engine):
    def weighing(*words: str) -> tuple[tuple[str, str, float], ...]:
        return tuple((word, "", 1.0) for word in words)

    # The word right before 类, when 几 / 多少 follows: no answer breaks a set down by kind.
    assert kinds_counted("公共服务事项里社保类几项", weighing("公共服务", "社保")) == ("社保",)
    assert kinds_counted("权力事项里处罚类的有多少项", weighing("权力", "处罚")) == ("处罚",)
    assert kinds_counted("公共服务类事项是多少项", weighing("公共服务")) == ("公共服务",)
    assert kinds_counted("分几类", weighing()) == ()  # how many kinds: EACH asks it
    assert engine.answer("公共服务事项里社保类几项").status != "answered"
    assert engine.answer("抚远保留的公共服务类事项是多少项").entry_id == "fgf-gonggong-fuwu"


def test_a_name_asked_of_a_thing_is_a_name_the_entry_gives(engine):
    def weighing(*words: str) -> list[tuple[str, float, str]]:
        return [(word, 1.0, "") for word in words]

    # The words that weigh side by side right before 叫什么 / 名字 / 全称… (大 数据 平台: in pieces).
    asks = "招商用的大数据平台叫什么"
    assert beyond.named(asks, weighing("招商", "大", "数据", "平台")) == (NAMED + "大数据平台",)
    assert beyond.named("那个方案的全称", weighing("方案")) == (NAMED + "方案",)
    assert beyond.named("大数据平台是哪个平台", weighing("大", "数据", "平台")) == ()  # no name
    never = lambda word, sound: False  # noqa: E731
    # Only as what was done with it (运用大数据平台), or after a count: no name given.
    assert not mentions(NAMED + "大数据平台", "运用大数据平台开展招商。 | …", never)
    assert not mentions(NAMED + "项目", "推动项目早日落地。 | …", never)
    # In quotes or a title, after the names it sums up or a noun, or before its name: given.
    assert mentions(NAMED + "方案", "制定了《园区“一窗受理”工作方案》。 | …", never)
    assert mentions(NAMED + "发展构想", "立足“一区两岛”发展构想。 | …", never)
    assert mentions(NAMED + "改革举措", "推出“一窗受理”、“容缺办理”等一系列改革举措。 | …", never)
    assert mentions(NAMED + "项目", "为东区水厂项目办理了施工许可证。 | …", never)
    assert mentions(NAMED + "省重点项目", "其中省重点项目为东区水厂项目。 | …", never)
    # An entry that never says the thing is not judged so.
    assert mentions(NAMED + "公证员", "公证处办理了远程视频公证。 | …", never)
    assert engine.answer("招商用的大数据平台叫什么").status != "answered"
    assert engine.answer("办事不求人的方案叫什么名字").entry_id == "banshi-fangan"
    assert engine.answer("抚远发展构想叫啥").entry_id == "quyu-fazhan-gouxiang"
