"""A new secret confirmed before it is handed out (`SecretChecker.confirm`), a key restricted to a
VPC told apart from a dead one, and the emulator's options that model both."""

from __future__ import annotations

from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.keys.secret_checks import FROM_ELSEWHERE, Readiness, SecretChecker, Verdict
from support.clock import FakeClock
from support.emulators import control, emulator_client, inference_status


def test_a_new_secret_is_asked_for_with_backoff_until_the_edge_takes_it() -> None:
    with Emulator(secret_delay=0.8) as emu:
        made = emu.state.create_key("k")
        key = emu.state.regenerate_key(made.uuid)
        assert key is not None
        assert inference_status(emu, key.secret) == 401  # not learned yet
        with emulator_client(emu) as client:
            confirmed = SecretChecker(client).confirm(key.secret, within=10)
        assert confirmed.readiness is Readiness.CONFIRMED, confirmed
        assert 0.5 <= confirmed.waited < 10


def test_a_secret_refused_through_the_whole_wait_is_refused_not_confirmed() -> None:
    with Emulator(secret_delay=3600) as emu:
        made = emu.state.create_key("k")
        key = emu.state.regenerate_key(made.uuid)
        assert key is not None
        clock = FakeClock()
        with emulator_client(emu) as client:
            checks = SecretChecker(client, sleep=clock.sleep)
            confirmed = checks.confirm(key.secret, within=30)
        assert confirmed.readiness is Readiness.REFUSED
        assert confirmed.waited == 30
        assert sum(clock.waits) >= 30  # backed off, never a wait past the bound
        assert max(clock.waits) <= 5


def test_an_endpoint_that_takes_no_new_secret_at_all_is_not_believed_after_three() -> None:
    """An endpoint that accepts the token but knows none of the keys refuses every new secret:
    after three refused and none taken, the rest are handed out unverified, not failed."""
    with Emulator(secret_delay=3600) as emu:
        made = [emu.state.create_key(f"k{n}") for n in range(4)]
        secrets = [emu.state.regenerate_key(k.uuid).secret for k in made]  # type: ignore[union-attr]
        clock = FakeClock()
        with emulator_client(emu) as client:
            checks = SecretChecker(client, sleep=clock.sleep)
            results = [checks.confirm(secret, within=1).readiness for secret in secrets]
    refused, unverified = Readiness.REFUSED, Readiness.UNVERIFIED
    assert results == [refused, refused, unverified, unverified]


def test_a_vpc_key_cannot_be_verified_from_here_and_is_never_dead() -> None:
    with Emulator() as emu:
        key = emu.state.create_key("vpc", vpc_only=True)
        assert inference_status(emu, key.secret) == 403
        with emulator_client(emu) as client:
            checks = SecretChecker(client)
            check = checks.check(key.secret)
            confirmed = checks.confirm(key.secret, within=5)
        assert check.verdict is Verdict.UNKNOWN
        assert FROM_ELSEWHERE in check.reason
        assert confirmed.readiness is Readiness.UNVERIFIED
        assert FROM_ELSEWHERE in confirmed.reason


def test_checks_turned_off_hand_a_secret_out_unverified_without_a_request() -> None:
    with Emulator() as emu:
        key = emu.state.create_key("k")
        with emulator_client(emu, verify_secrets=False) as client:
            confirmed = SecretChecker(client).confirm(key.secret, within=5)
        assert confirmed.readiness is Readiness.UNVERIFIED
        assert "turned off" in confirmed.reason
        assert control(emu, "GET", "stats")["requests"].get(f"GET {INFERENCE_MODELS_PATH}", 0) == 0


def test_the_emulator_sets_its_secret_delay_and_makes_vpc_keys_through_its_control_api() -> None:
    with Emulator() as emu:
        assert control(emu, "POST", "secret-delay", {"seconds": 2})["secret_delay"] == 2.0
        made = control(emu, "POST", "keys", {"name": "v", "vpc_only": True})["api_key_info"]
        assert emu.state.keys[made["uuid"]].vpc_only is True
        assert inference_status(emu, made["secret_key"]) == 403


def test_the_rotation_status_says_when_the_previous_secret_dies_and_the_next_rotation_is_due() -> (
    None
):
    from do_genai_model_keys.api.times import parse_time
    from do_genai_model_keys.commands.rotation_status import _status

    at = parse_time("2026-03-10T00:00:00Z")
    outputs = {
        "active_slot": "b",
        "rotation": 3,
        "rotated_at": "2026-03-09T12:00:00Z",
        "rotate_after_days": 30,
        "rotation_anchor": "2026-01-01T00:00:00Z",
        "min_rotation_interval_hours": 24.0,
        "emergency_rotations": 0,
    }
    scheduled = _status("org/p/prod", "urn:pulumi:prod::p::t::app", outputs, at)
    assert (scheduled.resource, scheduled.active_slot, scheduled.rotation) == ("app", "b", 3)
    assert scheduled.next_rotation_due == "2026-04-01T00:00:00Z"  # 3 periods of 30 days
    assert scheduled.previous_dies == "2026-04-01T00:00:00Z"  # the floor ends before that
    assert scheduled.previous_dies_not_before == "2026-03-10T12:00:00Z"
    assert scheduled.overdue is False
    late = _status("org/p/prod", "app", outputs, parse_time("2026-05-01T00:00:00Z"))
    assert late.overdue is True  # the schedule's rotation passed and no `up` made it
    by_count = _status("org/p/prod", "app", {**outputs, "rotate_after_days": None}, at)
    assert (by_count.next_rotation_due, by_count.previous_dies) == ("", "")
    assert by_count.previous_dies_not_before == "2026-03-10T12:00:00Z"
    odd = _status("org/p/prod", "app", {**outputs, "rotated_at": "yesterday"}, at)
    assert (odd.rotated_at, odd.next_rotation_due) == ("", "")
