#!/usr/bin/env bash
# The whole test suite: format check, lint, strict typing, then every pytest test, end-to-end
# runs through the real Pulumi engine included, on two workers; then the leak scan, over
# everything the run wrote and printed. This is the README's test command and what .ci/run
# calls. Extra arguments go to the main pytest run (for example -k soak, or -n 1).
set -euo pipefail
started=$(date +%s)
step() { echo "== $1 (at $(( $(date +%s) - started )) s)"; }

step "preparing .venv and the engine"
source "$(dirname "$0")/env.sh"

step "ruff format --check" && .venv/bin/ruff format --check .
step "ruff check" && .venv/bin/ruff check .
step "mypy --strict provider" && .venv/bin/mypy
# Tests: untyped test functions and fixtures are fine; calls into the package are checked.
step "mypy tests" && .venv/bin/mypy tests --allow-untyped-defs --allow-incomplete-defs \
  --allow-untyped-calls --allow-untyped-decorators --allow-any-generics --no-warn-return-any \
  --no-warn-unused-ignores

# Every test process writes the secrets it saw and each test's output under DO_GENAI_LEAK_DIR,
# and the run's files go to DO_GENAI_LEAK_DIR/tmp, so that the scan afterwards sees them all.
run=$(mktemp -d "${TMPDIR:-/tmp}/do-genai-tests.XXXXXX")
export DO_GENAI_LEAK_DIR="$run"
step "pytest on ${PYTEST_WORKERS:-2} workers"
status=0
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --basetemp="$run/tmp" \
  --ignore=tests/test_zz_leak_scan.py "$@" || status=$?
# The scan runs whatever the tests did: a failing test's output is where a secret would show.
step "leak scan of the whole run"
.venv/bin/python -m pytest -p no:randomly -p no:xdist --basetemp="$run/scan" \
  tests/test_zz_leak_scan.py || { [ "$status" -ne 0 ] || status=$?; }
if [ "$status" -ne 0 ]; then
  echo "== failed (exit $status) after $(( $(date +%s) - started )) s; the run's files: $run"
  exit "$status"
fi
rm -rf "$run"
echo "== all checks passed in $(( $(date +%s) - started )) s"
