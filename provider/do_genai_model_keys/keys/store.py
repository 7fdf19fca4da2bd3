"""`KeyStore`: what a model access key means to the provider, in one place.

One store per account per provider process. The client sends requests; the store knows the rules
around them:
- one listing of the account's keys (`listing.py`), which every read, adoption and create
  shares, and into which each change made here is written;
- a create is made exactly once, whatever answers are lost (`creates.py`), with the store's one
  ledger of the keys its creates made;
- adoption finds exactly one key, by UUID or by name, or says which keys it could have been;
- a regenerate sent twice is confirmed with the account's secret checks (`secret_checks.py`,
  which stand beside the store: a read asks the store for the key, then the checks for its
  secret).

A front door (the dynamic resources) calls the store; the store calls the client; neither calls
back up, and nothing here imports Pulumi.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..api.client import GenAIClient
from ..api.errors import (
    GenAIError,
    KeyLookupError,
    NotFoundError,
    describe,
    is_ambiguous,
)
from ..api.models import ApiKeyInfo
from ..api.retry import RetryPolicy, Sleep
from .creates import LATE_WRITE_GRACE, CreateLedger, create_exactly_once
from .listing import SharedKeyListing
from .secret_checks import SecretChecker

LATE_REGENERATE_ROUNDS = 3
"""Regenerates, at most, to get a secret that a late first attempt did not kill."""
log = logging.getLogger("do_genai_model_keys.keys")


class KeyStore:
    """The keys of one account as one provider process sees them; thread-safe."""

    def __init__(
        self,
        client: GenAIClient,
        *,
        secret_refused: Callable[[str], bool] | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        """`secret_refused` says whether DigitalOcean definitely refuses a secret (the account's
        `SecretChecker.refused`; a checker of the store's own when not given), for a regenerate
        that was sent twice; `sleep` receives the waits between a create's attempts (the
        client's own retries use the client's)."""
        if secret_refused is None:
            secret_refused = SecretChecker(client).refused
        self.client = client
        self.listing = SharedKeyListing(client.iter_keys)
        self._ledger = CreateLedger()
        self._policy = RetryPolicy.of(client.settings)
        self._sleep = sleep
        self._secret_refused = secret_refused

    def find(self, uuid: str) -> ApiKeyInfo | None:
        """The key `uuid` (metadata only), or None when the account has no such key.

        A key missing from a listing is looked for once more in a listing started after it, so
        one odd answer never drops a key from the state; the reads of a refresh that all miss
        their keys in one listing share that one new listing."""
        number, keys = self.listing.listed()
        key = keys.get(uuid)
        return key if key is not None else self.listing.listed_after(number).get(uuid)

    def create(self, name: str) -> ApiKeyInfo:
        """Make a key and return it with its secret; never two keys for one call, never a key
        it cannot prove it made. Costs one POST plus a share of the listing; at most
        `http_retry_max + 1` POSTs in all (see `creates.py`)."""
        with self._changing():
            key = create_exactly_once(
                name,
                self.client,
                self.listing.by_uuid().keys(),
                self._policy,
                ledger=self._ledger,
                sleep=self._sleep,
                patience=self.client.settings.deadline,  # a sibling's POST may take that long
            )
        self.listing.record(key)
        return key

    def adopt(
        self,
        *,
        uuid: str | None,
        name: str,
        rename: bool,
        regenerate: bool,
        claim: Callable[[ApiKeyInfo], None] = lambda _key: None,
    ) -> ApiKeyInfo:
        """Take over the one key with `uuid` (or else named `name`), renamed to `name` when
        `rename`, and with a new secret when `regenerate` (its only way to learn one).
        `claim` sees the key found before anything is changed, and may refuse it by raising."""
        key = self.to_adopt(uuid=uuid, name=name)
        claim(key)
        if rename and key.name != name:
            key = self.rename(key.uuid, name)
        return self.regenerate(key.uuid) if regenerate else key

    def to_adopt(self, *, uuid: str | None, name: str, look_again: bool = True) -> ApiKeyInfo:
        """The one key with `uuid` (or else named `name`), or a `KeyLookupError` that lists
        the candidates. With `look_again`, a key not in the listing in hand is looked for in a
        new one (made in the control panel since it began?)."""
        wanted = f"UUID {uuid}" if uuid else f"the name {name!r}"

        def matching(keys: list[ApiKeyInfo]) -> list[ApiKeyInfo]:
            return [k for k in keys if (k.uuid == uuid if uuid else k.name == name)]

        keys = list(self.listing.by_uuid().values())
        found = matching(keys)
        if not found and look_again:
            self.listing.expire()
            keys = list(self.listing.by_uuid().values())
            found = matching(keys)
        if not found:
            raise KeyLookupError(
                f"no model access key has {wanted}; existing keys: {describe(keys)}. "
                "Check the value, or create the key in the control panel first"
            )
        if len(found) > 1:
            raise KeyLookupError(
                f"{len(found)} model access keys have {wanted}: {describe(found)}. Adopt one by "
                "UUID with adopt_uuid, or rename the others in the control panel"
            )
        return found[0]

    def close(self) -> None:
        self.client.close()

    def rename(self, uuid: str, name: str) -> ApiKeyInfo:
        with self._changing():
            key = self.client.rename_key(uuid, name)
        self.listing.record(key)
        return key

    def regenerate(self, uuid: str) -> ApiKeyInfo:
        """A new secret for the key; the old one stops working at once.

        When the client had to send the regenerate again after an attempt it gave up on, that
        first attempt may still be done by the server, late, and kill the secret we got. So the
        secret is then tried after `LATE_WRITE_GRACE`, and regenerated again (at most
        `LATE_REGENERATE_ROUNDS` times) while DigitalOcean refuses it. Once any attempt was
        given up on, every later round's secret is tried too: a loaded server may do two given-up
        attempts late, the second after the round that answered the first."""
        late = False
        for _ in range(LATE_REGENERATE_ROUNDS):
            failures: list[BaseException] = []
            with self._changing():
                key = self.client.regenerate_key(uuid, failures=failures)
            late = late or any(is_ambiguous(failure) for failure in failures)
            if not late or not self.client.settings.verify_secrets:
                return key
            self._sleep(LATE_WRITE_GRACE)
            if not self._secret_refused(
                key.secret_key.get_secret_value() if key.secret_key else ""
            ):
                return key
            log.warning(
                "key %s: the secret of a regenerate that was sent twice stopped working (the "
                "first one was done late); regenerating again",
                uuid,
            )
        return key

    def delete(self, uuid: str) -> None:
        """Delete the key; one already gone is forgotten too, and raises `NotFoundError`."""
        try:
            with self._changing():
                self.client.delete_key(uuid)
        except NotFoundError:
            self.listing.forget(uuid)
            raise
        self.listing.forget(uuid)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Around a change: when its outcome is unknown (an answer lost) or the key is not
        there (404), the listing no longer says what the account holds and is listed again; a
        refusal (401, 403, 410, 422, 429) changed nothing and keeps it."""
        try:
            yield
        except GenAIError as error:
            if is_ambiguous(error) or isinstance(error, NotFoundError):
                self.listing.expire()
            raise
