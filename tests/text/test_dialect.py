"""Dialect question words are put in standard Mandarin before a message is read."""

from __future__ import annotations

from bot.engine.asked import asked_for
from bot.engine.focus import (
    CONTACT,
    DEFINITION,
    LIST,
    PLACE,
    PRICE,
    PROCEDURE,
    TIME,
    YES_NO,
    focus_of,
)
from bot.engine.reading import fold_message, read
from bot.text.dialect import standard


def test_cantonese_and_south_western_question_words_are_standard():
    assert standard("绿色通道系咪真嘅") == "绿色通道是不是真的"
    assert standard("专窗喺边度") == "专窗在哪里"
    assert standard("信用修复要几多日") == "信用修复要多少日"
    assert standard("有冇网上办") == "有没有网上办"
    assert standard("园区做了啥子") == "园区做了啥"
    assert standard("咋个预约") == "怎么预约"


def test_not_is_standard_before_a_word():
    assert standard("要唔要预约") == "要不要预约"
    assert standard("唔使排队") == "不用排队"
    assert standard("网上办得唔得") == "网上办行不行"
    assert standard("唔该") == "谢谢"  # Cantonese "thanks", not 不该: a courtesy
    assert standard("唔 好的") == "唔 好的"  # a Mandarin "hm", with nothing after it


def test_cantonese_words_of_a_question_are_standard():
    assert standard("园区系咩") == "园区是什么"
    assert standard("要交咩材料") == "要交什么材料"  # 咩 before a word asks what
    assert standard("招商团去咗边啲城市") == "招商团去了哪些城市"
    assert standard("𠮶个专窗而家点预约") == "那个专窗现在怎么预约"
    assert standard("有冇补贴㗎") == "有没有补贴"


def test_cantonese_is_is_standard_before_a_question_word_only():
    # 係 (folded to 系) "is", before a question word: the clause asks as its Mandarin twin does.
    assert standard("热线系几多号") == "热线是多少号"
    assert standard("负责人系边个") == "负责人是谁"
    assert standard("专窗系点样预约") == "专窗是怎样预约"
    assert standard("三减即系减啲乜") == "三减就是减些什么"
    assert standard("清单系咪公开俾人睇") == "清单是不是公开给人看"
    assert standard("考察团去咗边几个城市") == "考察团去了哪几个城市"
    # 系 ending a Mandarin word, 即系统, 边 of a side: not Cantonese.
    assert standard("联系哪个部门") == "联系哪个部门"
    assert standard("体系怎么建") == "体系怎么建"
    assert standard("即系统性改革") == "即系统性改革"
    assert standard("旁边几个窗口") == "旁边几个窗口"


def test_how_is_cantonese_only_before_a_verb():
    assert standard("专窗点办") == "专窗怎么办"
    # Where 点 ends a word, it is that word: a key point, an hour, a place.
    assert standard("重点办哪些事") == "重点办哪些事"
    assert standard("几点去") == "几点去"
    assert standard("地点找不到") == "地点找不到"
    assert standard("这点做得好") == "这点做得好"
    assert standard("代办点办哪些事") == "代办点办哪些事"


def test_north_eastern_words_of_a_question_are_standard():
    assert standard("专窗搁哪呢") == "专窗在哪呢"
    assert standard("搁网上能办不") == "在网上能办不"
    assert standard("办证上哪个窗口") == "办证去哪个窗口"
    assert standard("园区咋回事") == "园区怎么回事"
    assert standard("门票要多钱") == "门票要多少钱"
    assert standard("园区咋落实的嘞") == "园区怎么落实的呢"
    assert standard("项目贼多吧") == "项目很多吧"
    assert standard("专窗是个啥玩意儿") == "专窗是个什么"
    # ...but not where the same characters are standard Mandarin.
    assert standard("网上哪些能办") == "网上哪些能办"
    assert standard("马上哪天开工") == "马上哪天开工"
    assert standard("楼上哪个窗口能办") == "楼上哪个窗口能办"
    assert standard("花了很多钱") == "花了很多钱"
    assert standard("差不多钱就行") == "差不多钱就行"
    assert standard("然而家里没人") == "然而家里没人"  # not the Cantonese 而家 (now)
    assert standard("好嘞") == "好嘞"
    assert standard("抓到一个贼") == "抓到一个贼"
    assert standard("项目搁置了") == "项目搁置了"
    assert standard("耽搁了工期") == "耽搁了工期"


def test_what_a_reform_came_to_is_asked_as_what_it_did():
    # The result complement 出 (改出啥, 搞出了什么) is how it was achieved, no thing asked for,
    # and 啥名堂 after it is what came of it: the entries say 成效.
    assert standard("园区改革整出啥名堂了") == "园区改革整啥成效了"
    assert standard("减税搞出了什么效果") == "减税搞了什么效果"
    assert standard("园区做出了哪些成绩") == "园区做了哪些成绩"
    # ...but not 出 of a word (出口, 出台), nor before what is not asked (搞出来的), nor 名堂 alone.
    assert standard("出口退税多少") == "出口退税多少"
    assert standard("搞出来的清单在哪看") == "搞出来的清单在哪看"
    assert standard("这里面有什么名堂") == "这里面有什么名堂"


def test_a_reform_asked_what_it_came_to_is_answered_as_its_standard_twin(engine):
    answer = engine.answer("抚远政务服务改革搞出啥名堂了")
    assert (answer.status, answer.entry_id) == ("answered", "fgf-chengxiao")
    answer = engine.answer("政务服务改革到底改出了什么效果")
    assert (answer.status, answer.entry_id) == ("answered", "fgf-chengxiao")


def test_say_is_said_as_in_standard_mandarin():
    assert standard("园区讲的三张清单") == "园区说的三张清单"
    assert standard("听讲专窗开了") == "听说专窗开了"
    # ...but not in a word of its own, nor 讲讲 (a request, as 说说 is).
    assert standard("政策讲座在哪") == "政策讲座在哪"
    assert standard("讲究什么") == "讲究什么"
    assert standard("能讲讲吗") == "能讲讲吗"


def test_a_question_with_say_is_answered_as_its_standard_twin(engine):
    answer = engine.answer("抚远讲的四减都减什么")
    assert (answer.status, answer.entry_id) == ("answered", "fgf-sijian")


def test_english_words_are_the_knowledge_words_in_a_chinese_message():
    assert standard("能online办吗") == "能网上办吗"
    assert standard("有green channel吗") == "有绿色通道吗"
    assert standard("园区用big data吗") == "园区用大数据吗"
    assert standard("申请有deadline吗") == "申请有截止时间吗"
    # Only whole words, and only in a Chinese message: one in English alone gets the note in
    # English (bot.engine.language), one in pinyin is spelled out (bot.engine.spelled).
    assert standard("freedom广场在哪") == "freedom广场在哪"
    assert standard("is it free online") == "is it free online"


def test_an_english_word_spaced_in_chinese_stays_in_its_clause():
    # English in Chinese text is typed with a space each side (能 online 办吗); folded, a space is
    # a clause break, and 复工复产的手续可以 was read as background to 网上 and to 办吗.
    assert standard("手续可以 online 办吗") == "手续可以网上办吗"
    assert standard("复工复产有 green channel 吗") == "复工复产有绿色通道吗"
    assert standard("hi 复工复产有 green channel") == "hi 复工复产有绿色通道"
    # Only the table's words: a space around another English word stays (dropped, it cost).
    assert standard("那个 team 的 phone 多少") == "那个 team 的电话多少"


def test_a_question_with_a_spaced_english_word_is_read_whole(engine):
    answer = engine.answer("我是海归，复工复产的手续可以 online 办吗，还是要去现场")
    assert (answer.status, answer.entry_id) == ("answered", "fugong-banli-fangshi")


def test_taiwan_words_are_the_mainlands():
    # Folded first (遠端視訊 → 远端视讯), then the mainland's word: an entry says 远程视频.
    assert standard(fold_message("能辦遠端視訊公證嗎")) == "能办远程视频公证吗"
    assert standard(fold_message("網路上能辦嗎")) == "网上能办吗"
    assert standard(fold_message("網路不好")) == "网络不好"
    assert standard(fold_message("要裝什麼軟體")) == "要装什么软件"
    assert standard(fold_message("這樣子具體是怎麼做的")) == "这样具体是怎么做的"
    assert standard(fold_message("那樣子要去哪裡看")) == "那样要去哪里看"


def test_a_taiwanese_so_is_no_thing_asked_about(engine):
    # 样子 of 這樣子 was a word no entry has, and the question was refused with its entry first.
    message = "請問一下喔，我是台灣來的生意人，聽說那邊推「辦事不求人」，這樣子具體是怎麼做的呢？"
    answer = engine.answer(message)
    assert (answer.status, answer.entry_id) == ("answered", "banshi-buqiuren")


def test_a_short_yes_no_in_taiwan_words_is_answered_as_its_mainland_twin(engine):
    # A word no entry uses in a short yes/no must be in the entry (asked.unsettled): 远端 and
    # 视讯 never were, so the entry on remote notarisation did not settle it.
    answer = engine.answer("企業能辦遠端視訊公證嗎")
    assert (answer.status, answer.entry_id) == ("answered", "qiye-yuancheng-gongzheng")


def test_a_message_without_dialect_is_left_as_it_is():
    assert standard("复工专窗在哪里") == "复工专窗在哪里"
    # 边个 only where it is "who", not 边 before 个体 or 个别.
    assert standard("专窗旁边个体户多吗") == "专窗旁边个体户多吗"
    assert standard("周边个别企业") == "周边个别企业"
    assert standard("揾边个") == "揾谁"


def test_a_dialect_question_is_read_as_its_standard_one():
    # Folded first: the traditional 點樣 is simplified before it is put in Mandarin.
    assert read(fold_message("專窗喺邊度？")).focus == PLACE
    assert read(fold_message("减证便民是乜嘢")).focus == DEFINITION
    assert read(fold_message("园区几时开工")).focus == TIME
    assert read(fold_message("可唔可以网上办")).focus == YES_NO
    assert not read(fold_message("招商点樣做")).keywords  # 点样 asks how


def test_a_dialect_question_word_asks_what_its_standard_twin_asks():
    # So that a question in dialect is refused as its standard twin is, when no entry gives
    # what it asks (a place, a price, a time), and answered as it is when one does.
    twins = [
        ("专窗搁哪", "专窗在哪", PLACE),
        ("办证上哪办", "办证去哪办", PLACE),
        ("办证多钱", "办证多少钱", PRICE),
        ("专窗几时开", "专窗什么时候开", TIME),
        ("专窗几耐能办好", "专窗多久能办好", TIME),
        ("去咗边啲城市", "去了哪些城市", LIST),
        ("协调员咋联系", "协调员怎么联系", CONTACT),
        ("修复信用咋办", "修复信用怎么办", PROCEDURE),
        ("清单咋回事", "清单怎么回事", DEFINITION),
        ("可唔可以网上办", "可不可以网上办", YES_NO),
        ("要交fee吗", "要交费用吗", PRICE),
    ]
    for dialect, twin, focus in twins:
        assert focus_of(fold_message(dialect)) == focus_of(fold_message(twin)) == focus, dialect


def test_the_particle_of_a_dialect_what_is_no_thing_asked_for(engine):
    # 啥子: its 子 was a thing the entry had to mention.
    folded = fold_message("园区给企业做了啥子")
    assert "子" not in asked_for(folded, engine.wording.content, engine.canonical)


def test_final_particles_of_chat_are_standard():
    # 咧, 撒, 噻 end a question as 呢 does; 哈, 哟, 哇, 咯 are 啊, which asks nothing.
    assert standard("冷库在哪撒") == "冷库在哪呢"
    assert standard("冷库有几个咧 我们在城区噻") == "冷库有几个呢 我们在城区呢"
    assert standard("冷库多少个哈") == "冷库多少个啊"
    assert standard("有几个哇") == "有几个啊"
    # ...only where they end a clause: not in a word, nor laughter.
    assert standard("撒网捕鱼") == "撒网捕鱼"
    assert standard("大大咧咧") == "大大咧咧"
    assert standard("哈哈") == "哈哈"
    assert standard("哈尔滨在哪") == "哈尔滨在哪"


def test_a_question_ending_on_a_dialect_particle_is_answered_as_its_standard_twin(engine):
    for question in ("复工咨询电话多少哈", "马上办有几项咧"):
        twin = engine.answer(question[:-1] + "呢")
        answer = engine.answer(question)
        assert (answer.status, answer.entry_id, answer.score) == (
            "answered",
            twin.entry_id,
            twin.score,
        )


def test_wu_words_are_standard():
    # 阿拉 "we", 侬 "you", 伐 ending a question, 晓得 "know", 哪能 "how", 辰光 "time", 几钿 "how much".
    assert standard("阿拉想问马上办有几项伐") == "我们想问马上办有几项吗"
    assert standard("侬这边有专窗伐 阿拉要复工") == "你这边有专窗吗 我们要复工"
    assert standard("想晓得信用修复哪能办") == "想知道信用修复怎么办"
    assert standard("园区啥辰光开工") == "园区啥时候开工"
    assert standard("门票几钿") == "门票多少钱"
    # ...not in a Mandarin word, nor 哪能 after where it is asked (在哪能办: where one can).
    assert standard("阿拉伯商人") == "阿拉伯商人"
    assert standard("阿拉山口口岸") == "阿拉山口口岸"
    assert standard("林木采伐") == "林木采伐"
    assert standard("加快步伐 怎么推进") == "加快步伐 怎么推进"
    assert standard("清单在哪能查到") == "清单在哪能查到"
    assert standard("专栏上哪能看到") == "专栏去哪能看到"


def test_a_wu_question_is_answered_as_its_standard_twin(engine):
    # Read as written, each was refused: 阿拉 a thing to name, 伐 a unit after 几项, 晓得 a verb.
    for question, twin in (
        ("阿拉想问一次办有几项伐", "我们想问一次办有几项吗"),
        ("阿拉想晓得放管服的管哪能做的", "我们想知道放管服的管怎么做的"),
        ("侬晓得马上办有几项伐", "你知道马上办有几项吗"),
        ("阿拉有绿色通道伐", "我们有绿色通道吗"),
    ):
        expected, answer = engine.answer(twin), engine.answer(question)
        assert answer.status == "answered"
        assert (answer.entry_id, answer.score) == (expected.entry_id, expected.score)


def test_south_western_how_many_is_standard_where_it_asks():
    assert standard("专窗电话是好多") == "专窗电话是多少"
    assert standard("一次办一共有好多项嘛") == "一次办一共有多少项嘛"
    assert standard("问一哈 专窗在哪") == "问一下 专窗在哪"
    # 好多 is "a lot" in Mandarin: many people, a lot of money, there are many.
    assert standard("好多人来了") == "好多人来了"
    assert standard("交了好多钱") == "交了好多钱"
    assert standard("专窗的人好多") == "专窗的人好多"


def test_a_south_western_how_many_is_answered_as_its_standard_twin(engine):
    # Read as no question word, the message was keywords: the sender's 烧烤店 a thing asked for.
    answer = engine.answer("烧烤店，网上能办的事项有好多项嘛")
    assert answer.status == "answered" and answer.entry_id == "fgf-wangshangban"
