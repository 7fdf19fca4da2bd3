"""The rotating pair, for both doors: two keys that take turns, so rotation never breaks a
running app. Each door's `RotatingModelAccessKey` is this component with its own type and key
resource (`dynamic/rotation.py`, `plugin/components.py`).

DigitalOcean's regenerate kills the old secret at once. With two keys (slots `a` and `b`), each
rotation regenerates the standby slot and makes it active; the previously active secret keeps
working until the rotation after. Apps switch to `active_secret_key` at their own pace within one
rotation period.

Everything follows from one number, the rotation count r: the active slot is `a` when r is even
and `b` when it is odd, and each slot's `secret_version` counts the rotations that made it active
(a: 1 + r//2, b: 1 + (r+1)//2). So a rotation is a reviewed change of a number in stack config
(`rotation`), or the passing of a period (`rotate_after_days`, counted from `rotation_anchor`):
preview shows exactly which slot will be regenerated, and replaying a rotation is a no-op.

A rotation proves itself: the new active secret is confirmed with the inference API before it
is handed out (the standby's update fails otherwise, and the active secret stays as it was).
And it is paced for the apps: a rotation that would kill the previous secret sooner than
`min_rotation_interval_hours` after it stopped being active is refused, at preview, with the
time the next rotation may run. For a leaked key, `emergency_rotations` (a counter) regenerates
both slots at once, floor waived, and says what it kills.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

import pulumi

from ..lifecycle.rules import (
    DEFAULT_ANCHOR,
    DEFAULT_MIN_ROTATION_INTERVAL_HOURS,
    SLOTS,
    active_slot,
    pace_problem,
    rotation_count,
    slot_versions,
)

OUTPUTS = (
    "active_secret_key",
    "previous_secret_key",
    "active_slot",
    "active_uuid",
    "rotated_at",
    "previous_rotated_at",
    "rotation",
)
"""The pair's outputs, declared once: its attributes, what its state records (with the schedule
it was given), and the plugin's component outputs (camelCased by the schema)."""


class AccountInput(Protocol):
    """A key's account as a door takes it (the dynamic door's `Account`)."""

    def as_input(self) -> dict[str, Any]: ...


class RotatingPair(pulumi.ComponentResource):
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
    previous_rotated_at: pulumi.Output[str]
    """When the previous secret was issued (RFC 3339)."""

    type_token: ClassVar[str]
    """The component's type in the state (each door's own)."""
    slot_key: ClassVar[Callable[..., Any]]
    """Makes a slot's key: the door's `ModelAccessKey` (with `uuid`, `secret_key` and
    `rotated_at` outputs), given the slot's inputs and `rotating`, the pair's rotation."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        rotation: int = 0,
        rotate_after_days: float | None = None,
        rotation_anchor: str = DEFAULT_ANCHOR,
        adopt_uuids: Sequence[str] | None = None,
        account: AccountInput | None = None,
        min_rotation_interval_hours: float | None = None,
        emergency_rotations: int = 0,
        deletion_protection: bool | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Two keys, `<name>-a` and `<name>-b`, rotated in turn.

        Args:
            name: The keys' names are `<name>-a` and `<name>-b`.
            rotation: The rotation number: raise it by one to regenerate the standby slot's
                secret and make it the active one.
            rotate_after_days: Rotate on a schedule as well: one rotation per this many days
                since `rotation_anchor`, added to `rotation`.
            rotation_anchor: When the schedule's periods start (RFC 3339).
            adopt_uuids: Take over two keys made in the control panel (slot a's UUID, then slot
                b's) instead of creating them.
            account: The DigitalOcean account of both keys (default: the stack's config).
            min_rotation_interval_hours: The least time the previous secret keeps working after
                it stopped being active: a sooner rotation is refused (default 24 hours).
            emergency_rotations: Raise it by one to regenerate both slots at once, whatever the
                interval (a leaked key).
            deletion_protection: Refuse to delete the two keys at DigitalOcean; unset, on for
                adopted keys (only the control panel makes them again), off for created ones.
            opts: The component's resource options.
        """
        decided = {
            "name": name,
            "rotation": rotation,
            "rotate_after_days": rotate_after_days,
            "rotation_anchor": rotation_anchor,
            "min_rotation_interval_hours": min_rotation_interval_hours,
            "emergency_rotations": emergency_rotations,
        }
        for input_name, value in decided.items():
            known(resource_name, input_name, value)
        super().__init__(self.type_token, resource_name, None, opts)
        if adopt_uuids is not None and len(adopt_uuids) != 2:
            raise ValueError(
                f"RotatingModelAccessKey {resource_name!r}: adopt_uuids needs exactly two UUIDs "
                f"(slot a, slot b), got {len(adopt_uuids)}"
            )
        if min_rotation_interval_hours is None:
            min_rotation_interval_hours = DEFAULT_MIN_ROTATION_INTERVAL_HOURS
        try:
            count = rotation_count(rotation, rotate_after_days, rotation_anchor)
        except ValueError as error:
            raise ValueError(f"RotatingModelAccessKey {resource_name!r}: {error}") from None
        problem = pace_problem(min_rotation_interval_hours, emergency_rotations)
        if problem:
            raise ValueError(f"RotatingModelAccessKey {resource_name!r}: {problem}")

        active = active_slot(count)
        standby = SLOTS[1 - SLOTS.index(active)]
        versions = dict(zip(SLOTS, slot_versions(count, emergency_rotations), strict=True))

        def slot_key(slot: str, previous_active_since: pulumi.Output[str] | None) -> Any:
            rotating = {
                "component": resource_name,
                "slot": slot,
                "rotation": count,
                "emergency": emergency_rotations,
                "floor_hours": float(min_rotation_interval_hours),
                # When this slot's secret stopped being active: the other slot's rotation.
                "previous_active_since": previous_active_since,
            }
            return type(self).slot_key(
                f"{resource_name}-{slot}",
                name=f"{name}-{slot}",
                secret_version=versions[slot],
                adopt_uuid=adopt_uuids[SLOTS.index(slot)] if adopt_uuids else None,
                account=account,
                deletion_protection=deletion_protection,
                opts=pulumi.ResourceOptions(parent=self),
                rotating=rotating,
            )

        # The active slot is the one a rotation regenerates; it depends on the standby, never
        # the other way round, so the order flips with the slots and never makes a circle.
        keys = {standby: slot_key(standby, None)}
        keys[active] = slot_key(active, keys[standby].rotated_at)
        self.active_secret_key = pulumi.Output.secret(keys[active].secret_key)
        self.previous_secret_key = pulumi.Output.secret(keys[standby].secret_key)
        self.active_slot = pulumi.Output.from_input(active)
        self.active_uuid = keys[active].uuid
        self.rotated_at = keys[active].rotated_at
        self.rotation = pulumi.Output.from_input(count)
        self.previous_rotated_at = keys[standby].rotated_at
        self.register_outputs(
            {
                **{name: getattr(self, name) for name in OUTPUTS},
                "rotate_after_days": rotate_after_days,
                "rotation_anchor": rotation_anchor,
                "min_rotation_interval_hours": float(min_rotation_interval_hours),
                "emergency_rotations": emergency_rotations,
            }
        )


def known(component: str, name: str, value: Any) -> Any:
    """`value`, an input the component decides with when the program runs; a secret or another
    resource's output is an `Output`, whose value is not known then: refused, naming `name`
    as the caller's language spells it."""
    if isinstance(value, pulumi.Output):
        raise ValueError(
            f"RotatingModelAccessKey {component!r}: {name} must be a known value (a number or "
            "text from config, not a secret and not another resource's output): the rotation "
            "count decides, when the program runs, which slot is regenerated"
        )
    return value
