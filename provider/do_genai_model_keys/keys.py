"""`KeyStore`: what a model access key means to the provider, in one place.

The client sends requests; the store knows the rules around them:
- one listing of keys per provider process (`listing.py`), which every read, adoption and
  create shares, and into which each change made here is written;
- a create is made exactly once, whatever answers are lost (`creates.py`), with this process's
  one ledger of the keys its creates made;
- adoption finds exactly one key, by UUID or by name, or says which keys it could have been;
- a stored secret is checked against the inference API, and called dead only when DigitalOcean
  definitely refuses it (`check_secret`).

The Pulumi resource calls the store; the store calls the client; neither calls back up.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .client import GenAIClient
from .creates import CreateLedger, create_exactly_once
from .errors import (
    AuthenticationError,
    GenAIError,
    KeyLookupError,
    NotFoundError,
    describe,
    is_ambiguous,
)
from .listing import SharedKeyListing
from .models import ApiKeyInfo
from .retry import RetryPolicy, Sleep


class Verdict(enum.Enum):
    LIVE = "live"
    DEAD = "dead"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SecretCheck:
    """What the inference API said of a secret, and why when it could not say."""

    verdict: Verdict
    reason: str = ""


class KeyStore:
    """The keys of one account as one provider process sees them; thread-safe."""

    def __init__(self, client: GenAIClient, *, sleep: Sleep = time.sleep) -> None:
        """`sleep` receives the waits between a create's attempts (the client's own retries
        use the client's)."""
        self.client = client
        self.listing = SharedKeyListing(client.iter_keys)
        self._ledger = CreateLedger()
        self._policy = RetryPolicy.of(client.settings)
        self._sleep = sleep
        self._probe_lock = threading.Lock()
        self._endpoint_trusted: bool | None = None
        """False once the inference endpoint refused the API token (its 401s prove nothing)."""
        self._unsure_said = False

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
                patience=self.client.settings.timeout,
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
        wanted = f"UUID {uuid}" if uuid else f"the name {name!r}"

        def matching(keys: list[ApiKeyInfo]) -> list[ApiKeyInfo]:
            return [k for k in keys if (k.uuid == uuid if uuid else k.name == name)]

        keys = list(self.listing.by_uuid().values())
        found = matching(keys)
        if not found:  # made in the control panel since the listing began? look once more
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
        key = found[0]
        claim(key)
        if rename and key.name != name:
            key = self.rename(key.uuid, name)
        return self.regenerate(key.uuid) if regenerate else key

    def check_secret(self, secret: str) -> SecretCheck:
        """Is `secret` still accepted by the inference API (`GET /v1/models`, free, read-only)?

        DEAD only on a definite refusal: a 401 for the secret from an inference endpoint that
        accepts this account's API token right after (asked again for each refusal), so a wrong
        endpoint, a refused token or an outage that refuses everything can never make a working
        secret look dead. Anything else (a timeout, a 5xx, a 429, a 403, an endpoint that cannot
        be reached or that refuses the token too) is
        UNKNOWN, with the reason."""
        try:
            self.client.list_inference_models(secret)
            return SecretCheck(Verdict.LIVE)
        except AuthenticationError as error:
            refusal: GenAIError = error
        except GenAIError as error:
            return SecretCheck(Verdict.UNKNOWN, _short(error))
        trusted, why = self._inference_endpoint_trusted()
        if trusted:
            return SecretCheck(Verdict.DEAD, _short(refusal))
        return SecretCheck(Verdict.UNKNOWN, why)

    def first_unsure(self) -> bool:
        """True the first time a check could not conclude in this process: say it once."""
        with self._probe_lock:
            first, self._unsure_said = not self._unsure_said, True
            return first

    def _inference_endpoint_trusted(self) -> tuple[bool, str]:
        """Whether a 401 from the inference endpoint is about the secret, not the endpoint:
        asked anew each time (a refusal of the token is remembered: it is the endpoint's)."""
        with self._probe_lock:
            if self._endpoint_trusted is not False:
                try:
                    self.client.list_inference_models(self.client.settings.require_token())
                    return True, ""
                except AuthenticationError:
                    self._endpoint_trusted = False
                except GenAIError as error:
                    return False, f"the inference endpoint could not be probed ({_short(error)})"
            return False, (
                "the inference endpoint refuses the API token too, so its 401 may be about the "
                "endpoint (digitalocean:inferenceEndpoint) or a token without full access"
            )

    def rename(self, uuid: str, name: str) -> ApiKeyInfo:
        with self._changing():
            key = self.client.rename_key(uuid, name)
        self.listing.record(key)
        return key

    def regenerate(self, uuid: str) -> ApiKeyInfo:
        """A new secret for the key; the old one stops working at once."""
        with self._changing():
            return self.client.regenerate_key(uuid)

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


def _short(error: GenAIError) -> str:
    """The first line of an error, for a warning (errors never carry a secret)."""
    return str(error).splitlines()[0]
