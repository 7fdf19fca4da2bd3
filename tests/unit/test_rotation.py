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


@pytest.mark.parametrize(
    ("stored", "new", "emergency"),
    [
        ({"__emergencies": 1}, {"__emergencies": 1}, False),  # a usual rotation after one
        ({"__emergencies": 0}, {"__emergencies": 1}, True),
        ({"__emergencies": 1.0}, {"__emergencies": 2.0}, True),  # the engine's numbers
        ({}, {"__emergencies": 1}, False),  # a state from before the counts: proved, safe
        ({"__emergencies": 1}, {}, False),
    ],
)
def test_an_emergency_is_told_by_the_count_the_state_holds(stored, new, emergency) -> None:
    from do_genai_model_keys.lifecycle.rules import is_emergency

    assert is_emergency(stored, new) is emergency


def test_the_state_keeps_a_rotating_slots_counts() -> None:
    """What the next run's update compares with: the counts travel with the outputs."""
    from do_genai_model_keys.lifecycle.outputs import KeyOutputs

    outputs = KeyOutputs("u", "n", "s", "c", "b", "r", 2)
    state = outputs.state({"name": "n", "secret_version": 2, "__emergencies": 1, "__rotation": 3})
    assert (state["__emergencies"], state["__rotation"]) == (1, 3)
    assert "__emergencies" not in outputs.state({"name": "n", "secret_version": 2})
