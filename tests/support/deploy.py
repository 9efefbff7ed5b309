"""Every `policybot` command line in deploy/, read from the files as they are written.

Found in: the Dockerfile (ENTRYPOINT + CMD, and the HEALTHCHECK command), each compose file's
services built from that Dockerfile (its ENTRYPOINT + the service's `command`), and each systemd
unit's `ExecStart`. A file added to deploy/ in one of these forms is picked up with no change
here.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support.paths import DEPLOY

# What `${NAME:?message}` and `${NAME}` in compose files stand for in tests.
COMPOSE_VARIABLES = {"POLICYBOT_DOMAIN": "bot.example.org"}


@dataclass(frozen=True)
class CommandLine:
    source: str  # file and what in it, for test ids and failure messages
    argv: tuple[str, ...]  # the arguments after `policybot`


def dockerfile_instruction(text: str, name: str) -> list[str] | None:
    """The JSON (exec) form of a Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    match = re.search(rf"^{name}\s+(\[.*\])\s*$", joined, re.MULTILINE)
    return json.loads(match.group(1)) if match else None


def after_policybot(argv: list[str]) -> tuple[str, ...] | None:
    """The arguments after the `policybot` program (any path to it), or None for other programs."""
    if not argv or Path(argv[0]).name != "policybot":
        return None
    return tuple(argv[1:])


def from_dockerfile(path: Path) -> tuple[list[CommandLine], list[str]]:
    text = path.read_text(encoding="utf-8")
    entrypoint = dockerfile_instruction(text, "ENTRYPOINT") or []
    lines = []
    cmd = dockerfile_instruction(text, "CMD")
    if cmd is not None and (argv := after_policybot(entrypoint + cmd)) is not None:
        lines.append(CommandLine(f"{path.name}: ENTRYPOINT + CMD", argv))
    health = dockerfile_instruction(text, "HEALTHCHECK .*? CMD")
    if health is not None and (argv := after_policybot(health)) is not None:
        lines.append(CommandLine(f"{path.name}: HEALTHCHECK", argv))
    return lines, entrypoint


def substitute(value: str) -> str:
    return re.sub(
        r"\$\{(\w+)(?::?[?-][^}]*)?\}", lambda m: COMPOSE_VARIABLES.get(m.group(1), ""), value
    )


def from_compose(path: Path) -> list[CommandLine]:
    lines = []
    services = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("services") or {}
    for name, service in services.items():
        build = service.get("build") or {}
        dockerfile = (
            (path.parent / build.get("context", ".") / build.get("dockerfile", "Dockerfile"))
            if build
            else None
        )
        if dockerfile is None or not dockerfile.is_file():
            continue
        _, entrypoint = from_dockerfile(dockerfile)
        command = service.get("command")
        if command is None:
            continue
        words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
        argv = after_policybot(service.get("entrypoint") or entrypoint + words)
        if argv is not None:
            lines.append(CommandLine(f"{path.name}: {name}", tuple(map(substitute, argv))))
    return lines


def from_unit(path: Path) -> list[CommandLine]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            argv = after_policybot(shlex.split(line.removeprefix("ExecStart=").lstrip("-@+!:")))
            if argv is not None:
                lines.append(CommandLine(f"{path.name}: ExecStart", argv))
    return lines


def command_lines(folder: Path = DEPLOY) -> list[CommandLine]:
    found: list[CommandLine] = []
    for path in sorted(folder.rglob("*")):
        if path.name == "Dockerfile" or path.name.endswith(".Dockerfile"):
            found += from_dockerfile(path)[0]
        elif path.suffix in (".yaml", ".yml"):
            found += from_compose(path)
        elif path.suffix == ".service":
            found += from_unit(path)
    return found
