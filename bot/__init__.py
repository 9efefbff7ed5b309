"""policybot: answers businesses' policy questions from a curated knowledge base.

The public face: what channels, scripts and other programs may rely on. Everything else is an
implementation detail of its layer (docs/architecture.md). Names load on first use, so
`policybot --version` and `import bot` stay instant.

    from bot import Service, Request, Settings
    service = Service.open("knowledge")
    turn = service.ask(Request("复工复产去哪个窗口办理", channel="web", user="session-1"))
    print(as_text(turn.answer, turn.knowledge))  # from bot.channels.render: what people read
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Each public name and the module that defines it.
_PUBLIC = {
    "Service": "bot.app",
    "Request": "bot.app",
    "Turn": "bot.app",
    "Conversations": "bot.conversation",
    "Settings": "bot.settings",
    "ConfigError": "bot.settings",
    "Engine": "bot.engine.core",
    "Answer": "bot.engine.core",
    "Candidate": "bot.engine.core",
    "Thresholds": "bot.engine.core",
    "Knowledge": "bot.knowledge.model",
    "Entry": "bot.knowledge.model",
    "KnowledgeError": "bot.knowledge.model",
    "load": "bot.knowledge.model",
    "check": "bot.knowledge.model",
    "ExchangeLog": "bot.log.writer",
}

__all__ = [
    "Answer",
    "Candidate",
    "ConfigError",
    "Conversations",
    "Engine",
    "Entry",
    "ExchangeLog",
    "Knowledge",
    "KnowledgeError",
    "Request",
    "Service",
    "Settings",
    "Thresholds",
    "Turn",
    "__version__",
    "check",
    "load",
]

if TYPE_CHECKING:
    from bot.app import Request, Service, Turn
    from bot.conversation import Conversations
    from bot.engine.core import Answer, Candidate, Engine, Thresholds
    from bot.knowledge.model import Entry, Knowledge, KnowledgeError, check, load
    from bot.log.writer import ExchangeLog
    from bot.settings import ConfigError, Settings


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
