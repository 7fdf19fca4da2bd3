#!/usr/bin/env bash
# The README's demo: install what is needed, then run the quickstart stack against the emulator.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
engine_bin=$(bash scripts/bootstrap.sh | tail -n 1)
export PATH="$engine_bin:$PATH"
export PULUMI_ENGINE_DIR="$engine_bin"
exec .venv/bin/python examples/quickstart/demo.py
