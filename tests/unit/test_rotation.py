"""The rotation arithmetic of RotatingModelAccessKey (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from do_genai_model_keys.dynamic.rotation import active_slot, rotation_count, slot_versions


@pytest.mark.parametrize(
    ("count", "versions", "active"),
    [(0, (1, 1), "a"), (1, (1, 2), "b"), (2, (2, 2), "a"), (3, (2, 3), "b"), (4, (3, 3), "a")],
)
def test_each_rotation_regenerates_only_the_slot_it_activates(count, versions, active) -> None:
    assert slot_versions(count) == versions
    assert active_slot(count) == active
    if count:
        before = slot_versions(count - 1)
        changed = [i for i in (0, 1) if versions[i] != before[i]]
        assert changed == [0 if active == "a" else 1]


def test_periods_count_from_the_anchor() -> None:
    at = datetime(2026, 3, 2, tzinfo=UTC)  # 60 days after 2026-01-01
    assert rotation_count(0, 30, "2026-01-01T00:00:00Z", at=at) == 2
    assert rotation_count(1, 30, "2026-01-01T00:00:00Z", at=at) == 3
    assert rotation_count(0, 45, "2026-01-01T00:00:00Z", at=at) == 1
    assert rotation_count(0, 30, "2027-01-01T00:00:00Z", at=at) == 0  # anchor in the future
    assert rotation_count(5) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [((-1,), "rotation must be a whole number"), ((1.5,), "whole number"), ((0, 0), "> 0")],
)
def test_bad_rotation_inputs(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rotation_count(*args)
