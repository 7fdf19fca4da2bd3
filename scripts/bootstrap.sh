#!/usr/bin/env bash
# Make everything the demo and the tests need, from the project's own files: a virtualenv in
# .venv with the package (editable) and the dev tools, and the Pulumi engine. Idempotent and
# quick when everything is already there. Prints the engine's bin directory on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ] \
    || [ provider/sdk/python/pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the package and its dev tools into .venv (constraints.txt)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e . --group dev -e provider/sdk/python >&2
  touch "$stamp"
fi
# The plugin's SDK generator and the YAML language host (cached by version, like the engine).
bash scripts/install-plugin-tools.sh >&2
bash scripts/install-pulumi.sh "$root/.venv/bin/python"
