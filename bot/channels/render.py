"""How an answer reads for people: the words every channel shows, whatever its markup.

The engine returns structure (a status, the entries offered, a passage and its source, the near
topics); this module is the one place that turns it into sentences: the confirm question and the
"您是想问" list, the label of a quoted passage, the near topics under a fallback, the note to a
question in another language, the answer to a message's second question under its heading. A
channel with buttons shows `body` and makes buttons of the lists; a text channel shows `text`,
which has them as lines; `as_json` is what JSON clients get.
"""

from __future__ import annotations

import hashlib

from bot.app import Turn
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Answer
from bot.knowledge.model import Entry, Knowledge, Texts
from bot.text.terminal import terminal_text

RELATED_SHOWN = 3
# Put before the fallback for a question with no Chinese in it, by the engine's `language`.
FOREIGN_NOTES = {
    "en": "Sorry, this bot answers questions in Chinese only. 本机器人只用中文回答，请用中文提问。",
    "ru": "Извините, этот бот отвечает только на китайском языке. 本机器人只用中文回答，请用中文提问。",
    "ja": "申し訳ありませんが、このボットは中国語でのみお答えします。本机器人只用中文回答，请用中文提问。",
    "ko": "죄송합니다. 이 봇은 중국어로만 답변합니다. 本机器人只用中文回答，请用中文提问。",
}


def category_key(category: str) -> str:
    """A short stable key for a category: survives reloads that reorder categories."""
    return hashlib.sha1(category.encode()).hexdigest()[:8]


def find_category(knowledge: Knowledge, key: str) -> str | None:
    """The category a key from `category_key` stands for, if it still exists."""
    return next((c for c in knowledge.categories if category_key(c) == key), None)


def source_line(source: dict) -> str:
    """《title》 and date: enough for a reader to find the original."""
    title = source.get("title") or source.get("document", "")
    date = source.get("date", "")
    return f"来源：《{title}》" + (f"，{date}" if date else "")


def cited(answer: Answer) -> list[dict]:
    """The sources of all a reply says: the answer's, then those of each further answer
    (`Answer.also`), each document once. The answer's own alone, under both, credited an
    imported sheet's answer to the news report (probe20)."""
    found: dict[object, dict] = {}
    for source in [*answer.sources, *(s for more in answer.also for s in more.sources)]:
        found.setdefault(source.get("document") or source.get("title"), source)
    return list(found.values())


def is_confirm(answer: Answer) -> bool:
    """A clarify offering one entry: asked as a yes/no question, not as a list of one."""
    return answer.status == CLARIFY and len(answer.choices) == 1


def body(answer: Answer, texts: Texts) -> str:
    """What the answer says, without the lists (choices, near topics) a channel may show as
    buttons: for a clarify its question, for a quoted passage the passage under its label."""
    if is_confirm(answer):
        return texts.confirm.format(question=answer.choices[0].question.rstrip("？?"))
    if answer.status == CLARIFY:
        return texts.clarify
    passage = answer.sources[0] if answer.sources and "passage" in answer.sources[0] else None
    if passage is not None:
        date = f"（{passage['date']}）" if passage.get("date") else ""
        return f"以下摘自《{passage['title']}》{date}：\n“{answer.answer}”"
    if answer.language in FOREIGN_NOTES:
        return f"{FOREIGN_NOTES[answer.language]}\n{answer.answer}"
    if answer.also:
        return "\n\n".join([answer.answer.rstrip(), *(also(more, texts) for more in answer.also)])
    return answer.answer


def also(answer: Answer, texts: Texts) -> str:
    """The answer to another question of the same message (`Answer.also`) under its heading,
    which names the entry's question. (`replace`, not `format`: a bot.yaml heading with other
    braces in it must not break the reply.)"""
    question = answer.entry.question.rstrip("？?") if answer.entry else answer.question
    return f"{texts.also.replace('{question}', question)}\n{answer.answer.rstrip()}"


def listed(answer: Answer, texts: Texts) -> list[str]:
    """The lines a text channel shows under `body`: a clarify list's numbered choices and its
    "0. 都不是", or a fallback's near topics under their heading."""
    if answer.status == CLARIFY and not is_confirm(answer):
        numbered = [f"{n}. {c.question}" for n, c in enumerate(answer.choices, 1)]
        return [*numbered, f"0. {texts.none_of_these}"]
    if answer.status == FALLBACK and answer.near:
        return [texts.near, *(f"· {c.question}" for c in answer.near)]
    return []


def text(answer: Answer, texts: Texts) -> str:
    """The answer as one plain text: `body` with its lists as lines."""
    return "\n".join([body(answer, texts), *listed(answer, texts)])


def as_json(turn: Turn) -> dict:
    """`ask --json`'s object (and the web API's base): the engine's fields, with `answer` the
    text people read."""
    data = turn.answer.to_dict()
    data["answer"] = text(turn.answer, turn.knowledge.texts)
    return data


def related(answer: Answer, knowledge: Knowledge) -> list[Entry]:
    """The entries an answered entry points to, as far as they still exist."""
    if answer.status != ANSWERED or answer.entry is None:
        return []
    said = {more.entry_id for more in answer.also}  # answered in the reply already (probe20)
    entries = (knowledge.by_id.get(entry_id) for entry_id in answer.entry.related)
    return [entry for entry in entries if entry is not None and entry.id not in said][
        :RELATED_SHOWN
    ]


def as_text(answer: Answer, knowledge: Knowledge) -> str:
    """The answer as a person reads it in a terminal: the knowledge's text without control
    characters (`validate` passes an escape sequence in an answer, which `ask` printed as it
    was, setting the terminal's title or clearing its screen; probe22)."""
    lines = [text(answer, knowledge.texts).strip()]
    if answer.sources:
        lines += ["", *(source_line(source) for source in cited(answer))]
    more = related(answer, knowledge)
    if more:
        lines += ["", "相关问题：", *(f"  · {entry.question}" for entry in more)]
    return terminal_text("\n".join(lines), keep_lines=True)
