"""The commands never crash on what they read: any export, however odd or hostile (huge
numbers, far dates, nulls, deep nesting, wrong types), gives a one-line message and the
documented exit code, never a traceback. Property-based: hypothesis draws the exports (its seed
is printed on a failure, and `--hypothesis-seed=N` replays it)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from do_genai_model_keys.commands import move_to_plugin
from do_genai_model_keys.commands.inventory import InventoryError, stack_holdings
from do_genai_model_keys.commands.rotation_status import stack_rotations
from do_genai_model_keys.dynamic import KEY_TYPE, ROTATING_KEY_TYPE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

AT = datetime(2026, 12, 3, tzinfo=UTC)
ODD_TIMES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "not-a-time", "", "2026-13-40"]
ODD_NUMBERS = [10**400, -(10**400), 1e308, -1e308, 0, -1, 2**63, 0.5]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(ODD_NUMBERS),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD_TIMES),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = [
    "rotated_at",
    "rotation_anchor",
    "rotate_after_days",
    "min_rotation_interval_hours",
    "rotation",
    "emergency_rotations",
    "active_slot",
    "secret_key",
    "account",
    "name",
]
states = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
resources = st.fixed_dictionaries(
    {
        "type": st.sampled_from([KEY_TYPE, ROTATING_KEY_TYPE, "do-genai:index:ModelAccessKey"]),
        "urn": values,
        "id": values,
        "inputs": st.one_of(states, values),
        "outputs": st.one_of(states, values),
    }
)
exports = st.one_of(
    st.fixed_dictionaries(
        {
            "version": values,
            "deployment": st.fixed_dictionaries({"resources": st.lists(resources, max_size=4)}),
        }
    ),
    values,
)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def answered(text: str):
    return lambda _args: text


@FAST
@given(exports)
def test_rotation_reads_any_export_or_says_it_cannot(export: Any) -> None:
    said = ""
    try:
        stack_rotations(answered(json.dumps(export)), "dev", AT)
    except InventoryError as error:
        said = str(error)
    assert "\n" not in said


@FAST
@given(exports)
def test_keys_reads_any_export_or_says_it_cannot(export: Any) -> None:
    from do_genai_model_keys.commands.inventory import UNREADABLE_SHAPES

    try:
        stack_holdings(answered(json.dumps(export)), "dev", with_secrets=True)
    except (InventoryError, *UNREADABLE_SHAPES):
        pass  # `keys` catches exactly these per stack: "the stack dev could not be read"


NESTED = """
import sys
from datetime import UTC, datetime
from do_genai_model_keys.commands.inventory import InventoryError, stack_holdings
from do_genai_model_keys.commands.rotation_status import stack_rotations

nested = lambda _args: "[" * 100_000 + "]" * 100_000
for read in (lambda: stack_rotations(nested, "dev", datetime.now(UTC)),
             lambda: stack_holdings(nested, "dev", with_secrets=False)):
    try:
        read()
    except InventoryError as error:
        print(error)
"""


def test_json_nested_too_deeply_is_a_message(tmp_path: Path) -> None:
    """In a process of its own, as the command runs: a RecursionError leaves CPython 3.11's
    parser state unusable for the rest of the process (pytest's own reports then fail)."""
    done = subprocess.run(
        [sys.executable, "-c", NESTED], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.count("nested too deeply") == 2
    (tmp_path / "state.json").write_text(deep(100_000))
    done = subprocess.run(
        [sys.executable, "-m", "do_genai_model_keys", "move-to-plugin", "state.json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "nested too deeply" in done.stderr
    assert "Traceback" not in done.stderr


def test_far_dates_and_huge_periods_give_no_due_date_rather_than_a_crash() -> None:
    outputs = {
        "rotated_at": "9999-12-31T23:59:59Z",
        "rotation_anchor": "0001-01-01T00:00:00Z",
        "rotate_after_days": 10**400,
        "min_rotation_interval_hours": 1e308,
        "rotation": 10**400,
    }
    export = {
        "deployment": {
            "resources": [{"type": ROTATING_KEY_TYPE, "urn": "u::k", "outputs": outputs}]
        }
    }
    [status] = stack_rotations(answered(json.dumps(export)), "dev", AT)
    assert status.rotated_at == "9999-12-31T23:59:59Z"
    assert status.previous_dies_not_before == ""  # past the calendar's end: none


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(exports)
def test_move_to_plugin_reads_any_export_or_exits_with_its_code(
    tmp_path: Path, export: Any
) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(export))
    code = move_to_plugin.main([str(path), "--out", str(path.with_suffix(".out"))])
    assert code in (0, 1, 2)
