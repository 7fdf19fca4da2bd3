"""A faulty run logged at DEBUG, among the suite's other tests: material for the leak scan that
`scripts/test.sh` runs last (`tests/test_zz_leak_scan.py`), which reads this test's files, output
and log records with every other test's."""

from __future__ import annotations

import pytest
from do_genai_model_keys.emulator import Emulator
from support.leaks import LEAK_MATERIAL, leaks_in
from support.stacks import KeyStack, faulty_run

pytestmark = pytest.mark.e2e


def test_a_faulty_run_logged_at_debug_shows_no_secret(backend, emulator: Emulator, caplog) -> None:
    caplog.set_level("DEBUG")
    keys = KeyStack(backend(), emulator)
    faulty_run(keys, emulator)
    assert len(LEAK_MATERIAL) >= 5
    assert leaks_in("\n".join(keys.output), LEAK_MATERIAL) == 0
    assert leaks_in(caplog.text, LEAK_MATERIAL) == 0
    assert "retry" in "\n".join(keys.output)  # the faults were met and logged
