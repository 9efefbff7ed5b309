"""How often a bare follow-up is answered from the conversation's previous answer: each entry's
own question asked in a conversation of its own, then each of a fixed set of follow-ups that
name no topic (多少项, 在哪办, 怎么申请…), through `bot.app.Service` as a chat channel asks.

    python bench/followups.py

Prints, of the pairs whose first question its entry answered, how many follow-ups the engine
answers alone, how many from context (`Answer.context`, bot.engine.followed), each of those,
and how many stay refused or offered a list.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.app import Request, Service

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
FOLLOW_UPS = (
    "多少项", "在哪办", "怎么办理", "要多久", "什么时候", "谁负责", "有哪些", "电话多少", "投资多少",
    "在哪", "哪些企业", "为什么", "几个", "是哪家公司", "具体怎么做的", "谁牵头", "怎么申请", "多少钱",
    "哪一年", "在什么地方",
)  # fmt: skip


def main() -> None:
    service = Service.open(KNOWLEDGE)
    counts: Counter[str] = Counter()
    for entry in service.knowledge.entries:
        for number, follow_up in enumerate(FOLLOW_UPS):
            user = f"{entry.id}/{number}"  # a conversation of its own
            if (
                service.ask(Request(entry.question, "chat", "cli", user)).answer.entry_id
                != entry.id
            ):
                counts["first question not answered by its entry"] += 1
                continue
            answer = service.ask(Request(follow_up, "chat", "cli", user)).answer
            if answer.context:
                print(f"from context: {entry.id} | {follow_up}")
                counts["answered from context"] += 1
            elif service.engine.answer(follow_up).status == "answered":
                counts["answered alone"] += 1
            else:
                counts["refused or offered a list"] += 1
    for kind, count in sorted(counts.items()):
        print(f"{kind}: {count}")


if __name__ == "__main__":
    main()
