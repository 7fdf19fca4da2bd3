#!/usr/bin/env bash
# Install the Pulumi engine (CLI) this project is tested with, without Pulumi's installer.
#
# Order of preference (see the README's 'The Pulumi engine'):
#   1. a `pulumi` already on PATH that is recent enough (>= 3.139, for dynamic-provider configure);
#   2. a build cached outside the repository, keyed by version;
#   3. a build from the Go module github.com/pulumi/pulumi/pkg/v3 at PULUMI_VERSION;
#   4. otherwise: explain how to install Pulumi the official way and fail.
# Beside the CLI it writes `pulumi-resource-pulumi-python`, the small launcher the engine runs
# for dynamic providers, bound to the project's interpreter, and, unless an official
# `pulumi-language-python` is on PATH or beside the official `pulumi`, a `pulumi-language-python`
# that runs our language host (scripts/language_host, copied beside the engine), so `pulumi up`
# works on a Pulumi.yaml project. An official host always wins.
#
# Usage: scripts/install-pulumi.sh [PYTHON]   -> prints the bin directory to add to PATH
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The engine of the `# engine:` line of constraints.txt.
PULUMI_VERSION=${PULUMI_VERSION:-$(sed -n 's/^# engine: //p' "$here/../constraints.txt")}
MIN_VERSION=3.139.0
PYTHON=${1:-${PULUMI_PYTHON_CMD:-python3}}
PYTHON=$(command -v "$PYTHON" || echo "$PYTHON")
case "$PYTHON" in /*) ;; *) PYTHON=$(realpath -s "$PYTHON") ;; esac  # keep a venv's own path
CACHE_ROOT=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/do-genai-pulumi-engine}
BIN="$CACHE_ROOT/v$PULUMI_VERSION/bin"

log() { echo "install-pulumi: $*" >&2; }

# Several processes may run this at once (parallel test workers, two checkouts): one at a time
# writes beside the engine, and a file is replaced only when its content changes, so a running
# engine never meets a launcher or host that is half written.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.install.lock"
flock 9

install_file() {  # install_file MODE DEST < content: replace DEST only if the content differs
  local mode=$1 dest=$2 tmp
  tmp=$(mktemp "$dest.XXXXXX")
  cat > "$tmp"
  chmod "$mode" "$tmp"
  if cmp -s "$tmp" "$dest"; then rm -f "$tmp"; else mv -f "$tmp" "$dest"; fi
}

version_ge() {  # version_ge A B: A >= B
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

write_dynamic_launcher() {
  # The engine looks for this executable on PATH (or beside `pulumi`) to serve dynamic providers.
  # Like Pulumi's own, it runs the project's interpreter: the virtualenv that Pulumi.yaml names
  # (the engine hands it over as PULUMI_RUNTIME_VIRTUALENV, relative to the project root, and
  # starts this in the program's folder, which `main:` may put below the root), then
  # PULUMI_PYTHON_CMD, then python3; never the interpreter of the checkout that wrote it.
  local dir=$1
  mkdir -p "$dir"
  install_file 755 "$dir/pulumi-resource-pulumi-python" <<'LAUNCHER'
#!/bin/sh
# Serves Pulumi dynamic providers with the project's interpreter (written by install-pulumi.sh).
# The SDK's server (python -m pulumi.dynamic) waits for the engine's SIGINT in an untimed
# Event().wait(). The kernel may hand that signal to one of gRPC's threads; the main thread then
# never wakes to act on it, and the engine kills the provider after five seconds' grace, at the
# end of every preview and update. Here its waits are timed; nothing else changes.
serve='import runpy, threading
class WakingEvent(threading.Event):
    def wait(self, timeout=None):
        if timeout is not None:
            return super().wait(timeout)
        while not super().wait(0.05):
            pass
        return True
threading.Event = WakingEvent
runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)'
venv=${PULUMI_RUNTIME_VIRTUALENV:-}
if [ -n "$venv" ]; then
  venv=${venv%/}
  case "$venv" in
    /*) ;;
    *)
      root=$PWD  # the project root: the nearest folder up from here that holds Pulumi.yaml
      while [ "$root" != / ] && [ ! -f "$root/Pulumi.yaml" ] && [ ! -f "$root/Pulumi.yml" ]; do
        root=$(dirname "$root")
      done
      [ "$root" = / ] && root=$PWD
      venv="$root/$venv" ;;
  esac
  if [ -x "$venv/bin/python" ]; then
    PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv"
    export PATH VIRTUAL_ENV
    unset PYTHONHOME
    exec "$venv/bin/python" -u -c "$serve" "$@"
  fi
  echo "pulumi-resource-pulumi-python: the virtualenv $venv named by runtime.options.virtualenv in Pulumi.yaml has no bin/python; create it and install the project's requirements into it" >&2
  exit 1
fi
exec "${PULUMI_PYTHON_CMD:-python3}" -u -c "$serve" "$@"
LAUNCHER
}

official_language_host() {  # prints the path of an official pulumi-language-python, if any
  local found
  found=$(command -v pulumi-language-python 2>/dev/null) || return 1
  case "$found" in "$CACHE_ROOT"/*) return 1 ;; esac
  echo "$found"
}

write_language_host() {
  # The engine runs a Pulumi.yaml project's Python program through this executable.
  local dir=$1 official
  if official=$(official_language_host) || { [ -n "${2:-}" ] && [ -x "$2/pulumi-language-python" ] \
      && official="$2/pulumi-language-python"; }; then
    log "using the official Python language host $official"
    rm -f "$dir/pulumi-language-python"
    return 0
  fi
  # The host's code is copied beside the engine, outside any package a program imports; it runs
  # in the project's own interpreter, the first with the pulumi SDK (it needs the SDK's gRPC
  # stubs, nothing of ours), with -I, so neither the project's folder nor PYTHONPATH can shadow
  # it; nothing in the cache points into a checkout. The program itself runs in the project's
  # interpreter (runtime.options.virtualenv, PULUMI_PYTHON_CMD, python3), chosen by the host.
  local code source
  mkdir -p "$dir/../language-host/do_genai_language_host"
  code=$(cd "$dir/../language-host" && pwd)
  for source in "$here"/language_host/do_genai_language_host/*.py; do
    install_file 644 "$code/do_genai_language_host/$(basename "$source")" < "$source"
  done
  install_file 755 "$dir/pulumi-language-python" <<'HOST'
#!/bin/sh
# The do-genai-model-keys Python language host (written by install-pulumi.sh); an official
# pulumi-language-python on PATH or beside an official pulumi is used instead when present.
# It points into no checkout: the host runs in the first interpreter that has the pulumi SDK
# (whose gRPC stubs it needs), of the project's virtualenv (runtime.options.virtualenv in the
# Pulumi.yaml found from here up, relative to it), uv's project environment (toolchain: uv:
# .venv), PULUMI_PYTHON_CMD, then python3. The engine starts it in the project's folder.
root=$PWD
while [ "$root" != / ] && [ ! -f "$root/Pulumi.yaml" ] && [ ! -f "$root/Pulumi.yml" ]; do
  root=$(dirname "$root")
done
[ "$root" = / ] && root=$PWD
project="$root/Pulumi.yaml"
[ -f "$project" ] || project="$root/Pulumi.yml"
option() {  # option NAME: runtime.options.NAME of the project file, unquoted
  sed -n "s/^[[:space:]]*$1:[[:space:]]*//p" "$project" 2>/dev/null | head -n 1 | tr -d "\"'\r"
}
venv=$(option virtualenv) toolchain=$(option toolchain)
[ -z "$venv" ] && [ "$toolchain" = uv ] && venv=.venv
case "$venv" in ""|/*) ;; *) venv="$root/$venv" ;; esac
for python in ${venv:+"$venv/bin/python"} "${PULUMI_PYTHON_CMD:-}" python3; do
  [ -n "$python" ] || continue
  # found, not imported (importing the SDK to ask costs half a second, twice a run), and
  # isolated as the host runs: grpc, and the SDK's protocol module that the host loads
  if "$python" -I -c 'import os, sys
from importlib.util import find_spec
sdk = find_spec("pulumi")
folders = (sdk and sdk.submodule_search_locations) or []
proto = [os.path.join(f, "runtime", "proto", "language_pb2_grpc.py") for f in folders]
sys.exit(not (find_spec("grpc") and any(map(os.path.isfile, proto))))' 2>/dev/null; then
    exec "$python" -I -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); import do_genai_language_host.__main__' "$(dirname "$0")/../language-host" "$@"
  fi
done
echo "pulumi-language-python: no Python with the pulumi SDK: install the project's requirements into ${venv:-its virtualenv} (runtime.options.virtualenv in Pulumi.yaml), or set PULUMI_PYTHON_CMD" >&2
exit 1
HOST
}

use_existing() {
  local found ver
  found=$(command -v pulumi 2>/dev/null) || return 1
  case "$found" in "$CACHE_ROOT"/*) return 1 ;; esac
  ver=$(pulumi version 2>/dev/null | sed 's/^v//')
  if [ -n "$ver" ] && version_ge "$ver" "$MIN_VERSION"; then
    log "using pulumi $ver from $found"
    local dir
    dir="$CACHE_ROOT/system/bin"
    write_dynamic_launcher "$dir"
    write_language_host "$dir" "$(dirname "$(readlink -f "$found")")"
    ln -sf "$found" "$dir/pulumi"
    echo "$dir"
    return 0
  fi
  log "ignoring pulumi $ver at $found: older than $MIN_VERSION"
  return 1
}

build_from_go() {
  command -v go >/dev/null 2>&1 || return 1
  log "building pulumi v$PULUMI_VERSION from the Go module (a cold build takes several minutes)"
  (
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # `go install pkg@version` refuses modules with replace directives; a module of our own
    # that requires pkg/v3 and sdk/v3 at the same version builds the same main package.
    mkdir -p "$work/src"  # the module, beside (not above) the Go caches
    cat > "$work/src/go.mod" <<GOMOD
module local/pulumi-engine-build

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)
GOMOD
    cat > "$work/src/tools.go" <<'GOSRC'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GOSRC
    mkdir -p "$BIN"
    # Private, writable Go caches inside $work: the engine binary is what we keep (~110 MB);
    # the ~3 GB of modules and build cache would only sit on the machine afterwards.
    export GOMODCACHE="$work/gomod" GOCACHE="$work/gocache" GOFLAGS="-mod=mod -modcacherw"
    cd "$work/src"
    go mod tidy >&2 || exit 2
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2 || exit 2
    mv "$BIN/pulumi.tmp" "$BIN/pulumi"
  )
}

if [ "${PULUMI_IGNORE_SYSTEM:-}" != "1" ] && use_existing; then
  exit 0
fi

if [ -x "$BIN/pulumi" ]; then
  log "using cached pulumi v$PULUMI_VERSION in $BIN"
else
  status=0
  build_from_go || status=$?
  if [ "$status" -eq 2 ]; then
    log "building pulumi v$PULUMI_VERSION with Go failed (see the Go output above)"
  fi
  if [ "$status" -ne 0 ]; then
  cat >&2 <<HELP
install-pulumi: no usable Pulumi engine.
  Need a pulumi >= $MIN_VERSION on PATH, or a Go toolchain that can build v$PULUMI_VERSION.
  Install Pulumi the official way (https://www.pulumi.com/docs/install/), for example
      curl -fsSL https://get.pulumi.com | sh -s -- --version $PULUMI_VERSION
  then run this script again.
HELP
  exit 1
  fi
fi
write_dynamic_launcher "$BIN"
write_language_host "$BIN"
echo "$BIN"
