"""Hot reload in the running application: a good edit goes live by itself, a bad one is refused
while the old version keeps answering, and admins hear about it once."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app import Service
from bot.channels.telegram.app import build_application
from bot.ops.watch import Watcher, fingerprint
from bot.settings import Settings
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.telegram import polling

ANSWER = "可以。抚远市实时处理企业信用修复申请"


async def replies_to(api, question: str, timeout: float = 10.0) -> str:
    before = len(api.sent())
    api.push(updates.private_text(question))
    deadline = time.monotonic() + timeout
    while len(api.sent()) <= before:
        assert time.monotonic() < deadline, "no reply"
        await asyncio.sleep(0.02)
    return api.sent()[before]["text"]


@pytest.mark.slow
async def test_edits_go_live_or_are_refused(knowledge_copy):
    faq = knowledge_copy / "faq" / "04-qiye-fuwu.yaml"
    good = faq.read_text(encoding="utf-8")
    with StandIn() as standin:
        api = standin.api
        settings = Settings(
            token=TOKEN,
            base_url=standin.base_url,
            admins=frozenset({updates.ADMIN_ID}),
            knowledge=knowledge_copy,
            watch_interval=0.2,
            db=knowledge_copy.parent / "log.sqlite3",
        )
        service = Service.open(knowledge_copy)
        async with polling(build_application(settings, service)):
            old_version = service.engine.knowledge.version
            assert ANSWER in await replies_to(api, "信用修复")

            faq.write_text(
                good.replace(ANSWER, "可以，抚远市实时处理企业信用修复申请"), encoding="utf-8"
            )
            deadline = time.monotonic() + 5
            while service.engine.knowledge.version == old_version:
                assert time.monotonic() < deadline, "the edit was not picked up"
                await asyncio.sleep(0.05)
            assert "可以，抚远市实时处理" in await replies_to(api, "信用修复")
            good_version = service.engine.knowledge.version

            faq.write_text(
                good.replace("  - id: qiye-tousu", "  - id: qiye-xinyong-xiufu"), encoding="utf-8"
            )
            deadline = time.monotonic() + 5
            while not [m for m in api.sent() if m["chat_id"] == updates.ADMIN_ID]:
                assert time.monotonic() < deadline, "admins were not told"
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # several more looks at the same broken files
            notices = [m for m in api.sent() if m["chat_id"] == updates.ADMIN_ID]
            assert len(notices) == 1
            assert (
                "继续使用旧版本" in notices[0]["text"] and "04-qiye-fuwu.yaml" in notices[0]["text"]
            )
            assert service.engine.knowledge.version == good_version
            assert "可以，抚远市实时处理" in await replies_to(api, "信用修复")


async def test_unreadable_directory_keeps_the_old_knowledge(knowledge_copy):
    service = Service.open(knowledge_copy)
    refused = []

    async def record(problems):
        refused.append(problems)

    watcher = Watcher(service, 0.01, record)
    version = service.engine.knowledge.version
    moved = knowledge_copy.with_name("elsewhere")
    knowledge_copy.rename(moved)
    assert fingerprint(knowledge_copy) is None
    await watcher.check()
    await watcher.check()
    assert service.engine.knowledge.version == version
    assert len(refused) == 1
    assert service.engine.answer("信用修复").entry_id == "qiye-xinyong-xiufu"
    moved.rename(knowledge_copy)
    await watcher.check()
    assert len(refused) == 1 and service.engine.knowledge.version == version
