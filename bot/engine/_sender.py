"""The sender speaking of themselves in a message (我们是做外贸的, 我是米厂老板, 我们公司在乡镇), as
bot.engine.reading tells it apart from what is asked: patterns of clauses (and a place name's part
of speech), nothing more."""

from __future__ import annotations

import re

from bot.text.words import part_of_speech

# The sender speaking of themselves, in three reaches: "who we are" (INTRODUCTION), set aside; a
# clause that starts with them or their purpose (SELF: 我们在乡镇, 我司…, 以便…), background after
# the question; a clause about their own case anywhere in it (SENDER: 对我们业务影响大不大, 看看哪些
# 和我们有关), not what a message that also asks about the topic asks, as no report says how a
# measure touches them. A singular (我, 本人) is theirs only first: 能告诉我名字吗 asks the bot,
# 怎么联系他本人 the person.
_WE, _I = "我们|咱们|俺们", "我司|本人|我|咱|俺"
INTRODUCTION = re.compile(rf"^(?:{_WE}|{_I})(?:公司|企业|厂子|厂|单位|这边|家)?(?:是|这边是)")
# An introduction dictated into the question (我是米厂老板三位一体服务机制是什么) ends with the first word
# of what the sender is, a person's word after it (建材店老板, 国企的会计) or 的 (修手机的), within eight
# characters of 是 (not 我是说…). Read as asked, 米厂 and 老板 were things asked for.
WHO_WORDS = "人|商|公司|企业|厂|店|户|者|员|老板|代表|骑手|宝妈|会计|财务|师傅|司机|老师|摊主|店主|经理|助理"
INTRODUCED = re.compile(
    rf"{INTRODUCTION.pattern}(?![不想说在要问来去觉真])[\u4e00-\u9fff]{{0,8}}?"
    rf"(?:(?:{WHO_WORDS})(?:的?(?:{WHO_WORDS})|的)?|的(?:{WHO_WORDS})?)(?=[\u4e00-\u9fff])"
)
# ...and where the sender speaks of themselves after a question ended without a particle (…是啥构想
# 我听着像绕口令; bot.engine.reading splits after one), not as the object of a verb (帮我们, 影响我们…).
THEIRS = re.compile(
    r"[我俺咱](?<=[\u4e00-\u9fff].)(?<![帮给让叫诉对跟和找问把被替为向请教到在于有响系].)"
)
# A purpose clause (…的数量，以便我局编制对比材料; …，便于安排人员) is the sender's too: what they will do
# with the answer. Read as more of a request, its 编制 and 对比 were words the entry had to cover, and
# 对比 a comparison asked for. (Not 便于 opening a question: 便于企业办事的措施有哪些.)
_PURPOSE = r"以便|好让|便于(?!.*(?:吗|呢|哪|什么|怎|多少|几|啥|谁))"
SELF = re.compile(rf"^(?:{_WE}|{_I}|{_PURPOSE})")
SENDER = re.compile(rf"{_WE}|^(?:{_I})")

# An introduction without 是, as a learner of Chinese writes it (我俄罗斯人，最多跑一次，多少事项？; 我俄罗斯
# 商人。…): a whole clause of 我, a place name and 人 or 商人. Searched with the rest, it diluted the
# match of the entry asked (最多跑一次) below one that matched the bare 多少事项 (fresh15 662).
_PLACE_PERSON = re.compile(r"^[我俺咱]([\u4e00-\u9fff]{2,4}?)商?人$")


def introduces(clause: str) -> bool:
    """Whether a clause is the sender saying who they are: INTRODUCTION, or 我 and a place's
    people as the whole clause (`_PLACE_PERSON`: not 我不想求人, whose words are no place)."""
    if INTRODUCTION.match(clause):
        return True
    found = _PLACE_PERSON.match(clause)
    return found is not None and part_of_speech(found[1]) == "ns"
