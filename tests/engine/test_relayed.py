"""Who a question is relayed from (群友问…, 楼上说…): weighed as nothing, and left out of the text
searched."""

from __future__ import annotations

from bot.engine.answerability import content
from bot.engine.relayed import relayed_from, relayers_apart, unrelayed


def test_who_a_question_is_relayed_from_carries_nothing():
    # Where a clause opens with who asks (邻居问…, 我家表哥想问…), that word says nothing of
    # what is asked: an entry that answers the rest covers all that carries.
    assert relayed_from("你好 邻居问抚远的码头在哪") == {"邻居"}
    assert relayed_from("我家表哥想问抚远") == {"表哥"}
    words = [("邻居", 1.0, " lin ju "), ("码头", 1.0, " ma tou ")]
    found = content(words, text="邻居问抚远的码头在哪")
    assert [w for w, *_ in found.heaviest] == ["码头"]
    assert found.weight == 1.0
    # The sender asking about a thing (码头问一下, 码头问问) or a 问题 names no asker.
    assert relayed_from("码头问一下在哪") == relayed_from("码头问问") == frozenset()
    assert relayed_from("码头问题谁管") == frozenset()
    # Who said what is asked about, too (楼上说…); not a thing said to be so (码头说是新修的).
    assert relayed_from("表哥说码头修好了 在哪") == {"表哥"}
    assert relayed_from("码头说是新修的") == relayed_from("说明一下码头") == frozenset()
    # An office that said it is the source of what is asked, often its subject (海关说网上办，
    # 我想问抚远海关的…); a paper or a person is not (新闻说…, 楼上说…).
    for text in ("税务局说发票能网上开 怎么开", "专窗说要带原件吗", "海关说网上办 通关要多久"):
        assert relayed_from(text) == frozenset(), text
    assert relayed_from("新闻说口岸要扩建 啥时候开工") == {"新闻"}
    assert content(words, text="邻居码头问一下在哪").weight == 2.0


def test_a_thing_the_sender_asks_whom_to_ask_about_or_to_be_told_is_no_asker():
    # 码头问谁, 码头问哪里: whom to ask about the dock; 码头说一下, 说清楚点, 说到底: tell me about
    # it. Taken for an asker, 码头 weighed nothing and the dock's entry was refused.
    for text in ("码头问谁", "码头问哪里", "码头问哪个部门呢", "码头说一下", "码头说下"):
        assert relayed_from(text) == frozenset(), text
    assert relayed_from("码头说清楚点") == relayed_from("码头说到底是啥") == frozenset()
    assert relayed_from("码头说白了是什么") == frozenset()
    # Nor one asked about before (码头问了好几回, 问了三次, 问过了); 邻居问过码头在哪 is relayed.
    for text in ("码头问了好几回 怎么走", "码头问了三次", "码头问过了 能去吗", "码头问2遍了"):
        assert relayed_from(text) == frozenset(), text
    assert relayed_from("邻居问过码头在哪") == {"邻居"}
    words = [("码头", 1.0, " ma tou ")]
    assert content(words, text="码头问谁").weight == 1.0
    # A clause that goes on after 问谁 / 问哪 is who asks it (邻居问哪里能坐船, 邻居问谁管码头).
    assert relayed_from("邻居问哪里能坐船") == relayed_from("邻居问谁管码头") == {"邻居"}


def _knows(name: str) -> bool:
    """A stand-in for the knowledge's vocabulary: it knows 码头 and 报道."""
    return "码头" in name or "报道" in name


def test_who_relayed_a_question_is_left_out_of_the_text_searched():
    # 邻居说…, 表姐问…, 楼上说…: the relayer and the 说 or 问 after them go; the rest is searched.
    assert unrelayed("邻居说抚远的码头修好了 在哪", _knows) == "抚远的码头修好了 在哪"
    assert unrelayed("你好 表姐问抚远的码头在哪", _knows) == "你好 抚远的码头在哪"
    assert unrelayed("楼上说码头要扩建 邻居问啥时候开工", _knows) == "码头要扩建 啥时候开工"
    # Not how the sender asks or heard (one character: 想问, 请问, 听说)...
    for text in ("想问抚远的码头在哪", "请问码头在哪", "听说码头修好了 在哪"):
        assert unrelayed(text, _knows) == text, text
    # ...nor a name with a word the knowledge uses (报道说…: it may be what is asked about), nor
    # an office or the city by a name of bot.yaml's places (税务局说…, 抚远说…: the source of what
    # is asked); another city's 抚远 is a name like 邻居.
    for text in ("报道说码头修好了 在哪", "税务局说码头要收费 收多少", "抚远说码头要扩建 多大"):
        assert unrelayed(text, _knows, ("抚远", "抚远市")) == text, text
    assert unrelayed("抚远说码头要扩建 多大", _knows) == "码头要扩建 多大"
    assert relayed_from("抚远说码头要扩建", ("抚远",)) == frozenset()
    # A text that is nothing but its relayer is searched as it is.
    assert unrelayed("邻居问", _knows) == "邻居问"


def test_a_relayed_question_matches_as_it_would_unrelayed(engine):
    # Weighed as nothing in the checks, the relayer still diluted the match (0.31 → 0.47 for
    # the right entry here): the message matches as if the sender had asked it.
    relayed = engine.candidates("邻居说抚远马上办的事项挺多，到底多少项")[0]
    asked = engine.candidates("抚远马上办的事项挺多，到底多少项")[0]
    assert relayed.id == asked.id == "fgf-mashangban"
    assert relayed.match == asked.match
    assert relayed.score == asked.score


def test_where_a_relayed_question_or_an_errand_starts_a_clause_is_told():
    # Each alternative of the pattern led by a plain character (a speed change): the places found
    # are where the look-behind first found them.
    cases = {
        "外地投资人问我抚远有什么政策": "外地投资人问我 抚远有什么政策",
        "经常被客人问码头在哪": "经常被客人问 码头在哪",
        "商户都在问什么时候开工": "商户都在问 什么时候开工",
        "老板让我查下抚远有几项": "老板让我查下 抚远有几项",
        "老板叫俺打听一下码头": "老板叫俺打听一下 码头",
        "问我抚远": "问我 抚远",
        "请问我们能网上办吗": "请问我们能网上办吗",  # the sender asks: no relayer
        "想问我抚远": "想问我抚远",
        "他问我们抚远": "他问我们抚远",  # 我们: the sender's side asks
        "客人问我": "客人问我",  # nothing asked after it
        # The sender's own asking verb opening a clause: what it asks starts after it.
        "俺问问码头咋走": "俺问问 码头咋走",
        "客人说 我就问一下码头咋走": "客人说 我就问一下 码头咋走",
        "咱问下码头": "咱问下 码头",
        "我问问题": "我问问题",  # a question asked, not the verb
        "他们我问问码头": "他们我问问码头",  # not where a clause opens
    }
    assert {text: relayers_apart(text) for text in cases} == cases


def test_the_senders_own_asking_verb_is_background(engine):
    # 俺问问 glued to the question diluted its match as a relayer did.
    opened = engine.candidates("俺问问抚远马上办的事项到底多少项")[0]
    asked = engine.candidates("抚远马上办的事项到底多少项")[0]
    assert opened.id == asked.id == "fgf-mashangban"
    assert opened.score >= asked.score - 0.05
