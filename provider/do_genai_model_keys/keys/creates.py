"""Creating a key exactly once, when answers get lost.

DigitalOcean has no idempotency key and no GET for one key, and key names are not unique. After a
create whose answer was lost (timeout, dropped connection, 5xx, a body that does not decode) the
only way to learn whether the key exists is to list the keys and look for it. A key found that
way is taken as ours only when all of this holds:

- it was not in a listing taken before our POST (the *snapshot*), so it did not exist before;
- it has the name we sent;
- no other create of this process made it: every key this process makes in an account is
  *claimed* in that account's one ledger, and a check first waits for this process's other
  creates of the same name that are still in flight, so a sibling resource's key that is on its
  way back is never mistaken for ours.

Exactly one such key: ours; we learn its secret by regenerating it. None: the create has not
happened yet, and we look once more after `LATE_WRITE_GRACE` seconds (a request we gave up on
may still reach the server and be done late), and only then send it again. Several: we cannot
prove which is ours, so nothing is touched and the error lists them with the input that adopts
one.

The whole create, retries and checks included, sends at most `http_retry_max + 1` POSTs.
`store.KeyStore` runs it with its account's client, listing and ledger (one of each per account
per provider process).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Protocol

from ..api.errors import GenAIError, KeyLookupError, describe, is_ambiguous
from ..api.models import ApiKeyInfo
from ..api.retry import RetryPolicy, Sleep, never_reached_server, wait_seconds

log = logging.getLogger("do_genai_model_keys.creates")

LATE_WRITE_GRACE = 2.0
"""Seconds a write we gave up on (its deadline passed, its answer was lost) may still take to
be done by the server; we look again after it before doing the write a second time."""


class CreateLedger:
    """Per process: the keys our creates made, and the creates in flight by name."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._claimed: set[str] = set()
        self._in_flight: Counter[str] = Counter()
        self._checking: Counter[str] = Counter()
        self._checks: dict[str, threading.Lock] = {}

    @contextmanager
    def sending(self, name: str) -> Iterator[None]:
        """Around one POST: siblings' checks wait until it is over (and its key claimed), and
        it waits for a check of that name that is under way (whose listing must not catch a
        sibling's key made but not yet claimed)."""
        with self._changed:
            self._changed.wait_for(lambda: self._checking[name] == 0)
            self._in_flight[name] += 1
        try:
            yield
        finally:
            with self._changed:
                self._in_flight[name] -= 1
                self._changed.notify_all()

    def claim(self, uuid: str) -> None:
        with self._changed:
            self._claimed.add(uuid)

    def is_claimed(self, uuid: str) -> bool:
        with self._changed:
            return uuid in self._claimed

    @contextmanager
    def checking(self, name: str, *, patience: float) -> Iterator[None]:
        """One check per name at a time, after this process's POSTs of that name are over
        (or `patience` seconds have passed), and no new one starts until it is done, so two
        checks never claim one key and a check never sees a sibling's key still unclaimed."""
        with self._changed:
            self._checking[name] += 1
            self._changed.wait_for(lambda: self._in_flight[name] == 0, timeout=patience)
            lock = self._checks.setdefault(name, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._changed:
                self._checking[name] -= 1
                self._changed.notify_all()


class KeyEndpoints(Protocol):
    """The API calls a create needs, each one request (retried when that is safe):
    `GenAIClient` is one."""

    def create_key(self, name: str) -> ApiKeyInfo: ...
    def list_keys(self) -> list[ApiKeyInfo]: ...
    def regenerate_key(
        self, uuid: str, *, failures: list[BaseException] | None = None
    ) -> ApiKeyInfo: ...
    def delete_key(self, uuid: str) -> object: ...


def create_exactly_once(
    name: str,
    api: KeyEndpoints,
    existing: Collection[str],
    policy: RetryPolicy,
    *,
    ledger: CreateLedger,
    sleep: Sleep = time.sleep,
    patience: float = 30.0,
    grace: float = LATE_WRITE_GRACE,
) -> ApiKeyInfo:
    """Create the key `name` and return it with its secret; see the module docstring.

    `existing`: the UUIDs of a listing finished before this call (the snapshot)."""
    before = set(existing)
    last: BaseException | None = None
    for attempt in range(1, policy.max_retries + 2):
        if attempt > 1:
            sleep(wait_seconds(last, attempt - 1, policy))
        try:
            with ledger.sending(name):
                key = api.create_key(name)
                ledger.claim(key.uuid)
            return key
        except GenAIError as error:
            last = error
            if never_reached_server(error, policy):
                continue
            if not is_ambiguous(error):
                raise
        log.warning("create of key %r failed ambiguously (%s); checking", name, type(last).__name__)
        found = _check(name, before, api, last, ledger, patience)
        if found is None:  # not yet: a late POST may still land; look once more first
            sleep(grace)
            found = _check(name, before, api, last, ledger, patience)
        if found is not None:
            return _finish(found, api, name)
    assert last is not None
    raise last


def _check(
    name: str,
    before: set[str],
    api: KeyEndpoints,
    error: BaseException,
    ledger: CreateLedger,
    patience: float,
) -> ApiKeyInfo | None:
    """The key our lost create made, or None when it made none; raises when it cannot tell.

    When it made none, the check's listing becomes the snapshot of the next POST (`before`)."""
    with ledger.checking(name, patience=patience):
        try:
            keys = api.list_keys()
        except GenAIError as listing_error:
            raise listing_error.within(
                f"creating key {name!r}: the create's answer was lost ({type(error).__name__}) "
                "and listing the keys to check for it failed",
                f"A key named {name!r} may exist now: look for it with get_model_access_keys "
                "or in the control panel, and adopt it (adopt_uuid='<its uuid>') or delete it",
            ) from error
        candidates = [
            k
            for k in keys
            if k.name == name and k.uuid not in before and not ledger.is_claimed(k.uuid)
        ]
        if len(candidates) > 1:
            raise KeyLookupError(
                f"creating key {name!r} failed ambiguously ({type(error).__name__}) and "
                f"{len(candidates)} keys of that name appeared that no create of this run "
                f"claimed: {describe(candidates)}. Nothing was changed. Adopt the right one with "
                f"adopt_uuid='{candidates[0].uuid}' (or another of those UUIDs) and delete "
                "the others in the control panel"
            ) from error
        if candidates:
            ledger.claim(candidates[0].uuid)
            log.warning("create of key %r had committed; regenerating to learn the secret", name)
            return candidates[0]
        before.update(k.uuid for k in keys)
        return None


def _finish(key: ApiKeyInfo, api: KeyEndpoints, name: str) -> ApiKeyInfo:
    """Learn the secret of a key our lost create made; never leave it behind unknown."""
    try:
        return api.regenerate_key(key.uuid)
    except GenAIError as error:
        failure = error
    try:
        api.delete_key(key.uuid)
    except GenAIError:
        raise failure.within(
            f"creating key {name!r}: the key was made ({key.uuid}) but its answer was lost, and "
            "neither regenerating it (to learn its secret) nor deleting it succeeded",
            f"Adopt it with adopt_uuid='{key.uuid}', or delete it in the control panel",
        ) from None
    raise failure.within(
        f"creating key {name!r}: the key was made ({key.uuid}) but its answer was lost and "
        "regenerating it (to learn its secret) failed, so it was deleted again",
        "Nothing was left behind: run the same command again to create it",
    )
