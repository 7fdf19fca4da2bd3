"""The commands never crash on what they read: any export, however odd or hostile (huge
numbers, far dates, nulls, deep nesting, wrong types), gives a one-line message and the
documented exit code, never a traceback. The exports are drawn at random from a seed each test
prints (`ODD_EXPORTS_SEED=N` replays it). Not hypothesis: it changes the recursion limit, which
leaves CPython 3.11's parser unusable for the rest of a worker (pytest then cannot report)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from do_genai_model_keys.commands import move_to_plugin
from do_genai_model_keys.commands.inventory import InventoryError, stack_holdings
from do_genai_model_keys.commands.rotation_status import stack_rotations
from do_genai_model_keys.dynamic import KEY_TYPE, ROTATING_KEY_TYPE

AT = datetime(2026, 12, 3, tzinfo=UTC)
ODD_TIMES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "not-a-time", "", "2026-13-40"]
ODD_NUMBERS = [10**400, -(10**400), 1e308, -1e308, 0, -1, 2**63, 0.5, True, None]
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
TYPES = [KEY_TYPE, ROTATING_KEY_TYPE, "do-genai:index:ModelAccessKey"]
EXAMPLES = 300
SEED = int(os.environ.get("ODD_EXPORTS_SEED") or random.SystemRandom().randrange(2**32))
"""The exports are drawn from this seed, printed by each test; ODD_EXPORTS_SEED=N replays."""


def odd_value(draw: random.Random, depth: int = 0) -> Any:
    """A value of an export, as odd as any: huge numbers, far dates, nulls, wrong types, small
    lists and maps of the same."""
    kind = draw.randrange(6 if depth < 3 else 4)
    if kind == 0:
        return draw.choice(ODD_NUMBERS)
    if kind == 1:
        return draw.choice(ODD_TIMES)
    if kind == 2:
        return draw.choice([draw.randrange(-(2**70), 2**70), draw.uniform(-1e6, 1e6), "x" * 3])
    if kind == 3:
        return draw.choice([None, {}, [], "a", False])
    if kind == 4:
        return [odd_value(draw, depth + 1) for _ in range(draw.randrange(3))]
    return {draw.choice(FIELDS): odd_value(draw, depth + 1) for _ in range(draw.randrange(4))}


def odd_export(draw: random.Random) -> Any:
    if draw.random() < 0.2:
        return odd_value(draw)
    resources = []
    for _ in range(draw.randrange(4)):
        state = {f: odd_value(draw) for f in draw.sample(FIELDS, draw.randrange(len(FIELDS)))}
        resources.append(
            {
                "type": draw.choice(TYPES),
                "urn": draw.choice(["u::k", None, 7, "urn:pulumi:dev::p::t::k"]),
                "id": draw.choice(["3f2b", None, 0, ["x"]]),
                "inputs": state if draw.random() < 0.8 else odd_value(draw),
                "outputs": state if draw.random() < 0.8 else odd_value(draw),
            }
        )
    return {"version": odd_value(draw), "deployment": {"resources": resources}}


def exports(test: str) -> list[Any]:
    print(f"{test}: exports drawn from seed {SEED} (ODD_EXPORTS_SEED={SEED} replays them)")
    draw = random.Random(SEED)
    return [odd_export(draw) for _ in range(EXAMPLES)]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def answered(text: str):
    return lambda _args: text


def test_rotation_reads_any_export_or_says_it_cannot() -> None:
    for export in exports("rotation"):
        said = ""
        try:
            stack_rotations(answered(json.dumps(export)), "dev", AT)
        except InventoryError as error:
            said = str(error)
        assert "\n" not in said, export


def test_keys_reads_any_export_or_says_it_cannot() -> None:
    from do_genai_model_keys.commands.inventory import UNREADABLE_SHAPES

    for export in exports("keys"):
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


def test_move_to_plugin_reads_any_export_or_exits_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state.json"
    for export in exports("move-to-plugin")[:100]:
        path.write_text(json.dumps(export))
        code = move_to_plugin.main([str(path), "--out", str(path.with_suffix(".out"))])
        assert code in (0, 1, 2), export
        assert "Traceback" not in capsys.readouterr().err
