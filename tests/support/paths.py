"""Where the repository, the shipped knowledge and the test fixtures are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
DEPLOY = ROOT / "deploy"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTICE = FIXTURES / "notice.html"  # a government notice page with navigation and a footer
