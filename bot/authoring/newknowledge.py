"""A minimal knowledge folder, made where `policybot import` is pointed at one that does not
exist yet, so that `policybot --knowledge DIR ask` works right after the import."""

from __future__ import annotations

from pathlib import Path

from bot.authoring.disk import write_whole

NEW_BOT_YAML = """\
# 机器人自己说的话。只写来源文件里有的信息：不要编造电话号码、地址或办公时间。
name: 政策问答

welcome: |
  您好！请直接输入您想咨询的问题。

help: |
  直接用中文输入您的问题就可以，关键词也行。找不到答案时，请联系当地政务服务中心。

fallback: |
  抱歉，知识库里暂时没有这个问题的答案。请联系当地政务服务中心咨询。

clarify: 您是想问：

empty: 请直接输入您想咨询的问题。

smalltalk:
  - patterns: [你好, 您好, 在吗, hello, hi]
    reply: 您好！请直接输入您想咨询的问题。
  - patterns: [谢谢, 多谢, 感谢, thanks]
    reply: 不客气！还有其他问题随时问我。
"""
NEW_SYNONYMS_YAML = """\
# 同义词：每组写在一对方括号里，第一个词是标准说法。
groups: []
"""


def ensure_knowledge_dir(into: Path) -> bool:
    """Create a minimal valid knowledge directory if there is none; True if created."""
    if (into / "bot.yaml").exists():
        return False
    (into / "faq").mkdir(parents=True, exist_ok=True)
    (into / "sources").mkdir(exist_ok=True)
    if not (into / "synonyms.yaml").exists():
        write_whole(into / "synonyms.yaml", NEW_SYNONYMS_YAML)
    write_whole(into / "bot.yaml", NEW_BOT_YAML)  # last: it marks the folder as made
    return True
