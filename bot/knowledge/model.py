"""Loading and checking the knowledge directory: the one place that knows its layout.

    knowledge/
      bot.yaml            the bot's own texts (welcome, help, fallback, small talk)
      synonyms.yaml       groups of words that mean the same thing
      faq/*.yaml          one file per category, each with its entries
      sources/ID.yaml     metadata of a source document; its text is in sources/ID.txt

Loading never half-succeeds: either every file checks out and a `Knowledge` comes back, or the
caller gets every problem found, each with file and line, and keeps what it had.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from bot.knowledge.bulk import paused_gc
from bot.knowledge.files import Snapshot, read_snapshot
from bot.knowledge.yamlfile import Problem
from bot.text.numerals import DIGITS, UNITS, value

# Ids travel in Telegram button data (64 bytes with the rest), so they are short and ASCII;
# letters of either case, digits, ".", "_" and "-" let imported FAQ ids stay as they were.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
# Characters; longer answers draw a warning (channels split them as they must). bot.yaml's
# `max_answer` sets another limit for a knowledge base whose channels show more or less at once.
MAX_ANSWER = 4096
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MIN_SIMILAR = 4
_Frozen = TypeVar("_Frozen")

ENTRY_FIELDS = {"id", "question", "similar", "answer", "source", "keywords", "related", "review_by"}
ENTRY_REQUIRED = ("id", "question", "answer", "source")
FAQ_FIELDS = {"category", "description", "entries"}
SOURCE_FIELDS = {"document", "quote"}
DOCUMENT_FIELDS = {"title", "publisher", "outlet", "date", "url", "passages"}
TEXT_FIELDS = {
    "name",
    "welcome",
    "help",
    "fallback",
    "fallbacks",
    "clarify",
    "confirm",
    "none_of_these",
    "near",
    "no_list",
    "empty",
    "smalltalk",
    "thresholds",
    "max_answer",
    "places",
}
# Optional texts of the two-stage fallback, with what a deployment gets when bot.yaml has none.
TEXT_DEFAULTS = {
    "confirm": "您是想问「{question}」吗？",
    "none_of_these": "都不是",
    "near": "您也可以看看这些相关问题：",
    "no_list": "现在没有等您选择的问题（选择可能已经过期）。请直接输入您想咨询的问题。",
    "also": "另外，关于「{question}」：",
}
# What a reply to a "您是想问" list looks like (a number, a yes, a no). Sent when no list is open
# (it expired, was answered, or never was) it is no question: it gets `no_list`, not the
# fallback, and is not a gap for reviewers. A bot.yaml smalltalk pattern of the same word wins.
LIST_REPLIES = (
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "都不是",
    "不是",
    "都不对",
    "不对",
    "是",
    "是的",
    "对",
    "对的",
    "嗯",
)
# A list reply may end with a particle ("不是啊", "都不是呢", "是的呀") and is the same reply.
REPLY_PARTICLES = re.compile(r"[啊呀呢吧哦噢嘛啦哈]+$")


def bare_reply(text: str) -> str:
    """A short reply without the particles it ends with. The engine (no list open: `no_list`)
    and bot.conversation (a list open: a pick or a no) read replies through this one rule."""
    return REPLY_PARTICLES.sub("", text)


THRESHOLD_FIELDS = ("answer", "margin", "clarify")
TEXT_REQUIRED = ("name", "welcome", "help", "fallback", "clarify", "empty")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    date: str
    publisher: str = ""
    outlet: str = ""
    url: str = ""
    text: str = ""
    answer_from: bool = True  # may the engine quote its passages when no FAQ entry matches?

    @cached_property
    def passages(self) -> list[str]:
        return split_passages(self.text)

    @cached_property
    def comparable_text(self) -> str:
        return comparable(self.text)

    @cached_property
    def figures(self) -> frozenset[str]:
        """Every number the document states, its own date included: answers say which day
        their facts are from."""
        return frozenset(figures(self.text) | figures(self.date))

    def __getstate__(self) -> dict:
        """What a saved engine keeps (bot.engine.cache): not the figures, made again when first
        needed (by checks, never by an answer). A set is pickled in its hash order, which
        differs from process to process: with it, two saves of the same engine differed."""
        return {name: value for name, value in self.__dict__.items() if name != "figures"}


@dataclass(frozen=True)
class Source:
    document: str
    quote: str


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    question: str
    similar: tuple[str, ...]
    answer: str
    source: Source
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    review_by: dt.date | None = None
    path: Path = Path()
    line: int = 0
    question_lines: tuple[int, ...] = ()  # the line of each of `questions`
    answer_line: int = 0

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.similar)


def made_as_init_would(cls: type[_Frozen], values: dict) -> _Frozen:
    """An instance of a frozen dataclass (`Entry`, `Source`) from all its field values in
    declaration order, as its own __init__ leaves it, without that __init__'s
    `object.__setattr__` per field: 0.48 s of CPU for 100k entries, ~0.1 s this way, at
    loading (bot.knowledge._faq) and when an engine cache's entry is first read
    (bot.knowledge.packed)."""
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


@dataclass(frozen=True)
class SmallTalk:
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Texts:
    name: str
    welcome: str
    help: str
    fallback: str
    clarify: str
    empty: str
    smalltalk: tuple[SmallTalk, ...] = ()
    confirm: str = TEXT_DEFAULTS["confirm"]  # a clarify with one candidate: a yes/no question
    none_of_these: str = TEXT_DEFAULTS["none_of_these"]  # the choice that leads to the fallback
    near: str = TEXT_DEFAULTS["near"]  # heads the near topics a fallback still lists
    no_list: str = TEXT_DEFAULTS["no_list"]  # a list reply with no list open (LIST_REPLIES)
    also: str = TEXT_DEFAULTS["also"]  # heads the answer to a message's other question
    # Per category, a fallback text for questions near that category (where to turn for it);
    # every other question gets the general `fallback`, which names no particular window.
    fallbacks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Knowledge:
    directory: Path
    version: str
    texts: Texts
    entries: tuple[Entry, ...]
    documents: dict[str, Document]
    synonyms: tuple[tuple[str, ...], ...]
    categories: tuple[str, ...]
    thresholds: dict[str, float] = field(default_factory=dict)  # from bot.yaml, if calibrated
    # bot.yaml's `places`: the city's own names (抚远, 抚远市), which the engine weighs as the
    # words that frame a question: every entry is of this city, so they tell no entry apart.
    places: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # The entries by id: made from `entries` unless given (by the reader, which has it already);
    # a copy with other entries (`dataclasses.replace`) gives `by_id={}`.
    by_id: dict[str, Entry] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id.update({entry.id: entry for entry in self.entries})

    def in_category(self, category: str) -> list[Entry]:
        """The category's entries in the knowledge's order (a list of the caller's own)."""
        return list(self._by_category.get(category, ()))

    @cached_property
    def _by_category(self) -> dict[str, list[Entry]]:
        # Grouped once: `/api/v1/topics` asks every category, and a pass over all entries for
        # each was 5 s of CPU at 100k entries in 1,000 categories (probe24).
        grouped: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            grouped[entry.category].append(entry)
        return dict(grouped)

    def __getstate__(self) -> dict:
        """What a saved engine keeps (bot.engine.cache): not the grouping by category, made
        again on need. Its entries are not the ones the cache packs (only `entries` and
        `by_id` are), so it would carry every entry a second time, and a knowledge asked for a
        category would pickle otherwise than one never asked."""
        return {name: value for name, value in self.__dict__.items() if name != "_by_category"}


class KnowledgeError(Exception):
    """The knowledge does not check out; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class KnowledgeDirMissing(Exception):
    """The knowledge directory itself cannot be read."""


def comparable(text: str) -> str:
    """The form in which a quote must appear in its document: width-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# 万 and 亿 stay as written after the digits (五十五万 → 55万), as the source writes 55万美元.
_CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?:点[零〇一二两三四五六七八九]+)?")
# Words that are not amounts: 百分之 introduces one (百分之六十一 is 61%), and 十分 is "very"
# (十分重要) unless it is part of a number (二十分) or a time (十分钟).
# A lone digit is a count before 万/亿 (六亿元) or, other than 一 (一个, 一次, 一批 are idioms), before
# a measure word (取消六项, 两个项目).
_COUNTED = re.compile(r"[万亿]|(?<![一])[项个家名年月日号天人次批座所]")
_NOT_AMOUNTS = re.compile(
    r"百分之(?=[零〇一二两三四五六七八九十百千\d])|(?<![零〇一二两三四五六七八九])十分(?![钟之])"
)


def _chinese_number(match: re.Match) -> str:
    """A number written in Chinese numerals as digits: 两千八百八十八 → 2888, 二〇二二 → 2022,
    二十三点八 → 23.8, 取消六项 → 6. What only looks like one stays as written, so it is neither
    checked nor lets a wrong figure pass: a lone digit that counts nothing (一区两岛, 一对一, 一次办),
    a run of digits that is a word or an
    estimate (五一, 七八个), units without digits (老百姓, 千方百计, 千万), and two digits in a row
    between units (三四十个, 十四五)."""
    text = match.group(0)
    whole, _, fraction = text.partition("点")
    fraction = "".join(str(DIGITS[c]) for c in fraction)
    if not any(c in UNITS for c in whole):
        if len(whole) < 3 and not ({"零", "〇"} & set(whole)) and not fraction:
            if len(whole) == 1 and _COUNTED.match(match.string, match.end(), match.end() + 1):
                return str(DIGITS[whole])
            return text
        digits = "".join(str(DIGITS[c]) for c in whole)
        return f"{digits}.{fraction}" if fraction else digits
    if whole != "十" and not any(c in DIGITS for c in whole):
        return text
    if re.search(r"[一二两三四五六七八九]{2}", whole):
        return text
    number = str(value(whole))
    return f"{number}.{fraction}" if fraction else number


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
# Every character a figure is made of, once NFKC has folded the text: none, no figures.
_FIGURE_CHARS = re.compile(r"[\d零〇一二两三四五六七八九十百千]")


def figures(text: str) -> set[str]:
    """Every number in a text, as written digits (full-width folded, "2,887" as "2887",
    "两千八百八十八" as "2888", "百分之六十一" as "61")."""
    text = unicodedata.normalize("NFKC", text)
    if not _FIGURE_CHARS.search(text):
        return set()  # a text that states none costs one search, not the substitutions
    text = _THOUSANDS.sub("", text)
    text = _CHINESE_NUMBER.sub(_chinese_number, _NOT_AMOUNTS.sub(" ", text))
    return {number.lstrip("0") or "0" for number in NUMBER.findall(text)}


def unsupported_figures(answer: str, quote: str, document: Document) -> list[str]:
    """Numbers in an answer that neither the quote nor the cited document contains."""
    stated = figures(answer)
    if not stated:  # an answer without figures: the quote and the document are not read
        return []
    return sorted(stated - figures(quote) - document.figures, key=lambda n: (len(n), n))


PASSAGE_CHARS = 300


def split_passages(text: str) -> list[str]:
    """A document's text as passages to answer from: its paragraphs, with short ones (headings)
    joined to what follows and long ones cut at sentence ends near PASSAGE_CHARS."""
    passages: list[str] = []
    pending = ""
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n|\n", text)):
        if not paragraph:
            continue
        paragraph = f"{pending} {paragraph}".strip() if pending else paragraph
        if len(paragraph) < 40:
            pending = paragraph
            continue
        pending = ""
        while len(paragraph) > PASSAGE_CHARS * 1.5:
            cut = max(paragraph.rfind(mark, 0, PASSAGE_CHARS + 1) for mark in "。；！？")
            cut = cut + 1 if cut > 0 else PASSAGE_CHARS
            passages.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        passages.append(paragraph)
    if pending:
        passages.append(pending)
    return passages


def load(directory: Path | str | Snapshot, lines: bool = True) -> Knowledge:
    """Load and check a knowledge directory (or a snapshot of one already read); raise
    `KnowledgeError` listing every error. `lines=False`: see `check`."""
    knowledge, problems = check(directory, lines)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors or knowledge is None:
        raise KnowledgeError(errors)
    return knowledge


def check(
    directory: Path | str | Snapshot, lines: bool = True
) -> tuple[Knowledge | None, list[Problem]]:
    """Every problem in a knowledge directory, and the knowledge if there are no errors.

    `lines=False` is for serving: large files are read fast, without line numbers (entries
    from them have line 0; bot.knowledge.fastyaml), and any file with a problem is read again
    with lines, so every problem still names its line. The garbage collector is paused while
    the millions of objects of a large knowledge base are made (bot.knowledge.bulk)."""
    snapshot = directory if isinstance(directory, Snapshot) else snapshot_of(Path(directory))
    from bot.knowledge._reader import Reader  # it builds this module's types: no import cycle

    with paused_gc():
        reader = Reader(snapshot, fast=not lines)
        knowledge: Knowledge | None = reader.read()
        again = reader.fast_files & {problem.path for problem in reader.problems}
        if again:
            reader = Reader(snapshot, fast=True, exact=again)
            knowledge = reader.read()
    if any(problem.severity == "error" for problem in reader.problems):
        knowledge = None
    return knowledge, reader.problems


def snapshot_of(directory: Path) -> Snapshot:
    """Every knowledge file read into memory (bot.knowledge.files), or `KnowledgeDirMissing`."""
    if not directory.is_dir():
        raise KnowledgeDirMissing(f"知识库目录不存在或无法读取: {directory}")
    try:
        return read_snapshot(directory)
    except PermissionError as exc:
        raise KnowledgeDirMissing(f"知识库无法读取: {exc}") from exc
