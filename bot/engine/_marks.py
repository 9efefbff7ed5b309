"""What the writer marks in a message, worked out before it is read (bot.engine.reading's `read`,
called by bot.engine.core): the label it opens with before a colon, and which of its sentences end
with a question mark. Kept apart from bot.engine.reading, whose patterns (which words ask, request,
or are the sender's own) they use: read through that module, so that an ablation turning one of
them off (bench/matching_quality.py) turns it off here too."""

from __future__ import annotations

import re

from bot.engine import reading

# A message that opens with a label and a colon (实习报告：…, 律师：…, 民宿老板：…, 尊敬的工作人员：…)
# says there who asks or what for, as an introduction does: no word of it is what is asked. Read
# as a clause, a short one was a topic typed as a fragment (`FRAGMENT`), its known words (报告,
# 律师) weighed fully and left uncovered by the right entry; a label that asks or requests
# (问下三位一体：…, 烦请告知：…) is none.
_LABEL = re.compile(r"\s*([^\s，,、：:。！？!?]{1,8})[：:](?=\s*\S)")
# ...and one typed with a comma, after a greeting or not (冷链车主，…; 喂，冷链车主，…; 大家好，面包房老板，…),
# when it names a person by what they do, in a word no entry uses: a short clause is otherwise a
# topic typed as a fragment (复工专窗，在哪; 关企协调员，电话多少), and 冷链车主's known 冷链 weighed as
# asked, the right entry left it uncovered (fresh17: 7 such messages refused with it first).
_NAMED = re.compile(
    r"\s*(?:(?:喂|你好|您好|大家好|各位好|哈喽)[呀啊]?[\s，,!！~～]+)?"
    r"([^\s，,、：:。！？!?]{0,6}(?:车主|老板|老板娘|店主|摊主|司机|师傅|骑手|宝妈|个体户|农户|养殖户|种植户))"
    r"[，,](?=\s*\S)"
)


def labelled(message: str) -> str:
    """The label a message opens with (`_LABEL`), folded as `fold_message` folds it; "" if none
    (for `read`)."""
    found = _LABEL.match(message) or _NAMED.match(message)
    if not found or reading._ASKING.search(found[1]) or reading._REQUEST.search(found[1]):
        return ""
    return reading.fold_message(found[1]).strip()


# A sentence and the marks that end it.
_SENTENCE = re.compile(r"([^。！？!?]*)([。！？!?]*)")


def questions_marked(message: str, folded: str) -> tuple[tuple[int, bool], ...] | None:
    """Per sentence of a message that has a question mark: its length folded (spaces left
    out) and whether it ends with a question mark; None for a message without one (for `read`;
    `folded`: the message folded by `fold_message`).

    Where the writer marks their questions, a sentence they did not mark does not ask, whatever
    its question words: a statement (项目前期有几份文件还在走流程。常有人问能不能当场办好。) or what
    follows the last question (…是怎么处理的？我在考虑要不要来投资。; …保留了几项？我们得判断业务还能
    不能做): the sender's circumstances, or a second thought of theirs. A last sentence left
    without any mark is not marked as a statement either: chat often ends a question unmarked
    (…有类似的审批改革吗？都推出了哪些), so it asks unless the sender speaks of themselves there."""
    if "?" not in message and "？" not in message:
        return None
    sentences = [
        (
            body,
            "?" in end
            or "？" in end
            or (not end and not reading._SELF.match(reading.fold_message(body).lstrip())),
        )
        for body, end in _SENTENCE.findall(message)
    ]
    # Folding keeps one character per letter or digit, but for a few (NFKC's ㈱, ½): counting
    # them is a tenth of folding each sentence again, which only those messages need.
    sizes = [len(reading._KEPT.findall(body)) for body, _ in sentences]
    if sum(sizes) != len(folded) - folded.count(" "):
        sizes = [len(reading.fold_message(body).replace(" ", "")) for body, _ in sentences]
    return tuple((size, asks) for size, (_, asks) in zip(sizes, sentences, strict=True) if size)
