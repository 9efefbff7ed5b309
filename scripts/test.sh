#!/usr/bin/env bash
# Install policybot with its test tools in ./.venv, lint it, and run the whole test suite.
# pytest's exit code 5 ("no tests collected") is a failure here, as any non-zero code is.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
.venv/bin/ruff check bot tests bench
.venv/bin/ruff format --check bot tests bench
.venv/bin/policybot validate --strict
.venv/bin/lint-imports --no-cache          # the layer rule (pyproject.toml, docs/architecture.md)
.venv/bin/mypy                             # types, on bot/ (pyproject.toml)
# On both cores (pytest-xdist): two workers, each taking the next test when it is free
# (worksteal), so one long test holds no queue behind it. `-n 0` runs it in one process.
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist worksteal "$@"
