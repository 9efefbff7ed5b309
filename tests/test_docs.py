"""Docs that cannot drift: the command reference is the parser's own help, and every command,
environment variable and JSON field the code has is documented, and nothing documented is gone.
A new command or variable (a web or WeChat channel's) fails here until a doc describes it."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape

import pytest

from bot.app import Request, Service
from bot.channels.cli import build_parser
from bot.channels.cli.terminal import hint
from bot.channels.render import as_text
from bot.channels.telegram import replies as telegram_replies
from bot.channels.web.api import present
from bot.channels.web.examples import ANSWER_EXAMPLE, CLARIFY_EXAMPLE, FALLBACK_EXAMPLE
from bot.conversation import Conversations
from bot.engine.core import ANSWERED, Answer
from bot.log.gaps import Cluster
from bot.log.stats import Stats
from bot.settings import Settings, WeChatSettings
from tests.support.flows import CONFIRM, FLOWS, LIST, flows_engine
from tests.support.paths import KNOWLEDGE, ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", ROOT / "deploy" / "README.md", *DOCS]
VARIABLE = re.compile(r"\b((?:POLICYBOT|TELEGRAM)_[A-Z][A-Z_]*[A-Z])\b")


def text(path) -> str:
    return path.read_text(encoding="utf-8")


def commands() -> set[str]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return set(sub.choices)


@pytest.mark.slow
def test_the_command_reference_is_regenerated_from_help():
    check = subprocess.run(
        [sys.executable, "scripts/cli_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_every_command_is_documented_and_every_documented_command_exists():
    reference = text(ROOT / "docs" / "cli.md")
    assert {name for name in commands() if f"## policybot {name}\n" not in reference} == set()
    mentioned = {(path.name, name) for path in PAGES for name in commands_in(text(path))}
    assert {(page, name) for page, name in mentioned if name not in commands()} == set()


def commands_in(page: str) -> set[str]:
    """Subcommands named in code (`policybot ask ...` inline or in code blocks): the program at
    the start of a line or span, after a `$ ` prompt, `bin/`, or a Compose service name
    (`exec policybot policybot stats`). Benchmark tables call the engine "policybot engine"."""
    code = re.findall(r"`([^`\n]+)`", page) + re.findall(r"```\w*\n(.*?)```", page, re.S)
    invocation = re.compile(
        r"(?:^|\$ |bin/|exec policybot )policybot((?: --?[a-z-]+(?:=\S+| (?!-)[^\s-]\S*)?)*)"
        r" ([a-z][a-z-]*)\b",
        re.M,
    )
    return {
        match.group(2)
        for snippet in code
        for match in invocation.finditer(snippet)
        if not match.group(1).endswith("--version") and match.group(2) != "engine"
    }


def code_variables() -> set[str]:
    sources = "\n".join(text(path) for path in (ROOT / "bot").rglob("*.py"))
    return set(re.findall(r'"((?:POLICYBOT|TELEGRAM)_[A-Z_]+)"', sources))


def documented_variables() -> set[str]:
    """Variables described in a table row of some page: `| `NAME` | meaning |`."""
    return {
        name
        for path in PAGES
        for name in re.findall(r"^\| `((?:POLICYBOT|TELEGRAM)_[A-Z_]+)` \|", text(path), re.M)
    }


def test_every_environment_variable_is_documented_and_exists():
    assert code_variables() - documented_variables() == set(), "add a row to a docs/ table"
    mentioned = {name for path in PAGES for name in VARIABLE.findall(text(path))}
    read = code_variables() | compose_variables() | tool_variables()
    assert mentioned - read == set(), "documented, never read"


def tool_variables() -> set[str]:
    """What tests, benchmarks and scripts read (`POLICYBOT_SCREENSHOTS` for the console's)."""
    folders = [ROOT / "tests", ROOT / "bench", ROOT / "scripts"]
    sources = "\n".join(text(path) for folder in folders for path in folder.rglob("*.py"))
    return set(re.findall(r'"((?:POLICYBOT|TELEGRAM)_[A-Z_]+)"', sources))


def compose_variables() -> set[str]:
    """What the Compose files substitute themselves (`${POLICYBOT_DOMAIN}`), not the program."""
    files = [*(ROOT / "deploy").glob("*.yaml"), *(ROOT / "deploy").glob("*.yml")]
    return {name for path in files for name in re.findall(r"\$\{(\w+)", text(path))}


def json_table(page: str, heading: str) -> set[str]:
    """The field names of the table that follows a line starting with `heading`."""
    after = text(ROOT / "docs" / page).split(heading, 1)[1]
    table = after.split("\n\n", 2)[1]
    return set(re.findall(r"^\| `(\w+)` \|", table, re.M))


@pytest.mark.parametrize(
    ("page", "heading", "fields"),
    [
        ("cli.md", "JSON fields (`ask --json`", Answer("q", "fallback", "a").to_dict()),
        (
            "operations.md",
            "JSON fields (`gaps --format json`",
            Cluster("q", 1, 1, "", "", [], {}).to_dict(),
        ),
        (
            "operations.md",
            "JSON fields (`stats --format json`",
            Stats(0, {}, [], 0, 0, 0.0, 0.0, {}).to_dict(),
        ),
    ],
)
def test_every_json_field_is_documented_and_exists(page, heading, fields):
    assert json_table(page, heading) == set(fields)


# Samples and figures the pages show, checked against what the code does -----------------------


def blocks(page: str) -> list[str]:
    """The ```text code blocks of a page."""
    return re.findall(r"```text\n(.*?)```", text(ROOT / page), re.S)


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md"])
def test_the_ask_sample_is_what_ask_prints(page, engine):
    (sample,) = [b for b in blocks(page) if b.startswith("$ policybot ask ")]
    command, shown = sample.split("\n", 1)
    question = re.fullmatch(r'\$ policybot ask "(.+)"', command).group(1)
    assert shown.strip() == as_text(engine.answer(question), engine.knowledge)


def test_the_chat_transcript_is_what_chat_prints():
    """docs/cli.md's `chat` session, on the fixed knowledge and thresholds it says it uses."""
    (session,) = [b for b in blocks("docs/cli.md") if b.startswith("问> ")]
    engine = flows_engine({CONFIRM: 1, LIST: 3})
    chat = Conversations(Service(FLOWS, engine))
    for turn in session.split("问> ")[1:]:
        typed, shown = turn.split("\n", 1)
        reply = chat.reply(Request(typed, "chat", "cli", "someone"))
        printed = "\n".join(
            filter(None, [as_text(reply.answer, reply.knowledge), hint(reply.answer)])
        )
        if shown.strip().endswith("……"):  # the page stops there
            assert printed.startswith(shown.strip().removesuffix("……").strip())
        else:
            assert printed == shown.strip()


def test_the_telegram_sample_in_the_readme_is_what_the_bot_sends(engine):
    """Each 用户/机器人 pair: the buttons, row by row ("…": and more), and for anything but an
    answer (whose long lines the page wraps) the text itself."""
    (sample,) = [b for b in blocks("README.md") if b.startswith("用户：")]
    for pair in sample.strip().split("\n\n"):
        asked, *said = pair.split("\n")
        said[0] = said[0].removeprefix("机器人：")
        answer = engine.answer(asked.removeprefix("用户："))
        reply = telegram_replies.answer_reply(answer, engine.knowledge)
        rows = [re.findall(r"\[([^\]]+)\]", line) for line in said if line.strip().startswith("[")]
        keyboard = reply.keyboard["inline_keyboard"] if reply.keyboard else ()
        sent = [[b["text"] for b in row] for row in keyboard]
        cut = said[-1].endswith("…")
        assert rows == (sent[: len(rows)] if cut else sent), asked
        if answer.status != ANSWERED:
            shown = "\n".join(line.strip() for line in said if not line.strip().startswith("["))
            assert shown == unescape("".join(reply.chunks)), asked


def test_the_seam_table_lists_every_call_of_the_service():
    page = text(ROOT / "docs" / "architecture.md").split("## The seam", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)\(", page, re.M)) | set(re.findall(r", `(\w+)\(", page))
    calls = {
        name
        for name, value in vars(Service).items()
        if callable(value) and not name.startswith("_") and name != "open"
    }
    assert listed == calls


def test_the_check_object_is_documented_field_by_field(engine):
    page = text(ROOT / "docs" / "cli.md").split("a `check` object adds", 1)[1].split("\n\n")[0]
    documented = set(re.findall(r"`(\w+)`", page))
    assert set(engine.answer("复工复产去哪个窗口办理").to_dict()["check"]) == documented


def test_the_web_api_sample_has_every_field_the_api_sends(engine):
    sample = re.search(r'^\{"question":"[^\n]*\}$', text(ROOT / "docs" / "web.md"), re.M).group()
    depth, keys = 0, []
    for match in re.finditer(r'[{}\[\]]|"(\w+)":', sample):
        if match.group(1) is None:
            depth += 1 if match.group() in "{[" else -1
        elif depth == 1:
            keys.append(match.group(1))
    turn = Service(KNOWLEDGE, engine).ask(Request("复工复产去哪个窗口办理", "web"))
    assert keys == list(present(turn))


def test_documented_defaults_are_the_settings_defaults():
    """A table row's "(default X;" for a variable is what `Settings` resolves to without it
    (a default said in words, "`cache/` beside the log", is not compared)."""
    resolved = {**Settings.resolve({}, {}).masked(), **WeChatSettings().masked()}
    rows = [
        (name, default.strip("`").removeprefix("./"))
        for path in PAGES
        for name, default in re.findall(
            r"^\| `((?:POLICYBOT|TELEGRAM)_\w+)` \|[^|\n]*?[(,] ?default (`[^`]+`|[\w./]+)(?=[;:,)]| \()",
            text(path),
            re.M,
        )
    ]
    assert len(rows) >= 10
    assert {name: default for name, default in rows} == {name: resolved[name] for name, _ in rows}


def test_the_api_descriptions_examples_are_what_the_api_answers(engine):
    service = Service(KNOWLEDGE, engine)
    for example in (ANSWER_EXAMPLE, CLARIFY_EXAMPLE, FALLBACK_EXAMPLE):
        sent = present(service.ask(Request(example["question"], "web")))
        assert set(example) <= set(sent)
        shown = ("status", "answer", "entry_id", "choices", "near", "text", "near_heading")
        assert {k: example[k] for k in shown if k in example} == {
            k: sent[k] for k in shown if k in example
        }, example["question"]
