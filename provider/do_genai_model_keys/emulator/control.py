"""The emulator's control API (`/_emulator/...`), for tests, demos and users' CI: reset,
statistics, fault injection, rate limits, switching the create retirement, and making a key
"in the control panel". Routed by the table `CONTROL`; answers are plain JSON, no auth.
"""

from __future__ import annotations

import dataclasses
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
    """A key made "in the control panel": the only way to make one once creation is retired.
    `models` (a list of model ids) limits it to those, and `vpc_only` (true) to its VPC, as the
    panel can."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "bad_request", "name is required")
    models = body.get("models")
    if models is not None and not (
        isinstance(models, list) and all(isinstance(m, str) for m in models)
    ):
        raise ApiError(400, "bad_request", "models must be a list of model ids")
    vpc_only = body.get("vpc_only", False)
    if not isinstance(vpc_only, bool):
        raise ApiError(400, "bad_request", "vpc_only must be true or false")
    try:
        key = state.create_key(name, models=models, vpc_only=vpc_only)
    except ValueError as error:
        raise ApiError(400, "bad_request", str(error)) from None
    answer = {"api_key_info": key.info(with_secret=True), "models": key.models}
    return Answer(200, answer)


def panel_regenerate(state: EmulatorState, body: Body) -> Answer:
    """ "Regenerate" clicked in the control panel: a new secret, the old one dead at once, and
    no stack told (the way a secret goes stale under a stack)."""
    uuid = body.get("uuid")
    key = state.regenerate_key(uuid) if isinstance(uuid, str) else None
    if key is None:
        raise ApiError(404, "not_found", f"no key with uuid {uuid!r}")
    return Answer(200, {"api_key_info": key.info(with_secret=True)})


def list_faults(state: EmulatorState, _body: Body) -> Answer:
    return Answer(200, {"faults": state.faults_snapshot()})


def clear_faults(state: EmulatorState, _body: Body) -> Answer:
    state.clear_faults()
    return OK


def add_fault(state: EmulatorState, body: Body) -> Answer:
    fields = [
        f.name for f in dataclasses.fields(FaultRule) if f.name not in ("fired", "seen", "id")
    ]
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise ApiError(
            400,
            "bad_request",
            f"bad fault rule: unknown field(s) {', '.join(unknown)}; a rule has "
            f"{', '.join(fields)}",
        )
    try:
        rule = state.add_fault(FaultRule(**body))
    except (TypeError, ValueError) as error:
        raise ApiError(400, "bad_request", f"bad fault rule: {error}") from None
    return Answer(200, {"fault": {"id": rule.id}})


def rate_limit(state: EmulatorState, body: Body) -> Answer:
    """Set the limits: `per_minute` and `per_hour` of the control API (a whole number, or null
    for none; unset: as now), `inference` (true/false) and `scale` (windows' length, 0 < s <= 1)."""
    limits = {"per_minute": state.per_minute_limit, "per_hour": state.per_hour_limit}
    for name in limits:
        if name in body:
            value = body[name]
            if value is not None and (type(value) is not int or value < 1):
                raise ApiError(400, "bad_request", f"{name} must be a whole number >= 1, or null")
            limits[name] = value
    inference = body.get("inference", state.inference_limits)
    if not isinstance(inference, bool):
        raise ApiError(400, "bad_request", "inference must be true or false")
    scale = body.get("scale", state.rate_scale)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 1:
        raise ApiError(400, "bad_request", "scale must be a number above 0 and at most 1")
    state.set_rate_limits(**limits, inference=inference, scale=float(scale))
    return Answer(200, {**limits, "inference": inference, "scale": scale})


def secret_delay(state: EmulatorState, body: Body) -> Answer:
    """How long a new secret (a create's, a regenerate's) waits before the inference API takes
    it: `seconds`, a number >= 0."""
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise ApiError(400, "bad_request", "seconds must be a number >= 0")
    state.secret_delay = float(seconds)
    return Answer(200, {"secret_delay": state.secret_delay})


def retire_create(state: EmulatorState, body: Body) -> Answer:
    state.retire_create = bool(body.get("retired", True))
    return Answer(200, {"retire_create": state.retire_create})


CONTROL: dict[tuple[str, str], Control] = {
    ("POST", "/_emulator/reset"): reset,
    ("GET", "/_emulator/stats"): stats,
    ("POST", "/_emulator/stats/reset"): reset_stats,
    ("POST", "/_emulator/keys"): panel_key,
    ("POST", "/_emulator/keys/regenerate"): panel_regenerate,
    ("GET", "/_emulator/faults"): list_faults,
    ("DELETE", "/_emulator/faults"): clear_faults,
    ("POST", "/_emulator/faults"): add_fault,
    ("POST", "/_emulator/rate-limit"): rate_limit,
    ("POST", "/_emulator/retire-create"): retire_create,
    ("POST", "/_emulator/secret-delay"): secret_delay,
}


def control(state: EmulatorState, method: str, path: str, body: Body) -> Answer:
    """Answer one control request, or 404 naming the controls there are."""
    run = CONTROL.get((method, path))
    if run is None:
        known = ", ".join(f"{m} {p}" for m, p in CONTROL)
        raise ApiError(404, "not_found", f"no emulator control {method} {path}; there are: {known}")
    return run(state, body)
