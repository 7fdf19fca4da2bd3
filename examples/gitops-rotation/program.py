"""GitOps rotation: a reviewed change to stack config rotates the key pair, with no downtime.

Config (Pulumi.<stack>.yaml, committed): `rotation` (a counter; bump it to rotate now),
optionally `rotateAfterDays` (rotate on a schedule as well), `keyName`, `adoptUuids`: the
UUIDs of two keys made in the control panel, slot a's then slot b's, comma-separated (needed on
DigitalOcean today, where the API no longer creates keys), `minRotationIntervalHours` (the least
time the previous secret keeps working after it stopped being active; default 24) and
`emergencyRotations` (bump it to regenerate both slots at once: a leaked key).
"""

from __future__ import annotations

import pulumi
from do_genai_model_keys import RotatingModelAccessKey


def program() -> None:
    config = pulumi.Config()
    keys = RotatingModelAccessKey(
        "app",
        name=config.get("keyName") or "gitops-app",
        rotation=config.get_int("rotation") or 0,
        rotate_after_days=config.get_float("rotateAfterDays"),
        adopt_uuids=[u.strip() for u in adopt.split(",")]
        if (adopt := config.get("adoptUuids"))
        else None,
        min_rotation_interval_hours=config.get_float("minRotationIntervalHours"),
        emergency_rotations=config.get_int("emergencyRotations") or 0,
    )
    pulumi.export("active_secret_key", keys.active_secret_key)
    pulumi.export("previous_secret_key", keys.previous_secret_key)
    pulumi.export("active_slot", keys.active_slot)
    pulumi.export("active_uuid", keys.active_uuid)
    pulumi.export("rotation", keys.rotation)
