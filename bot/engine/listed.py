"""A figure asked of one member of a list an entry states (研发中心投资多少, 冷链物流园区项目占地多少):
the entry names the member among others (新建大豆油、大豆蛋白加工厂、大豆精深加工研发中心及仓储附属设施)
and gives its figures of the whole (预计投资约6亿元, 占地46公顷), not of that member. bot.engine.asked
finds the words of a clause asking a figure (LISTED + its words); bot.engine.mentioned asks here
whether an entry states a figure of what they name. So for a list asked of one member named in
quotes (一件事一次办有哪几件事, `one_named`): the entry lists its siblings, not what it holds.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A clause of an answer or a quote (" | " between them), and the members of a list within it:
# 、, or 和 / 及 / 与 / 以及 between two names (not 及时, 参与, 和谐, 和平).
_CLAUSE = re.compile(r"[，。；：,;:！？|]")
_MEMBERS = re.compile(r"、|以及|及(?!时)|(?<!参)与|和(?![谐平])")
# A figure as a list states one of a member (233项, 1项, 0.5亿元), not a date (2022年, 4月7日);
# and what names a figure stated (设计仓容100万吨: 设计仓容).
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?![\d.年月日号])")
_LABELLED = re.compile(r"([\u4e00-\u9fff]{1,4})" + _FIGURE.pattern)


@lru_cache(maxsize=1024)
def _lists(stated: str) -> tuple[str, frozenset[str], tuple[tuple[str, tuple[str, ...]], ...]]:
    """What an entry states outside the members of its lists that have no figure of their own,
    what names its figures there, and per list, each such member with the list's other members.
    Kept: the same entries come up for many messages."""
    kept: list[str] = []
    lists: list[tuple[str, tuple[str, ...]]] = []
    for clause in _CLAUSE.split(stated):
        members = _MEMBERS.split(clause)
        if len(members) < 2:
            kept.append(clause)
            continue
        # The last member ends where the list's own figure starts (…训练馆项目等11个重点项目).
        last, _, rest = members[-1].partition("等")
        members[-1] = last
        kept.append(rest)
        for member in members:
            if _FIGURE.search(member):
                kept.append(member)
            else:
                lists.append((member, tuple(m for m in members if m is not member)))
    text = " ".join(kept)
    return text, frozenset("".join(_LABELLED.findall(text))), tuple(lists)


def _names(word: str, member: str) -> bool:
    """Whether a word names a member of a list, not only what it is (加工厂 of 大豆蛋白加工厂,
    中心 of …研发中心: 大豆加工厂仓容多大 asks of the whole project, 蛋白加工厂占地多少 of one part);
    a member of one word (观鸟台) is named by it."""
    return word in member and (not member.endswith(word) or member.strip("“”\"' ") == word)


def of_member(words: list[str], stated: str) -> bool:
    """Whether `words` (a clause asking a figure: its words that name things) name a member of
    a list in `stated` (an entry's answer and quote) that has no figure of its own and is named
    nowhere else, and no other member of that list: then the entry's figures are the whole's,
    and the member's is not stated. 企业和群众…减少3596项 asked 群众和企业 asks the whole; a figure
    named by a word of the member's (仓储 of 设计仓容100万吨) may be its own."""
    kept, labels, lists = _lists(stated)
    # (Most words are stated elsewhere too: those go first, the lists are read for the others.)
    listed = [w for w in words if w not in kept and labels.isdisjoint(w)]
    if not listed or not any(word in member for word in listed for member, _ in lists):
        return False
    for member, others in lists:
        if any(_names(word, member) for word in listed) and not any(
            word in other and word not in member for word in words for other in others
        ):
            return True
    return False


_NAMED = re.compile(r"“([^”]+)”")


def one_named(asked: str, message: str, stated: str) -> bool:
    """Whether a clause asking a list (`asked`: 一件事一次办都有哪几件事, up to its which-word) names
    one member of a list of names in quotes in `stated` (推出了“不见面审批”、“最多跑一次”、“一件事一次办”
    等改革举措), and the whole `message` (folded: a sibling named in a clause a 、 cut off counts)
    no other: the entry lists the member among its siblings, not what it holds."""
    if "“" not in stated:
        return False
    for member, others in _lists(stated)[2]:
        siblings = [name for other in others for name in _NAMED.findall(other)]
        if (
            siblings
            and any(name in asked for name in _NAMED.findall(member))
            and not any(name in message for name in siblings)
        ):
            return True
    return False


def names_other(excepted: list[str], stated: str) -> bool:
    """Whether an entry names a member of a list beyond those a message sets aside (`excepted`:
    除了热电联产和天然气管网，还有哪些项目… → 热电联产, 天然气管网): an entry whose lists that name
    them name nothing else (为…生物质热电联产项目和…天然气管网项目2个项目办理了施工许可证) lists just
    what the message knows already. An entry with no list naming them is not judged here."""
    named = [
        members
        for clause in _CLAUSE.split(stated)
        if len(members := _MEMBERS.split(clause)) > 1
        and any(_is_one_of(member, excepted) for member in members)
    ]
    return not named or any(
        not _is_one_of(member, excepted) for members in named for member in members
    )


def _is_one_of(member: str, excepted: list[str]) -> bool:
    """Whether a list's member is one of those set aside: it contains one, or, for one of three
    characters or more, most of its character pairs (天然气管网这两个项目 typed, 天然气管网项目 stated)."""
    for name in excepted:
        if name in member:
            return True
        pairs = [name[i : i + 2] for i in range(len(name) - 1)]
        if len(pairs) > 1 and 2 * sum(pair in member for pair in pairs) >= len(pairs):
            return True
    return False
