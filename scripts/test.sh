#!/usr/bin/env bash
# The whole test suite: format check, lint, strict typing, then every pytest test, end-to-end
# runs through the real Pulumi engine included. This is the README's test command and what
# .ci/run calls. Extra arguments go to pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
engine_bin=$(bash scripts/bootstrap.sh | tail -n 1)
export PATH="$engine_bin:$PATH"
export PULUMI_ENGINE_DIR="$engine_bin"

echo "== ruff format --check" && .venv/bin/ruff format --check .
echo "== ruff check" && .venv/bin/ruff check .
echo "== mypy --strict provider" && .venv/bin/mypy
echo "== pytest" && .venv/bin/python -m pytest "$@"
