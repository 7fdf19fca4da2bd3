#!/usr/bin/env bash
# Regenerate constraints.txt: the newest versions pyproject.toml allows, with the pulumi SDK held
# at the newest engine the Go module proxy serves here (PULUMI_LOCK, default below), because
# scripts/install-pulumi.sh builds the engine of the locked SDK's version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PULUMI_LOCK=${PULUMI_LOCK:-3.259.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -e . --group dev -e provider/sdk/python "pulumi==$PULUMI_LOCK"
{
  sed -n '1,/^# Regenerate/p' constraints.txt
  "$work/venv/bin/python" -m pip freeze --exclude-editable
} > "$work/constraints.txt"
mv "$work/constraints.txt" constraints.txt
echo "lock: wrote constraints.txt (pulumi==$PULUMI_LOCK)"
