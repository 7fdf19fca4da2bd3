"""`python -m do_genai_model_keys rotation`: every rotating key of a backend's stacks, at a glance.

For each `RotatingModelAccessKey` the stacks' states hold, through either door (`pulumi stack
export`, no secrets read): its active slot, when it rotated, when the previous secret dies (at
the next rotation, never sooner than `min_rotation_interval_hours` after it stopped being
active) and when the next rotation is due (the schedule's next period after the last rotation,
flagged when overdue, or at the next `rotation` bump). A state written before these outputs
existed shows no floor. A table for people, `--json` for CI. Exit 0, 2 for a usage error, 4 when
the backend or a stack cannot be read (the stacks that could be read are still shown).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from ..api.times import format_time, now, parse_time
from ..doors import door_of
from .backend import InventoryError, Run, backend_env, find_pulumi, pulumi_runner, read_json
from .exits import OK, UNREADABLE
from .inventory import UNREADABLE_SHAPES, backend_stacks
from .terminal import printable


@dataclass(frozen=True)
class RotationStatus:
    """One rotating key as its stack's state has it; times are RFC 3339, "" when unknown."""

    stack: str
    resource: str
    active_slot: str
    rotation: int
    rotated_at: str
    """When the active secret was issued, and so when the previous one stopped being active."""
    previous_dies: str
    """When the previous secret is killed: the next scheduled rotation, floor included; "" for a
    key rotated only by its `rotation` count (then: at its next bump)."""
    previous_dies_not_before: str
    """The floor: the previous secret works at least until then, whatever rotates it."""
    next_rotation_due: str
    """The schedule's next rotation after the last one; "" without a schedule."""
    overdue: bool
    """The schedule's next rotation has passed and no `up` has made it yet."""
    min_rotation_interval_hours: float
    emergency_rotations: int


def stack_rotations(run: Run, stack: str, at: datetime) -> list[RotationStatus]:
    """The rotating keys of one stack's state, as of `at`."""
    exported = read_json(
        run(["stack", "export", "--stack", stack]), f"`pulumi stack export {stack}`"
    )
    deployment = exported.get("deployment") if isinstance(exported, dict) else None
    resources = deployment.get("resources") if isinstance(deployment, dict) else None
    if not isinstance(resources or [], list):
        raise InventoryError(f"the export of {stack} holds no list of resources")
    found = []
    for resource in resources or []:
        door = door_of(resource.get("type")) if isinstance(resource, dict) else None
        if door is None or resource.get("type") != door.pair_type:
            continue
        outputs = resource.get("outputs")
        if not isinstance(outputs, dict):
            raise InventoryError(f"the export of {stack} holds a rotating key without outputs")
        try:
            found.append(_status(stack, str(resource.get("urn", "")), door.core(outputs), at))
        except UNREADABLE_SHAPES as error:
            raise InventoryError(
                f"the export of {stack} holds a rotating key that cannot be read "
                f"({type(error).__name__}: {printable(str(error))[:200]})"
            ) from None
    return found


def _status(stack: str, urn: str, outputs: Mapping[str, Any], at: datetime) -> RotationStatus:
    rotated_at = _time(outputs.get("rotated_at"))
    floor = _number(outputs.get("min_rotation_interval_hours"))
    due = _next_period(outputs.get("rotate_after_days"), outputs.get("rotation_anchor"), rotated_at)
    not_before = _later(rotated_at, timedelta(hours=floor)) if rotated_at and floor else None
    dies = max(due, not_before) if due and not_before else due
    return RotationStatus(
        stack=stack,
        resource=urn.rsplit("::", 1)[-1],
        active_slot=_text(outputs.get("active_slot")),
        rotation=int(_number(outputs.get("rotation"))),
        rotated_at=format_time(rotated_at) if rotated_at else "",
        previous_dies=format_time(dies) if dies else "",
        previous_dies_not_before=format_time(not_before) if not_before else "",
        next_rotation_due=format_time(due) if due else "",
        overdue=bool(due and due <= at),
        min_rotation_interval_hours=floor,
        emergency_rotations=int(_number(outputs.get("emergency_rotations"))),
    )


def _next_period(days: Any, anchor: Any, after: datetime | None) -> datetime | None:
    """The first boundary of the `rotate_after_days` schedule after `after` (the last
    rotation); None without a schedule."""
    period = _number(days)
    start = _time(anchor)
    if period <= 0 or start is None or after is None:
        return None
    elapsed = max(0.0, (after - start).total_seconds() / 86400)
    periods = min(math.floor(elapsed / period) + 1, MOST)
    return _later(start, timedelta(days=min(period * periods, MOST)))


def _later(at: datetime, by: timedelta) -> datetime | None:
    """`at + by`, or None past the calendar's end (year 9999): no rotation is due then."""
    try:
        return at + by
    except OverflowError:
        return None


def _time(value: Any) -> datetime | None:
    """An RFC 3339 time of a state, or None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


MOST = 1_000_000.0
"""Above any count, hours or days a state holds for real (a million days is 2,700 years): a
larger number is read as this, so date arithmetic never overflows."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return MOST if value > 0 else 0.0
    return min(number, MOST) if math.isfinite(number) and number > 0 else 0.0


def render_table(rows: Sequence[RotationStatus]) -> str:
    table = [
        ("STACK", "ROTATING KEY", "ACTIVE", "ROTATION", "ROTATED AT", "PREVIOUS DIES", "NEXT DUE")
    ]
    for r in rows:
        table.append(
            (
                r.stack,
                r.resource,
                r.active_slot or "-",
                str(r.rotation),
                r.rotated_at or "-",
                r.previous_dies
                or f"next `rotation` bump, not before {r.previous_dies_not_before or 'now'}",
                (r.next_rotation_due + (" (overdue)" if r.overdue else ""))
                or "at the next `rotation` bump",
            )
        )
    widths = [max(len(printable(row[i])) for row in table) for i in range(len(table[0]))]
    return "\n".join(
        "  ".join(
            printable(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in table
    )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """`python -m do_genai_model_keys rotation`."""
    parser = argparse.ArgumentParser(
        prog="python -m do_genai_model_keys rotation",
        description="Every RotatingModelAccessKey of the Pulumi backend's stacks: active slot, "
        "when it rotated, when the previous secret dies and when the next rotation is due.",
    )
    parser.add_argument("--backend-url", help="the Pulumi backend (default: the one logged in)")
    parser.add_argument("--json", action="store_true", help="JSON for CI instead of a table")
    parser.add_argument("--pulumi", default="pulumi", help="the pulumi CLI (default: on PATH)")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    try:
        run = pulumi_runner(find_pulumi(args.pulumi), backend_env(args.backend_url))
    except InventoryError as error:
        print(f"rotation: {error}", file=sys.stderr)
        return UNREADABLE
    rows: list[RotationStatus] = []
    problems: list[str] = []
    try:
        stacks = backend_stacks(run)
    except InventoryError as error:
        print(f"rotation: {printable(str(error))}", file=sys.stderr)
        return UNREADABLE
    at = now()
    for stack in stacks:
        try:
            rows.extend(stack_rotations(run, stack, at))
        except InventoryError as error:
            problems.append(str(error))
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2), file=out)
    else:
        print(render_table(rows), file=out)
    for problem in problems:
        print(f"rotation: {printable(problem)}", file=sys.stderr)
    return UNREADABLE if problems else OK
