#!/usr/bin/env bash
# Install policybot in ./.venv and answer one question (no Telegram token needed).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/policybot ask "${1:-复工复产去哪个窗口办理}"
