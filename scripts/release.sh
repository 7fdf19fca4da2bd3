#!/usr/bin/env bash
# Build a release into dist/ (or the folder given), every artifact at the one version of
# pyproject.toml, with SHA256SUMS beside them:
#   do_genai_model_keys-<v>.tar.gz, -py3-none-any.whl     the package (dynamic resources, commands)
#   pulumi-resource-do-genai-v<v>-<os>-<arch>.tar.gz      the plugin, standalone (no Python needed)
#   pulumi_do_genai-<v>.tar.gz, -py3-none-any.whl         the plugin's Python SDK
#   pulumi-do-genai-<v>.tgz                               the plugin's Node SDK (compiled, with types)
#   goproxy/<module>/@v/v<v>.{info,mod,zip}               the Go SDK, as a Go module proxy serves it
#                                                         (the module path is its repository folder;
#                                                         the release workflow tags it)
# The standalone plugin and the Node packages are cached beside the engine (by version and
# source), so a warm machine builds a release in seconds. The release workflow runs this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
python=${PYTHON:-$root/.venv/bin/python}
uv="$(dirname "$python")/uv"
version=$("$python" -c 'from importlib.metadata import version; print(version("do-genai-model-keys"))')
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case $(uname -m) in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
rm -rf "$out"/* && cd "$root"

echo "release: v$version into $out" >&2
"$uv" build --quiet --out-dir "$out" .
"$uv" build --quiet --out-dir "$out" provider/sdk/python

plugin=$(bash scripts/build-plugin.sh | tail -n 1)
tar -czf "$out/pulumi-resource-do-genai-v$version-$os-$arch.tar.gz" -C "$plugin" .

# The Node SDK compiled as a publish does it (`tsc`, then package.json beside the JavaScript),
# with the TypeScript compiler of the tests' locked packages (cached by lock, as they are).
cache=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine}
lock=tests/plugin/nodejs/package-lock.json
modules="$cache/node-$(sha256sum "$lock" | cut -c1-12)"
if [ ! -f "$modules/node_modules/.package-lock.json" ]; then
  rm -rf "$modules.partial-$$" && mkdir -p "$modules.partial-$$"
  cp tests/plugin/nodejs/{package.json,package-lock.json,.npmrc} "$modules.partial-$$/"
  (cd "$modules.partial-$$" && npm ci --ignore-scripts --no-audit --no-fund --silent >&2)
  mv -T "$modules.partial-$$" "$modules" 2>/dev/null || rm -rf "$modules.partial-$$"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/do-genai-node.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r provider/sdk/nodejs "$work/sdk"
ln -s "$modules/node_modules" "$work/sdk/node_modules"
node "$modules/node_modules/typescript/bin/tsc" -p "$work/sdk"
cp "$work/sdk/package.json" "$work/sdk/README.md" "$work/sdk/bin/"
(cd "$out" && npm pack --silent "$work/sdk/bin" >/dev/null)

"$python" scripts/go_module.py "$out" "$version" >/dev/null

(cd "$out" && sha256sum -- $(find . -type f ! -name SHA256SUMS ! -name '.*' | sed 's#^\./##' | sort) > SHA256SUMS)
ls -1 "$out" >&2
