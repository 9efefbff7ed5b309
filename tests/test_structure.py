"""The shape of the repository itself: tests mirror `bot/` and share helpers only through
`tests/support/`, so a test file can move or go without breaking another."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

TESTS = ROOT / "tests"


def imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_test_module_imports_another():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in imported_modules(path)
            if name.startswith("tests.")
            and name.rsplit(".", 1)[-1].startswith(("test_", "conftest"))
        )
        for path in TESTS.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_test_folders_mirror_the_package():
    """Every test folder except `support/` is a package of `bot/` (tests/channels/telegram ↔
    bot/channels/telegram), so where a module's tests live is never a question."""
    folders = {
        path.relative_to(TESTS)
        for path in TESTS.rglob("*")
        if path.is_dir()
        and path.name != "__pycache__"
        and path.relative_to(TESTS).parts[0] != "support"
    }
    assert folders
    assert {folder for folder in folders if not (ROOT / "bot" / folder).is_dir()} == set()


def test_the_public_face_names_what_exists():
    import bot

    assert set(bot.__all__) == {"__version__", *bot._PUBLIC}
    for name in bot.__all__:
        assert getattr(bot, name) is not None, name
    assert bot.Service.__module__ == "bot.app"


MAX_LINES = 400
# Modules over the limit, each with who is splitting it; the test fails once one is under the
# limit, so the exception goes with the reason.
OVER_LIMIT: dict[str, str] = {}


def test_no_module_is_over_400_lines():
    """A module a newcomer can read in one sitting; past this, a module has become two."""
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {
        name: sizes[name] for name in OVER_LIMIT
    }


def test_the_architecture_tree_names_every_module():
    """docs/architecture.md's tree lists every module of bot/ in its folder's line, so a module
    added, moved or split without the docs fails here."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = text.split("## The tree", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    listed: dict[str, set[str]] = {}
    folder = "bot"
    for line in tree.splitlines():
        name, _, rest = line.strip().partition(" ")
        if name.endswith("/"):
            depth = (len(line) - len(line.lstrip())) // 2  # two spaces a level below bot/
            folder = "/".join([*folder.split("/")[:depth], name.rstrip("/")]) if depth else "bot"
            modules = rest
        else:
            modules = line
        listed.setdefault(folder, set()).update(
            word for word in modules.replace("·", " ").split() if word.endswith(".py")
        )
    actual: dict[str, set[str]] = {}
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name != "__init__.py":
            actual.setdefault(str(path.parent.relative_to(ROOT)), set()).add(path.name)
    assert {k: v for k, v in listed.items() if v} == actual
