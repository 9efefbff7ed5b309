"""What a message holds besides its words, set apart before it is read (bot.engine.reading's
`fold_message`): quotation marks, a pasted line of the article, a group chat's mention, a figure
given as an estimate, the note that a message was dictated, a letter's salutation and closing, a
counter the sender would rather not go to and the size they give their own business, a numbered
list's item numbers."""

from __future__ import annotations

import re

# Quotation marks set a term apart (对“办事求人”这种现象), they do not end a clause; nor do
# the marks around a title (我是《黑龙江经济报》的记者 is one introduction, set aside).
_QUOTES = str.maketrans("", "", "“”‘’「」『』\"'《》〈〉")

# A line of the article pasted at the start of a message, then the sender's words (「复工专窗设在一楼，
# 当天可办」这个专窗在哪栋楼; 「“网上办”500项」我看报纸是这么写的): its closing mark ends a clause, as
# a term quoted within a sentence (抚远的「办事不求人」是怎么推进的) does not. Told by a mark, a digit or
# eight characters inside it.
_PASTED = re.compile(
    r"^(\s*[「『](?=[^」』]*(?:[，,、。；：“”\d]|[^」』]{8}))[^」』]+[」』])(?=\s*[^\s，,。！？!?])"
)

# A mention in a group chat (@政策小助手 …, @张三 你问的…) names who is addressed, not what is asked:
# read as a clause, 政策 and 助手 were words the entry had to cover.
_MENTION = re.compile(r"[@＠][^\s，,：:。！？!?]+")

# A note opening a message on how it was made (语音转文字 …, 【语音转文字】…, 语音输入：…: what a
# voice-input app or the sender writes before dictated text) says nothing of what is asked: read
# as a clause, 语音 and 文字 were words the entry had to cover (语音转文字 申请材料减少了…比例多少 was
# refused, 0.15, against 0.74 without it).
_DICTATED_BY = "语音转文字|语音转写|语音识别|语音输入|语音转的文字|语音转的"
# ...and one on a handwritten message (…是怎么回事（手写的）, 马上力（手写）有多少项: typed from a note, or an
# input method's handwriting pad), wherever it stands: read as words, 手写 was one the entry had to cover.
_HANDWRITTEN = re.compile(r"[（(]手写的?[）)]")
_DICTATED = re.compile(
    rf"\s*(?:[【\[（(](?:{_DICTATED_BY})[】\]）)][：:，,\s]*|(?:{_DICTATED_BY})[：:，,\s]+)"
)

# A chat app's reply header (回复 王姐：…, 回复@老张：…, 回复 3楼：…: a group chat's "reply to") names
# whom the sender answers, not what is asked; what follows is the sender's own message. Read as
# clauses, 回复 and the name were words the entry had to cover, and the message was a long one
# (a fifth less of the match counted).
_REPLIED = re.compile(r"\s*回复\s*[@＠]?[^\s，,。！？!?：:]{1,12}\s*[：:]\s*(?=\S)")

# A letter's salutation (尊敬的工作人员：, 贵单位好，) and closing (…，不胜感激; 盼复。; 望予答复; 此致敬礼) name
# whom the sender writes to and thank them, not what is asked: read as clauses, 尊敬, 工作人员, 感激
# and 盼复 were words the entry had to cover, and a message of no question word (…的主要举措，望予答复)
# was read as keywords, salutation and closing asked with the rest.
_SALUTED = re.compile(
    r"\s*(?:尊敬的[^，,：:。！!？?\s]{1,12}|贵(?:单位|方|局|处|中心|部门)(?:领导)?(?:好|您好))"
    r"\s*[：:，,！!。]\s*(?=\S)"
)
_SALUTATION_STARTS = frozenset("尊贵")
_CLOSING_MARKS = "。！!.　 \t\n"
_CLOSING_ENDS = frozenset("激尽谢复盼荷礼")
_CLOSING = re.compile(
    r"(?:不胜感激|感激不尽|万分感谢|盼复|望予?答复|望回复|[烦敬恳]?请(?:回复|答复|函复)"
    r"|(?:回复|答复|函复)?为盼|是荷|此致敬礼)[。！!.\s]*$"
)
# A figure given as an estimate (两千八百多项, 600多项, 十来个, 三千余项) is what the sender half
# remembers or heard (听说…有两百多项，准确是多少): no answer writes one (the answers give 233项),
# and its numerals were words the right entry left uncovered, the match of a count question
# halved. Left out of a message, as a mention is; not 几百 (it asks: 有几百项), nor 多少 / 多久…
# after a figure, nor 一来 (firstly): 来 only before a measure word. So is a figure the sender
# says it comes close to (快七百项, 将近三千项; not 约6亿, as the report writes it) or whose last
# digit they forget (六百八十几项, 十几个; 几 after a ten, not 有几项); not a span of time, which may be
# what is asked (差不多一个月能办下来吗 left as 施工许可月能办下来吗 was answered wrong; 十几个工作日).
_MEASURE = "个项家亿万元吨亩垧人件条所位次年"
_NUMBER = r"(?:[一二两三四五六七八九十百千万]+|\d+)"
_COUNTED = rf"(?!年)[{_MEASURE}](?![月天日周星礼小工钟])"
_ESTIMATE = re.compile(
    rf"{_NUMBER}(?:[多余](?![少久长大远高宽重深])[{_MEASURE}]?|来[{_MEASURE}])"
    rf"|(?:快|将近|接近|差不多){_NUMBER}{_COUNTED}|{_NUMBER}(?<=[十\d])几{_COUNTED}"
)
_ROUGHLY = re.compile("[多余来几快近]")  # (a character every estimate has)
# A counter the sender would rather not go to (…可以不去窗口网上办吗, 复工能不能不去大厅办, 不用跑窗口) is
# what they want to avoid, not what they ask about: read as words, 窗口 (the 专窗, by its synonym
# group) and 大厅 made the 复工专窗 entry, which says where to go, the answer to how to do without
# going (fresh17 692: wrong; fresh13 182: refused). Not 现场: 不去现场 is what 不见面 and 零见面
# entries are asked in (海关业务能不去现场办不), and their questions say it.
_AVOIDED = re.compile(r"不(?:用|必|想|需要?)?(?:去|跑|到)(?:政务)?(?:窗口|大厅)(?:排队)?")
# A numbered list's item numbers (1. 我写论文 2. 集中开工了哪些项目 3. 有几个; …在哪？2. 几点上班？;
# ①, (1)) say where an item starts, as a comma would: read as words, each number was a clause of
# its own, weighed as a topic typed as a fragment or pointed back to (3 before 有几个). A number
# with a mark after it starts the message or follows a space or a mark, and no digit follows
# it (1.5亿, 3、4月份, 第1、2批 are figures).
# (Every alternative is led by its first character and looks behind from there, so the regex
# engine skips to those characters: a third of the cost of testing the boundary first.)
_NUMBERED = re.compile(
    r"[1-9（(①-⑨](?:(?<=[1-9])(?<![^\s，,。；;？?！!：:][1-9])[.、．)）](?!\d)"
    r"|(?<=[（(])[1-9][）)]|(?<=[①-⑨]))"
)


def unquoted(message: str) -> str:
    """A message (not folded yet) without its quotation marks and mentions (`_QUOTES`,
    `_MENTION`) nor a note that it was dictated (`_DICTATED`), a reply header (`_REPLIED`), a
    letter's salutation and closing (`_SALUTED`, `_CLOSING`), a pasted line it opens with set
    apart by a comma (`_PASTED`), nor a numbered list's item numbers (`_NUMBERED`: a comma)."""
    # `match`, not `sub`: `sub` tries an anchored pattern at every position (~5 µs a message).
    if "语音" in message and (dictated := _DICTATED.match(message)):  # (`in`: ~10x cheaper)
        message = message[dictated.end() :]
    if "手写" in message:
        message = _HANDWRITTEN.sub("，", message)
    if "回复" in message and (replied := _REPLIED.match(message)):
        message = message[replied.end() :]
    # (Each tried only where its first or last characters can be: a search for the closing in
    # every message cost ~2 µs, 60% of `unquoted`.)
    if message.lstrip()[:1] in _SALUTATION_STARTS and (saluted := _SALUTED.match(message)):
        message = message[saluted.end() :]
    closing = message.rstrip(_CLOSING_MARKS)[-1:] in _CLOSING_ENDS
    if closing and (closed := _CLOSING.search(message)) and closed.start():  # (请回复 alone stays)
        message = message[: closed.start()]
    if pasted := _PASTED.match(message):
        message = f"{pasted[0]}，{message[pasted.end() :]}"
    message = _NUMBERED.sub("，", message)
    return _MENTION.sub(" ", message.translate(_QUOTES))


# The size the sender gives their own business (俺们这些小企业, 我们这种小店, 我们小厂) says who asks, as
# 我们公司 does (FRAMING): 小 read as a character of the content was one the entry had to cover, and
# …政府咋帮俺们这些小企业 got 信用修复, whose answer covers the rest, over 精准扶持 (fresh19 924). Not
# 小 of a size asked about (小微企业能不能进…名单: a trap, eligibility), nor without the sender.
_OWN_SIZE = re.compile(r"([我俺咱]们?(?:这些|这种|这样的|这类)?)小(?=企业|公司|厂|店)")


def without_senders_own(folded: str) -> str:
    """A folded message without a counter the sender would rather not go to (`_AVOIDED`), and
    without the size the sender gives their own business (`_OWN_SIZE`)."""
    if "不" in folded:
        folded = _AVOIDED.sub("", folded)
    return _OWN_SIZE.sub(r"\1", folded) if "小" in folded else folded


def without_estimates(folded: str) -> str:
    """A folded message without the figures it gives as estimates (`_ESTIMATE`)."""
    # Every estimate says 多, 余, 来, 几, 快 or 近, and most messages none: `_ESTIMATE` starts with
    # a group, so it is tried at every position (~20k instructions a message, ~0.6%).
    return _ESTIMATE.sub("", folded) if _ROUGHLY.search(folded) else folded
