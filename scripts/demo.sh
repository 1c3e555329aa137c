#!/usr/bin/env bash
# Set up everything and run the demo: the built-in `reference` pseudo-model (no API key) over
# every scenario and env that has a reference solution; prints the pass@1 / sec_pass@1 table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/baxbench run --model reference --out runs/demo "$@"
