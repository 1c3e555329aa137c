#!/usr/bin/env bash
# Set up everything and run the checks: ruff, mypy, the test suite, and `baxbench validate`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
.venv/bin/ruff check src tests bench
.venv/bin/mypy src
.venv/bin/pytest -q "$@"
.venv/bin/baxbench validate
