"""Docs that cannot drift: the command reference is the parser's own help, and every command,
environment variable and JSON field the code has is documented, and nothing documented is gone.
A new command or variable (a web or WeChat channel's) fails here until a doc describes it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.channels.cli import build_parser
from bot.engine.core import Answer
from bot.log.gaps import Cluster
from bot.log.stats import Stats
from tests.support.paths import ROOT

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
