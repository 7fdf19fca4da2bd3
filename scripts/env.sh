# Sourced by the project's scripts: cd to the root, make sure .venv and the Pulumi engine exist
# (scripts/bootstrap.sh), and put the engine on PATH for the CLI, the Automation API and our code.
# The install and build output goes to a log file; the screen shows one progress line, and the
# log's path and its last lines if something fails.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bootstrap_log=${BOOTSTRAP_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine/bootstrap.log}
mkdir -p "$(dirname "$bootstrap_log")"
echo "preparing .venv and the Pulumi engine (the first time takes several minutes; log: $bootstrap_log)" >&2
if ! engine_bin=$(bash scripts/bootstrap.sh 2>"$bootstrap_log" | tail -n 1) || [ -z "$engine_bin" ]; then
  echo "setup failed; the last lines of $bootstrap_log:" >&2
  tail -n 20 "$bootstrap_log" >&2
  exit 1
fi
export PATH="$engine_bin:$PATH"
export PULUMI_ENGINE_DIR="$engine_bin"
