"""An `up` killed in the middle converges after recovery: no orphan, no lost secret."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import control, emulator_client
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.recovery import recover_pending_creates, restore_truncated_checkpoint
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
    control(emulator, "POST", "faults", {"kind": "latency", "method": "POST", "latency_ms": 300})
    keys = KeyStack(backend(), emulator)
    specs = {f"k{n:02d}": {"name": f"interrupted-{n:02d}"} for n in range(30)}
    keys.open(specs)

    failure: list[BaseException] = []

    def run() -> None:
        try:
            keys.up(specs)
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while len(emulator.state.keys) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    killed = children(os.getpid(), "pulumi")
    assert killed, "the engine was not running"
    plugins = [pid for engine in killed for pid in children(engine)]
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    worker.join(timeout=60)
    assert failure, "the up should have died with the engine"
    made = settle_count(emulator)
    assert 8 <= made < 30
    for pid in plugins:  # the orphaned provider finished its in-flight creates; end it
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    assert keys.stack is not None
    # A kill during a checkpoint write truncates it; the file backend's backup is put back.
    restore_truncated_checkpoint(keys.state_file())
    pending = (keys.stack.export_stack().deployment or {}).get("pending_operations") or []
    assert pending, "the engine should have left pending creates"

    control(emulator, "DELETE", "faults")
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
        answer = httpx.get(
            f"{emulator.url}/v1/models", headers={"Authorization": f"Bearer {secret}"}
        )
        assert answer.status_code == 200, resource_name
    assert changes(keys.preview(specs)) == {}
    raw = keys.state_file().read_text()
    expect(
        all(outputs[f"{r}.secret"] not in raw for r in specs), True, "all"
    )  # re-encrypted on import
    keys.destroy()
    assert emulator.state.keys == {}
