#!/usr/bin/env bash
# The whole test suite: format check and lint, then every pytest test, end-to-end runs through
# the real Pulumi engine included, on three workers, with strict typing beside them; then the
# leak scan, over everything the run wrote and printed. This is the README's test command and
# what .ci/run calls. Extra arguments go to the main pytest run (for example -k soak, or -n 1).
set -euo pipefail
started=$(date +%s)
step() { echo "== $1 (at $(( $(date +%s) - started )) s)"; }

step "preparing .venv and the engine"
source "$(dirname "$0")/env.sh"

step "ruff format --check" && .venv/bin/ruff format --check .
step "ruff check" && .venv/bin/ruff check .

# Typing runs beside the tests (one core's work while the tests wait on the engine); its
# output and verdict come after theirs.
typing_log=$(mktemp "${TMPDIR:-/tmp}/do-genai-mypy.XXXXXX")
step "mypy --strict provider, then mypy tests, beside the tests"
(
  verdict=0
  .venv/bin/mypy || verdict=$?
  # Tests: untyped test functions and fixtures are fine; calls into the package are checked.
  .venv/bin/mypy tests --allow-untyped-defs --allow-incomplete-defs --allow-untyped-calls \
    --allow-untyped-decorators --allow-any-generics --no-warn-return-any \
    --no-warn-unused-ignores || verdict=$?
  exit "$verdict"
) >"$typing_log" 2>&1 &
typing=$!
trap 'kill "$typing" 2>/dev/null || true' EXIT  # an interrupted run leaves no mypy behind

# Every test process writes the secrets it saw and each test's output under DO_GENAI_LEAK_DIR,
# and the run's files go to DO_GENAI_LEAK_DIR/tmp, so that the scan afterwards sees them all.
run=$(mktemp -d "${TMPDIR:-/tmp}/do-genai-tests.XXXXXX")
export DO_GENAI_LEAK_DIR="$run"

# The release the release tests install (scripts/release.sh) is built beside the first tests,
# under the lock the tests' own `made_once` takes (tests/support/builds.py): no worker sits
# idle waiting for it. A failed build leaves no `.made`, and the tests then build it again
# and show why it fails.
export DO_GENAI_BUILDS="$run/builds"
mkdir -p "$DO_GENAI_BUILDS/release"
(
  flock 9
  [ -e "$DO_GENAI_BUILDS/release/.made" ] ||
    { bash scripts/release.sh "$DO_GENAI_BUILDS/release" >"$DO_GENAI_BUILDS/release.log" 2>&1 &&
      touch "$DO_GENAI_BUILDS/release/.made"; }
) 9>"$DO_GENAI_BUILDS/release.lock" &
releasing=$!
trap 'kill "$typing" "$releasing" 2>/dev/null || true' EXIT
# Three workers on two cores: an engine test spends part of its time waiting (on the engine's
# processes, on paced or delayed answers), which a third worker fills; two left 23% idle, and
# four were slower again (629 s against 568 s: more CPU lost to contention than waits filled).
step "pytest on ${PYTEST_WORKERS:-3} workers"
status=0
# One test at a time to whichever worker is free (--maxschedchunk 1), in the order conftest.py
# sets (the engine's tests first): no worker ends with a queue while another idles.
# Tracebacks in Python's own format (--tb=native): pytest's others parse each file of a
# traceback with `ast`, which CPython 3.11.7 can refuse in a worker that has run many engine
# tests ("AST constructor recursion depth mismatch"), ending the whole run in an INTERNALERROR
# that hides which test failed and why.
# Line coverage of the package in the tests' own processes (the unit tier, the emulator, inline
# programs; not the engine's provider processes): printed as a figure, never a gate.
export COVERAGE_FILE="$run/coverage"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-3}" --dist load --maxschedchunk 1 --tb=native \
  --basetemp="$run/tmp" --cov=do_genai_model_keys --cov-report= \
  --ignore=tests/test_zz_leak_scan.py "$@" || status=$?
step "line coverage of the package in the tests' own processes (a figure, not a gate)"
echo "line coverage: $(.venv/bin/python -m coverage report --format=total 2>/dev/null || echo unknown)%"
# The scan runs whatever the tests did: a failing test's output is where a secret would show.
step "leak scan of the whole run"
.venv/bin/python -m pytest -p no:randomly -p no:xdist --basetemp="$run/scan" \
  tests/test_zz_leak_scan.py || { [ "$status" -ne 0 ] || status=$?; }
step "mypy's verdict"
typing_status=0
wait "$typing" || typing_status=$?
cat "$typing_log" && rm -f "$typing_log"
[ "$status" -ne 0 ] || status=$typing_status
if [ "$status" -ne 0 ]; then
  echo "== failed (exit $status) after $(( $(date +%s) - started )) s; the run's files: $run"
  exit "$status"
fi
rm -rf "$run"
echo "== all checks passed in $(( $(date +%s) - started )) s"
