"""An `up` killed in the middle converges after recovery: no orphan, no lost secret."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from do_genai_model_keys.commands.recovery import (
    recover_pending_creates,
    restore_truncated_checkpoint,
)
from do_genai_model_keys.emulator import Emulator
from support.emulators import (
    KEY_ROUTE,
    api_requests,
    clear_faults,
    control,
    emulator_client,
    fault,
    inference_status,
)
from support.secrets import expect
from support.stacks import KeyStack, changes

pytestmark = pytest.mark.e2e


def children(of: int, name: str | None = None) -> list[int]:
    """PIDs of the processes whose parent is `of` (and whose command is `name`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        if parent == of and (name is None or command == name):
            found.append(int(entry.name))
    return found


def up_killed_when(keys: KeyStack, specs: dict, ready: Callable[[], bool]) -> list[int]:
    """Run `up` and SIGKILL its engine once `ready()` holds: the PIDs the engine had started
    (its provider among them). The `up` must die with it."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            keys.up(specs)
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while not ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    engines = children(os.getpid(), "pulumi")
    assert engines, "the engine was not running"
    started = [pid for engine in engines for pid in children(engine)]
    for pid in engines:
        os.kill(pid, signal.SIGKILL)
    worker.join(timeout=60)
    assert failure, "the up should have died with the engine"
    return started


def running(pid: int) -> bool:
    """Whether `pid` still runs: a process that ended but nobody reaped (its parent was
    killed, and this machine's init may not reap) is a zombie, not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def settle_count(emu: Emulator) -> int:
    """Wait until the orphaned provider process has finished its in-flight creates."""
    last, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 2:
        count = len(emu.state.keys)
        if count != last:
            last, stable_since = count, time.monotonic()
        time.sleep(0.1)
    return last


def test_killed_up_recovers_without_orphans_or_lost_secrets(backend, emulator: Emulator) -> None:
    fault(emulator, kind="latency", method="POST", latency_ms=300)
    keys = KeyStack(backend(), emulator)
    specs = {f"k{n:02d}": {"name": f"interrupted-{n:02d}"} for n in range(30)}
    keys.open(specs)

    plugins = up_killed_when(keys, specs, lambda: len(emulator.state.keys) >= 8)
    made = settle_count(emulator)
    assert 8 <= made < 30
    for pid in plugins:  # ended with its engine (lifeline.py); never left for a later test
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    assert keys.stack is not None
    # A kill during a checkpoint write truncates it; the file backend's backup is put back.
    restore_truncated_checkpoint(keys.state_file())
    pending = (keys.stack.export_stack().deployment or {}).get("pending_operations") or []
    assert pending, "the engine should have left pending creates"

    clear_faults(emulator)
    with emulator_client(emulator) as client:
        report = recover_pending_creates(keys.stack, client, break_lock=True)
    assert report.ambiguous == {}
    assert len(report.adopted) + len(report.dropped) == len(pending)

    up = keys.up(specs)
    assert up.summary.result == "succeeded"
    # Exactly the declared keys, each once, and every secret in the state works.
    names = sorted(k.name for k in emulator.state.keys.values())
    assert names == sorted(s["name"] for s in specs.values())
    outputs = keys.outputs()
    for resource_name in specs:
        secret = outputs[f"{resource_name}.secret"]
        expect(inference_status(emulator, secret), 200, resource_name)
    assert changes(keys.preview(specs)) == {}
    raw = keys.state_file().read_text()
    expect(
        all(outputs[f"{r}.secret"] not in raw for r in specs), True, "all"
    )  # re-encrypted on import
    keys.destroy()
    assert emulator.state.keys == {}


def test_a_killed_up_leaves_nothing_acting_and_no_key_is_deleted_after(
    backend, emulator: Emulator, tmp_path: Path
) -> None:
    """SIGKILL of the engine in the middle of regenerating: within seconds no process of ours
    remains, no request reaches the API after that, recovery settles, and every key lives on."""
    keys = KeyStack(backend(), emulator)
    specs: dict[str, dict[str, object]] = {}
    for n in range(12):
        panel = emulator.state.create_key(f"rotating-{n:02d}")
        specs[f"k{n:02d}"] = {"name": panel.name, "adopt_uuid": panel.uuid}
    keys.up(specs)
    rotate = {name: {**spec, "secret_version": 2} for name, spec in specs.items()}
    fault(emulator, kind="latency", method="PUT", latency_ms=300)
    control(emulator, "POST", "stats/reset")

    regenerates = f"PUT {KEY_ROUTE}/regenerate"
    ours = up_killed_when(keys, rotate, lambda: api_requests(emulator, regenerates) >= 3)
    assert ours, "the engine had started no provider"

    gone_by = time.monotonic() + 5
    while any(running(pid) for pid in ours) and time.monotonic() < gone_by:
        time.sleep(0.05)
    alive = [pid for pid in ours if running(pid)]
    described = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:200] for pid in alive}
    for pid in alive:  # never left behind for a later test, whatever happened
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert alive == [], f"a process of ours outlived its engine: {described}"
    # Requests in flight at the kill may still land; nothing is sent after the processes end.
    time.sleep(0.5)
    sent = dict(control(emulator, "GET", "stats")["requests"])
    time.sleep(1.0)
    assert dict(control(emulator, "GET", "stats")["requests"]) == sent

    clear_faults(emulator)
    assert keys.stack is not None
    restore_truncated_checkpoint(keys.state_file())
    with emulator_client(emulator) as client:
        recover_pending_creates(keys.stack, client, break_lock=True)
    assert keys.up(rotate).summary.result == "succeeded"
    assert api_requests(emulator, f"DELETE {KEY_ROUTE}") == 0
    assert sorted(k.name for k in emulator.state.keys.values()) == sorted(
        str(s["name"]) for s in specs.values()
    )
    outputs = keys.outputs()
    for name in specs:
        expect(emulator.state.secret_is_live(outputs[f"{name}.secret"]), True, name)
