"""`RotatingModelAccessKey` for Python programs: the pair's component (`pair/component.py`) with
the dynamic `ModelAccessKey` in its two slots. Its schedule's rules are imported from here too,
as programs and tests always have."""

from __future__ import annotations

from ..lifecycle.rules import (
    DEFAULT_ANCHOR,
    DEFAULT_MIN_ROTATION_INTERVAL_HOURS,
    SLOTS,
    active_slot,
    rotation_count,
    slot_versions,
)
from ..pair.component import OUTPUTS, RotatingPair, known
from . import ROTATING_KEY_TYPE
from .resources import ModelAccessKey

__all__ = [
    "DEFAULT_ANCHOR",
    "DEFAULT_MIN_ROTATION_INTERVAL_HOURS",
    "OUTPUTS",
    "SLOTS",
    "RotatingModelAccessKey",
    "active_slot",
    "known",
    "rotation_count",
    "slot_versions",
]


class RotatingModelAccessKey(RotatingPair):
    """Two model access keys rotated in turn: zero-downtime rotation (see `RotatingPair` for
    its inputs and outputs)."""

    type_token = ROTATING_KEY_TYPE
    slot_key = ModelAccessKey
