"""The language host on its own: arguments, interpreter choice, what `Run` hands the program,
exit codes, refused calls, and the runner's error report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from do_genai_language_host import runner, server
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

HOST_SOURCE = str(Path(server.__file__).parents[1])
"""scripts/language_host: the host is not part of the package, so a process started here needs
it on its path (install-pulumi.sh copies it beside the engine instead)."""


def run_request(tmp_path: Path, **fields: object) -> language_pb2.RunRequest:
    options = struct_pb2.Struct()
    options.update(fields.pop("options", {}))  # type: ignore[arg-type]
    info = language_pb2.ProgramInfo(
        root_directory=str(tmp_path),
        program_directory=str(tmp_path / "app"),
        entry_point=".",
        options=options,
    )
    defaults: dict[str, object] = {
        "project": "proj",
        "stack": "dev",
        "pwd": str(tmp_path / "app"),
        "program": ".",
        "monitor_address": "127.0.0.1:1111",
        "parallel": 8,
        "dryRun": True,
        "organization": "acme",
        "config": {"proj:greeting": "hi", "digitalocean:token": "tok-secret"},
        "configSecretKeys": ["digitalocean:token"],
    }
    return language_pb2.RunRequest(info=info, **{**defaults, **fields})  # type: ignore[arg-type]


def test_arguments_give_the_engine_address_last_and_options(tmp_path: Path) -> None:
    engine, root, options = server.parse_arguments(
        ["-virtualenv=venv", f"-root={tmp_path}", "-tracing=x", "127.0.0.1:4000"]
    )
    assert (engine, root, options) == (
        "127.0.0.1:4000",
        tmp_path,
        {"virtualenv": "venv", "tracing": "x"},
    )
    with pytest.raises(SystemExit, match="ENGINE_ADDRESS"):
        server.parse_arguments([])


def make_venv(where: Path) -> Path:
    python = where / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    return python


def test_the_interpreter_comes_from_the_virtualenv_then_the_environment(tmp_path: Path) -> None:
    relative = make_venv(tmp_path / ".venv")
    choice = server.choose_interpreter({"virtualenv": ".venv"}, tmp_path, {})
    assert choice == server.Interpreter(str(relative), "runtime.options.virtualenv (.venv)")
    absolute = make_venv(tmp_path / "elsewhere")
    assert server.choose_interpreter(
        {"virtualenv": str(tmp_path / "elsewhere")}, Path("/"), {}
    ).command == str(absolute)
    assert server.choose_interpreter({}, tmp_path, {"PULUMI_PYTHON_CMD": "py9"}).command == "py9"
    assert server.choose_interpreter({}, tmp_path, {}).source == "python3 on PATH"


def test_a_missing_virtualenv_names_the_option_and_the_fix(tmp_path: Path) -> None:
    host = server.LanguageHost(engine="e", root=tmp_path, options={})
    answer = host.Run(run_request(tmp_path, options={"virtualenv": "nope"}), None)
    assert "runtime.options.virtualenv" in answer.error
    assert f"python3 -m venv {tmp_path / 'nope'}" in answer.error


class FakeProcess:
    def __init__(self, code: int) -> None:
        self.code = code

    def wait(self) -> int:
        return self.code

    def poll(self) -> int:
        return self.code

    def send_signal(self, sig: int) -> None:
        raise AssertionError("a finished program is never signalled")

    def kill(self) -> None:
        raise AssertionError("a finished program is never killed")


def test_run_hands_the_program_everything_the_engine_sent(tmp_path: Path) -> None:
    python = make_venv(tmp_path / ".venv")
    seen: dict[str, object] = {}

    def spawn(command: list[str], *, env: dict[str, str], cwd: str) -> FakeProcess:
        seen.update(command=command, env=env, cwd=cwd)
        return FakeProcess(0)

    host = server.LanguageHost(engine="127.0.0.1:2222", root=tmp_path, options={}, spawn=spawn)
    request = run_request(tmp_path, options={"virtualenv": ".venv"})
    assert host.Run(request, None) == language_pb2.RunResponse()
    command = seen["command"]
    assert isinstance(command, list)
    assert command[:3] == [str(python), "-u", str(server.RUNNER)]
    flags = dict(zip(command[3:-1:2], command[4:-1:2], strict=True))
    assert flags == {
        "--monitor": "127.0.0.1:1111",
        "--engine": "127.0.0.1:2222",
        "--project": "proj",
        "--stack": "dev",
        "--root": str(tmp_path),
        "--pwd": str(tmp_path / "app"),
        "--dry-run": "true",
        "--parallel": "8",
        "--organization": "acme",
    }
    assert command[-1] == str(tmp_path / "app" / ".")
    assert seen["cwd"] == str(tmp_path / "app")
    env = seen["env"]
    assert isinstance(env, dict)
    assert json.loads(env["PULUMI_CONFIG"]) == {
        "proj:greeting": "hi",
        "digitalocean:token": "tok-secret",
    }
    assert json.loads(env["PULUMI_CONFIG_SECRET_KEYS"]) == ["digitalocean:token"]
    assert host.calls == ["Run"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, language_pb2.RunResponse()),
        (32, language_pb2.RunResponse(bail=True)),
        (1, language_pb2.RunResponse(error="the Python program exited with code 1")),
    ],
)
def test_exit_codes_follow_the_engines_conventions(
    tmp_path: Path, code: int, expected: language_pb2.RunResponse
) -> None:
    host = server.LanguageHost(
        engine="e", root=tmp_path, options={}, spawn=lambda *a, **k: FakeProcess(code)
    )
    assert host.Run(run_request(tmp_path), None) == expected


def test_an_interpreter_that_cannot_start_is_named(tmp_path: Path) -> None:
    def spawn(*_args: object, **_kwargs: object) -> FakeProcess:
        raise FileNotFoundError(2, "No such file or directory")

    host = server.LanguageHost(engine="e", root=tmp_path, options={}, spawn=spawn)
    answer = host.Run(run_request(tmp_path, options={}), None)
    assert "could not start" in answer.error


@pytest.fixture
def live_host(tmp_path: Path):
    """The host as the engine starts it: a process that prints its port first."""
    process = subprocess.Popen(
        [sys.executable, "-m", "do_genai_language_host", "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, server.CALLS_ENV: str(tmp_path / "calls"), "PYTHONPATH": HOST_SOURCE},
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield language_pb2_grpc.LanguageRuntimeStub(channel), tmp_path / "calls"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        process.stdout.close()


def test_the_served_calls_answer_and_the_others_name_what_is_unsupported(live_host) -> None:
    stub, calls = live_host
    assert stub.GetPluginInfo(empty_pb2.Empty()).version
    assert stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest()).packages == []
    assert stub.GetRequiredPlugins(language_pb2.GetRequiredPluginsRequest()).plugins == []
    with pytest.raises(grpc.RpcError) as refused:
        stub.InstallDependencies(language_pb2.InstallDependenciesRequest()).next()
    assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "InstallDependencies is not supported" in (refused.value.details() or "")
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetProgramDependencies(language_pb2.GetProgramDependenciesRequest())
    assert "official pulumi-language-python" in (refused.value.details() or "")
    stub.Cancel(empty_pb2.Empty())
    names = [line.split()[1] for line in calls.read_text().splitlines()]
    assert names == [
        "GetPluginInfo",
        "GetRequiredPackages",
        "GetRequiredPlugins",
        "InstallDependencies",
        "GetProgramDependencies",
        "Cancel",
    ]


def test_the_runner_reports_a_program_error_with_the_users_frames_only(tmp_path: Path) -> None:
    program = tmp_path / "__main__.py"
    program.write_text("def build():\n    raise ValueError('name must not be empty')\n\nbuild()\n")
    try:
        runner_globals: dict[str, object] = {}
        exec(compile(program.read_text(), str(program), "exec"), runner_globals)  # noqa: S102
    except ValueError as error:
        report = runner.user_traceback(error, program)
    assert report.startswith("ValueError: name must not be empty")
    assert str(program) in report
    assert "runpy" not in report
    assert "runner.py" not in report


def test_the_runner_names_a_missing_program(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(server.RUNNER), "--pwd", str(tmp_path), "missing.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "missing.py does not exist: check `main` in Pulumi.yaml" in done.stderr


def test_a_program_cannot_import_the_hosts_own_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    # Started as `python runner.py`, the runner's folder (the host's modules: server, runner)
    # is first on sys.path; a program's `import server` must find its own module or nothing.
    own = str(Path(runner.__file__).parent)
    monkeypatch.setattr(sys, "path", [own, "/somewhere/else", own + "/"])
    runner.forget_own_folder()
    assert sys.path == ["/somewhere/else"]


def test_the_runner_and_the_host_end_with_the_process_that_started_them() -> None:
    """A killed engine leaves no program runner or host of ours running on its own."""
    runner = Path(__file__).resolve().parents[2] / "scripts" / "language_host"
    child = (
        f"import sys, time; sys.path.insert(0, {str(runner)!r}); "
        "from do_genai_language_host.runner import exit_with_parent; "
        "exit_with_parent(32); print('watching', flush=True); time.sleep(60)"
    )
    parent = (
        "import subprocess, sys, time; "
        f"c = subprocess.Popen([sys.executable, '-c', {child!r}]); "
        "print(c.pid, flush=True); time.sleep(60)"
    )
    started = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    assert started.stdout is not None
    orphan = int(started.stdout.readline())
    assert started.stdout.readline().strip() == "watching"
    started.kill()
    started.wait()
    started.stdout.close()
    deadline = time.monotonic() + 5
    while _runs(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    still = _runs(orphan)
    if still:
        os.kill(orphan, signal.SIGKILL)
    assert not still, "the runner outlived the process that started it"


def _runs(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_a_toolchain_is_honoured_or_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    uv = server.choose_interpreter({"toolchain": "uv"}, tmp_path, {})
    assert uv.command == str(tmp_path / ".venv" / "bin" / "python")
    with pytest.raises(FileNotFoundError, match="toolchain: poetry is not supported") as refused:
        server.choose_interpreter({"toolchain": "poetry"}, tmp_path, {})
    assert "poetry env info --path" in str(refused.value)
