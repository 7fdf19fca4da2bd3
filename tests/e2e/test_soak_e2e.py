"""Fault soak: SOAK_KEYS keys (40 unless set) through the real engine, ~20% of requests failing.

After every step, with faults paused for the checks: exactly the declared keys exist (no orphans,
no duplicates), every secret in the state authenticates at /v1/models, and one more `up` (faults
back on) has nothing to do.

Each soak draws a fresh fault seed and prints it with its figures; `SOAK_SEED=N` replays one.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator

import pytest
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE, clear_faults, control, fault, inference_status
from support.secrets import expect
from support.stacks import KeySpecs, KeyStack, changes

pytestmark = [pytest.mark.e2e, pytest.mark.soak]

RATE = 0.05  # each of the five rules below; together about 20% of requests
FAULTS = [
    {"kind": "status", "status": 429, "headers": {"retry-after": "1"}, "probability": RATE},
    {"kind": "status", "status": 500, "probability": RATE},
    {"kind": "status", "status": 503, "probability": RATE},
    {"kind": "drop", "probability": RATE},
    {"kind": "latency", "latency_ms": 50, "probability": RATE},
    {"kind": "commit_then_drop", "method": "POST", "path": KEYS_PATH, "probability": 0.15},
    {
        "kind": "commit_then_drop",
        "method": "PUT",
        "path": f"{KEY_ROUTE}/regenerate",
        "probability": 0.15,
    },
]


def faults_on(emu: Emulator) -> None:
    for rule in FAULTS:
        fault(emu, **rule)


def faults_off(emu: Emulator) -> None:
    clear_faults(emu)


def check_exact_keys_and_working_secrets(keys: KeyStack, emu: Emulator, specs: dict) -> None:
    faults_off(emu)
    on_server = Counter(k.name for k in emu.state.keys.values())
    assert on_server == Counter(s["name"] for s in specs.values())
    secrets = [
        json.loads(r["outputs"]["secret_key"]["plaintext"]) for r in keys.decrypted_resources()
    ]
    assert len(secrets) == len(specs)
    for secret in secrets:
        expect(inference_status(emu, secret), 200, "inference_status")
    faults_on(emu)


@pytest.fixture
def soak_emulator() -> Iterator[Emulator]:
    seed = os.environ.get("SOAK_SEED")
    with Emulator(seed=int(seed) if seed else None, allow_create=True) as emu:
        print(f"soak fault seed: {emu.state.seed} (replay with SOAK_SEED={emu.state.seed})")
        yield emu


SOAK_KEYS = int(os.environ.get("SOAK_KEYS") or 40)
"""Keys the soak runs (`SOAK_KEYS=200 bash scripts/test.sh -k soak` soaks longer): 40 meet
every kind of fault on every step, with the seed printed."""


def test_fault_soak(backend, soak_emulator: Emulator, record_property) -> None:
    emulator = soak_emulator
    keys = KeyStack(backend(), emulator)
    extra_runs = 0
    failures: list[str] = []

    def converge(run) -> None:
        nonlocal extra_runs
        for attempt in range(4):
            try:
                run()
                return
            except auto.CommandError as error:
                if attempt == 3:
                    raise
                extra_runs += 1
                lines = str(error).splitlines()
                failures.append(" | ".join(ln.strip() for ln in lines if "error:" in ln)[:1200])

    specs: KeySpecs = {f"k{n:02d}": {"name": f"soak-{n:02d}"} for n in range(SOAK_KEYS)}
    keys.open(specs)
    faults_on(emulator)
    steps = []

    def step(label: str, run) -> None:
        converge(run)
        check_exact_keys_and_working_secrets(keys, emulator, specs)
        if label != "destroy":
            converge(
                lambda: None if changes(keys.up(specs)) == {} else pytest.fail("not converged")
            )
        steps.append(label)

    step("up", lambda: keys.up(specs))
    for n in range(0, SOAK_KEYS, 2):
        specs[f"k{n:02d}"] = {"name": f"soak-{n:02d}-renamed"}
    step("rename half", lambda: keys.up(specs))
    for n in range(0, SOAK_KEYS, 3):
        specs[f"k{n:02d}"] = {**specs[f"k{n:02d}"], "secret_version": 2}
    step("bump a third", lambda: keys.up(specs))
    step("refresh", keys.refresh)
    converge(keys.destroy)
    faults_off(emulator)
    assert emulator.state.keys == {}
    keys.stack = None  # destroyed already

    stats = control(emulator, "GET", "stats")
    figures = {
        "seed": emulator.state.seed,
        "steps": [*steps, "destroy"],
        "requests": sum(stats["requests"].values()),
        "faults_injected": sum(stats["faults"].values()),
        "faults_by_kind": dict(
            Counter(k.split()[0] for k in stats["faults"] for _ in range(stats["faults"][k]))
        ),
        "extra_runs": extra_runs,
        "why_runs_failed": failures,
        # The provider logs each retry; the engine passes those lines on to the CLI output.
        "retries_logged": sum(line.count("; retry ") for line in keys.output),
        "creates_reconciled": sum(line.count("had committed") for line in keys.output),
    }
    record_property("soak", figures)
    print("soak figures:", json.dumps(figures))
    # The soak was hard enough: about one request in seven meets a fault (60-83 of ~500 in the
    # last session's ten soaks). The bound sits well below that, so that a run whose random
    # draws came out low (49 of 472, seed 1297285290) is not taken for a broken fault stream.
    assert figures["faults_injected"] >= 0.06 * figures["requests"]
