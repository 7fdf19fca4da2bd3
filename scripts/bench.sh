#!/usr/bin/env bash
# The benchmarks: install what is needed (plus matplotlib for the plot), then run them.
# Prints the tables and writes benchmarks/results.md, results.json and benchmarks.png. Takes ~17 min.
set -euo pipefail
source "$(dirname "$0")/env.sh"
.venv/bin/uv pip install --quiet --python .venv/bin/python -c constraints.txt --group bench >&2
exec .venv/bin/python benchmarks/run.py "$@"
