#!/usr/bin/env bash
# Regenerate constraints.txt: the newest versions pyproject.toml allows, with the pulumi SDK held
# at PULUMI_LOCK (default below: the newest on the package index). The engine that
# scripts/install-pulumi.sh builds is the `# engine:` line of the header, kept as it is: the
# newest the Go module proxy serves, which may be newer than the SDK.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PULUMI_LOCK=${PULUMI_LOCK:-3.272.0}
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
