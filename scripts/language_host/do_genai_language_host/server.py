"""The language host's gRPC server: what the Pulumi engine calls to run a Python project.

The engine starts the host as `pulumi-language-python [-option=value ...] ENGINE`, ENGINE (last)
being the engine's address (v3.259 passes no options; newer engines may pass the project's
`runtime.options` and `-root=DIR`), and reads the port the host prints on its first line. The
project root, program directory and runtime options also come with each request. For `up` and
`preview` the engine calls `GetPluginInfo`, `GetRequiredPackages` (falling back to
`GetRequiredPlugins`), then `Run`, and `Cancel` when it is done or interrupted; `refresh` and
`destroy` skip `Run`. `Run` starts `runner.py` in the project's interpreter and waits for it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from .runner import exit_with_parent

log = logging.getLogger("do_genai_language_host")

RUNNER = Path(__file__).with_name("runner.py")
REPORTED = 32
"""The runner's exit code for "failed, and already reported to the engine"."""
CALLS_ENV = "DO_GENAI_HOST_CALLS"
"""Diagnostics: a file to which the host appends each RPC it serves (`<pid> <name>`)."""
SERVED = frozenset(
    {"GetPluginInfo", "GetRequiredPackages", "GetRequiredPlugins", "Run", "Cancel", "About"}
)


def host_version() -> str:
    try:
        return version("do-genai-model-keys")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0"


class Process(Protocol):
    """What the host needs of a started program (a `subprocess.Popen`)."""

    def wait(self) -> int: ...

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...

    def kill(self) -> None: ...


@dataclass(frozen=True)
class Interpreter:
    """The Python that runs the program, and where that choice came from (for errors)."""

    command: str
    source: str


def choose_interpreter(
    options: dict[str, Any], root: Path, environ: dict[str, str] | os._Environ[str]
) -> Interpreter:
    """`runtime.options.virtualenv` (relative to the project root, or absolute), else
    `PULUMI_PYTHON_CMD`, else `python3`; raises `FileNotFoundError` naming the fix.
    `runtime.options.toolchain`: `pip` (the default) as above; `uv` uses uv's project
    environment, `.venv`, unless a virtualenv is named; `poetry` is refused with what to do
    (its environments live outside the project, where this host cannot see them)."""
    virtualenv = options.get("virtualenv")
    toolchain = str(options.get("toolchain") or "pip")
    if toolchain == "uv" and not virtualenv:
        virtualenv = ".venv"
    elif toolchain not in ("pip", "uv"):
        raise FileNotFoundError(
            f"runtime.options.toolchain: {toolchain} is not supported by this Python language "
            "host (do-genai-model-keys'): use toolchain pip or uv with runtime.options."
            "virtualenv naming the environment (`poetry env info --path` prints poetry's), or "
            "install Pulumi's official pulumi-language-python"
        )
    if virtualenv:
        venv = Path(str(virtualenv))
        venv = venv if venv.is_absolute() else root / venv
        python = venv / "bin" / "python"
        if not python.exists():
            raise FileNotFoundError(
                f"the virtualenv {venv} named by runtime.options.virtualenv in Pulumi.yaml has "
                f"no bin/python: create it with `python3 -m venv {venv}` and install the "
                "project's requirements into it"
            )
        return Interpreter(str(python), f"runtime.options.virtualenv ({virtualenv})")
    command = environ.get("PULUMI_PYTHON_CMD")
    if command:
        return Interpreter(command, "PULUMI_PYTHON_CMD")
    found = shutil.which("python3")
    if found is None:
        raise FileNotFoundError(
            "no python3 on PATH: set runtime.options.virtualenv in Pulumi.yaml or PULUMI_PYTHON_CMD"
        )
    return Interpreter(found, "python3 on PATH")


def runner_command(
    request: language_pb2.RunRequest, python: str, engine: str, root: Path
) -> tuple[list[str], str]:
    """The runner's command line for one `Run` request, and its working directory."""
    info = request.info
    program = request.program or info.entry_point or "."
    base = Path(info.program_directory or request.pwd or root)
    pwd = request.pwd or str(base)
    command = [
        python,
        "-u",
        str(RUNNER),
        "--monitor",
        request.monitor_address,
        "--engine",
        engine,
        "--project",
        request.project,
        "--stack",
        request.stack,
        "--root",
        str(Path(info.root_directory) if info.root_directory else root),
        "--pwd",
        pwd,
        "--dry-run",
        "true" if request.dryRun else "false",
        "--parallel",
        str(request.parallel),
    ]
    if request.organization:
        command += ["--organization", request.organization]
    return [*command, str(base / program)], pwd


def runner_environment(request: language_pb2.RunRequest) -> dict[str, str]:
    """The host's environment plus the stack config, the way Pulumi programs read it."""
    return {
        **os.environ,
        "PULUMI_CONFIG": json.dumps(dict(request.config)),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys)),
    }


def outcome(code: int) -> language_pb2.RunResponse:
    """The engine's answer for the runner's exit code."""
    if code == 0:
        return language_pb2.RunResponse()
    if code == REPORTED:
        return language_pb2.RunResponse(bail=True)
    return language_pb2.RunResponse(error=f"the Python program exited with code {code}")


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """Serves one engine. `spawn` starts the runner (a seam for tests)."""

    def __init__(
        self,
        *,
        engine: str,
        root: Path,
        options: dict[str, Any],
        spawn: Callable[..., Process] = subprocess.Popen,
    ) -> None:
        self.engine = engine
        self.root = root
        self.options = options
        self._spawn = spawn
        self._running: set[Process] = set()
        self._lock = threading.Lock()
        self.calls: list[str] = []
        """The RPCs served, in order."""

    def _record(self, name: str) -> None:
        """Remember the call; with `DO_GENAI_HOST_CALLS=FILE` also append it there, as it
        happens (the engine may kill the host without warning when it is done)."""
        with self._lock:
            self.calls.append(name)
            trace = os.environ.get(CALLS_ENV)
            if trace:
                with open(trace, "a") as out:
                    out.write(f"{os.getpid()} {name}\n")

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        self._record("GetPluginInfo")
        return plugin_pb2.PluginInfo(version=host_version())

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        # Dynamic providers need no plugin of their own: the engine serves them through
        # pulumi-resource-pulumi-python.
        self._record("GetRequiredPackages")
        return language_pb2.GetRequiredPackagesResponse()

    def GetRequiredPlugins(
        self, request: language_pb2.GetRequiredPluginsRequest, context: Any
    ) -> language_pb2.GetRequiredPluginsResponse:
        self._record("GetRequiredPlugins")
        return language_pb2.GetRequiredPluginsResponse()

    def About(self, request: Any, context: Any) -> language_pb2.AboutResponse:
        self._record("About")
        try:
            python = choose_interpreter(self.options, self.root, os.environ).command
        except FileNotFoundError:
            python = sys.executable
        return language_pb2.AboutResponse(
            executable=python, version=host_version(), metadata={"host": "do-genai-model-keys"}
        )

    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:
        self._record("Run")
        options = {**self.options, **_options_of(request)}
        root = Path(request.info.root_directory) if request.info.root_directory else self.root
        try:
            python = choose_interpreter(options, root, os.environ)
        except FileNotFoundError as error:
            return language_pb2.RunResponse(error=str(error))
        command, pwd = runner_command(request, python.command, self.engine, root)
        try:
            process = self._spawn(command, env=runner_environment(request), cwd=pwd)
        except OSError as error:
            return language_pb2.RunResponse(
                error=f"could not start {python.command} (from {python.source}): {error}"
            )
        with self._lock:
            self._running.add(process)
        try:
            return outcome(process.wait())
        finally:
            with self._lock:
                self._running.discard(process)

    def kill_programs(self) -> None:
        """The engine is gone: its programs go too, at once."""
        with self._lock:
            running = list(self._running)
        for process in running:
            if process.poll() is None:
                process.kill()

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:
        """Interrupt running programs (the engine asks on Ctrl-C), as a terminal would."""
        self._record("Cancel")
        with self._lock:
            running = list(self._running)
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        return empty_pb2.Empty()


def _options_of(request: language_pb2.RunRequest) -> dict[str, Any]:
    return json_format.MessageToDict(request.info.options) if request.info.options else {}


def _refuse(name: str) -> Callable[..., Any]:
    def refuse(self: LanguageHost, request: Any, context: Any) -> Any:
        self._record(name)
        context.abort(
            grpc.StatusCode.UNIMPLEMENTED,
            f"{name} is not supported by the do-genai-model-keys Python language host, which "
            "runs programs only (up, preview, refresh, destroy); for this command install "
            "Pulumi's official pulumi-language-python",
        )

    return refuse


def _refuse_the_rest(names: Iterable[str]) -> None:
    for name in names:
        if name not in SERVED:
            setattr(LanguageHost, name, _refuse(name))


_refuse_the_rest(
    name
    for name in vars(language_pb2_grpc.LanguageRuntimeServicer)
    if name[:1].isupper() and callable(getattr(language_pb2_grpc.LanguageRuntimeServicer, name))
)


def parse_arguments(argv: list[str]) -> tuple[str, Path, dict[str, Any]]:
    """(engine address, project root, runtime options) from the engine's command line."""
    positional = [a for a in argv if not a.startswith("-")]
    if not positional:
        raise SystemExit(
            "usage: pulumi-language-python [-option=value ...] ENGINE_ADDRESS "
            "(the Pulumi engine starts this host; run `pulumi up` instead)"
        )
    options: dict[str, Any] = {}
    for argument in argv:
        if argument.startswith("-") and "=" in argument:
            key, _, value = argument.lstrip("-").partition("=")
            options[key] = value
    root = Path(options.pop("root", os.getcwd()))
    return positional[-1], root, options


def main(argv: list[str]) -> int:
    engine, root, options = parse_arguments(argv)
    host = LanguageHost(engine=engine, root=root, options=options)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)  # the engine reads the port from the first line
    exit_with_parent(1, before=host.kill_programs)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # A timed wait, not `stop.wait()`: the kernel may hand the engine's SIGINT to one of gRPC's
    # threads, and Python runs the handler only once the main thread wakes. An untimed wait
    # never does, and the engine kills the host after five seconds' grace, on every run.
    while not stop.wait(0.05):
        pass
    server.stop(grace=1).wait()
    return 0
