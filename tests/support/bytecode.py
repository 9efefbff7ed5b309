"""Loaded by pytest before anything else (`-p tests.support.bytecode` in pyproject.toml).

This project's machines set PYTHONDONTWRITEBYTECODE, so every test run compiled all of `bot/`
and rewrote every test module's asserts afresh (about 6 s of CPU a run, half of collecting),
and every `policybot` process a test starts compiled `bot/` and its libraries again. Tests
therefore write bytecode: to `__pycache__` folders, which git ignores, each checked against its
source's time and size before use, so an edited module is never run stale.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # and so do the processes the tests start
