#!/usr/bin/env bash
# The README's demo: install what is needed, then run the quickstart stack against the emulator.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec .venv/bin/python examples/quickstart/demo.py
