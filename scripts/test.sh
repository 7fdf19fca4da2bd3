#!/usr/bin/env bash
# The whole test suite: format check, lint, strict typing, then every pytest test, end-to-end
# runs through the real Pulumi engine included. This is the README's test command and what
# .ci/run calls. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/env.sh"

echo "== ruff format --check" && .venv/bin/ruff format --check .
echo "== ruff check" && .venv/bin/ruff check .
echo "== mypy --strict provider" && .venv/bin/mypy
# Tests: untyped test functions and fixtures are fine; calls into the package are checked.
echo "== mypy tests" && .venv/bin/mypy tests --allow-untyped-defs --allow-incomplete-defs \
  --allow-untyped-calls --allow-untyped-decorators --allow-any-generics --no-warn-return-any \
  --no-warn-unused-ignores
echo "== pytest" && .venv/bin/python -m pytest "$@"
