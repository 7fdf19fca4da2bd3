"""`RotatingModelAccessKey`: two keys that take turns, so rotation never breaks a running app.

DigitalOcean's regenerate kills the old secret at once. With two keys (slots `a` and `b`), each
rotation regenerates the standby slot and makes it active; the previously active secret keeps
working until the rotation after. Apps switch to `active_secret_key` at their own pace within one
rotation period.

Everything follows from one number, the rotation count r: the active slot is `a` when r is even
and `b` when it is odd, and each slot's `secret_version` counts the rotations that made it active
(a: 1 + r//2, b: 1 + (r+1)//2). So a rotation is a reviewed change of a number in stack config
(`rotation`), or the passing of a period (`rotate_after_days`, counted from `rotation_anchor`):
preview shows exactly which slot will be regenerated, and replaying a rotation is a no-op.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import pulumi

from ..api.times import now, parse_time
from .account import Account
from .key_inputs import days_problem
from .resources import ModelAccessKey

SLOTS = ("a", "b")
DEFAULT_ANCHOR = "2026-01-01T00:00:00Z"


def rotation_count(
    rotation: int,
    rotate_after_days: float | None = None,
    anchor: str = DEFAULT_ANCHOR,
    at: datetime | None = None,
) -> int:
    """The rotation number r: the configured count plus the whole periods since the anchor."""
    if isinstance(rotation, bool) or not isinstance(rotation, int) or rotation < 0:
        raise ValueError(f"rotation must be a whole number >= 0, got {rotation!r}")
    if rotate_after_days is None:
        return rotation
    problem = days_problem(rotate_after_days)
    if problem:
        raise ValueError(f"rotate_after_days {problem}")
    start = parse_time(anchor)
    elapsed_days = ((at or now()) - start).total_seconds() / 86400
    return rotation + max(0, math.floor(elapsed_days / rotate_after_days))


def slot_versions(count: int) -> tuple[int, int]:
    """(secret_version of slot a, of slot b) after `count` rotations."""
    return 1 + count // 2, 1 + (count + 1) // 2


def active_slot(count: int) -> str:
    return SLOTS[count % 2]


class RotatingModelAccessKey(pulumi.ComponentResource):
    """Two model access keys rotated in turn: zero-downtime rotation.

    Outputs: `active_secret_key` and `previous_secret_key` (secrets), `active_slot`,
    `active_uuid`, `rotated_at` (when the active secret was issued) and `rotation`.
    """

    active_secret_key: pulumi.Output[str]
    """The secret apps should use now."""
    previous_secret_key: pulumi.Output[str]
    """The secret that was active before the last rotation; valid until the next one."""
    active_slot: pulumi.Output[str]
    """`a` or `b`."""
    active_uuid: pulumi.Output[str]
    """The UUID of the active key."""
    rotated_at: pulumi.Output[str]
    """When the active secret was issued (RFC 3339)."""
    rotation: pulumi.Output[int]
    """The rotation number the keys are at."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        rotation: int = 0,
        rotate_after_days: float | None = None,
        rotation_anchor: str = DEFAULT_ANCHOR,
        adopt_uuids: Sequence[str] | None = None,
        account: Account | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`name` names the keys `<name>-a` and `<name>-b`; `adopt_uuids` takes over two keys
        made in the control panel (slot a's UUID, then slot b's) instead of creating them;
        `account` is the DigitalOcean account of both (default: the stack's config)."""
        super().__init__("genai:index:RotatingModelAccessKey", resource_name, None, opts)
        if adopt_uuids is not None and len(adopt_uuids) != 2:
            raise ValueError(
                f"RotatingModelAccessKey {resource_name!r}: adopt_uuids needs exactly two UUIDs "
                f"(slot a, slot b), got {len(adopt_uuids)}"
            )
        try:
            count = rotation_count(rotation, rotate_after_days, rotation_anchor)
        except ValueError as error:
            raise ValueError(f"RotatingModelAccessKey {resource_name!r}: {error}") from None

        child = pulumi.ResourceOptions(parent=self)
        keys = {
            slot: ModelAccessKey(
                f"{resource_name}-{slot}",
                name=f"{name}-{slot}",
                secret_version=version,
                adopt_uuid=adopt_uuids[index] if adopt_uuids else None,
                account=account,
                opts=child,
                rotating={"component": resource_name, "slot": slot, "rotation": count},
            )
            for index, (slot, version) in enumerate(zip(SLOTS, slot_versions(count), strict=True))
        }
        active = active_slot(count)
        standby = SLOTS[1 - SLOTS.index(active)]
        self.active_secret_key = pulumi.Output.secret(keys[active].secret_key)
        self.previous_secret_key = pulumi.Output.secret(keys[standby].secret_key)
        self.active_slot = pulumi.Output.from_input(active)
        self.active_uuid = keys[active].uuid
        self.rotated_at = keys[active].rotated_at
        self.rotation = pulumi.Output.from_input(count)
        self.register_outputs(
            {
                "active_secret_key": self.active_secret_key,
                "previous_secret_key": self.previous_secret_key,
                "active_slot": self.active_slot,
                "active_uuid": self.active_uuid,
                "rotated_at": self.rotated_at,
                "rotation": self.rotation,
            }
        )
