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
  # uv installs the same pinned versions as pip would, in a fifth of the time (about 10 s
  # against 45 s on two cores); bytecode is compiled at install, as pip does, so that no
  # process compiles the packages it imports (PYTHONDONTWRITEBYTECODE machines never keep it).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9" >&2
  .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python \
    -c constraints.txt -e . --group dev -e provider/sdk/python >&2
  touch "$stamp"
fi
# The plugin's SDK generator and the YAML language host (cached by version, like the engine).
bash scripts/install-plugin-tools.sh >&2
bash scripts/install-pulumi.sh "$root/.venv/bin/python"
