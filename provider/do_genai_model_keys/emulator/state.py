"""The emulator's state: keys, tokens, request statistics, rate limits and fault rules.

All of it sits behind one lock, because the HTTP server answers on many threads at once. The
server module decides what to answer; this module only keeps and changes the facts.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import os
import random
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..api.contract import CONTROL_PER_HOUR, CONTROL_PER_MINUTE
from ..api.times import format_time
from .catalogue import seeded_models
from .limits import ControlLimits, InferenceLimits

DEFAULT_USER_ID = "7340123"


def new_seed() -> int:
    """A fresh fault seed, so that runs explore different fault streams; print it to replay."""
    return secrets.randbelow(2**32)


def new_secret() -> str:
    """A model-key secret: shaped like DigitalOcean's, but marked as the emulator's."""
    return "sk-do-emu-" + secrets.token_urlsafe(30)


UNKNOWN_BEARER = "(unknown bearer)"
"""The rate record every token the emulator does not know shares: junk tokens cannot grow it."""


@dataclass
class Key:
    uuid: str
    name: str
    created_at: str
    created_by: str
    secret: str = field(repr=False)  # a failing test that prints keys shows no secret
    models: list[str] | None = None
    """The models the key may call (chosen in the control panel when it was made); None: all.
    The API does not show it: listings, renames and regenerates leave it as it is."""
    vpc_only: bool = False
    """Restricted to a VPC in the control panel: the public inference endpoint refuses it
    (`assumptions.VPC_REFUSAL_*`). The API does not show it either."""
    valid_from: float = 0.0
    """When the inference API learns the current secret (the emulator's `secret_delay` after a
    create or regenerate): until then it answers 401, as an edge that has not heard of it."""

    def may_use(self, model: str) -> bool:
        return self.models is None or model in self.models

    def info(self, *, with_secret: bool = False, deleted_at: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uuid": self.uuid,
            "name": self.name,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }
        if deleted_at:
            data["deleted_at"] = deleted_at
        if with_secret:
            data["secret_key"] = self.secret
        return data


@dataclass
class FaultRule:
    """Inject a fault into requests matching `method` and `path` (a template; `*` matches all).

    kind: `status` (answer `status` with `headers` and an error body), `drop` (close the
    connection without answering), `latency` (wait `latency_ms`, then answer normally),
    `commit_then_drop` (do the operation, then close without answering), `commit_then_delay`
    (do the operation, then wait `latency_ms` before answering) or `body` (answer `status`,
    200 unless given, with the raw `body` as `content_type`: a proxy's HTML page, a truncated
    JSON). The rule lets the first `skip` matching requests through, then fires with
    `probability` and at most `count` times (None: without limit).
    Every field is checked when the rule is made: a rule that could not be served is refused.
    """

    kind: str
    method: str = "*"
    path: str = "*"
    status: int = 0
    """0: 200 for `body`, 500 otherwise."""
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    probability: float = 1.0
    count: int | None = None
    skip: int = 0
    body: str = ""
    content_type: str = "text/html"
    fired: int = 0
    seen: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    KINDS = ("status", "drop", "latency", "commit_then_drop", "commit_then_delay", "body")
    MAX_LATENCY_MS = 600_000
    MAX_BODY = 2**20

    def __post_init__(self) -> None:
        """Refuse, naming the field, anything the server could not serve as asked."""
        if self.kind not in self.KINDS:
            raise ValueError(f"kind must be one of {', '.join(self.KINDS)}, got {self.kind!r}")
        if self.status == 0:
            self.status = 200 if self.kind == "body" else 500
        for name in ("method", "path", "body", "content_type"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string")
        if not _whole(self.status) or not 200 <= self.status <= 599 or self.status in (204, 304):
            # 1xx, 204 and 304 answers carry no body: the client would wait for ever.
            raise ValueError(
                f"status must be a whole number from 200 to 599 (not 204 or 304), "
                f"got {self.status!r}"
            )
        if not _whole(self.latency_ms) or not 0 <= self.latency_ms <= self.MAX_LATENCY_MS:
            raise ValueError(f"latency_ms must be a whole number from 0 to {self.MAX_LATENCY_MS}")
        if isinstance(self.probability, bool) or not isinstance(self.probability, int | float):
            raise ValueError("probability must be a number between 0 and 1")
        if not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if self.count is not None and (not _whole(self.count) or self.count < 0):
            raise ValueError("count must be a whole number >= 0, or null")
        if not _whole(self.skip) or self.skip < 0:
            raise ValueError("skip must be a whole number >= 0")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "\n" not in k + v and "\r" not in k + v
            for k, v in self.headers.items()
        ):
            raise ValueError("headers must map names to values, both one-line strings")
        if len(self.body) > self.MAX_BODY:
            raise ValueError(f"body must be at most {self.MAX_BODY} characters")

    def matches(self, method: str, template: str) -> bool:
        return self.method in ("*", method) and self.path in ("*", template)


class EmulatorState:
    """Everything the emulator knows; safe to use from many threads."""

    def __init__(
        self,
        *,
        tokens: dict[str, frozenset[str]],
        retire_create: bool = True,
        per_minute_limit: int | None = CONTROL_PER_MINUTE,
        per_hour_limit: int | None = CONTROL_PER_HOUR,
        inference_limits: bool = True,
        rate_scale: float = 1.0,
        state_file: Path | None = None,
        seed: int | None = None,
        clock: Any = time.time,
        secret_delay: float = 0.0,
    ) -> None:
        self.tokens = dict(tokens)
        self.secret_delay = secret_delay
        """Seconds a new secret (create, regenerate) waits before the inference API takes it."""
        self.retire_create = retire_create
        self.per_minute_limit = per_minute_limit
        self.per_hour_limit = per_hour_limit
        self.inference_limits = inference_limits
        self.rate_scale = rate_scale
        self.state_file = state_file
        self.clock = clock
        self.models = seeded_models()
        self._lock = threading.RLock()
        self.seed = new_seed() if seed is None else seed
        """The seed of probabilistic faults: the same seed and requests give the same faults."""
        # Faults must be repeatable for a seed; nothing here is a secret.
        self._random = random.Random(self.seed)  # noqa: S311
        self.keys: dict[str, Key] = {}
        self.retired_secrets: set[str] = set()
        self.stats: collections.Counter[str] = collections.Counter()
        self.fault_stats: collections.Counter[str] = collections.Counter()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.rate_limited: collections.Counter[str] = collections.Counter()
        """429s the rate limits answered, by route."""
        self.faults: list[FaultRule] = []
        self._control: dict[str, ControlLimits] = {}
        self._inference = InferenceLimits(inference_limits, rate_scale)
        self.handler_errors: list[str] = []
        self._load()

    # --- keys ------------------------------------------------------------------------------

    def list_keys(self) -> list[Key]:
        with self._lock:
            return list(self.keys.values())

    def create_key(
        self,
        name: str,
        created_by: str = DEFAULT_USER_ID,
        *,
        models: list[str] | None = None,
        vpc_only: bool = False,
        by_api: bool = False,
    ) -> Key:
        """A new key; `models` limits it to those model ids and `vpc_only` to its VPC (as the
        control panel can). A key made `by_api` waits `secret_delay` like a regenerated one;
        the panel's works at once (it shows the secret when it is ready)."""
        if models is not None:
            known = {m["id"] for m in self.models}
            unknown = [m for m in models if m not in known]
            if not models or unknown:
                raise ValueError(
                    f"models must be a non-empty list of model ids, unknown: {unknown}"
                    if unknown
                    else "models must be a non-empty list of model ids"
                )
        with self._lock:
            key = Key(
                uuid=str(uuid.uuid4()),
                name=name,
                created_at=format_time(self.clock()),
                created_by=created_by,
                secret=new_secret(),
                models=list(models) if models is not None else None,
                vpc_only=vpc_only,
                valid_from=self.clock() + self.secret_delay if by_api else 0.0,
            )
            self.keys[key.uuid] = key
            self._save()
            return dataclasses.replace(key)  # a copy: the caller cannot change the record

    def rename_key(self, key_uuid: str, name: str) -> Key | None:
        with self._lock:
            key = self.keys.get(key_uuid)
            if key is not None:
                key.name = name
                self._save()
            return key

    def regenerate_key(self, key_uuid: str) -> Key | None:
        with self._lock:
            key = self.keys.get(key_uuid)
            if key is not None:
                self.retired_secrets.add(key.secret)
                key.secret = new_secret()
                key.valid_from = self.clock() + self.secret_delay
                self._save()
            return key

    def delete_key(self, key_uuid: str) -> Key | None:
        with self._lock:
            key = self.keys.pop(key_uuid, None)
            if key is not None:
                self.retired_secrets.add(key.secret)
                self._save()
            return key

    def secret_is_live(self, secret: str) -> bool:
        """Whether the inference API takes `secret` now (its VPC and delay considered)."""
        key = self.key_with_secret(secret)
        return key is not None and not key.vpc_only and self.clock() >= key.valid_from

    def key_with_secret(self, secret: str) -> Key | None:
        with self._lock:
            return next((k for k in self.keys.values() if k.secret == secret), None)

    def reset(self) -> None:
        """Back to the seeded state: no keys, no faults, no statistics."""
        with self._lock:
            self.keys.clear()
            self.retired_secrets.clear()
            self.faults.clear()
            self.stats.clear()
            self.fault_stats.clear()
            self.rate_limited.clear()
            self._control.clear()
            self._inference = InferenceLimits(self.inference_limits, self.rate_scale)
            self._save()

    # --- statistics, rate limits and faults ---------------------------------------------------

    def count(self, method: str, template: str) -> None:
        with self._lock:
            self.stats[f"{method} {template}"] += 1

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """One API request being answered: the peak of requests answered at once is kept (how
        many calls a client really makes in parallel)."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def stats_snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "peak_in_flight": self.peak_in_flight,
                "requests": dict(self.stats),
                "faults": dict(self.fault_stats),
                "rate_limited": dict(self.rate_limited),
                "keys": len(self.keys),
                "seed": self.seed,
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.peak_in_flight = self.in_flight
            self.stats.clear()
            self.fault_stats.clear()
            self.rate_limited.clear()

    def take_rate_slot(self, token: str) -> tuple[dict[str, str], float | None]:
        """Count one control API request of `token`: the rate-limit headers and, when a limit
        is spent, the seconds to wait (the request is then not counted)."""
        with self._lock:
            if token not in self.tokens:  # one record for every unknown bearer: bounded
                token = UNKNOWN_BEARER
            limits = self._control.get(token)
            if limits is None:
                limits = self._control[token] = ControlLimits(
                    self.per_minute_limit, self.per_hour_limit, self.rate_scale
                )
            return limits.take(self.clock())

    def take_inference_slot(self) -> tuple[dict[str, str], bool]:
        """Count one inference request of the account: its headers and whether it is refused."""
        with self._lock:
            return self._inference.take(self.clock())

    def spend_inference_tokens(self, tokens: int) -> dict[str, str]:
        """Count a completion's tokens; the inference headers after it."""
        with self._lock:
            now = self.clock()
            self._inference.spend_tokens(now, tokens)
            return self._inference.headers(now)

    def count_rate_limited(self, method: str, template: str) -> None:
        with self._lock:
            self.rate_limited[f"{method} {template}"] += 1

    def set_rate_limits(
        self,
        *,
        per_minute: int | None,
        per_hour: int | None,
        inference: bool,
        scale: float,
    ) -> None:
        """Change the limits; every window starts afresh, as after a quiet day."""
        with self._lock:
            self.per_minute_limit, self.per_hour_limit = per_minute, per_hour
            self.inference_limits, self.rate_scale = inference, scale
            self._control.clear()
            self._inference = InferenceLimits(inference, scale)

    def add_fault(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def faults_snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(rule) for rule in self.faults]

    def pick_fault(self, method: str, template: str) -> FaultRule | None:
        """The first matching rule that fires for this request, counted as fired."""
        with self._lock:
            for rule in self.faults:
                if not rule.matches(method, template):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                if rule.count is not None and rule.fired >= rule.count:
                    continue
                if rule.probability < 1 and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                self.fault_stats[f"{rule.kind} {method} {template}"] += 1
                return rule
            return None

    # --- persistence -----------------------------------------------------------------------

    def _save(self) -> None:
        if self.state_file is None:
            return
        data = {
            "keys": [asdict(k) for k in self.keys.values()],
            "retired_secrets": sorted(self.retired_secrets),
        }
        directory = self.state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=".emulator-state-")
        with os.fdopen(handle, "w") as out:
            json.dump(data, out)
        os.replace(temp, self.state_file)

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        data = json.loads(self.state_file.read_text())
        self.keys = {k["uuid"]: Key(**k) for k in data.get("keys", [])}
        self.retired_secrets = set(data.get("retired_secrets", []))


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
