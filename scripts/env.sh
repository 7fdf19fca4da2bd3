# Sourced by the project's scripts: cd to the root, make sure .venv and the Pulumi engine exist
# (scripts/bootstrap.sh), and put the engine on PATH for the Automation API and for our code.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
engine_bin=$(bash scripts/bootstrap.sh | tail -n 1)
export PATH="$engine_bin:$PATH"
export PULUMI_ENGINE_DIR="$engine_bin"
