"""A figure or a list asked of one member of a list an entry states (bot/engine/listed.py): the
entry's figures are the whole's, and its list the member's siblings, not what the member holds."""

from __future__ import annotations

from bot.engine.asked import asked_for
from bot.engine.beyond import excepted, held
from bot.engine.listed import names_other, of_member
from bot.engine.mentioned import EXCEPT, HELD, LISTED, WITH, mentions
from bot.text.words import Words

WORDS = Words()
# An invented entry: its answer, then its source quote, as `mentions` reads them.
PARK = (
    "某公司计划建设湿地公园项目，预计投资约3亿元，占地20公顷，主要新建游客中心、观鸟台及"
    "科普展馆，设计停车位500个。 | 湿地公园项目预计投资约3亿元,占地20公顷"
)


def listed(text: str) -> tuple[str, ...]:
    found = asked_for(text, lambda part: WORDS(part, search=False), lambda word: word)
    return tuple(thing for thing in found if thing.startswith(LISTED))


def never(word: str, sound: str) -> bool:
    return False


def test_a_figure_at_the_end_of_a_clause_is_asked_of_what_the_clause_names():
    assert listed("观鸟台的投资多少") == (LISTED + "观鸟 投资",)  # (台: a lone character)
    assert listed("报道说占地20公顷，其中科普展馆占地多大") == (LISTED + "科普 展馆 占地",)
    # Of a thing named after the figure (用模拟审批办了几个项目: of 项目), which, these, a time, a
    # number to call: no figure of what comes before.
    assert listed("用快速审批办了几个项目") == ()
    assert listed("是哪几个城市") == ()
    assert listed("这几类项目分别怎么抓") == ()
    assert listed("游客中心几点开门") == ()
    assert listed("游客中心电话多少") == ()


def test_a_member_without_a_figure_of_its_own_is_not_given_one():
    assert of_member(["观鸟台", "投资"], PARK)
    assert of_member(["科普", "展馆", "占地"], PARK)
    assert not mentions(LISTED + "观鸟台 投资", PARK, never)
    # The whole is asked: its figures are stated.
    assert not of_member(["湿地公园", "项目", "投资"], PARK)
    # What a member is, not which (中心 of 游客中心): 公园的中心建多大 may ask of the whole.
    assert not of_member(["中心", "占地"], PARK)
    # Two members named: the list's total is asked.
    assert not of_member(["游客", "观鸟台", "投资"], PARK)
    # A figure named by a word of the member's (停车位500个 of 停车场) may be its own.
    parking = "主要新建游客中心及停车场，设计停车位500个。 | …"
    assert not of_member(["停车场", "多大"], parking)


def test_a_members_own_figure_and_the_lists_count_are_read_as_such():
    # Each member with its figure (其中“马上办”233项、“网上办”683项): each is stated.
    split = "保留事项845项，其中“现场办”233项、“网上办”683项。 | …"
    assert not of_member(["现场办"], split)
    # The list's count after 等 is the whole's: a member before it has none of its own.
    started = "东区水厂项目、南区学校项目等8个项目集中开工。 | …"
    assert of_member(["水厂", "投资"], started)


# An invented entry listing reforms by name.
REFORMS = "园区推出了“一窗受理”、“容缺办理”、“帮办代办”等改革举措。 | 推出“一窗受理”、“容缺办理”"


def test_a_list_asked_of_one_named_member_is_not_its_siblings():
    asked = held("容缺办理都有哪几项", "容缺办理都有哪几项")
    assert asked == (HELD + "容缺办理都有" + WITH + "容缺办理都有哪几项",)
    assert not mentions(asked[0], REFORMS, never)  # the siblings, not what 容缺办理 holds
    # The siblings asked (还有哪些) or a second member named, in any clause: the list answers.
    assert held("除了容缺办理还有哪些", "除了容缺办理还有哪些") == ()
    both = held("帮办代办这些举措都有哪些", "园区推出的一窗受理 帮办代办这些举措都有哪些")
    assert mentions(both[0], REFORMS, never)
    # A list asked of the whole (改革举措有哪些), or of names no list in quotes holds.
    assert mentions(held("改革举措有哪些", "改革举措有哪些")[0], REFORMS, never)
    assert mentions(held("湿地公园有哪些", "湿地公园有哪些")[0], PARK, never)
    assert held("容缺办理是什么", "容缺办理是什么") == ()  # no list asked


# An invented entry naming the two projects given a permit, among the ways used.
PERMITS = "通过推广“模拟审批”、“容缺受理”等机制，为东区水厂项目和南区学校项目2个项目办理了施工许可证。 | …"


def test_what_a_message_sets_aside_asking_for_more_must_not_be_all_the_entry_lists():
    asked = excepted("除了东区水厂和南区学校 还有哪些项目在办施工许可证")
    assert asked == (EXCEPT + "东区水厂 南区学校",)
    assert not names_other(["东区水厂", "南区学校"], PERMITS)
    assert not mentions(asked[0], PERMITS, never)
    # Named with a pointer or a count after them (这两个项目): cut there.
    assert excepted("除了东区水厂和南区学校这两个项目 还有哪些") == (EXCEPT + "东区水厂 南区学校",)
    # One set aside that the entry lists among others: it names the others.
    assert mentions(excepted("除了东区水厂还有哪些项目")[0], PERMITS, never)
    assert mentions(excepted("除了模拟审批还有什么机制")[0], PERMITS, never)
    # An entry with no list naming them is not judged here.
    assert names_other(["北区医院"], PERMITS)
    # Nothing named (除了那四个), or nothing more asked for.
    assert excepted("除了那四个 其他七个是啥") == ()
    assert excepted("除了周末都开门吗") == ()


def test_an_entry_listing_only_what_the_message_sets_aside_does_not_answer_it(engine):
    for question in (
        "除了热电联产和天然气管网，还有哪些项目正在办施工许可证？",
        "除了生物质热电联产和天然气管网这两个项目，抚远现在还有哪些项目正在办施工许可证？",
    ):
        assert engine.answer(question).status != "answered", question
    assert (
        engine.answer("除了天然气管网，还有哪个项目办了施工许可证").entry_id
        == "shenpi-shigong-xuke"
    )
    assert engine.answer("新壹城除了贸易中心还建什么项目").entry_id == "zs-xinyicheng"
