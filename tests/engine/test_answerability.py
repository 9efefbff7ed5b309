"""Whether the best entry answers what is asked: focus, uncovered words, and
the two-stage fallback built on them (confirm, "您是想问" with 都不是, near topics)."""

from __future__ import annotations

import pytest

from bot.engine._pieces import pieces
from bot.engine.answerability import (
    UNKNOWN_VERB,
    asked,
    check,
    content,
    content_weight,
)
from bot.engine.asked import QUESTION_WORDS
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Engine, Thresholds
from bot.engine.focus import (
    COMPANY,
    COMPARISON,
    CONTACT,
    COUNT,
    DEFINITION,
    FORECAST,
    LIST,
    MEMBERS,
    NAME,
    OPINION,
    PERSON,
    PLACE,
    PRICE,
    PROCEDURE,
    REASON,
    TIME,
    YES_NO,
    focus_of,
    given_by_answer,
    hotline_for,
)
from bot.engine.mentioned import SPELLED, mentions, spelled_only
from bot.knowledge.model import load
from bot.text.normalize import fold


@pytest.mark.parametrize(
    "question, focus",
    [
        ("黑瞎子岛门票多少钱", PRICE),
        ("中俄国际贸易中心什么时候开业", TIME),
        ("抚远经济开发区在哪里", PLACE),
        ("冷库在啥地方", PLACE),  # 啥 is 什么 in each focus's words
        ("冷库是啥公司建的", COMPANY),
        ("入驻要办啥手续", PROCEDURE),
        ("招商引资是谁牵头", PERSON),  # a body in charge (领导小组) answers it
        ("冷链园的老板介绍下", PERSON),
        ("老板问冷链园有多少个库", COUNT),  # the boss relays the question: not who is asked for
        ("新壹城集团的老板是谁", NAME),  # a post's holder: a person's name, not a body
        ("关企协调员姓啥", NAME),
        ("分管园区的副市长是谁", NAME),  # an office's holder: a report names no one
        ("园区管委会主任是哪位", NAME),
        ("来园区考察的客商都有谁", NAME),  # persons on a list: a report names the companies
        ("座谈会上见了哪几位企业家", NAME),
        ("招商小组组长是谁", PERSON),  # a group's role: the posts that hold it answer it
        ("复工专窗那位办事员叫什么", NAME),
        ("滨江国际花园哪家公司开发", COMPANY),
        ("天然气管网项目是哪个公司建的", COMPANY),
        ("营业执照怎么办理", PROCEDURE),
        ("马上办有哪些事项", LIST),
        ("他们会在哪些方面帮忙", LIST),  # 在哪些 is not 在哪
        ("每个环节都有专人负责吗", YES_NO),  # 都有 alone lists nothing
        ("要是还得找关系咋整", PROCEDURE),
        ("办事不求人咋整的", None),  # how it was done: no procedure to follow
        ("滚动发展的格局是怎么弄出来的", None),
        ("园区招商总体上咋弄", None),  # how the city goes about it as a whole: its measures
        ("市里怎么整", None),
        ("营业执照抚远咋弄", PROCEDURE),  # after 抚远 alone: the sender's procedure
        ("怎么办理复工的手续", PROCEDURE),  # 的 after what is asked about: still a way to do it
        ("保留的18项中介服务分别是什么", MEMBERS),  # each of a set, not one thing
        ("是哪三个项目", MEMBERS),
        ("园区取消的那5项都是什么", MEMBERS),  # each of a counted set, not what it is
        ("12个冷库都是啥", MEMBERS),
        ("冷库都是什么", DEFINITION),
        ("帮扶企业的名单上都有谁", MEMBERS),  # everyone on it, not the body in charge
        ("考察团成员都是谁", MEMBERS),
        ("这个项目总投资多少钱", COUNT),  # an amount invested, not a price
        ("那几个工程一共投了多少钱", COUNT),  # ...however it is put
        ("冷库项目投多少钱", COUNT),
        ("招商今年想拉多少钱", COUNT),  # an amount drawn in, a target
        ("园区招商目标多少钱", COUNT),
        ("冷库项目完成了多少钱的投资", COUNT),  # an amount reached
        ("冷库一天租多少钱", PRICE),
        ("考察都去了哪几个城市", LIST),  # 哪几个 asks which, not how many
        ("这些项目能列一下吗", LIST),  # a request to list is not a yes/no
        ("抚远和同江比哪个口岸大", COMPARISON),  # the report compares with nothing
        ("两个园区哪边租金便宜", COMPARISON),
        ("园区的企业里哪家纳税最多", COMPARISON),  # a superlative compares several
        ("那几个冷库最大的一个能放多少吨", COMPARISON),
        ("园区的服务是不是全省最好的", COMPARISON),
        ("冷库怎么安排第一批入驻", None),  # 安排: arranged, no rank
        ("园区招商是安排在第二季度吗", YES_NO),
        ("最多跑一次的事项有多少", COUNT),  # the reform's name, not a superlative
        ("园区哪些手续最多只跑一次", LIST),  # 最多 before what is bounded: at most, no ranking
        ("冷库哪些业务最多一次办完", LIST),
        ("哪些事项最少要跑两趟", LIST),
        ("我们最关心园区租金多少钱", PRICE),  # the sender's feelings
        ("园区今年的招商任务能完成吗", FORECAST),  # whether a plan will succeed
        ("入驻手续网上能完成吗", YES_NO),  # whether a service can be used so: no forecast
        ("冷库的业务远程能完成吗", YES_NO),
        ("冷库的投资目标年底能实现不", FORECAST),
        ("冷库年内能完成投资3.5亿元吗", FORECAST),  # a planned figure reached
        ("园区招商能达到10亿元不", FORECAST),
        ("3个工作日能完成审批吗", YES_NO),  # a time limit, not a plan's figure
        ("园区专窗以后会不会撤", FORECAST),
        ("冷库明年会扩建吗", FORECAST),
        ("入驻以后还会有人跟踪服务吗", YES_NO),  # whether what the entry says goes on
        ("冷库落地以后还能帮忙办手续吗", YES_NO),
        ("园区引进以后还管跟踪服务吗", YES_NO),
        ("疫情过去以后还会有绿色通道吗", FORECAST),  # not the sender's step
        ("下次招商会在哪开", FORECAST),
        ("你觉得园区前景怎么样", FORECAST),
        ("园区专窗现在还开着吗", FORECAST),  # whether it still is: the report is of its day
        ("这些线上服务还保留吗", FORECAST),
        ("零跑腿服务现在还有吗", FORECAST),
        ("零跑腿服务疫情后还有吗", FORECAST),
        ("防疫结束之后还有没有", FORECAST),
        ("园区以后还会搞招商会吗", FORECAST),
        ("今后还打算推出什么新服务", FORECAST),
        ("冷库专班的班长是谁", NAME),  # a post's holder, whom no report names
        ("宏达集团老总是谁", NAME),  # ...or a company's head
        ("宏达集团的创始人是谁", NAME),
        ("商会负责招商的部长是谁", NAME),
        ("来园区考察的领队是哪位", NAME),
        ("园区口岸 江北口岸 哪个通关快", COMPARISON),  # which is more so, without 更 or 最
        ("网上办和窗口办哪个快些", COMPARISON),
        ("园区跟开发区比 哪边地方大", COMPARISON),
        ("复工去哪个窗口", PLACE),  # no adjective last: which one, not which is more so
        ("冷库项目能建成吗", FORECAST),  # whether a project will be done: the report plans it
        ("园区二期能不能落地", FORECAST),
        ("这批项目是不是年底前都能完工", FORECAST),
        ("物流园建好后能不能火", FORECAST),  # ...or will do well
        ("商场开业以后生意能好做吗", FORECAST),
        ("冷库能否投产", FORECAST),
        ("冷库年内能建成多少", COUNT),  # the plan's figure: no yes/no after the word
        ("入驻手续网上能落地吗", YES_NO),  # how a service is used
        ("园区项目落地后能帮忙办手续吗", YES_NO),  # the sender's step, then a service
        ("园区清理以后还剩多少项", COUNT),  # what is left now, which the report states
        ("现在还能申请修复吗", YES_NO),  # whether it can still be done: the procedure says
        ("园区网上办好用不好用", OPINION),  # a judgement, which no report makes
        ("园区热线管不管用", OPINION),
        ("协调员有没有用", OPINION),
        ("远程公证安全吗", OPINION),
        ("安全不达标的企业能复工吗", YES_NO),  # said of it, not a judgement asked
        ("资金到位不及时怎么办", PROCEDURE),
        ("收费合理不合理", OPINION),
        ("这个做法好不好", OPINION),
        ("园区改革改得彻底吗", OPINION),
        ("园区的事项数在全省算多吗", OPINION),
        ("你觉得这个办法怎么样", OPINION),
        ("园区有没有用网上平台", YES_NO),  # whether one is used
        ("园区的冷库有必要建吗", OPINION),  # whether it is needed or done well: a judgement
        ("有没有必要搞这个专班", OPINION),
        ("这个专班的效果好吗", OPINION),
        ("园区的审批人员专业吗", OPINION),
        ("你怎么看园区的一站式服务", OPINION),  # ...or what one thinks of it
        ("怎么看待园区的减税政策", OPINION),
        ("转：大家觉得园区营商环境咋样", OPINION),
        ("园区改革的效果怎么样", DEFINITION),  # the results, which a report states
        ("入驻需要准备哪些必要的材料", PROCEDURE),  # what is required
        ("这份清单里面列的是什么，怎么看", DEFINITION),  # how to read it, no view asked
        ("园区监管严不严", None),  # how strict: the measures an entry states answer it
        ("帮我查下好不好", None),  # a request
        ("开工这天是不是园区历史上开工最多的一天", COMPARISON),
        ("冷库今年能完成多少投资", COUNT),  # the plan's figure, which a report states
        ("园区以后要建成什么样", None),  # a plan, which a report states
        ("园区以后会建成什么样", None),  # ...asked with 会: what is planned, not whether
        ("冷库将来会变成啥样", None),
        ("园区今后会怎么招商", None),  # ...or how it is to be done: the way an entry states
        ("冷库以后会如何运营", None),
        ("工信局会不会来园区走访", YES_NO),  # whether a body does what an entry says it does
        ("园区为什么选在江边", REASON),
        ("冷库的租金为啥这么高", REASON),
        ("园区要建成为什么样的园区", None),  # 成为, 列为, 称为: become, listed as what, not why
        ("冷库被列为什么项目", None),
        ("园区被称为啥", None),
        ("申请材料和原来比减了多少", COUNT),  # a reduction compares with before
        ("申请材料减少的比例是多少", COUNT),  # 比例 compares nothing
        ("黑瞎子岛 开放时间", TIME),  # opening hours, asked without a question word
        ("复工专窗 周末", TIME),  # ...or the days it is open
        ("黑瞎子岛冬天能去吗", TIME),  # ...or the season
        ("冷库哪个月完工", TIME),
        ("入驻要交几样材料", COUNT),
        ("园区有几件事能网上办", COUNT),
        ("关企协调员的手机号是多少", CONTACT),
        ("园区招商热线是几号", CONTACT),  # a number, not a day of the month
        ("园区招商会是几号", TIME),
        ("在手机上就能办的有哪些", LIST),  # the phone as a device asks for no number
        ("园区有什么入驻企业", LIST),
        ("市里对冷链园区有什么规划", None),  # what was planned or said: one statement, no list
        ("对入驻企业有啥要求吗", YES_NO),
        ("园区入驻要不要另外交服务费", PRICE),  # a fee, due or not: no answer states one
        ("冷库检测要交钱吗", PRICE),
        ("加急办要加钱吗", PRICE),
        ("协调员服务要钱不", PRICE),
        ("有人来店里要钱，该去哪里举报", PLACE),  # extortion, no fee asked
        ("冷库消毒的费用谁出", PRICE),
        ("办事费用减少了吗", YES_NO),  # the reduction of fees (四减), no fee asked
        ("减费用是什么意思", DEFINITION),
        ("减税降费有哪些政策", LIST),  # ...nor a cut in them, their rate or a subsidy for one
        ("减免费用要什么材料", PROCEDURE),
        ("物流费降了多少", COUNT),
        ("社保费率降了多少", COUNT),
        ("水电费补贴怎么申请", PROCEDURE),
        ("冷库的电费多少", PRICE),
        ("冷库检测免费吗", PRICE),  # whether it is free: a fee asked
        # An amount invested or raised, however it is put, is a count in 元, not a price.
        ("冷链园那5个项目总投资是多少钱", COUNT),
        ("园区今年的招商目标是多少钱", COUNT),
        ("园区今年招商要引多少钱", COUNT),
        ("冷库项目预计砸多少钱", COUNT),
        ("减免费用怎么申请", PROCEDURE),
        ("园区的专员怎么联系", CONTACT),  # a way to reach them: a number or an address
        ("冷库的设计单位是哪一家", COMPANY),  # 哪一家 as 哪家
        ("园区冷库的施工单位", COMPANY),  # who builds it: a company an answer names
        ("这几个冷库的承建方都是本地企业吗", COMPANY),
    ],
)
def test_focus(question, focus):
    assert focus_of(fold(question)) == focus


def test_an_answer_that_enumerates_gives_a_list_and_its_members():
    enumerating = given_by_answer("推广“模拟审批”、“容缺受理”、“联合预审”等审批服务机制。")
    assert {LIST, MEMBERS} <= enumerating
    assert not {LIST, MEMBERS} & given_by_answer("保留中介服务事项18项，取消6项。")
    # Two items with one head (X园区、Y园区) enumerate too; not two figures of one unit, two
    # verbs of one complement, nor one place said twice (来园区、返园区).
    assert {LIST, MEMBERS} <= given_by_answer("建设冷链物流园区、跨境电商园区，服务企业。")
    assert {LIST, MEMBERS} <= given_by_answer("打造绿色物流港、智慧口岸港。")
    assert not {LIST, MEMBERS} & given_by_answer("其中冷库3座、仓库10座。")
    assert not {LIST, MEMBERS} & given_by_answer("把损失补回来、把工期抢回来。")
    assert not {LIST, MEMBERS} & given_by_answer("做好来园区、返园区人员登记。")


def test_a_hotline_to_call_gives_a_contact_not_a_place_or_a_way_to_proceed():
    # The answers the report says too little for send the asker to 12345: that is a number to
    # call, not where the thing asked about is (交通卡口都在哪) or how to do it.
    deferring = (
        "盯紧盯牢全市每个交通卡口。具体出行要求请以最新通知为准，可拨打 12345 政务服务热线询问。"
    )
    assert given_by_answer(deferring) == {CONTACT}
    assert given_by_answer("复工复产专窗设在政务服务中心，可到窗口办理。") >= {PLACE, PROCEDURE}


def test_a_hotline_is_a_contact_only_for_what_its_sentence_names(engine):
    # 12345 is the number to ask what the report leaves out (怎么预约、要什么材料), not the
    # number of every office the answer mentions (公证处).
    answer = "抚远市公证处办理了视频公证。怎么预约报道没有写，可拨打 12345 政务服务热线咨询。"
    assert hotline_for(answer) == "怎么预约报道没有写，可拨打 12345 政务服务热线咨询"
    assert hotline_for("咨询电话 0454-1234567。也可拨打 12345 热线。") is None  # a number too
    assert engine.answer("视频公证怎么预约，电话多少").entry_id == "qiye-yuancheng-gongzheng"
    data = engine.answer("公证处的电话是多少").to_dict()
    assert data["status"] != ANSWERED and data["check"]["focus_mismatch"]


def test_a_persons_name_is_given_only_by_an_entry_that_asks_for_one(engine):
    # 关员 in the answer shows who is in charge (谁来对接), not what anyone is called.
    data = engine.answer("关企协调员姓啥").to_dict()
    assert data["status"] != ANSWERED and data["focus"] == NAME
    assert data["check"]["focus_mismatch"] and "person" in data["check"]["entry_gives"]
    assert engine.answer("招商引资领导小组组长是谁").entry_id == "zs-lingdao-xiaozu"


def test_a_company_is_given_by_an_answer_that_names_one(engine):
    # 河南新壹城集团 in the answer says which company builds it, and so who does (谁建的)...
    assert given_by_answer("河南新壹城集团计划在城区建设贸易中心。") == {COMPANY}
    assert engine.answer("滨江国际花园哪家公司开发").entry_id == "zs-xinyicheng"
    # ...an entry that names the project but no company does not say who builds it.
    data = engine.answer("天然气管网项目是哪个公司建的").to_dict()
    assert data["status"] != ANSWERED and data["check"]["focus_mismatch"]


def test_a_forecast_a_reason_or_a_superlative_is_given_only_by_an_entry_that_asks_one(engine):
    # The target's entry states it; whether it will be met, why it is what it is, and which of
    # several projects is largest, no report says.
    assert engine.answer("抚远今年的招商目标定了多少").status == ANSWERED
    for question, focus in [
        ("抚远今年的招商目标定了多少，能完成吗", FORECAST),
        ("抚远省外资金的目标为啥定22亿", REASON),
        ("11个项目里哪个投资最多", COMPARISON),
    ]:
        data = engine.answer(question).to_dict()
        assert data["status"] != ANSWERED and data["focus"] == focus
        assert data["check"]["focus_mismatch"]
    for question, entry_id in [
        # At most once (最多只跑一次) bounds the visits the reform's entry names; it ranks nothing.
        ("哪些事项最多只跑一次", "fgf-gaopin-shixiang"),
        # Done online (网上能完成吗) is how a service is used, which its entry says.
        ("复工复产手续网上能完成吗", "fugong-banli-fangshi"),
        # 安排第一批 is what was arranged first, no rank (排第一).
        ("项目滚动发展怎么安排第一批开工", "xiangmu-gundong"),
        # 成为什么样 asks what the place is to become, not why.
        ("黑瞎子岛要成为什么样的岛", "quyu-heixiazidao"),
        # What a place will be made (以后会建成什么样), and how work will go on (今后会怎么推进),
        # are the plans their entries state.
        ("黑瞎子岛示范区以后会建成什么样", "quyu-heixiazidao"),
        ("今后会怎么推进项目建设", "xiangmu-tuijin-jizhi"),
    ]:
        answer = engine.answer(question)
        assert (answer.status, answer.entry_id) == (ANSWERED, entry_id), question
    # An entry whose questions ask what for (国家电投来抚远调研是为了啥) gives the reason.
    answer = engine.answer("国家电投为什么来抚远调研")
    assert answer.status == ANSWERED and answer.entry_id == "zs-guodian"


def test_an_answer_that_says_what_a_measure_is_for_gives_a_reason(engine):
    # A sentence opening on its purpose (为保障…，为了方便…，) says why what follows was done...
    assert REASON in given_by_answer("可以。为方便企业办事，政务服务中心周末也开门。")
    assert REASON in given_by_answer("为了保障工期，项目实行两班倒施工。")
    # ...whom a measure serves, inside a sentence, is no purpose.
    assert REASON not in given_by_answer("清单面向社会公开，为群众办事提供指引。")
    # The entries whose answers open on one answer a why of what they describe...
    for question, entry in [
        ("为啥要实行网上办自助办加急办", "fugong-banli-fangshi"),
        ("疫情期间政府为什么推出视频选材线上交流", "qiye-jingzhun-fuchi"),
    ]:
        answer = engine.answer(question)
        assert (answer.status, answer.entry_id) == (ANSWERED, entry)
    # ...one that describes a measure without saying why still does not.
    data = engine.answer("双随机一公开为啥要搞").to_dict()
    assert data["status"] != ANSWERED and data["check"]["focus_mismatch"]


def test_the_words_that_say_what_is_asked_for_are_not_what_it_is_about():
    # 热线 says a contact is wanted; an entry whose questions ask for 热线 about other things
    # (投诉打什么热线) does not give 关企协调员's.
    words = [("关企协调员", 0.6, " guan qi xie diao yuan "), ("热线", 0.6, " re xian ")]
    gives = {CONTACT: asked("投诉打什么热线")}
    covered = ("热线", " re xian ")  # the entry's text, spelled and as sounds
    verdict = check(CONTACT, gives, content(words, CONTACT), covered, 0.45)
    assert verdict.mismatch and verdict.factor == 0.45


def test_a_scope_the_entry_gives_a_sibling_of_is_a_mismatch():
    # 县 is a single character, weighed little as a missing word; 区重点 says it is another thing.
    words = [("县", 0.3, " xian "), ("重点", 0.6, " zhong dian "), ("工程", 0.6, " gong cheng ")]
    asked_about = content(words, text="县重点工程完成了多少")
    other = check(None, {}, asked_about, ("区重点工程完成了多少", ""), 0.45)
    assert other.contradicted == ("县重点",) and other.factor == 0.45
    assert check(None, {}, asked_about, ("重点工程完成了多少", ""), 0.45).factor == 1.0


def test_a_sum_of_money_asked_is_given_by_an_answer_stating_amounts():
    # 那些工程一共多少钱 asks a sum: an entry counting what was invested (its questions ask 多少)
    # gives it, when its answer states an amount of money...
    words = [("工程", 0.6, " gong cheng ")]
    gives = {COUNT: asked("那些工程总投资多少")}
    stated = "5个工程总投资3.2亿元"
    for text in ["那些工程一共多少钱", "那些工程 投资 多少钱"]:
        asked_about = content(words, PRICE, text)
        assert asked_about.sum_asked
        assert not check(PRICE, gives, asked_about, ("工程", ""), 0.45, stated=stated).mismatch
    # ...but not without one (5个工程), nor a price by the unit, a fee or a price in other words.
    sum_asked = content(words, PRICE, "那些工程一共多少钱")
    assert check(PRICE, gives, sum_asked, ("工程", ""), 0.45, stated="5个工程").mismatch
    for text in [
        "工程招工一天多少钱",
        "工程一平米多少钱",
        "办工程手续要交多少钱",
        "工程门票多少钱",
    ]:
        asked_about = content(words, PRICE, text)
        assert not asked_about.sum_asked
        assert check(PRICE, gives, asked_about, ("工程", ""), 0.45, stated=stated).mismatch


def test_a_which_word_with_a_kind_of_place_or_how_it_is_put_is_all_question():
    # 哪些城市 is answered by 郑州市、福州市: 城市 is not content an entry must cover...
    assert QUESTION_WORDS.sub(" ", "还去了哪些城市").split() == ["还去了"]
    assert QUESTION_WORDS.sub(" ", "专窗设在什么地方").split() == ["专窗设在"]
    # ...but a spot within a place (开发区哪个位置) may be more than the entry says...
    assert "位置" in QUESTION_WORDS.sub(" ", "建在开发区哪个位置")
    # ...and 哪些事项 is not 哪些事 + 项.
    assert "事项" in QUESTION_WORDS.sub(" ", "最多跑一次有哪些事项")
    # A name asked for (方案的名称是什么): what is named is the subject, as with 叫什么名字.
    assert QUESTION_WORDS.sub(" ", "实施方案的名称是什么").split() == ["实施方案的"]
    # The 几 of 几十个 / 几百家 is an estimate's, not a question word: taken out, 十个 would be a
    # figure (10个) the message never states.
    assert QUESTION_WORDS.sub(" ", "听说有几十个展位 几家参展").split() == [
        "听说有几十个展位",
        "家参展",
    ]


def test_a_name_asked_of_nothing_in_the_knowledge_is_not_answered(engine):
    # 叫什么名字 asks for a name; with nothing named but 你, nothing says which entry is meant.
    answer = engine.answer("你的名字叫什么")
    assert answer.status != ANSWERED and answer.score < 0.4  # 0.56 when 名字 was its subject


def test_words_that_only_shape_a_question_carry_nothing():
    # Pronouns, locality words, measure words, adverbs, by their part of speech.
    assert [content_weight(w, False) for w in ["之类", "里面", "一点", "这方面"]] == [0.0] * 4
    assert [content_weight(w, False) for w in ["门票", "房价", "会长"]] == [1.0] * 3
    # A verb no entry uses is more often a paraphrase (查到, 设在) than a thing no entry has.
    assert [content_weight(w, False) for w in ["查到", "设在"]] == [UNKNOWN_VERB] * 2
    # Nor do the words a request or an example is put in (能介绍下不, 比如…, 这种现象).
    assert [content_weight(w, False) for w in ["介绍", "汇总", "比如", "现象"]] == [0.0] * 4
    assert [content_weight(w, False) for w in ["核实", "为主"]] == [0.0] * 2  # 想核实, 以…为主
    # Nor do the people a question is relayed for (客户问…, 居民问…, 给客户做材料要用).
    assert [content_weight(w, True) for w in ["客户", "居民", "朋友"]] == [0.0] * 3
    # Nor does what the sender cannot recall or make out (我记不住了, 我也说不清, 老分不清)...
    unsure = ["记不住", "说不清", "分不清", "看不懂", "不太懂", "没听清", "说不上来", "不清楚"]
    assert [content_weight(w, False) for w in unsure] == [0.0] * len(unsure)
    # ...while what cannot be found or is missing may be what is asked (查不到, 材料不全能办吗).
    assert content_weight("查不到", False) == UNKNOWN_VERB and content_weight("不全", False) > 0
    # Nor does how usual it is (抚远一般怎么搞招商推介) or the position asked for (有啥说法).
    assert [content_weight(w, False) for w in ["一般", "说法"]] == [0.0] * 2
    # Nor how often (平常走访不), the courtesy of a formal letter (烦请, 简要介绍), what is asked
    # of a term (具体含义, 咋回事, 如何表述), a count or a thing in general (给个数, 这事儿), or
    # plans asked about as 考虑 (有什么整体考虑).
    framing = ["平常", "烦请", "简要", "含义", "回事", "表述", "个数", "事儿", "考虑"]
    # Nor urgency (着急的能加急不), or what a request is put in (需要引用…的数据).
    framing += ["着急", "引用"]
    # Nor how whole the answer should be (完整的数), whom it is for (给大家讲讲), what
    # the asker remembers (我记得…), or how it relates to what is named (属于…的, 类似的举措).
    framing += ["完整", "实打实", "大家", "记得", "记不清", "属于", "类似"]
    framing += ["感觉", "念叨"]  # what someone feels or keeps saying, as 觉得
    framing += ["新闻", "文章"]  # where the asker read it (看新闻说…, 文章里说的…)
    framing += ["合计", "共计", "总计"]  # a total asked, as 一共 and 总共 ask it (…合计多少项)
    # Nor how a thing is related (跟…有关吗, as 相关), where the asker read it (材料里提到的…), the
    # verb measures are taken with (采取了哪些措施), or whether a thing counts (…算不算, as 是不是).
    framing += ["有关", "提到", "采取", "算不算"]
    # Nor the words a way is asked for in (有啥快的办法, 用的啥法子, 实行的什么管理方式): how, not
    # what about; the entry that answers names its own ways.
    framing += ["办法", "法子", "方式"]
    framing += ["这么回事", "那么回事"]  # whether it is so (是这么回事吗), as 回事
    # Nor a figure asked for each (马上办和网上办各是多少项, as 分别), a second question put in by
    # the way (…，顺便问下…总共多少项), or understanding wanted (整明白点, as 弄清楚).
    framing += ["各是", "顺便", "明白"]
    assert [content_weight(w, False) for w in framing] == [0.0] * len(framing)


@pytest.mark.parametrize(
    "question",
    [
        "黑瞎子岛门票多少钱",
        "新壹城集团的老板是谁",
        "营业执照怎么办理",
        "施工许可证怎么办",
        "山东饭店协会的会长是谁",
        "中俄国际贸易中心什么时候开业",
        "抚远经济开发区在哪里",
    ],
)
def test_topic_words_alone_do_not_answer(engine, question):
    answer = engine.answer(question)
    assert answer.status != ANSWERED, answer.to_dict()


def test_a_question_about_nothing_in_the_knowledge_gets_no_confirm(engine):
    # "Where is Fuyuan" shares only the city's name with every entry.
    answer = engine.answer("抚远在哪")
    assert answer.status == FALLBACK


def test_why_is_explained_in_the_json(engine):
    data = engine.answer("黑瞎子岛门票多少钱").to_dict()
    assert data["status"] == FALLBACK
    assert data["focus"] == PRICE
    assert [u["word"] for u in data["uncovered"]] == ["门票"]
    assert data["check"]["focus_mismatch"] is True
    # The near topic is still offered: the island's plan may be what the user wants next.
    assert [n["id"] for n in data["near"]] == ["quyu-heixiazidao"]
    assert "黑瞎子岛中俄国际合作示范区" in data["near"][0]["question"]


@pytest.mark.parametrize(
    "question, expected",
    [
        (
            "您好，我们公司是做大豆进出口的，因为疫情停了两个月，现在准备复工复产，想问一下要去哪个窗口办",
            "fugong-zhuanchuang",
        ),
        (
            "你好，我们是一家外贸企业，想了解一下海关的关企协调员能帮我们做什么",
            "haiguan-xietiaoyuan",
        ),
        (
            "领导好，我们企业前两年有失信记录，受疫情影响的，现在能申请信用修复吗",
            "qiye-xinyong-xiufu",
        ),
    ],
)
def test_long_natural_questions_are_answered(engine, question, expected):
    answer = engine.answer(question)
    assert (answer.status, answer.entry_id) == (ANSWERED, expected), answer.to_dict()


def test_one_plausible_candidate_is_a_yes_no_confirm(engine_with):
    engine = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.8))
    answer = engine.answer("您好，我想问一下复工复产去哪个窗口办理")
    assert answer.status == CLARIFY and len(answer.choices) == 1
    assert answer.choices[0].id == "fugong-zhuanchuang"
    assert answer.to_dict()["confirm"] is True  # how it reads: tests/channels/test_render.py


def test_declined_gives_the_fallback_with_other_near_topics(engine):
    offered = ("fugong-zhuanchuang",)
    answer = engine.declined("复工复产专窗和绿色通道", offered)
    assert answer.status == FALLBACK and answer.entry_id is None
    assert answer.near and "fugong-zhuanchuang" not in [c.id for c in answer.near]
    assert "12345" in answer.answer


def test_the_general_fallback_names_no_particular_window(engine):
    answer = engine.answer("个人所得税怎么交")
    assert answer.status == FALLBACK
    assert "专窗" not in answer.answer and "12345" in answer.answer


def test_a_category_may_have_its_own_fallback(knowledge_copy):
    path = knowledge_copy / "bot.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "fallbacks:\n", "fallbacks:\n  区域发展与疫情防控: 黑瞎子岛的旅游问题请咨询景区。\n", 1
    )
    path.write_text(text, encoding="utf-8")
    engine = Engine(load(knowledge_copy))
    answer = engine.answer("黑瞎子岛门票多少钱")
    assert answer.status == FALLBACK
    assert answer.answer.startswith("黑瞎子岛的旅游问题请咨询景区。")


def test_a_question_in_another_language_is_told_apart(engine):
    # The fallback, with the language a channel writes its note in; each language's note:
    # tests/channels/test_render.py.
    answer = engine.answer("How do I register a company here?")
    assert answer.status == FALLBACK and answer.language == "en"
    assert answer.answer == engine.knowledge.texts.fallback


def test_chinese_with_latin_words_is_chinese(engine):
    assert engine.answer("app上能办复工复产吗").language is None


@pytest.mark.parametrize(
    "text, language",
    [
        # A Korean greeting, then the question in Chinese: read as Chinese, and answered.
        ("안녕하세요，四减是什么意思？我是韩国人", None),
        ("我想问一下抚远的政务服务事项有多少，감사합니다", None),
        # Japanese: kana in every clause, and kanji alone never four in a clause of their own.
        ("抚远市の営業許可申請方法を教えてください", "ja"),
        ("営業許可申請について、教えてください", "ja"),
        ("안녕하세요, 한국 음식점 어디 있어요?", "ko"),
    ],
)
def test_kana_or_hangul_beside_a_chinese_question(engine, text, language):
    assert engine.answer(text).language == language


def test_a_korean_greeting_does_not_hide_the_question(engine):
    answer = engine.answer("안녕하세요，抚远的一次办事项有多少项？我想一次办完")
    assert answer.status == ANSWERED and answer.candidates[0].id == "fgf-yiciban"


def test_focus_kinds_of_many_questions_are_each_ones_own(engine):
    # One pass per pattern over all the questions joined must find, per question, every kind a
    # search of that question alone finds.
    from bot.engine.described import focus_kinds
    from bot.engine.focus import _FOCUS_RE

    questions = [fold(q) for e in engine.entries for q in e.questions]
    questions += ["", "多少钱", "几点开门 在哪里 多少钱", "谁", "哪3个", "投资多少钱", "花了多少钱"]
    questions += ["开放时间", "冬天开吗", "好几个", "几个", "和黑河比哪边大", "和原来比少了多少"]
    questions += ["好不好", "说好不好", "有没有用", "有没有用平台", "好用", "还开着", "以后还剩"]
    expected = [tuple(k for k, pattern in _FOCUS_RE if pattern.search(q)) for q in questions]
    assert focus_kinds(questions) == expected


def test_what_covers_a_question_is_the_same_built_from_the_index_rows(engine):
    from bot.engine.described import describe

    joined = describe(engine.entries, engine.index, engine.canonical_all, False)
    assert engine.synonyms.joinable
    assert list(engine.descriptions) == list(joined) and len(joined) == len(engine.entries)


def test_what_describing_reads_of_the_entries_gathered_first_describes_them_alike(engine):
    # (Gathered before a large build's child is forked, read beside it: `described.said`.)
    from bot.engine.described import describe, said

    told = said(engine.entries)
    assert list(told.answers) == [entry.answer for entry in engine.entries]
    assert list(told.quotes) == [entry.source.quote for entry in engine.entries]
    made = describe(engine.entries, engine.index, engine.canonical_all, told=told)
    alone = describe(engine.entries, engine.index, engine.canonical_all)
    assert list(made) == list(alone) == list(engine.descriptions)


def test_a_complement_after_a_verb_carries_nothing(engine):
    # 加起来 / 怎么搭起来的: 起来 says the doing gets going or adds up, not what is asked about;
    # after a noun (小区外墙起来) it is left as it was.
    def weighed(text: str) -> dict[str, float]:
        spelled, folded = engine.as_read(text)
        words = engine.wording.content_words(engine.read(spelled, folded))
        return {word: weight for word, weight, _ in words}

    assert weighed("那几个工程加起来多少")["起来"] == 0.0
    assert weighed("那个机制是怎么搭起来的")["起来"] == 0.0
    assert weighed("小区外墙起来多少钱")["起来"] > 0


def test_where_the_sender_heard_it_carries_nothing(engine):
    # 听人说 / 常听人家讲 say no more of the question than 听说: its 人 (0.5) and 常听 (a verb no
    # entry uses) held the summary entry, which has no 人, under the 一次办 entry, which has one.
    def weighed(text: str) -> dict[str, float]:
        spelled, folded = engine.as_read(text)
        words = engine.wording.content_words(engine.read(spelled, folded))
        return {word: weight for word, weight, _ in words}

    for heard in ("听人说", "常听人家讲", "老听别人说"):
        found = weighed(f"{heard}抚远政务服务事项有几百项，到底多少项")
        assert not set(found) & {"人", "人家", "别人", "常听", "老"}, found
        assert found["事项"] > 0
    assert weighed("窗口的人说要等几天")["人"] > 0  # (someone who said it, not hearsay)
    typed = "我是送外卖的听人说抚远政务服务事项有好几百项到底多少项"
    assert engine.answer(typed).entry_id == "fgf-zhengwu-fuwu"  # (was fgf-yiciban: wrong)


def test_a_term_typed_as_spelled_is_found_only_where_spelled(engine):
    # 四减 sounds like the 时间 of the building sites' answer (si jian, fuzzy pinyin): that is
    # another word, not a typo of the term; a typo's words (办事不球人: 球) are found by sound.
    def sounds(text: str) -> dict[str, str]:
        spelled, folded = engine.as_read(text)
        words = engine.wording.content_words(engine.read(spelled, folded))
        return {word: sound for word, _, sound in words}

    assert sounds("四减减了啥")["四减"] == "\0"
    assert sounds("办事不球人是啥")["球"] == " qiu "
    found = {c.id: c.check for c in engine.candidates("四减到底减了个啥")}
    building = found["xiangmu-fangkong-shigong"]
    assert building is not None and "四减" in dict(building.uncovered)
    assert found["fgf-sijian"] is not None and not found["fgf-sijian"].uncovered


def test_a_thing_asked_that_the_knowledge_spells_is_found_only_where_spelled(engine):
    # 乡镇 (the 招商 entry's 各乡镇) sounds like 项政 of the 845 services' 事项政务… (xiang zheng,
    # fuzzy pinyin): that entry says nothing of how many townships there are.
    known = engine.wording.known
    assert spelled_only(("乡镇", "政勿", "#项"), known) == (SPELLED + "乡镇", "政勿", "#项")

    def covers(word: str, sound: str) -> bool:  # an entry spelling 事项政务, heard as xiang zen
        return word in "事项政务" or sound in " si xiang zen wu "

    assert mentions("乡镇", "", covers) and not mentions(SPELLED + "乡镇", "", covers)
    for question in ("抚远有多少个乡镇", "抚远下面一共有几个乡镇"):
        assert engine.answer(question).status != ANSWERED, question
    # A typo of a word of the knowledge is none of its words: found by its sound still.
    assert engine.answer("政勿服务事项多少项").entry_id == "fgf-zhengwu-fuwu"


def test_a_questions_content_is_worked_out_once_for_every_check():
    words = [("门票", 0.3, " men piao "), ("我们", 0.0, " wo men "), ("门票", 1.0, " men piao ")]
    found = content([*words, ("房价", 0.6, " fang jia "), ("房价", 0.0, " fang jia ")])
    assert found.subject == ((("门票", " men piao "), ("房价", " fang jia ")))
    # Each word at its heaviest for what it leaves uncovered...
    assert found.heaviest == (("门票", " men piao ", 1.0), ("房价", " fang jia ", 0.6))
    # ...and in the total once, as last weighed (a word that carries nothing there adds 0).
    assert found.weight == 1.0 + 0.0 + 0.0


def test_the_words_a_list_is_asked_in_are_not_content():
    # 都包括哪些: 包括 asks for a list; an entry that lists the things never says 包括.
    words = [("采购", 0.3, " cai gou "), ("包括", 1.0, " bao kuo ")]
    assert content(words, LIST).heaviest == (("采购", " cai gou ", 0.3),)
    assert content(words, LIST).weight == 0.3
    # So is a count (申请材料数量和比例, 各类事项的数字)...
    assert content([("数字", 1.0, " shu zi ")], COUNT).weight == 0.0
    # ...but a price or a contact is asked in words that may be just what no entry gives (门票).
    assert [w for w, *_ in content([("门票", 1.0, " men piao ")], PRICE).heaviest] == ["门票"]


def test_checks_with_pieces_are_the_checks_without():
    # The same verdicts whether or not an entry's covered text is kept as pieces.
    words = content([("门票", 1.0, " men piao "), ("办事不求人", 0.6, " ban shi bu qiu ren ")])
    for covered in [
        ("黑瞎子岛门票", " hei xia zi dao men piao "),
        ("办事不球人", " ban shi bu qiu ren "),
    ]:
        assert check(None, {}, words, covered, 0.45, pieces=pieces(covered)) == check(
            None, {}, words, covered, 0.45
        )


def test_elsewhere_says_where_the_sender_is_unless_it_is_asked(engine):
    # 外地 of the sender or those written about (我在外地, 坑外地投资商) weighs nothing...
    words = [("外地", 0.6, " wai di "), ("投资", 1.0, " tou zi ")]
    assert content(words, text="有人坑外地投资商 政府管吗").weight == 1.0
    assert content(words, text="我在外地，投资的事").weight == 1.6 - 0.6
    # ...unless the message asks whether something is from elsewhere: then it is what is asked.
    assert content(words, text="招商小分队是不是常年在外地").weight == 1.6
    assert content(words, text="11个项目里有几个是外地企业投资的").weight == 1.6
    # End to end: the entry on harming the investment environment answers it.
    assert engine.answer("有人坑外地投资商 政府管吗").entry_id == "qiye-sunhai-huanjing"
