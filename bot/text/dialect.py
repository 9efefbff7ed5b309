"""A message's dialect and English words in standard Mandarin, before it is read.

Businesses that come from across China write as they speak: Cantonese (四减是乜嘢, 招商点样精准, 有冇专班,
要唔要排查, 去咗边啲城市), north-eastern Mandarin (政务大厅搁哪呢, 上哪个窗口办, 咋回事, 办证要多钱),
south-western Mandarin (做了啥子, 咋个投诉) and Wu (阿拉想问网上办有几项伐, 放管服的放哪能做的); some mix in
English (能online办吗, 有没有green channel).
The knowledge is written in standard Mandarin, and the reading of a message (bot.engine.reading:
which clause asks, its focus, the thing asked for) knows the standard question words only: 乜嘢 was
no question word, so 新壹城喺抚远起乜嘢 was read as keywords of unknown words (喺, 乜嘢); 搁哪 asked no
place, so 政务大厅搁哪呢 was answered with the entry of a window in it; and 啥子's 子 became a thing
the entry must mention. Only a user's message is put in standard Mandarin, after folding, so the
traditional forms (點樣) are already simplified and English is lower case. The knowledge is indexed
as written: a few of its similar questions say 咋 or 上哪, and a user's 咋 now shares 怎么 with its
standard questions instead (all tuned-on sets: +18 right, docs/matching.md, sixteenth round).

The table (`_STANDARD`) is data: a city whose businesses write another dialect adds its words
there, each with a test (tests/text/test_dialect.py), as docs/knowledge.md says.
"""

from __future__ import annotations

import re

# Dialect word → standard word; only words with no other reading in Mandarin (not 系 for 是:
# 系统; not 整 for 办: 整改), or read so only where `_ONLY` allows it (not the 点 of 重点, 几点).
_STANDARD = {
    # Cantonese
    "乜嘢": "什么",  # "what"
    "乜": "什么",
    "咩嘢": "什么",
    "系咩": "是什么",  # 四减係咩: what is it (係 is folded to 系)
    "咩": "吗",  # final question particle (国电投要来抚远咩); "what" before a word (`_standard`)
    "点样": "怎样",  # "how"
    "点解": "为什么",  # "why"
    "点": "怎么",  # "how" before a verb only (点处理, 点办): `_ONLY`
    "边度": "哪里",  # "where"
    "边个": "谁",  # "who", "which"
    "边啲": "哪些",  # "which ones"
    "几多": "多少",  # "how many"
    "几耐": "多久",  # "how long"
    "系咪": "是不是",  # "is it"
    "系唔系": "是不是",
    "有冇": "有没有",  # "is there"
    "冇": "没有",
    "得唔得": "行不行",  # "can it be done"
    "唔使": "不用",
    "唔洗": "不用",
    "唔该": "谢谢",  # "thanks", a courtesy (a filler, as 谢谢 is)
    "唔": "不",  # "not", before a word: `_ONLY` (唔，… is a Mandarin "hm")
    "喺": "在",  # "at"
    "嘅": "的",  # possessive
    "咗": "了",  # perfective (去咗)
    "而家": "现在",  # "now"
    "𠮶": "那",  # 嗰 "that", as folding writes it
    "㗎": "",  # final particles, asking nothing a question word does not
    "喎": "",
    "系": "是",  # 係 "is" (folded to 系) before a question word (电话係幾多號, 係邊個): `_ONLY`
    "即系": "就是",  # "that is" (四减即係减啲乜): `_ONLY` (not 即系统)
    "啲": "些",  # "some" (减啲乜: 减些什么)
    "俾": "给",  # "give, let" (公开俾人睇)
    "睇": "看",  # "look, read"
    "边几": "哪几",  # "which few" (去咗边几个市): `_ONLY`
    # North-eastern Mandarin
    "搁": "在",  # "at" (搁哪办, 搁网上办): `_ONLY` (not 搁置, 耽搁)
    "上哪": "去哪",  # "where to" (上哪个窗口办): `_ONLY`
    "咋": "怎么",  # "how" (咋回事, 咋样, 咋联系, 咋去)
    "啥样": "什么样",
    "啥玩意儿": "什么",  # "what (thing)"
    "啥玩意": "什么",
    "多钱": "多少钱",  # "how much": `_ONLY` (很多钱, 好多钱 are a lot of money)
    "嘞": "呢",  # final particle: `_ONLY` (好嘞 is "OK")
    "咧": "呢",  # final particle, ending a clause only: `_ONLY` (not 咧嘴, 大大咧咧)
    "贼拉": "很",  # "very" (贼拉好)
    "贼": "很",  # "very" before what it grades only: `_ONLY` (not a thief)
    "老鼻子": "很多",  # "a lot"
    # Northern colloquial, what a reform came to (改革整出啥名堂了, 改出了什么效果): the result
    # complement 出 was a character no entry covers (a fifth of the coverage of a short question
    # gone) and 名堂 a thing asked for that no entry names, where the entries say 成效.
    "出": "",  # after a verb of doing, before what it came to: `_ONLY` (改出啥 is 改了啥)
    "名堂": "成效",  # after 出啥, 出了什么…: `_ONLY` (not 这里面有什么名堂, a trick)
    # Colloquial "say" (抚远讲的四减, 听讲, 现在讲办事不求人): a verb no entry uses, where 说 weighs
    # nothing.
    "讲": "说",  # `_ONLY` (not 讲话, 讲座, 讲究, nor 讲讲)
    # South-western Mandarin
    "啥子": "啥",  # "what": 啥子's 子 is no thing asked for
    "咋个": "怎么",  # "how"
    "几时": "什么时候",  # "when": a time asked, as 什么时候 is
    "撒": "呢",  # final particles (在哪撒, 咋个办噻), ending a clause only: `_ONLY` (not 撒网)
    "噻": "呢",
    # How many (电话是好多, 一共有好多项嘛): 好多 is "a lot" in Mandarin (好多人, 好多钱), so only after
    # 是 ending a clause, or before 嘛 / 喃 asking (`_ONLY`); read as no question word, the
    # message was keywords, and the sender's 火锅店 a thing asked for.
    "好多": "多少",
    "一哈": "一下",  # "a bit" (问一哈, 看一哈): 问一下 is a request, 一哈 was a word no entry uses
    # Wu (Shanghai, Zhejiang, southern Jiangsu: 阿拉想问网上办有几项伐, 放管服的放哪能做的, 侬这边…): the
    # sender and the bot, the final particle that asks, "how" and "know". Read as written, 阿拉 was
    # a thing the entry had to name, 伐 a unit asked for after 几项 and no question at the end, 晓得
    # a verb no entry uses where 想知道 asks.
    "阿拉": "我们",  # "I, we": `_ONLY` (not 阿拉伯, 阿拉斯加, 阿拉山口, 阿拉善)
    "侬": "你",  # "you"
    "伐": "吗",  # final question particle, ending a clause: `_ONLY` (not 采伐, 步伐)
    "晓得": "知道",
    "哪能": "怎么",  # "how", before a verb of doing: `_ONLY` (not 在哪能办, where one can)
    "辰光": "时候",  # 啥辰光 "when"
    "几钿": "多少钱",  # "how much (money)"
    "覅": "不要",
    # Final particles of chat anywhere (多少哈, 啥意思哟, 有几项哇, 知道了咯): a character no entry
    # covers, or, after 多少, a unit asked for (多少哇: #哇); 啊 asks nothing and is left out of the
    # match as every particle is (bot.text.normalize's fillers).
    "哈": "啊",  # `_ONLY`: ending a clause, not 哈哈 (laughter)
    "哟": "啊",
    "哇": "啊",
    "咯": "啊",
    # The official register (公文腔: a letter to a government office, 我司拟在贵市投资，烦请告知…): who
    # writes and to whom, "intend", "may", "inquire by letter" in everyday words. Read as written,
    # 贵 was a character the entry had to cover, 我司 and 本公司 not the sender speaking of themselves
    # (their clause asked, 我司因疫情影响出现失信行为), 可否 no question word, 拟了解 and 函询 no request.
    "贵": "你们",  # "your (office)", before an office or place only: `_ONLY` (not 太贵, 贵州)
    # ...an office named by one character is "you" whole: 处, 局 alone were characters to cover.
    "贵处": "你们",  # `_ONLY`: not 贵处理
    "贵局": "你们",
    "贵方": "你们",
    "贵司": "你们公司",
    "我司": "我们公司",
    "本公司": "我们公司",
    "本单位": "我们单位",
    "我单位": "我们单位",
    "本所": "我们",
    "本行": "我们银行",  # `_ONLY`: not 本行业
    "我局": "我们",
    "我处": "我们",  # `_ONLY`: not 我处理
    "拟": "想",  # "intend" (拟在抚远投资, 拟了解): `_ONLY` (not 模拟, 虚拟, 拟定)
    "可否": "能否",
    "函询": "想咨询",
    # "Please (tell)": 请, a request (bot.engine.reading); 烦 and 敬 were characters no entry has,
    # and 烦请告知马上办有多少项 matched its entry's question less than 请告知… does (0.50 against 0.64).
    "烦请": "请",
    "敬请": "请",
    "恳请": "请",
    "劳烦": "请",
    "烦劳": "请",
    # Taiwan Mandarin (written in traditional characters, folded to simplified first): words the
    # mainland says otherwise, with no other reading here (遠端視訊公證 is 远程视频公证).
    "视讯": "视频",
    "远端": "远程",
    "网路上": "网上",  # "online" (網路上辦), as 网上办 says it
    "网路": "网络",
    "网际网路": "互联网",
    "软体": "软件",
    "简讯": "短信",
    "数位": "数字",
    "资料库": "数据库",
    "伺服器": "服务器",
    "行动电话": "手机",
    "部落格": "博客",
    "计程车": "出租车",
    "捷运": "地铁",
    # "So, like this" (聽說那邊推「辦事不求人」，這樣子具體是怎麼做的): the mainland's 这样, a word of no
    # weight; read as written, 样子 was a thing no entry names (weight 1: refused, fresh19/).
    "这样子": "这样",
    "那样子": "那样",
    # English typed into a Chinese message, folded to lower case: the knowledge's words for it.
    "online": "网上",
    "green channel": "绿色通道",
    "government": "政府",
    "big data": "大数据",
    "hotline": "热线",
    "phone": "电话",
    "address": "地址",
    "deadline": "截止时间",
    "license": "许可证",
    "licence": "许可证",
    "apply": "申请",
    "free": "免费",
    "fee": "费用",
    "project": "项目",
    "policy": "政策",
    "customs": "海关",
    "complain": "投诉",
    "complaint": "投诉",
}
# Where a word is read as the dialect's only in some places (what may stand before it, what must or
# must not follow it): 边个 is also 边 before 个体 or 个别 (旁边个体户, 周边个别企业); 点 is "how" only
# before a verb, not where it ends a word (重点办, 几点去, 地点); 唔 is "not" before a word; 上哪 not
# in 网上哪些, 马上哪天, 楼上哪个窗口; 搁 not in 搁置, 耽搁; 多钱 not in 很多钱, 差不多钱, 这么多钱; 而家
# not in 然而家里, 从而家庭; 嘞 not in 好嘞; 贼 only before what it grades (贼多, 贼快); 出 only after
# a verb of doing and before a question word (not 出口, 出台, 搞出来的); 讲 not in a word of its own
# (讲话, 讲座, 讲解, 讲究), nor in 讲讲, a request as 说说 is.
_ENDS_A_WORD = (
    "重一地试网节观特要难焦亮站起终据景弱优缺疑热堵痛考卡早晚快慢多少差有几整两三四五六七八九十零\\d"
    "这那哪盲卖拐原标理务测样民销费摊办"  # 这点做得好, 办理点, 服务点, 采样点, 代办点…
)
# Words that end in 系 (体系怎么建, 联系哪个部门): no Cantonese 係 there.
_IN_A_WORD = "体关联派院维干水直父母星根谱语世旁嫡品科族支菌"
# (What may stand before a word is looked behind from after its first character: a pattern that
# begins with a look-behind loses the regex engine's scan for first characters, ~30 times slower.)
_ONLY = {
    "边个": "边个(?![体别])",
    "点": f"点(?<![{_ENDS_A_WORD}]点)(?=办|处理|申请|搞|做|弄|整|报|联系|预约|去|走|找)",
    "唔": "唔(?=[\u4e00-\u9fff])",
    "上哪": "上(?<![网线马早晚路身手会以楼街岛镇村车船江墙桌台面]上)哪(?!些)",
    "搁": "搁(?<!耽搁)(?![置浅下笔])",
    "多钱": "多(?<![很好许差太老挺不么更最较过诸]多)钱",
    "而家": "而(?<![因从进继然反故]而)家",
    "嘞": "嘞(?<!好嘞)",
    "系": f"系(?<![{_IN_A_WORD}]系)(?=几|边|点|乜|咩|多少|谁|哪|怎|什么)",
    "即系": "即系(?!统)",
    "边几": "边(?<![旁周身那这两一左右东西南北外里上下前后海江岸路河沿手半]边)几",
    "贼": "贼(?=[多好快慢贵难大小远近少])",
    "出": "出(?<=[搞整改干弄做闹]出)(?=了?(?:啥|什么|哪些))",
    "名堂": "名(?:(?<=[出了]啥名)|(?<=[出了]什么名))堂",
    "讲": "讲(?![话座课解究师台稿述讲])(?<!讲讲)",
    "阿拉": "阿拉(?![伯斯山善丁木尔])",
    "伐": "伐(?<![采砍征讨步杀挞北诛]伐)(?=\\s|$)",
    "贵": "贵(?=单位|市(?!场)|公司|部门|中心|县|区|省|厅|机关)",
    "贵处": "贵处(?!理)",
    "本行": "本行(?!业)",
    "我处": "我处(?!理)",
    "拟": "拟(?<![模摸虚草比]拟)(?![定订稿写人声])",
    "哪能": "哪(?<![在去到从上往搁里那这]哪)能(?=做|办|弄|搞|整|处理|申请|样|回事)",
    "好多": "好多(?=[项个条家号天钱]?[嘛喃])|好(?<=是好)多(?=[项个条家号天钱]?(?:\\s|$))",
    **{p: f"{p}(?<![{p}嘴]{p})(?=\\s|$)" for p in "咧撒噻哈哟哇咯"},
}
_CHINESE = re.compile("[\u4e00-\u9fff]")
_DIALECT = re.compile(
    "|".join(
        _ONLY.get(word, word)
        for word in sorted(_STANDARD, key=len, reverse=True)
        if not word.isascii()
    )
)
# English only in a Chinese message (one without Chinese is answered in its language's note:
# bot.engine.language; one in pinyin is spelled out first: bot.engine.spelled), only whole words.
# English in Chinese text is typed with a space each side (可以 online 办吗, 有 green channel 吗),
# which folding leaves as a clause break: 复工复产的手续可以 was read as background to 网上 and to
# 办吗, and the message went to the customs entry. A space between a word of the table and a
# Chinese character goes with it (`_SPACED`: the word in its clause). Folded, a comma there is a
# space too (手续，online办吗: rare); joined, it is still the one question. Every space between
# Latin and Chinese dropped (an English word the table does not know too) lost right answers
# (styles22, docs/matching.md).
_LATIN = re.compile("[a-z]")
_ENGLISH = "|".join(sorted(filter(str.isascii, _STANDARD), key=len, reverse=True))
_SPACED = re.compile(
    rf"(?:(?<=[\u4e00-\u9fff]) )?(?<![a-z])({_ENGLISH})(?![a-z])(?: (?=[\u4e00-\u9fff]))?"
)


def _standard(found: re.Match) -> str:
    if found[0] == "咩" and _CHINESE.match(found.string, found.end()):
        return "什么"  # 咩 before a word asks what (有咩手续), at the end it is 吗
    return _STANDARD[found[0]]


def _english(found: re.Match) -> str:
    return _STANDARD[found[1]]  # (the spaces around it, `_SPACED`, left out)


def standard(folded: str) -> str:
    """A folded message with its dialect and English words in standard Mandarin."""
    if _LATIN.search(folded) and _CHINESE.search(folded):
        folded = _SPACED.sub(_english, folded)
    return _DIALECT.sub(_standard, folded) if _DIALECT.search(folded) else folded
