"""The rules that decide a key's next step, as pure functions of the stored state, the new inputs
and the time: when a secret is regenerated, the rotating pair's schedule, and how its
regenerates are paced for the apps (the floor, the one-at-a-time jump, the emergency).

Nothing here talks to DigitalOcean or to an engine, so each rule has unit tests of its own
(`tests/unit/test_rules.py`); the key's operations (`key.py`) apply them, and both doors reach
them only through those operations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..api.times import format_time, now, parse_time
from .inputs import days_problem, is_whole
from .outputs import EMERGENCIES, ROTATION, secret_version

SLOTS = ("a", "b")
DEFAULT_ANCHOR = "2026-01-01T00:00:00Z"
DEFAULT_MIN_ROTATION_INTERVAL_HOURS = 24.0
"""The previous secret keeps working at least a day after it stopped being active: apps that
re-read their configuration daily never hold a dead one. Tests and fast pipelines lower it."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one input, and the fix (the message names the input)."""

    field: str
    reason: str


# --- the pair's schedule ------------------------------------------------------------------


def rotation_count(
    rotation: int,
    rotate_after_days: float | None = None,
    anchor: str = DEFAULT_ANCHOR,
    at: datetime | None = None,
) -> int:
    """The rotation number r: the configured count plus the whole periods since the anchor
    (counted at `at`, by default now)."""
    if isinstance(rotation, bool) or not isinstance(rotation, int) or rotation < 0:
        raise ValueError(f"rotation must be a whole number >= 0, got {rotation!r}")
    if rotate_after_days is None:
        return rotation
    problem = days_problem(rotate_after_days)
    if problem:
        raise ValueError(f"rotate_after_days {problem}")
    elapsed_days = ((at or now()) - parse_time(anchor)).total_seconds() / 86400
    return rotation + max(0, math.floor(elapsed_days / rotate_after_days))


def slot_versions(count: int, emergencies: int = 0) -> tuple[int, int]:
    """(secret_version of slot a, of slot b) after `count` rotations and `emergencies`
    emergency rotations (each regenerates both)."""
    return 1 + count // 2 + emergencies, 1 + (count + 1) // 2 + emergencies


def active_slot(count: int) -> str:
    return SLOTS[count % 2]


def pace_problem(min_hours: Any, emergencies: Any) -> str | None:
    """What is wrong with a pair's pacing inputs, or None."""
    if isinstance(min_hours, bool) or not isinstance(min_hours, int | float) or min_hours < 0:
        return f"min_rotation_interval_hours must be a number of hours >= 0, got {min_hours!r}"
    if isinstance(emergencies, bool) or not isinstance(emergencies, int) or emergencies < 0:
        return f"emergency_rotations must be a whole number >= 0, got {emergencies!r}"
    return None


# --- a slot of the pair, as its key sees it ----------------------------------------------------


@dataclass(frozen=True)
class Rotating:
    """What a slot of a `RotatingModelAccessKey` tells its key: the pair's name, the slot, the
    rotation number, the emergency count and the floor, and when the slot's secret stopped
    being active ("" when not known until `up`). The doors read it off the pair's program."""

    component: str
    slot: str
    rotation: Any
    emergency: int = 0
    floor_hours: float = 0.0
    previous_active_since: str = ""

    @classmethod
    def of(cls, given: Mapping[str, Any]) -> Rotating:
        """From the map the pair hands its key (values not known yet are None)."""
        since = given.get("previous_active_since")
        emergency = given.get("emergency")
        return cls(
            component=str(given.get("component") or ""),
            slot=str(given.get("slot") or ""),
            rotation=given.get("rotation"),
            emergency=int(emergency) if is_whole(emergency) else 0,
            floor_hours=float(given.get("floor_hours") or 0),
            previous_active_since=since if isinstance(since, str) else "",
        )

    @property
    def number(self) -> Any:
        """The rotation number as the user wrote it (numbers reach a provider as floats)."""
        return int(self.rotation) if is_whole(self.rotation) else self.rotation

    def counts(self) -> dict[str, Any]:
        """What the slot's state keeps of the pair, to pace the next rotation against."""
        return {EMERGENCIES: self.emergency, ROTATION: self.number}


@dataclass(frozen=True)
class Pacing:
    """A rotating key's regenerate judged for the apps: refused (`problem`), or allowed, with a
    `warning` to show when it is an emergency."""

    problem: Problem | None = None
    warning: str = ""


def pace(olds: Mapping[str, Any], news: Mapping[str, Any], slot: Rotating, at: datetime) -> Pacing:
    """Refused: a rotation that moves by more than one (it would regenerate the active slot
    too), and one that would kill the previous secret sooner than the floor after it stopped
    being active (naming when the next may run). An emergency rotation is waived and says what
    it kills. `olds` is the slot's state (with the counts it was paced at), `news` its inputs."""
    old, new = olds.get("secret_version"), news.get("secret_version")
    if not olds or not is_whole(old) or not is_whole(new):
        return Pacing()
    before = int(olds.get(EMERGENCIES) or 0)
    if slot.emergency != before:
        return _emergency(slot, before, moved=new > old)
    if new <= old:
        return Pacing()
    was = olds.get(ROTATION)
    if is_whole(was) and is_whole(slot.rotation) and slot.rotation - was > 1:
        return Pacing(_jump(slot, int(was)))
    return Pacing(floor(olds, slot, before, at))


def _emergency(slot: Rotating, before: int, *, moved: bool) -> Pacing:
    if slot.emergency < before or not moved:
        return Pacing(
            Problem(
                "secret_version",
                f"emergency_rotations of RotatingModelAccessKey {slot.component!r} went from "
                f"{before} to {slot.emergency} with rotation {slot.number}: raise "
                "emergency_rotations by one, and leave rotation as it is, to regenerate both "
                "slots at once",
            )
        )
    return Pacing(
        warning=(
            f"EMERGENCY rotation of RotatingModelAccessKey {slot.component!r}: slot "
            f"{slot.slot}'s secret is regenerated now, whatever min_rotation_interval_hours "
            "says; apps still sending it fail until they read the new active_secret_key"
        )
    )


def _jump(slot: Rotating, was: int) -> Problem:
    return Problem(
        "secret_version",
        f"rotation of RotatingModelAccessKey {slot.component!r} moves from {was} to "
        f"{slot.number} at once: that would regenerate the active slot too, killing the "
        "secret apps use now. Raise it one at a time (a rotation_anchor/rotate_after_days "
        "schedule that missed periods: set rotation so that it moves by one), or raise "
        "emergency_rotations to regenerate both slots on purpose",
    )


def floor(
    olds: Mapping[str, Any], slot: Rotating, emergencies: int, at: datetime
) -> Problem | None:
    """The previous secret keeps working `floor_hours` after it stopped being active: a
    regenerate of this slot sooner than that is refused."""
    was_active = slot.slot == "a" or int(olds["secret_version"]) - emergencies >= 2
    since = slot.previous_active_since
    if not slot.floor_hours or not was_active or not since:
        return None  # never active, no floor, or not known until `up`
    until = parse_time(since) + timedelta(hours=slot.floor_hours)
    if at >= until:
        return None
    return Problem(
        "secret_version",
        f"rotation of RotatingModelAccessKey {slot.component!r} to {slot.number} "
        f"is too soon: it regenerates slot {slot.slot}, whose secret apps were told to keep "
        f"(previous_secret_key) for min_rotation_interval_hours={slot.floor_hours:g} after it "
        f"stopped being active at {since}. The next rotation may run from "
        f"{format_time(until)}; for a leaked key, raise emergency_rotations instead",
    )


def as_rotation(problem: Problem, slot: Rotating | None, olds: Mapping[str, Any]) -> Problem:
    """A `secret_version` that went down, said of the pair's `rotation`, which the user wrote
    (the slot's `secret_version` is derived from it)."""
    if problem.field != "secret_version" or slot is None:
        return problem
    old = olds.get("secret_version")
    if not is_whole(old):
        return problem
    # Slot a's version is 1 + r // 2 + e, slot b's 1 + (r + 1) // 2 + e (e: the emergency
    # rotations): the least r behind the old one.
    least = 2 * (int(old) - slot.emergency - 1) - (1 if slot.slot == "b" else 0)
    return Problem(
        "secret_version",
        f"rotation of RotatingModelAccessKey {slot.component!r} went down to "
        f"{slot.number}, below the rotation its keys are at ({least} or more): a "
        "rotation cannot be undone (the secrets it replaced are dead); set rotation back to at "
        "least that, or raise it to rotate again",
    )


# --- when a secret is regenerated ---------------------------------------------------------


def is_emergency(state: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update's regenerate is an emergency rotation: the new inputs' emergency count
    is above the one the key's state holds. A state written before the counts were kept holds
    none: its regenerate is a usual one, whose new secret must be proved (the safe side)."""
    stored = state.get(EMERGENCIES)
    if not is_whole(stored) or not is_whole(news.get(EMERGENCIES)):
        return False
    return int(news[EMERGENCIES]) > int(stored)


def rotation_due(olds: Mapping[str, Any], news: Mapping[str, Any], at: datetime) -> bool:
    """True when `rotate_after_days` has passed since the secret was last issued."""
    days = news.get("rotate_after_days")
    if days is None or days_problem(days):
        return False
    issued = olds.get("rotated_at") or olds.get("created_at")
    if not issued:
        return True
    return at >= parse_time(str(issued)) + timedelta(days=float(days))


def secret_missing(
    olds: Mapping[str, Any], news: Mapping[str, Any], *, importing: bool = False
) -> bool:
    """True when the state holds no secret for a key that should have one.

    That happens after an interrupted run whose pending create was recovered (the create's
    answer, with the secret, never reached the state), when `regenerate_on_adopt` is turned
    on for a key adopted without it, and on the `up` after a `pulumi import` (the control panel
    showed the secret once). Regenerating is the only way to learn a secret again; the import
    itself (`importing`) regenerates nothing.
    """
    if importing:
        return False
    wanted = news.get("regenerate_on_adopt")
    return bool(olds.get("uuid")) and not olds.get("secret_key") and wanted is not False


def regenerates(
    olds: Mapping[str, Any], news: Mapping[str, Any], at: datetime, *, importing: bool = False
) -> bool:
    """Whether an update with these inputs issues a new secret."""
    raised = is_whole(news.get("secret_version")) and secret_version(news) > secret_version(olds)
    return raised or rotation_due(olds, news, at) or secret_missing(olds, news, importing=importing)
