"""Material for the leak scan (`tests/test_zz_leak_scan.py`): every secret an emulator of the
run knew, and every test's output, written where the scan (a process of its own) finds them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from do_genai_model_keys.emulator import Emulator

LEAK_MATERIAL: set[str] = set()
"""Every token and model-key secret any emulator of this session knew (16+ characters)."""
TEST_OUTPUT: list[tuple[str, str]] = []
"""Each test's captured output and failure text, by test id."""
LEAK_DIR_ENV = "DO_GENAI_LEAK_DIR"
"""Where every test process also writes that material (`scripts/test.sh` sets it): the suite
runs on parallel workers, and the leak scan runs afterwards, in a process of its own."""


def _leak_file(kind: str) -> Path | None:
    folder = os.environ.get(LEAK_DIR_ENV)
    if not folder:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(folder) / kind / f"{worker}-{os.getpid()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def append_record(kind: str, record: object) -> None:
    path = _leak_file(kind)
    if path is not None:
        with path.open("a") as out:
            out.write(json.dumps(record) + "\n")


def remember_emulator_secrets(emu: Emulator) -> None:
    state = emu.state
    material = {*state.tokens, *state.retired_secrets, *(k.secret for k in state.keys.values())}
    kept = sorted(m for m in material if len(m) >= 16)
    LEAK_MATERIAL.update(kept)
    append_record("material", kept)


TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,}")
"""Runs of the characters tokens and secrets are made of (secrets, demo tokens, test tokens)."""


def leaks_in(text: str, material: set[str]) -> int:
    """How many of the secrets appear in `text`, anywhere, even inside a longer run.

    Fast for a whole run's worth of files: the text is cut into runs of token characters once,
    and each distinct run is looked up by the lengths the secrets have, instead of searching the
    text once per secret (thousands of secrets times tens of megabytes)."""
    plain = {m for m in material if TOKEN.fullmatch(m)}
    found = {m for m in material - plain if m in text}
    lengths = {len(m) for m in plain}
    for run in set(TOKEN.findall(text)):
        for n in lengths:
            found.update(run[i : i + n] for i in range(len(run) - n + 1) if run[i : i + n] in plain)
    return len(found)
