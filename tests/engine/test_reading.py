"""Where the question is in a message: its clauses, the asking clause, background, and how
much a background word weighs."""

from __future__ import annotations

import pickle

import pytest

from bot.engine._marks import labelled, questions_marked
from bot.engine._recalled import RECALLED
from bot.engine.answerability import OTHER_ENTRY_WORD
from bot.engine.asked import QUESTION_WORDS, asked_for
from bot.engine.core import ANSWERED
from bot.engine.focus import COUNT, PLACE, PRICE
from bot.engine.reading import BACKGROUND, CONDITION, TOPIC, UNKNOWN_BACKGROUND, fold_message, read
from bot.text.normalize import fold
from bot.text.words import in_dictionary


def test_a_long_message_is_read_for_its_asking_clause():
    reading = read(fold("您好，我们是一家做冷链运输的公司，最近想复工，请问复工复产去哪个窗口办？"))
    texts = [clause.text for clause in reading.clauses]
    assert texts[0] == "最近想复工"  # greeting and "who we are" set aside
    assert reading.asking == "复工复产去哪个窗口办"
    assert reading.focus == PLACE
    weights = [clause.weight for clause in reading.clauses]
    assert weights[-1] == 1.0 and weights[0] < 1.0


def test_written_question_words_with_he_ask():
    # 有何, 何为, 何谓, 因何, 何以 ask as 何时 and 为何 do: a formal letter's question is no keywords.
    reading = read(fold("贵局：茶叶店开业有何手续？"))
    assert reading.asking == "茶叶店开业有何手续" and not reading.keywords
    assert read(fold("何为一窗受理")).asking == "何为一窗受理"
    assert "有何" not in QUESTION_WORDS.sub(" ", "开业有何手续")


def test_an_earlier_clause_that_asks_too_is_not_background():
    reading = read(fold("信用修复是哪个部门管的，要多久"))
    assert [clause.weight for clause in reading.clauses] == [1.0, 1.0]
    assert reading.asking == "要多久"


def test_keywords_without_a_question_word_are_all_asked():
    # Two topic words: neither is background to the other, and both are searched together.
    reading = read(fold("绿色通道 复工"))
    assert [clause.weight for clause in reading.clauses] == [1.0, 1.0]
    assert reading.asking == "绿色通道 复工"


def test_what_the_sender_says_of_themselves_after_the_question_is_background():
    reading = read(fold("一次办的事项有多少项？我们在乡下进城不方便"))
    assert [clause.weight for clause in reading.clauses] == [1.0, BACKGROUND]
    assert reading.asking == "一次办的事项有多少项"


def test_a_condition_before_the_asking_clause_is_part_of_what_is_asked():
    # The question is about that case: searched with the asking clause, weighing more than
    # background and less than the asking clause.
    reading = read(fold("我们开了家店，复工复产这块如果有部门不作为，可以去哪里投诉"))
    assert [clause.weight for clause in reading.clauses] == [BACKGROUND, CONDITION, 1.0]
    assert reading.asking == "复工复产这块如果有部门不作为 可以去哪里投诉"


def test_a_question_started_inside_a_clause_is_a_clause_of_its_own():
    # Written without a comma: the introduction before 想问 is still set aside.
    reading = read(fold("你好我们是货代公司想问海关关企协调员能帮企业什么忙"))
    assert [clause.text for clause in reading.clauses] == ["想问海关关企协调员能帮企业什么忙"]
    # ...and so does the sender's story after a particle ending the question, typed without a comma.
    reading = read(fold("码头有几个泊位啊我们下礼拜运货过去"))
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("码头有几个泊位啊", 1.0),
        ("我们下礼拜运货过去", BACKGROUND),
    ]
    # So does a question relayed from someone else: who asked is not what is asked about.
    reading = read(fold("外地客商问我园区一共有多少企业"))
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("外地客商问我", TOPIC),
        ("园区一共有多少企业", 1.0),
    ]
    reading = read(fold("我们民宿老被游客问码头在哪"))
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("我们民宿老被游客问", BACKGROUND),
        ("码头在哪", 1.0),
    ]
    # 请问我们…, 想问我们… ask themselves.
    assert len(read(fold("请问我们能网上办吗")).clauses) == 1
    # So does the errand someone sent the sender on: 老板 is not a person asked for.
    reading = read(fold("老板叫我查一查码头有几个泊位"))
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("老板叫我查一查", TOPIC),
        ("码头有几个泊位", 1.0),
    ]
    assert reading.focus == COUNT


def test_the_senders_own_asking_verb_starts_the_question_inside_a_clause():
    # Typed without a comma, the sender's story before 我问问 or 想知道 is background, not asked.
    reading = read(fold("我家住在岛上离码头远我问问园区一共有多少企业"))
    # 我问问 itself asks nothing either (bot.engine.relayed sets it apart: 俺问问 glued to the
    # question diluted its match).
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("我家住在岛上离码头远", BACKGROUND),
        ("我问问", BACKGROUND),
        ("园区一共有多少企业", 1.0),
    ]
    reading = read(fold("我们几个在岛上开民宿就想知道码头在哪"))
    assert reading.clauses[0].weight == BACKGROUND
    assert reading.asking == "想知道码头在哪"
    # Where the message starts with it, nothing else comes before; an errand (让我问问) is relayed.
    assert read(fold("我就问问园区一共有多少企业")).asking == "园区一共有多少企业"
    assert read(fold("老板让我问问码头在哪")).clauses[0].text == "老板让我问问"
    assert len(read(fold("你帮我问问码头在哪")).clauses) == 1


def test_an_asking_clause_that_says_nothing_points_back_to_the_clause_before_it(engine):
    # 是怎么个搞法 has no content word: the clause before it says what is asked about.
    folded = fold("去年办证跑了好几趟 现在抚远说办事不用求人了 是怎么个搞法")
    reading = read(folded, engine.wording.says)
    assert [clause.weight for clause in reading.clauses] == [BACKGROUND, CONDITION, 1.0]
    assert reading.asking == "现在抚远说办事不用求人了 是怎么个搞法"
    # 好几 does not ask: the first clause is background, not an asking clause.
    assert engine.answer(folded).entry_id == "banshi-buqiuren"


def test_the_clause_pointed_back_to_is_asked_with_the_asking_clause(engine):
    # 多少钱 alone asks a price; after 投资 typed as a clause of its own (keywords between commas,
    # as a sender writing Chinese as a second language does), it asks the amount invested, as
    # 投资多少钱 does. A price is still a price (门票，多少钱).
    says = engine.wording.says
    staccato = read(fold_message("冷库项目，投资，多少钱？"), says)
    assert staccato.focus == read(fold_message("冷库项目投资多少钱？"), says).focus == COUNT
    assert staccato.asking == "投资 多少钱"
    assert read(fold_message("门票，多少钱？"), says).focus == PRICE


def test_a_doubt_that_it_is_only_words_is_not_what_is_asked(engine):
    # 还是只是空话, 是不是只是口号: the sender's doubt, where another clause asks what it wants.
    says = engine.wording.says
    reading = read(fold_message("园区有没有减税方案，还是只是空话"), says)
    assert [c.weight for c in reading.clauses] == [1.0, BACKGROUND]
    assert reading.asking == "园区有没有减税方案"
    reading = read(fold_message("园区减税是不是只是口号，企业一共减了多少税"), says)
    assert reading.clauses[0].weight < 1.0 and reading.focus == COUNT
    # ...but alone it is what is asked (no report says whether a measure is a slogan).
    assert read(fold_message("园区减税是不是只是口号"), says).clauses[0].weight == 1.0
    answer = engine.answer("抚远办事不求人到底有没有正式方案，还是只是空话")
    assert (answer.status, answer.entry_id) == ("answered", "banshi-fangan")


def test_asking_clauses_that_say_nothing_point_back_together(engine):
    # 真的假的 and 具体咋弄的 both ask and say nothing: the clause before them is what they ask
    # about (it was background, for the clause just before the last one asks itself).
    folded = fold("去年办证跑了好几趟 邻居说办事不用求人了 真的假的 具体咋弄的")
    reading = read(folded, engine.wording.says)
    assert [c.weight for c in reading.clauses] == [BACKGROUND, CONDITION, 1.0, 1.0]
    assert reading.asking == "邻居说办事不用求人了 真的假的 具体咋弄的"
    # One that says what it asks about is a question of its own: nothing points past it.
    reading = read(fold("邻居说办事不用求人了 清单在哪查 具体咋弄的"), engine.wording.says)
    assert reading.clauses[0].weight == BACKGROUND


def test_a_verb_not_verb_clause_asks():
    # 在不在 asks as 是不是 does, so the clause after the list question is not background.
    reading = read(fold("保留的中介服务有哪些，环评这行还在不在里面"))
    assert [clause.weight for clause in reading.clauses] == [1.0, 1.0]


def test_background_words_no_entry_uses_weigh_least(engine):
    # 佳木斯 and 离得 are the sender's circumstances; 来回 is a word of the knowledge. (The
    # sender's clause comes last before the question: the clause just before it is a topic.)
    question = "您好，离得远来回跑不方便，我们公司在佳木斯，想问下网上能办的事项有多少项"
    data = engine.answer(question).to_dict()
    assert (data["status"], data["entry_id"]) == (ANSWERED, "fgf-wangshangban")
    weights = {u["word"]: u["weight"] for u in data["uncovered"]}
    assert weights["佳木斯"] == pytest.approx(BACKGROUND * UNKNOWN_BACKGROUND)
    assert weights["来回"] == pytest.approx(BACKGROUND * OTHER_ENTRY_WORD)


def test_a_quoted_term_stays_in_its_clause():
    # Folding turns quotation marks into spaces, which would split 对“办事求人”这种现象 into
    # three clauses, two of them background.
    reading = read(fold_message("想问下抚远对“办事求人”这种现象有没有整改"))
    assert [clause.text for clause in reading.clauses] == ["想问下抚远对办事求人这种现象有没有整改"]


def test_title_marks_do_not_split_a_clause():
    # 我是《黑龙江经济报》的记者 is one introduction, set aside whole.
    reading = read(fold_message("我是《某某报》的记者，网上办的事项有多少项"))
    assert [clause.text for clause in reading.clauses] == ["网上办的事项有多少项"]


def test_a_counter_the_sender_would_rather_not_go_to_is_left_out():
    # 不去窗口 says what they want to avoid: read as words, 窗口 (专窗) made the 复工专窗 entry,
    # which says where to go, the answer to how to do without going.
    assert fold_message("复工复产手续可以不去窗口网上办吗") == "复工复产手续可以网上办吗"
    assert fold_message("复工能不能不去大厅办") == "复工能不能办"
    assert fold_message("能不能自助办，不用跑政务大厅").split() == ["能不能自助办"]
    # Not 现场 (不去现场 is how 零见面 is asked), nor a counter they ask about.
    assert "不去现场" in fold_message("海关业务能不去现场办不")
    assert "窗口" in fold_message("复工复产去哪个窗口办理")


def test_the_size_the_sender_gives_their_own_business_is_left_out():
    # 俺们这些小企业 says who asks, as 我们公司 does: 小 was a character the entry had to cover.
    assert fold_message("政府咋帮俺们这些小企业") == "政府怎么帮俺们这些企业"
    assert fold_message("我们小厂想问") == "我们厂想问"
    # Not a size asked about (a trap's eligibility), nor one not the sender's.
    assert "小微企业" in fold_message("小微企业能不能进领导联系企业名单")
    assert "小公司" in fold_message("做边贸的小公司")


def test_a_learners_introduction_without_shi_is_set_aside():
    # 我俄罗斯人 (我是俄罗斯人 without 是): searched with the rest, it diluted the entry asked.
    reading = read(fold_message("我俄罗斯人，最多跑一次，多少事项？"))
    assert [clause.text for clause in reading.clauses] == ["最多跑一次", "多少事项"]
    assert "我俄罗斯商人" not in read(fold_message("我俄罗斯商人。口岸，货物怎么消毒？")).searched
    # Not a clause whose words are no place (我不想求人: what the sender wants).
    assert "我不想求人" in read(fold_message("我不想求人，办事不求人是真的吗")).searched


def _marked(message: str):
    folded = fold_message(message)
    return read(folded, marked=questions_marked(message, folded))


def test_a_label_the_message_opens_with_is_background():
    # Who asks or what for, before a colon: not a topic typed as a fragment (weight 1), whose
    # known words (报告) the right entry would have to cover.
    message = "课程作业：抚远的政务服务中心几点上班？"
    assert labelled(message) == "课程作业"
    reading = read(fold_message(message), label=labelled(message))
    assert [(c.text, c.weight) for c in reading.clauses] == [
        ("课程作业", BACKGROUND),
        ("抚远的政务服务中心几点上班", 1.0),
    ]
    assert labelled("  茶叶店老板: 复工窗口在哪") == "茶叶店老板"
    # Not a label: one that asks or requests, a longer one, or one with nothing after it.
    for message in [
        "问问专窗：在哪",
        "烦请告知：专窗地址",
        "抚远复工复产的专窗地址：在哪",
        "课程作业：",
    ]:
        assert labelled(message) == "", message
    # Read without one, the short clause is a topic typed as a fragment.
    assert read(fold_message("课程作业：抚远的政务服务中心几点上班？")).clauses[0].weight == 1.0


def test_a_person_named_before_a_comma_is_a_label():
    # Who asks, typed with a comma (after a greeting or not): background, as before a colon; read
    # as a topic typed as a fragment, 冷链 was a word the right entry had to cover.
    for message in ["冷链车主，复工复产咨询电话开通了吗", "喂，冷链车主，抚远严加管是怎么个管法"]:
        assert labelled(message) == "冷链车主", message
        reading = read(fold_message(message), label=labelled(message))
        assert dict((c.text, c.weight) for c in reading.clauses)["冷链车主"] == BACKGROUND
    assert labelled("大家好，面包房老板，听说福地文旅来抚远洽谈了，有这事吗") == "面包房老板"
    # A short clause naming no one that way is still a topic typed as a fragment.
    for message in ["复工专窗，在哪", "关企协调员，电话多少", "复工企业，有什么绿色通道"]:
        assert labelled(message) == "", message
    # A label that is what an asking clause saying nothing points back to is asked with it.
    says = lambda clause: clause != "在哪"  # noqa: E731
    reading = read(fold_message("复工专窗：在哪"), says, label="复工专窗")
    assert [c.weight for c in reading.clauses] == [CONDITION, 1.0]


def test_a_figure_given_as_an_estimate_is_left_out():
    # What the sender half remembers: no answer writes an estimate, so its numerals are no
    # words of the topic.
    for message, folded in [
        ("听说网上办有三百多项，准确是多少", "听说网上办有 准确是多少"),
        ("材料减了4000多项", "材料减了"),
        ("签了十来个项目 五千余万元", "签了项目 元"),
        # A figure it comes close to, or whose last digit is forgotten.
        ("听说快九百项了 到底多少", "听说了 到底多少"),
        ("将近两千个 准数呢", " 准数呢"),
        ("有五百三十几项还是多少", "有还是多少"),
        ("有十几个吧", "有吧"),
    ]:
        assert fold_message(message) == folded, message
    # Not a figure asked for (几百项), one with 多少 / 多久 after it, nor 一来 (firstly).
    for message in [
        "网上办有几百项",
        "二十多少钱",
        "三十多久",
        "一来路近 二来省事",
        "有几项",
        "投资约6亿元",
        "施工许可差不多一个月能办下来吗",  # a span of time, which may be what is asked
        "十几个工作日能办完吗",
        "快两年了",
    ]:
        assert fold_message(message) == message, message


def test_where_the_writer_marks_questions_only_those_sentences_ask():
    # 有几份 and 要不要 are question words, but the writer put no question mark there: a
    # statement and the sender's second thought after the question.
    reading = _marked("项目前期有几份文件还在走流程。抚远推不推行容缺受理？")
    assert [clause.weight for clause in reading.clauses] == [TOPIC, 1.0]
    assert reading.asking == "抚远推不推行容缺受理"
    reading = _marked("破坏投资环境的事，是怎么处理的？我在考虑要不要来投资")
    assert [clause.weight for clause in reading.clauses] == [TOPIC, 1.0, BACKGROUND]
    assert reading.asking == "是怎么处理的"
    # A last sentence left without any mark is no statement: it asks, unless the sender's own.
    assert _marked("抚远有类似的审批改革吗？都推出了哪些").asking == "都推出了哪些"
    # Without a question mark, or when no marked sentence asks, the question words decide.
    assert _marked("有几份文件还在走流程 抚远推不推行容缺受理").asking == "抚远推不推行容缺受理"
    assert _marked("政务服务中心在哪。电话？").asking == "政务服务中心在哪 电话"  # (goes on)
    assert questions_marked("政务服务中心在哪", "政务服务中心在哪") is None
    # Sentences are matched to clauses by their folded length: 《》 and quotes fold away, and
    # a character that folds into several (㈱ → (株)) is counted as folded.
    for message, sizes in [
        ("“马上办”有几项。网上办呢？", (6, 4)),
        ("㈱有几项。网上办呢？", (4, 4)),
    ]:
        marked = questions_marked(message, fold_message(message))
        assert marked == ((sizes[0], False), (sizes[1], True)), message


def test_a_question_about_the_senders_own_case_is_not_what_a_message_asks():
    # No report says how a measure touches the sender's business; the message asks the other.
    reading = read(fold("中介服务事项留了多少 取消了多少 对我们业务影响大不大"))
    assert reading.asking == "取消了多少"
    assert reading.clauses[-1].weight == BACKGROUND
    # A question that starts with the sender is theirs wherever it is...
    reading = read(fold("我们合作社能不能报名 报名截止是哪天"))
    assert reading.asking == "报名截止是哪天"
    assert reading.clauses[0].weight == BACKGROUND
    # ...not one that names them further on: asked of someone else, it is what is asked.
    reading = read(fold("园区以后还招我们这种小厂吗 会不会收紧"))
    assert reading.clauses[0].weight == 1.0
    # ...unless nothing else is asked (我们厂子去年…几笔款 is the sender's, but so is the rest).
    assert read(fold("我们企业能申请信用修复吗")).asking == "我们企业能申请信用修复吗"
    # 告诉我 asks the bot, 他本人 is the person asked about: neither is the sender's case.
    assert read(fold("储备项目都有哪些 能告诉我名字吗")).asking == "能告诉我名字吗"
    assert read(fold("关企协调员叫啥名 怎么联系他本人")).asking == "怎么联系他本人"
    # 俺 is 我: 俺是乡下养鹅的 introduces the sender, set aside.
    assert read(fold("俺是乡下养鹅的 有多少事能就近办")).clauses[0].text == "有多少事能就近办"


def test_the_sentences_marked_as_questions_are_what_the_engine_reads(engine):
    message = "请问抚远对破坏投资环境的人和事，是怎么处理的？我在考虑要不要来投资"
    assert engine.answer(message).entry_id == "qiye-sunhai-huanjing"


def test_after_the_question_the_senders_circumstances_stay_background():
    # Once the sender speaks of themselves after the question (an introduction, set aside, or
    # 我们…), what follows without asking is more of that, not part of what is asked.
    reading = read(fold("一次办的事项有多少项？我们是做水产的，店在城里，进城不太方便"))
    assert [clause.weight for clause in reading.clauses] == [1.0, BACKGROUND, BACKGROUND]
    reading = read(fold("复工去哪个窗口办？我们饭店要复工，是做烧烤的"))
    assert [clause.weight for clause in reading.clauses] == [1.0, BACKGROUND, BACKGROUND]
    # An alternative after the question is still asked.
    reading = read(fold("复工能加急办吗 还是只能去现场"))
    assert [clause.weight for clause in reading.clauses] == [1.0, 1.0]


def test_a_topic_typed_as_a_fragment_is_not_background():
    reading = read(fold("申请材料 减少 多少"))
    assert [clause.weight for clause in reading.clauses] == [1.0, 1.0, 1.0]


def test_a_fragment_with_no_word_of_the_knowledge_is_the_senders_aside(engine):
    def weights(message: str) -> list[float]:
        return [clause.weight for clause in engine.read(message, fold_message(message)).clauses]

    # 哥们, 说句实话 say nothing of what is asked: weighed as background, not as asked.
    assert weights("哥们，在抚远办事，能马上办的事项有多少") == [BACKGROUND, TOPIC, 1.0]
    assert weights("说句实话，办事求人的问题整改得咋样了") == [TOPIC, 1.0]
    # A fragment with a word of the knowledge is still a topic typed as one.
    assert weights("复工 窗口在哪") == [1.0, 1.0]


def test_what_every_asking_clause_asks_leaves_out_the_sender_speaking_of_themselves():
    # 几笔款 makes the first clause "ask", but it is the sender's own story.
    reading = read(fold("我们厂子去年有几笔款没还上，现在还能修复信用吗"))
    assert reading.asks == "现在还能修复信用吗"


def test_a_word_the_segmenter_only_guessed_is_weighed_as_its_dictionary_words(engine):
    # 前几天办 is cut 前 几 天办 (a guess across two words), 有大数据 as 有大 数据: neither guess
    # is a word no entry uses, which would weigh fully.
    assert in_dictionary("天办") == ("天", "办")
    assert in_dictionary("门票") == ("门票",)  # a dictionary word stays whole
    assert "天办" not in engine.wording.content(engine.canonical("我们前几天办复工手续"))
    # ...unless nothing of it says anything (半有 of a typo of 马上办: a numeral and a verb),
    # when it stays whole, to sound like the term.
    assert engine.wording.content(engine.wording.subject("马上半有几个")) == ["马上", "半有"]
    # 哪天 / 哪年 are question words as a whole: 哪天开的 was cut 哪 天开 的, and 天开 weighed.
    assert "天开" not in engine.wording.content(engine.wording.subject("营房哪天开的"))


def test_one_as_an_article_is_no_figure_the_entry_lacks(engine):
    # 一个 (normalized 1个) is "a": 有一个方案吗 asks about no fact numbered 1; 第一个 does.
    def figures(message: str) -> list[str]:
        words = engine.wording.content_words(read(fold_message(message)))
        return [word for word, _, sound in words if sound == "\0" and word.isdigit()]

    assert figures("办事不求人有一个方案吗") == []  # (the term: no sound either, no figure)
    assert figures("今年第一个开工的项目是哪个") == ["1"]
    assert figures("有11个项目吗") == ["11"]


def test_a_request_without_a_question_word_asks_in_its_request():
    # Not keywords: the sender's story (座谈会, 投资分析) is background, not things asked for.
    reading = read(
        fold_message("您好，我是政协委员，下周要在座谈会上谈营商环境，请把抚远的主要数字给我列一下")
    )
    assert not reading.keywords
    assert reading.asking == "请把抚远的主要数字给我列一下"
    assert reading.clauses[0].weight < 1
    # What follows the request is what it wants, unless it is the sender's own.
    reading = read(fold_message("做投资分析的，需要三个数：重点项目个数、总投资。我们要写报告"))
    assert reading.asking == "需要三个数 重点项目个数 总投资"
    assert reading.clauses[-1].weight < 1
    # A message with neither a question word nor a request is keywords, as before.
    assert read(fold_message("绿色通道 复工")).keywords
    # 问下 / 问一下 / 问问 ask as 想了解 does (…，麻烦问下园区的地址和上班时间).
    reading = read(fold_message("我们车队后天要去园区送货，麻烦问下园区的地址和上班时间"))
    assert not reading.keywords
    assert reading.asking == "麻烦问下园区的地址和上班时间"
    assert reading.clauses[0].weight < 1
    # So do 想问 / 想咨询 / 想打听: the sender's trade before it (我养蜜蜂的) is background.
    reading = read(fold_message("你好，我养蜜蜂的，想问抚远对养殖户的扶持办法"))
    assert not reading.keywords
    assert reading.asking == "想问抚远对养殖户的扶持办法"
    assert reading.clauses[0].weight < 1


def test_a_request_that_says_nothing_leaves_keywords(engine):
    # 问一下 / 告诉我 after keywords asks for nothing the keywords do not name: the message is
    # keywords, and a word no entry uses (船票) is a thing the entry must mention, not quiet.
    says = engine.wording.says
    assert read(fold_message("黑瞎子岛船票 问一下"), says).keywords
    assert engine.answer("黑瞎子岛船票 问一下").status != ANSWERED  # the island's entry was
    # ...unless what follows the request says what it wants.
    assert not read(fold_message("需要两个数：项目个数、总投资"), says).keywords


def test_classical_question_words_ask():
    # 何地, 何时: the request before it (烦请告知) is not the asking clause.
    reading = read(fold_message("烦请告知，市政府主要领导于3月4日至10日赴何地考察招商？"))
    assert reading.asking == "市政府主要领导于3月4日至10日赴何地考察招商"


def test_true_or_false_asks():
    # 真的假的 asks whether it is so: not keywords, nor a word the entry must contain.
    reading = read(fold("园区免三年租金是真的假的"))
    assert not reading.keywords
    assert "真的假" not in QUESTION_WORDS.sub(" ", "园区免三年租金是真的假的")


def test_a_yes_no_ending_on_bu_or_mei_asks():
    # 能修复不, 有栏目没: a yes/no question without 吗, not keywords.
    assert not read(fold("疫情失信了能修复不")).keywords
    assert read(fold("政府网站有这个栏目没")).asks
    assert read(fold("绿色通道 复工")).keywords


def test_a_keyword_no_entry_uses_is_a_thing_asked_for(engine):
    # Keywords name what they ask: an entry about the project that never says 户型 or 开工率
    # does not answer them, however closely the rest matches.
    for question in ["新壹城集团 售楼处", "市重点项目 开工率"]:
        answer = engine.answer(question)
        assert answer.status != ANSWERED, question
        assert answer.candidates[0].check.unstated, question


def test_a_thing_asked_for_is_a_dictionary_word_not_a_guess(engine):
    # 根据什么来定方向: the segmenter's guess 来定 is no thing an entry could mention.
    cut = engine.wording.content
    assert "来定" not in asked_for("是根据什么来定方向的", cut, engine.canonical)


def test_a_message_that_asks_several_things_is_searched_without_its_background(engine):
    # The last asking clause alone (有没有个数) says too little and the whole message carries
    # the sender's circumstances: the asking clauses together match the entry.
    message = "以前来办事要带一大堆复印件。现在抚远申请材料减了多少，有没有个数？我是开饭店的。"
    reading = read(fold_message(message))
    assert reading.asking == "有没有个数"
    assert reading.foreground == "现在抚远申请材料减了多少 有没有个数"
    answer = engine.answer(message)
    assert answer.status == ANSWERED
    assert answer.entry_id in {"fgf-cailiao", "fgf-chengxiao"}


def test_what_follows_the_question_is_asked_only_if_it_goes_on_with_it(engine):
    # The sender's circumstances after the question are background, as their self-introduction
    # would be; an alternative, a short piece of the question, 多远 and a reference number go
    # on with it.
    message = "复工复产有没有快一点的通道？工人都在等着，拖不起。"
    reading = read(fold_message(message))
    assert [clause.weight for clause in reading.clauses] == [1.0, BACKGROUND, BACKGROUND]
    assert reading.asking == "复工复产有没有快一点的通道"
    assert engine.answer(message).entry_id == "fugong-lvse-tongdao"
    for goes_on in (
        "能加急办吗 还是只能去现场",
        "政务服务中心在哪 离口岸多远",
        "园区什么时候建好 投入使用",
        "营业执照流程是什么 89750号",
        "这份文件在哪里查 第20231号",
    ):
        assert [clause.weight for clause in read(goes_on).clauses] == [1.0, 1.0]


def test_the_clause_just_before_the_question_is_its_topic(engine):
    # 那批一起开工的项目 says which projects 总投资多少 asks about: not background, not asked.
    reading = read(fold("我们做建材的，那批一起开工的项目，总投资多少"))
    assert [clause.weight for clause in reading.clauses] == [BACKGROUND, TOPIC, 1.0]
    assert reading.foreground == "那批一起开工的项目 总投资多少"
    # ...unless the sender speaks of themselves there.
    reading = read(fold("那批项目挺大的，我们做建材的，总投资多少"))
    assert [clause.weight for clause in reading.clauses] == [BACKGROUND, BACKGROUND, 1.0]


def test_the_message_without_background_is_searched_only_when_not_answered_yet(engine):
    # The third search costs a tenth of p99: a message answered without it does not run it.
    searched = []
    search = engine._search
    engine._search = lambda text, depth, best, done: (
        searched.append(text),
        search(text, depth, best, done),
    )[1]
    try:
        candidates = engine.candidates("我们厂在城郊，复工复产去哪个窗口办，那个窗口在哪")
    finally:
        del engine._search
    assert candidates[0].id == "fugong-zhuanchuang"
    # The whole message, then its asking clause alone; not 复工复产去哪个窗口办 with it.
    assert searched == ["我们厂在城郊 复工复产去哪个窗口办 那个窗口在哪", "那个窗口在哪"]


def test_a_clause_searched_as_the_whole_message_is_not_searched_again(engine, monkeypatch):
    # 想问一下您好，X，谢谢 and its asking clause X are searched as one text: the same matches.
    searched = []
    search = engine.index.search
    monkeypatch.setattr(
        engine.index, "search", lambda text, *rest: (searched.append(text), search(text, *rest))[1]
    )
    candidates = engine.candidates("想问一下您好，抚远的一区两岛一城两港是啥构想，谢谢")
    assert searched == ["抚远的一区两岛一城两港是啥构想"]
    assert candidates[0].id == "quyu-fazhan-gouxiang"


def test_a_few_is_not_how_many(engine):
    # 这几, 那几, 前几 say "these few", "the last few": the clause does not ask how many...
    reading = read(fold("这几家企业刚来，入驻要什么条件"))
    assert reading.clauses[0].weight < 1.0
    assert read(fold("前几年办证要跑好几趟")).keywords
    cut = engine.wording.content
    assert asked_for("那几张表格是什么", cut, engine.canonical) == ()
    # ...while 几 asking a count still does, 提前几天 among them.
    assert asked_for("要提前几天预约", cut, engine.canonical) == ("#天",)
    assert not read(fold("园区有几家企业")).keywords


def test_how_big_or_far_asks_a_clause_of_its_own():
    # 多大, 多远: the clause asks, and the story before it is background...
    reading = read(fold("听说园区要建冷库，设计库容有多大"))
    assert [clause.weight for clause in reading.clauses] == [TOPIC, 1.0]
    assert reading.asking == "设计库容有多大"
    # ...but right after a clause that asks, it goes on with that question and its focus.
    reading = read(fold("冷库建在哪个位置，占地多大"))
    assert reading.focus == PLACE and reading.asking == "冷库建在哪个位置 占地多大"
    assert read(fold("很多大企业都来了")).keywords  # 很多大 is "many big"


def test_a_mention_in_a_group_chat_is_not_what_is_asked():
    reading = read(fold_message("@园区小助手 冷库一共多少个"))
    assert reading.text == "冷库一共多少个"
    assert fold_message("＠张三：冷库在哪") == "冷库在哪"


def test_a_note_that_the_message_was_dictated_is_not_what_is_asked():
    # What a voice-input app or the sender writes first says how the message was made.
    assert fold_message("语音转文字 冷库一共多少个") == "冷库一共多少个"
    assert fold_message("【语音输入】冷库在哪") == "冷库在哪"
    assert fold_message("语音识别：冷库在哪") == "冷库在哪"
    # ...but a question about it, or the words later in a message, are the message's own.
    assert fold_message("语音转文字怎么用") == "语音转文字怎么用"
    assert fold_message("冷库在哪 语音输入的") == "冷库在哪 语音输入的"
    assert fold_message("语音转的：冷库在哪") == "冷库在哪"


def test_a_note_that_the_message_was_handwritten_is_not_what_is_asked():
    assert fold_message("冷库（手写）在哪") == "冷库 在哪"
    assert fold_message("冷库在哪（手写的）") == "冷库在哪"
    assert fold_message("手写的申请表在哪交") == "手写的申请表在哪交"  # a question about one


def test_a_handwritten_message_is_answered_as_its_words(engine):
    # Its note (（手写）) was a word the entry had to cover: 0.43 for the count's entry.
    answer = engine.answer("就近办几项（手写）")
    assert answer.status == "answered" and answer.entry_id == "fgf-jiujinban"


def test_an_introduction_dictated_into_the_question_is_set_aside():
    # Dictation types who the sender is straight into the question: it ends with what they are.
    assert read(fold_message("我是冷库老板园区冷库一共多少个")).text == "园区冷库一共多少个"
    assert read(fold_message("你好我是开民宿的冷库在哪")).asking == "冷库在哪"
    assert read(fold_message("我是物流公司的会计冷库有几个")).text == "冷库有几个"
    assert read(fold_message("我是卖水果的冷链的业务能网上办吗")).text == "冷链的业务能网上办吗"
    # ...but not where 是 starts no introduction, nor in a clause that asks nothing (set aside
    # whole, as before).
    assert read(fold_message("我是说冷库在哪")).text == "我是说冷库在哪"
    reading = read(fold_message("我是一家商会的秘书长，冷库在哪"))
    assert reading.text == "冷库在哪"


def test_an_introduction_dictated_into_the_question_is_answered_as_typed_apart(engine):
    answer = engine.answer("我是开水果店的关企协调员是干啥的")
    assert (answer.status, answer.entry_id) == ("answered", "haiguan-xietiaoyuan")


def test_the_senders_aside_after_an_unpunctuated_question_is_background():
    reading = read(fold_message("冷库一共多少个我在写报告"))
    assert reading.asking == "冷库一共多少个"
    assert [c.weight for c in reading.clauses] == [1.0, BACKGROUND]
    # ...but not where the sender is the object of a verb of the question.
    assert len(read(fold_message("冷库能帮我们存货吗")).clauses) == 1
    assert len(read(fold_message("名单上有没有我们公司")).clauses) == 1
    assert len(read(fold_message("冷库会不会影响我们用电")).clauses) == 1


def test_a_reply_header_of_a_group_chat_is_not_what_is_asked():
    # 回复 X：… is a chat app's "reply to X": what follows is the sender's own message.
    assert fold_message("回复 老张：冷库一共多少个") == "冷库一共多少个"
    assert fold_message("回复@老张：冷库在哪") == "冷库在哪"
    assert fold_message("回复 3楼：你说的冷库，在哪") == "你说的冷库 在哪"
    # ...but a question about replies, or a header with nothing after it, is the message's own.
    assert fold_message("热线多久回复") == "热线多久回复"
    assert fold_message("回复 老张：") == "回复 老张"


def test_a_remark_between_the_topic_and_a_question_saying_nothing_is_passed(engine):
    # 到底是啥 says nothing and points back: past the sender's remark (no word the knowledge
    # uses) to the topic, which the question is asked with.
    reading = engine.read("园区，听着挺玄，到底是啥", fold_message("园区，听着挺玄，到底是啥"))
    assert reading.asking == "园区 到底是啥"
    answer = engine.answer("三位一体，听起来好高级，到底是啥")
    assert (answer.status, answer.entry_id) == ("answered", "qiye-sanweiyiti")


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        # The recalled part names the previous answer's entry: read as the topic, it answered
        # 复工复产专窗's entry again (docs/matching.md, twentieth round).
        ("那政务服务中心在哪里？你刚才说了复工复产专窗", "zhengwu-zhongxin-dizhi"),
        ("你刚才说马上办有233项，那网上办的有多少项", "fgf-wangshangban"),
    ],
)
def test_what_the_bot_said_before_is_recalled_and_the_question_is_what_is_new(
    engine, message, entry
):
    reading = engine.read(*engine.as_read(message))
    recalled = [c for c in reading.clauses if c.text.startswith(("你刚才", "刚才你"))]
    assert [c.weight for c in recalled] == [RECALLED]
    assert recalled[0].text not in reading.searched and recalled[0].text in reading.text
    answer = engine.answer(message)
    assert (answer.status, answer.entry_id) == (ANSWERED, entry)


def test_a_question_going_on_with_what_was_recalled_keeps_it_as_its_topic():
    # 具体内容在哪看 asks about the 清单目录 recalled: no turn to another thing (那…, …呢).
    reading = read(fold_message("回复 老李：你说的那个复工清单目录，具体内容在哪看"))
    assert [c.weight for c in reading.clauses] == [TOPIC, 1.0]
    assert reading.searched == reading.text
    # …nor one pointing back into it (那它, 那个).
    reading = read(fold_message("你刚才说办事不求人实行清单式管理，那个清单网上能查吗"))
    assert reading.clauses[0].weight == TOPIC


def test_a_clause_read_again_is_not_cut_again(engine, monkeypatch):
    # A message's parts read its clauses again (bot.engine.parts), and 你好 or 谢谢 recur.
    reading = engine.read(*engine.as_read("我们厂想扩建一下，审批大概要多久，谢谢"))
    words = engine.wording.content_words(reading)
    assert engine.wording.says(reading.clauses[0].text)
    assert pickle.loads(pickle.dumps(engine.wording))._seen == {}  # (not in a cached engine)
    fail = lambda *_: pytest.fail("cut again")  # noqa: E731
    monkeypatch.setattr(engine.wording, "subject", fail)
    monkeypatch.setattr(engine.wording, "content", fail)
    assert engine.wording.content_words(reading) == words
    assert engine.wording.says(reading.clauses[0].text)
