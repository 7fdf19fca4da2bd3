"""The lifecycle's rules, one by one, as pure functions (no emulator, no engine): when a secret is
regenerated, and how a rotating pair's regenerates are paced. The same rules serve both doors;
the engine tests show them through each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from do_genai_model_keys.lifecycle import key
from do_genai_model_keys.lifecycle.outputs import EMERGENCIES, ROTATION
from do_genai_model_keys.lifecycle.rules import (
    Problem,
    Rotating,
    as_rotation,
    floor,
    pace,
    regenerates,
    rotation_due,
    secret_missing,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def slot(**given: object) -> Rotating:
    base = {"component": "app", "slot": "b", "rotation": 1, "emergency": 0, "floor_hours": 24.0}
    return Rotating.of({**base, **given})


def state(version: int, *, emergencies: int = 0, rotation: int = 0) -> dict[str, object]:
    return {"secret_version": version, EMERGENCIES: emergencies, ROTATION: rotation}


def test_a_slot_is_read_from_the_pairs_map_as_the_engine_sends_it() -> None:
    read = Rotating.of({"component": "app", "slot": "a", "rotation": 2.0, "emergency": 1.0})
    assert (read.number, read.emergency, read.previous_active_since) == (2, 1, "")
    assert read.counts() == {EMERGENCIES: 1, ROTATION: 2}
    unknown = Rotating.of({"component": "app", "slot": "a", "previous_active_since": None})
    assert unknown.previous_active_since == ""  # not known until `up`: no floor yet


def test_a_rotation_by_one_with_no_floor_in_the_way_is_allowed() -> None:
    assert pace(state(1), {"secret_version": 2}, slot(rotation=1), NOW).problem is None


def test_a_rotation_that_jumps_by_more_than_one_is_refused_naming_both_numbers() -> None:
    paced = pace(state(1, rotation=1), {"secret_version": 2}, slot(rotation=3), NOW)
    assert paced.problem is not None
    assert paced.problem.field == "secret_version"
    assert "moves from 1 to 3 at once" in paced.problem.reason


def test_a_rotation_inside_the_floor_is_refused_with_the_time_the_next_may_run() -> None:
    since = NOW - timedelta(hours=2)
    at = slot(slot="a", rotation=2, previous_active_since=stamp(since))
    paced = pace(state(1, rotation=1), {"secret_version": 2}, at, NOW)
    assert paced.problem is not None
    assert "is too soon" in paced.problem.reason
    assert stamp(since + timedelta(hours=24)) in paced.problem.reason
    later = pace(state(1, rotation=1), {"secret_version": 2}, at, since + timedelta(hours=24))
    assert later.problem is None  # from the time it names, the rotation runs


def test_the_floor_spares_a_slot_whose_secret_was_never_active() -> None:
    since = stamp(NOW - timedelta(hours=1))
    never = slot(slot="b", rotation=1, previous_active_since=since)
    assert floor(state(1), never, 0, NOW) is None  # b at version 1 was never handed out
    was = slot(slot="b", rotation=3, previous_active_since=since)
    assert floor(state(2), was, 0, NOW) is not None


def test_an_emergency_is_waived_and_warned_and_one_that_goes_down_is_refused() -> None:
    since = stamp(NOW - timedelta(minutes=5))
    urgent = slot(slot="a", rotation=2, emergency=1, previous_active_since=since)
    paced = pace(state(2, rotation=2), {"secret_version": 3}, urgent, NOW)
    assert paced.problem is None
    assert paced.warning.startswith("EMERGENCY rotation of RotatingModelAccessKey 'app'")
    back = slot(slot="a", rotation=2, emergency=0)
    refused = pace(state(3, emergencies=1, rotation=2), {"secret_version": 2}, back, NOW)
    assert refused.problem is not None
    assert "went from 1 to 0" in refused.problem.reason


def test_a_first_check_or_an_unknown_version_is_never_paced() -> None:
    assert pace({}, {"secret_version": 1}, slot(), NOW).problem is None
    assert pace(state(1), {"secret_version": "unknown"}, slot(rotation=9), NOW).problem is None


def test_a_version_that_went_down_is_said_of_the_rotation_the_user_wrote() -> None:
    lowered = Problem("secret_version", "secret_version may never go down")
    said = as_rotation(lowered, slot(slot="a", rotation=0), {"secret_version": 3})
    assert "rotation of RotatingModelAccessKey 'app' went down to 0" in said.reason
    assert "(4 or more)" in said.reason  # slot a at version 3: rotation 4 or 5
    assert as_rotation(lowered, None, {"secret_version": 3}) is lowered  # a plain key


@pytest.mark.parametrize(
    ("issued_days_ago", "days", "due"),
    [(31, 30, True), (29, 30, False), (None, 30, True), (400, None, False), (400, -1, False)],
)
def test_a_rotation_is_due_once_the_secret_is_older_than_rotate_after_days(
    issued_days_ago: int | None, days: float | None, due: bool
) -> None:
    olds = (
        {} if issued_days_ago is None else {"rotated_at": stamp(NOW - timedelta(issued_days_ago))}
    )
    assert rotation_due(olds, {"rotate_after_days": days}, NOW) is due


def test_a_missing_secret_is_regenerated_unless_told_not_to_or_while_importing() -> None:
    held = {"uuid": "k1", "secret_key": ""}
    assert secret_missing(held, {})
    assert not secret_missing(held, {"regenerate_on_adopt": False})
    assert not secret_missing(held, {}, importing=True)
    assert not secret_missing({"uuid": "k1", "secret_key": "s"}, {})


def test_an_update_regenerates_on_a_raised_version_a_due_rotation_or_a_missing_secret() -> None:
    held = {"uuid": "k1", "secret_key": "s", "secret_version": 1, "rotated_at": stamp(NOW)}
    assert not regenerates(held, {"secret_version": 1}, NOW)
    assert regenerates(held, {"secret_version": 2}, NOW)
    assert regenerates(held, {"secret_version": 1, "rotate_after_days": 1}, NOW + timedelta(2))
    assert regenerates({**held, "secret_key": ""}, {"secret_version": 1}, NOW)


class Heard:
    def __init__(self) -> None:
        self.said: list[str] = []

    def warn(self, message: str) -> None:
        self.said.append(message)


def test_a_plan_names_the_secret_when_it_regenerates_and_says_why_once() -> None:
    heard = Heard()
    held = {"uuid": "k1", "name": "web", "secret_key": "", "secret_version": 1}
    plan = key.plan(held, {"name": "web", "secret_version": 1}, key.Call(notices=heard))
    assert (plan.changed, plan.replaces, plan.regenerates, plan.changes) == (
        ["secret_key"],
        [],
        True,
        True,
    )
    assert len(heard.said) == 1
    assert "`pulumi up` regenerates it" in heard.said[0]


def test_a_plan_while_importing_changes_nothing_and_says_what_the_next_up_does() -> None:
    heard = Heard()
    held = {"uuid": "k1", "name": "web", "secret_key": "", "secret_version": 1}
    news = {"name": "web", "secret_version": 1}
    plan = key.plan(held, news, key.Call(notices=heard), importing=True)
    assert (plan.changes, plan.regenerates) == (False, False)
    assert heard.said == [
        "model access key 'web' (k1) is held without its secret (the control panel showed it "
        "once): the next `pulumi up` regenerates it. Set regenerate_on_adopt=false to keep it "
        "without a secret"
    ]


def test_a_plan_that_adopts_another_key_replaces_and_a_new_account_only_updates() -> None:
    held = {"uuid": "k1", "name": "web", "secret_key": "s", "secret_version": 1}
    other = key.plan(held, {**held, "adopt_uuid": "k2"}, key.Call())
    assert (other.replaces, other.changed) == (["adopt_uuid"], [])
    same = key.plan(held, {**held, "adopt_uuid": "k1"}, key.Call())
    assert same.replaces == []
    moved = key.plan(
        held, {**held, "account": {"token": "t", "api_endpoint": "http://x"}}, key.Call()
    )
    assert (moved.changed, moved.replaces) == (["account"], [])
