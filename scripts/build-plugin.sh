#!/usr/bin/env bash
# The provider plugin as a standalone program that needs no Python where it runs: PyInstaller
# (one folder: `pulumi-resource-do-genai` and its `_internal/`, the interpreter and every module
# inside) from .venv's exact versions. Built once per version and source: the folder is cached
# beside the engine, keyed by the package's version and a digest of its files and
# constraints.txt, so a warm machine reuses it (about 45 s of CPU to build on two cores).
# Prints the folder on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-$root/.venv/bin/python}
version=$("$python" -c 'from importlib.metadata import version; print(version("do-genai-model-keys"))')
digest=$("$python" - <<'PY'
import hashlib
from pathlib import Path

files = sorted(Path("provider/do_genai_model_keys").rglob("*"))
digest = hashlib.sha256()
for path in [*files, Path("constraints.txt"), Path("scripts/build-plugin.sh")]:
    if path.is_file() and "__pycache__" not in path.parts:
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
print(digest.hexdigest()[:12])
PY
)
cache=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine}
home="$cache/plugin-v$version-$digest"
if [ ! -x "$home/pulumi-resource-do-genai" ]; then
  echo "build-plugin: building the standalone plugin v$version with PyInstaller" >&2
  work=$(mktemp -d "${TMPDIR:-/tmp}/do-genai-plugin.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  printf 'from do_genai_model_keys.plugin.__main__ import main\n\nmain()\n' > "$work/entry.py"
  # The package's data (the schema, the SDK readmes) and the distributions' metadata (the
  # version is read from it) go inside; every module of ours and of the Pulumi SDK too, as the
  # provider imports some of them only when a call needs them.
  "$python" -m PyInstaller --onedir --name pulumi-resource-do-genai --noconfirm --log-level WARN \
    --distpath "$work/dist" --workpath "$work/build" --specpath "$work" \
    --collect-data do_genai_model_keys --collect-submodules do_genai_model_keys \
    --collect-submodules pulumi --copy-metadata pulumi --copy-metadata do-genai-model-keys \
    "$work/entry.py" >&2
  mkdir -p "$cache"
  rm -rf "$home.partial"
  mv "$work/dist/pulumi-resource-do-genai" "$home.partial"
  rm -rf "$home" && mv "$home.partial" "$home"
  # Each source change makes a new build (about 90 MB): keep the three newest, which covers
  # clones of other commits tested at the same time, and let the older ones go.
  ls -dt "$cache"/plugin-v*-*/ 2>/dev/null | grep -v '\.partial/$' | tail -n +4 | xargs -r rm -rf
fi
echo "$home"
