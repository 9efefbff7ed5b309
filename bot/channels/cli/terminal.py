"""`chat`: a conversation in the terminal, through the same seam and pick rules as Telegram."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.channels.cli.common import EXIT_OK, build, open_log
from bot.settings import Settings

# The engine loads in the functions below, not at the top: every `policybot` command (`health`
# and `--version` too) imports this module to build the parser.
if TYPE_CHECKING:
    from bot.engine.core import Answer

QUIT = {"q", "quit", "exit", "退出"}
# How to answer what `chat` offers (bot.conversation reads the reply): buttons elsewhere.
CONFIRM_HINT = "（输入 y 或“是”查看，n 或“不是”表示不是）"
LIST_HINT = "（输入序号查看，0 表示都不是）"


def register(add) -> None:
    chat = add("chat", cmd_chat, "在终端里对话（写入交流记录）")
    chat.add_argument("--no-log", action="store_true", help="不写交流记录")
    chat.epilog = (
        "回答“您是想问「…」吗？”：输入 y（是）或 n（不是）；回答“您是想问：”列表：输入序号，"
        "0 表示都不是。都不是时列出相近的问题。输入 q 退出。"
    )


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """y/n answers a confirm, a number (0: none) a "您是想问" list, as bot.conversation resolves
    them for every channel."""
    from bot.app import Request, Service
    from bot.channels.render import as_text
    from bot.conversation import Conversations
    from bot.text.terminal import terminal_text

    log = None if args.no_log else open_log(settings)
    conversation = Conversations(Service(settings.knowledge, build(settings), log))
    user = getpass.getuser()
    _enable_line_editing()
    # The welcome is the knowledge's text, as an answer is: printed as as_text prints answers.
    print(terminal_text(conversation.service.knowledge.texts.welcome.strip(), keep_lines=True))
    print("（输入 q 或按 Ctrl-D 退出）")
    try:
        while True:
            try:
                line = input("\n问> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return EXIT_OK
            if line.strip().lower() in QUIT:
                return EXIT_OK
            turn = conversation.reply(Request(line, "chat", "cli", user))
            print(as_text(turn.answer, turn.knowledge))
            how = hint(turn.answer)
            if how:
                print(how)
    finally:
        if log is not None:
            log.close()  # what a busy log held gets its time, or is said to be lost


def hint(answer: Answer) -> str:
    """How to reply to a confirm (y/n) or a "您是想问" list (a number, 0); else nothing."""
    from bot.engine.core import CLARIFY

    if answer.status != CLARIFY or not answer.choices:
        return ""
    return CONFIRM_HINT if len(answer.choices) == 1 else LIST_HINT


def _enable_line_editing() -> None:
    """Arrow keys and history in `chat`, kept between sessions where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    history = Path.home() / ".policybot_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    atexit.register(_save_history, readline, history)


def _save_history(readline, history: Path) -> None:
    try:
        readline.set_history_length(1000)
        readline.write_history_file(history)
    except OSError:
        pass
