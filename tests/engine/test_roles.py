"""Who builds, designs or funds a project (bot.engine.roles): a role the report never assigns."""

from __future__ import annotations

from bot.engine.decision import ANSWERED
from bot.engine.roles import roles


def test_a_role_asked_of_a_project_is_a_thing_the_entry_must_name():
    # Who designs, builds or supervises it: the company that invests (河南新壹城集团计划…) is not
    # the design or construction unit, and no answer names one.
    assert roles("贸易中心的设计单位是哪家") == ("设计单位",)
    assert roles("集中开工的11个项目都是哪些单位在施工") == ("施工单位",)
    assert roles("设计单位定了没有") == ("设计单位",)
    assert roles("冷链物流园区的承建方是谁") == ("承建单位",)
    # Who funds it: a kind of investor (政府, 民营, 社会资本) the answer must say.
    assert roles("11个项目是不是都是政府投资") == ("政府投资",)
    assert roles("这11个项目里有没有民营企业投资的") == ("民营投资",)
    # Where the money comes from, asked as a figure (企业自己出多少、银行贷多少).
    assert roles("这6亿里企业自己出多少 银行贷多少") == ("自筹", "贷款")
    assert roles("我们想贷款 信用修复能办吗") == ()
    # 自己 only before paying: the city's own count, what a firm receives, are no source.
    assert roles("上瑞自己掏多少钱") == ("自筹",)
    assert roles("抚远自己保留了多少项行政权力事项") == ()
    assert roles("企业自己能拿到多少补贴") == ()
    # The sender's own trade, and a role named but not asked, are not asked for.
    assert roles("施工单位 项目遇到困难能不能上例会协调") == ()
    assert roles("我们施工队想早点进场") == ()
    assert roles("中俄国际贸易中心是谁建的") == ()  # the company that builds it: 新壹城集团


def test_an_entry_naming_the_investor_does_not_say_who_designs_or_funds(engine):
    for question in (
        "中俄国际贸易中心设计单位是哪家",
        "11个项目是不是都是政府投资",
        "上瑞大豆项目预计投资约6亿元，这6亿里企业自己出多少、银行贷多少",
    ):
        data = engine.answer(question).to_dict()
        assert data["status"] != ANSWERED, question
        assert data["check"]["asked_for_unstated"], question
    assert engine.answer("中俄国际贸易中心是谁建的").entry_id == "zs-xinyicheng"
    assert engine.answer("抚远自己保留了多少项行政权力事项").entry_id == "fgf-quanli-shixiang"
