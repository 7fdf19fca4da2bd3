"""The emulator's control API (`/_emulator/...`), for tests, demos and users' CI: reset,
statistics, fault injection, rate limits, switching the create retirement, and making a key
"in the control panel". Routed by the table `CONTROL`; answers are plain JSON, no auth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .answers import Answer, ApiError
from .state import EmulatorState, FaultRule

Body = dict[str, Any]
Control = Callable[[EmulatorState, Body], Answer]

OK = Answer(200, {"ok": True})


def reset(state: EmulatorState, _body: Body) -> Answer:
    state.reset()
    return OK


def stats(state: EmulatorState, _body: Body) -> Answer:
    return Answer(200, state.stats_snapshot())


def reset_stats(state: EmulatorState, _body: Body) -> Answer:
    state.reset_stats()
    return OK


def panel_key(state: EmulatorState, body: Body) -> Answer:
    """A key made "in the control panel": the only way to make one once creation is retired."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "bad_request", "name is required")
    return Answer(200, {"api_key_info": state.create_key(name).info(with_secret=True)})


def list_faults(state: EmulatorState, _body: Body) -> Answer:
    return Answer(200, {"faults": state.faults_snapshot()})


def clear_faults(state: EmulatorState, _body: Body) -> Answer:
    state.clear_faults()
    return OK


def add_fault(state: EmulatorState, body: Body) -> Answer:
    try:
        rule = state.add_fault(FaultRule(**body))
    except (TypeError, ValueError) as error:
        raise ApiError(400, "bad_request", f"bad fault rule: {error}") from None
    return Answer(200, {"fault": {"id": rule.id}})


def rate_limit(state: EmulatorState, body: Body) -> Answer:
    per_minute = body.get("per_minute")
    if per_minute is not None and (not isinstance(per_minute, int) or per_minute < 1):
        raise ApiError(400, "bad_request", "per_minute must be a whole number >= 1, or null")
    state.set_rate_limit(per_minute)
    return Answer(200, {"per_minute": per_minute})


def retire_create(state: EmulatorState, body: Body) -> Answer:
    state.retire_create = bool(body.get("retired", True))
    return Answer(200, {"retire_create": state.retire_create})


CONTROL: dict[tuple[str, str], Control] = {
    ("POST", "/_emulator/reset"): reset,
    ("GET", "/_emulator/stats"): stats,
    ("POST", "/_emulator/stats/reset"): reset_stats,
    ("POST", "/_emulator/keys"): panel_key,
    ("GET", "/_emulator/faults"): list_faults,
    ("DELETE", "/_emulator/faults"): clear_faults,
    ("POST", "/_emulator/faults"): add_fault,
    ("POST", "/_emulator/rate-limit"): rate_limit,
    ("POST", "/_emulator/retire-create"): retire_create,
}


def control(state: EmulatorState, method: str, path: str, body: Body) -> Answer:
    """Answer one control request, or 404 naming the controls there are."""
    run = CONTROL.get((method, path))
    if run is None:
        known = ", ".join(f"{m} {p}" for m, p in CONTROL)
        raise ApiError(404, "not_found", f"no emulator control {method} {path}; there are: {known}")
    return run(state, body)
