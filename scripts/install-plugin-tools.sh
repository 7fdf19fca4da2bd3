#!/usr/bin/env bash
# Build the two Go tools the provider plugin's SDKs and YAML programs need, cached outside the
# repository and keyed by version, as install-pulumi.sh caches the engine:
#   pulumi-sdkgen        our SDK generator (scripts/sdkgen/main.go) on Pulumi's own code
#                        generators at the engine's version: `pulumi package gen-sdk` asks each
#                        language's plugin to generate, and those plugins are not installable here;
#   pulumi-language-yaml Pulumi's YAML language host, from its Go module.
# A cold build downloads the modules once for both (several minutes on two cores).
#
# Usage: scripts/install-plugin-tools.sh   -> prints the bin directory to add to PATH
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PULUMI_VERSION=${PULUMI_VERSION:-$(sed -n 's/^# engine: //p' "$here/../constraints.txt")}
PULUMI_YAML_VERSION=${PULUMI_YAML_VERSION:-1.25.0}
CACHE_ROOT=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine}
source_hash=$(sha256sum "$here/sdkgen/main.go" | cut -c1-12)
SDKGEN_DIR="$CACHE_ROOT/sdkgen-v$PULUMI_VERSION-$source_hash"
YAML_DIR="$CACHE_ROOT/pulumi-yaml-v$PULUMI_YAML_VERSION"
BIN="$CACHE_ROOT/plugin-tools-v$PULUMI_VERSION-yaml-v$PULUMI_YAML_VERSION-$source_hash/bin"

log() { echo "install-plugin-tools: $*" >&2; }

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.plugin-tools.lock"
flock 9

if [ ! -x "$SDKGEN_DIR/pulumi-sdkgen" ] || [ ! -x "$YAML_DIR/pulumi-language-yaml" ]; then
  command -v go >/dev/null 2>&1 || { log "needs a Go toolchain to build pulumi-sdkgen and pulumi-language-yaml"; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export GOMODCACHE="$work/gomod" GOCACHE="$work/gocache" GOFLAGS="-mod=mod -modcacherw" CGO_ENABLED=0
  if [ ! -x "$SDKGEN_DIR/pulumi-sdkgen" ]; then
    log "building pulumi-sdkgen on Pulumi v$PULUMI_VERSION's code generators"
    mkdir -p "$work/sdkgen" "$SDKGEN_DIR"
    cp "$here/sdkgen/main.go" "$work/sdkgen/"
    cat > "$work/sdkgen/go.mod" <<GOMOD
module local/pulumi-sdkgen

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)
GOMOD
    (cd "$work/sdkgen" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" \
      -o "$SDKGEN_DIR/pulumi-sdkgen.tmp" . >&2)
    mv "$SDKGEN_DIR/pulumi-sdkgen.tmp" "$SDKGEN_DIR/pulumi-sdkgen"
  fi
  if [ ! -x "$YAML_DIR/pulumi-language-yaml" ]; then
    log "building pulumi-language-yaml v$PULUMI_YAML_VERSION"
    mkdir -p "$YAML_DIR"
    GOBIN="$work/yaml-bin" go install -trimpath -ldflags "-s -w" \
      "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$PULUMI_YAML_VERSION" >&2
    mv "$work/yaml-bin/pulumi-language-yaml" "$YAML_DIR/pulumi-language-yaml"
  fi
fi
mkdir -p "$BIN"
ln -sfn "$SDKGEN_DIR/pulumi-sdkgen" "$BIN/pulumi-sdkgen"
ln -sfn "$YAML_DIR/pulumi-language-yaml" "$BIN/pulumi-language-yaml"
echo "$BIN"
