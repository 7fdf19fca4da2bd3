#!/usr/bin/env bash
# The benchmarks: install what is needed (plus matplotlib for the plot), then run them.
# Prints the tables and writes benchmarks/results.md, results.json and benchmarks.png. Takes ~15 min.
set -euo pipefail
source "$(dirname "$0")/env.sh"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --group bench >&2
exec .venv/bin/python benchmarks/run.py "$@"
