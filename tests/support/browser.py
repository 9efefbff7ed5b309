"""Debian's Chromium driven by Playwright, for tests of pages in a real browser.

Playwright's own browser download cannot be fetched here, so it is pointed at
`/usr/bin/chromium`, installed from Debian's packages when missing (CI runs as root).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def ensure_chromium() -> Path:
    """The browser's path, after installing Debian's package if it is not there yet."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{CHROMIUM} is missing and apt-get is not available to install it")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    if subprocess.run(install, **quiet).returncode != 0:  # an old package list: refresh it
        subprocess.run(["apt-get", "update"], check=True, **quiet)
        result = subprocess.run(install, **quiet)
        if result.returncode != 0:
            raise RuntimeError(f"could not install chromium: {result.stderr[-500:]}")
    return CHROMIUM


@contextlib.contextmanager
def chromium_browser() -> Iterator:
    """Debian's Chromium launched through Playwright (for a module-scoped fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(ensure_chromium()), args=ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def watched_tab(browser, viewport: dict, ignored: tuple[str, ...] = ()) -> Iterator:
    """A tab in a fresh profile (its own cookies and sessionStorage) that fails the test on
    any script error, console error or CSP violation, but console errors starting with one of
    `ignored`."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda m: m.type == "error" and not m.text.startswith(ignored) and problems.append(m.text),
    )
    yield tab
    context.close()
    assert problems == []
