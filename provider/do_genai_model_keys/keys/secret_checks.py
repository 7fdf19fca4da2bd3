"""Does a stored secret still work? Asked of the inference API, and answered "dead" only when
DigitalOcean has said so twice.

A dead verdict makes the next `pulumi up` regenerate the key, and the apps holding its secret
fail until they take the new one: so one odd answer must never be enough. A secret is DEAD only
when all of these hold:
- the inference API refuses it with DigitalOcean's own 401 (JSON, `"id": "unauthorized"`): a
  proxy's or a gateway's HTML page proves nothing;
- the endpoint is known to know the account's keys: it is DigitalOcean's own (or at the API
  endpoint's origin, as the emulator is, or the gateway named in `trustedInferenceEndpoint`) and
  accepts the account's API token right after; or, for any other endpoint, which is never shown
  the token, it took another secret in this run;
- it refuses the secret every time it is asked, `DEAD_AFTER_REFUSALS` times with pauses between
  (a transient 401 of an edge that has not learned a key yet, or of a flaky one, passes);
- it is not one of many refused at once: when three or more secrets of one run, and over half
  of those checked, come back dead, none is believed (an endpoint that takes the token but
  knows none of the keys, such as another account's emulator or a gateway, would otherwise
  kill every key at once).
Anything else is UNKNOWN, with the reason: a key restricted to a VPC, which the public endpoint
refuses with a 403, "cannot be verified from here", never dead. Each request is one short
attempt, and a transport failure (an endpoint that does not answer) stops the rest of the run's
checks: a blackholed endpoint costs a refresh seconds, not minutes per key.

A secret just issued (a regenerate's) is confirmed before it is handed out (`confirm`): asked
again with backoff until the inference API takes it or a bounded wait ends, since an edge may
take a moment to learn it. Only a definite refusal through the whole wait fails it.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass

from ..api.client import GenAIClient
from ..api.config import token_may_reach_inference
from ..api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    GenAIError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ..api.retry import Sleep

CHECK_TIMEOUT = 1.0
"""One check's read timeout (and connect timeout), in seconds: a check is one short attempt.
DigitalOcean's `GET /v1/models` answers in a fraction of that; an endpoint that does not (one
that takes connections and never answers) costs a refresh this once, and then no more checks
are made (benchmarks/secret_checks.py --blackholed: 100 keys within 2x of checks off)."""
CHECK_DEADLINE = 2.0
CONFIRM_PAUSE = 1.0
"""Between a refusal and the next asking: long enough for a flaky edge to recover."""
DEAD_AFTER_REFUSALS = 4
"""How many refusals in a row make a secret dead: an edge that refuses one asking in five at
random refuses four in a row once in 625 checks, where two in a row killed one in 25."""
MASS_DEAD_LEAST = 3
"""From this many dead verdicts in one run (and over half of the checks), none is believed."""
HOLD_SECONDS = 3.0
"""How long a dead verdict waits for the run's other checks in flight before it is weighed."""


CONFIRM_FIRST_WAIT = 0.25
"""The first wait between asking for a new secret, doubled each time up to `CONFIRM_MOST_WAIT`."""
CONFIRM_MOST_WAIT = 5.0
FROM_ELSEWHERE = (
    "cannot be verified from here (refused with 403: a key limited to a VPC or to some models)"
)
"""The reason given for a key the endpoint refuses by where the call comes from or what it may
reach (a key restricted to a VPC in the control panel): such a key is never called dead."""
CHECKS_OFF = "the secret checks are turned off (digitalocean:verifySecrets)"


class Verdict(enum.Enum):
    LIVE = "live"
    DEAD = "dead"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SecretCheck:
    """What the inference API said of a secret, and why when it could not say."""

    verdict: Verdict
    reason: str = ""


class Readiness(enum.Enum):
    CONFIRMED = "confirmed"
    """The inference API takes the new secret."""
    REFUSED = "refused"
    """DigitalOcean's own 401 through the whole wait, with the account's token accepted."""
    UNVERIFIED = "unverified"
    """It could not be checked from here: handed out with a warning."""


@dataclass(frozen=True)
class Confirmation:
    """Whether a new secret is ready, after how long, and why when it could not be told."""

    readiness: Readiness
    waited: float = 0.0
    reason: str = ""


class SecretChecker:
    """The secret checks of one account in one process (a run); thread-safe."""

    def __init__(
        self,
        client: GenAIClient,
        *,
        sleep: Sleep = time.sleep,
        pause: float = CONFIRM_PAUSE,
        hold: float = HOLD_SECONDS,
    ) -> None:
        self._client = client.with_settings(
            http_retry_max=0,
            timeout=min(CHECK_TIMEOUT, client.settings.timeout),
            deadline=min(CHECK_DEADLINE, client.settings.deadline),
        )
        self._sleep = sleep
        self._pause = pause
        self._trusted = token_may_reach_inference(client.settings)
        """Whether the inference endpoint may be shown the API token (see the module docstring)."""
        self._accepted = 0
        """Secrets the inference endpoint took in this run, checked or new: it knows the keys."""
        self._hold = hold
        self._lock = threading.Condition()
        self._in_flight = 0
        self._holding = 0
        self._checked = 0
        self._dead = 0
        self._stopped = ""
        """Why the rest of this run's checks are skipped ("": they are not)."""
        self._taken = 0
        """New secrets the inference API took in this run (`confirm`)."""
        self._refused_new = 0
        """New secrets it refused through the whole wait."""
        self._not_believed = ""
        """Why new secrets are no longer confirmed in this run ("": they are)."""
        self._said_unsure = False
        self._said_unverified = False

    def check(self, secret: str) -> SecretCheck:
        """The verdict on `secret` (see the module docstring)."""
        with self._lock:
            if self._stopped:
                return SecretCheck(Verdict.UNKNOWN, self._stopped)
            self._in_flight += 1
        try:
            verdict = self._ask_until_sure(secret)
            if verdict.verdict is Verdict.DEAD:
                verdict = self._weighed(verdict)
            return verdict
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

    def refused(self, secret: str) -> bool:
        """Whether DigitalOcean refuses `secret` as a dead one (its own 401, the token accepted,
        refused again after the pause), without counting it among the run's checks: for a
        secret just issued, which nothing but a late write could have killed."""
        return bool(secret) and self._ask_until_sure(secret, counted=False).verdict is Verdict.DEAD

    def confirm(self, secret: str, within: float) -> Confirmation:
        """Is the secret just issued taken by the inference API? Asked at once, then again
        with backoff while DigitalOcean refuses it (an edge still learning it) or answers
        something passing (429, 5xx, a dropped connection), until it is taken or the waits add
        up to `within` seconds (0: asked once, never failed). Not counted among the run's
        checks. REFUSED needs DigitalOcean's own 401 to the last asking, with the account's
        token accepted, and is not believed once several new secrets of a run were refused
        and none taken: an endpoint that knows none of the keys says nothing of them."""
        if not self._client.settings.verify_secrets:
            return Confirmation(Readiness.UNVERIFIED, reason=CHECKS_OFF)
        with self._lock:
            if self._stopped or self._not_believed:
                reason = self._stopped or self._not_believed
                return Confirmation(Readiness.UNVERIFIED, reason=reason)
        waited, pause = 0.0, CONFIRM_FIRST_WAIT
        while True:
            answer, reason, final = self._ask_new(secret)
            if answer is Readiness.CONFIRMED:
                with self._lock:
                    self._taken += 1
                    self._accepted += 1
                return Confirmation(Readiness.CONFIRMED, waited)
            if final or waited >= within:
                break
            step = min(pause, within - waited)
            self._sleep(step)
            waited, pause = waited + step, min(2 * pause, CONFIRM_MOST_WAIT)
        if answer is not Readiness.REFUSED:
            if not final:  # passing trouble for the whole wait: do not wait so for every key
                self._not_believed_for(f"{reason}, for {waited:g} s")
            return Confirmation(Readiness.UNVERIFIED, waited, reason)
        if within <= 0:
            return Confirmation(Readiness.UNVERIFIED, waited, "refused once, and not waited for")
        unproven = self._endpoint_unproven()
        if unproven is not None:
            if self._trusted:
                return Confirmation(Readiness.UNVERIFIED, waited, unproven.reason)
            self._not_believed_for(unproven.reason)  # it knows the next key no better: once
            with self._lock:
                return Confirmation(Readiness.UNVERIFIED, waited, self._not_believed)
        return self._weighed_refusal(waited)

    def _ask_new(self, secret: str) -> tuple[Readiness, str, bool]:
        """One asking of a new secret: CONFIRMED, REFUSED (DigitalOcean's own 401), or
        UNVERIFIED with the reason; and whether that is final (asking again cannot help)."""
        try:
            self._client.list_inference_models(secret)
        except AuthenticationError as error:
            if error.error_id == "unauthorized":
                return Readiness.REFUSED, "", False
            reason = f"a 401 that is not DigitalOcean's own ({_short(error)})"
            return Readiness.UNVERIFIED, reason, True
        except PermissionDeniedError as error:
            return Readiness.UNVERIFIED, f"{FROM_ELSEWHERE} ({_short(error)})", True
        except ConnectionFailedError as error:  # nothing listens there: waiting cannot help
            self._not_believed_for(_short(error))
            return Readiness.UNVERIFIED, _short(error), True
        except (RateLimitError, ServerError, TransportError) as error:
            return Readiness.UNVERIFIED, _short(error), False  # passing: asked again
        except GenAIError as error:
            return Readiness.UNVERIFIED, _short(error), True
        return Readiness.CONFIRMED, "", False

    def _not_believed_for(self, reason: str) -> None:
        """The rest of this run's new secrets are handed out unverified, for `reason`."""
        with self._lock:
            self._not_believed = self._not_believed or (
                f"{reason}; the rest of this run's new secrets are handed out unverified"
            )

    def _weighed_refusal(self, waited: float) -> Confirmation:
        with self._lock:
            self._refused_new += 1
            if self._refused_new >= MASS_DEAD_LEAST and not self._taken:
                self._not_believed = (
                    f"{self._refused_new} new secrets in a row were refused and none taken, "
                    "which says more about the inference endpoint "
                    f"({self._client.settings.inference_endpoint}) than about the keys: the "
                    "rest of this run's new secrets are handed out unverified"
                )
                return Confirmation(Readiness.UNVERIFIED, waited, self._not_believed)
        return Confirmation(
            Readiness.REFUSED,
            waited,
            f"DigitalOcean refused it with its own 401 for {waited:g} s, the API token accepted",
        )

    def first_unverified(self, reason: str) -> bool:
        """Whether to warn of a secret handed out unverified for `reason`: each key's own reason
        every time, the run's stopped checks once."""
        with self._lock:
            if reason not in (self._stopped, self._not_believed):
                return True
            first, self._said_unverified = not self._said_unverified, True
            return first

    def first_unsure(self) -> bool:
        """True the first time a check could not conclude in this run: say it once."""
        with self._lock:
            first, self._said_unsure = not self._said_unsure, True
            return first

    def _ask_until_sure(self, secret: str, *, counted: bool = True) -> SecretCheck:
        """Asked until it is taken or refused `DEAD_AFTER_REFUSALS` times in a row, with the
        token probe (trusted endpoints only) after the first refusal. A dead verdict from an
        endpoint not shown the token stands only once it took another secret in this run."""
        refused = self._ask(secret, counted=counted)
        if refused is not None:
            return refused
        if self._trusted:
            probe = self._token_accepted()
            if probe is not None:
                return probe
        for _ in range(DEAD_AFTER_REFUSALS - 1):
            self._sleep(self._pause)
            again = self._ask(secret, counted=counted)
            if again is not None:
                return again
        unproven = None if self._trusted else self._endpoint_unproven()  # trusted: probed above
        if unproven is not None:
            return unproven
        proof = (
            "with the API token accepted between"
            if self._trusted
            else "by an endpoint that took other secrets of this run"
        )
        return SecretCheck(Verdict.DEAD, f"refused {DEAD_AFTER_REFUSALS} times in a row, {proof}")

    def _endpoint_unproven(self) -> SecretCheck | None:
        """None when the inference endpoint is known to know the account's keys; else why its
        refusals say nothing. A trusted endpoint proves it by accepting the API token; any other
        one, never shown the token, by having taken another secret in this run."""
        if self._trusted:
            return self._token_accepted()
        with self._lock:
            if self._accepted:
                return None
        return SecretCheck(Verdict.UNKNOWN, self._unproven_reason())

    def _unproven_reason(self) -> str:
        return (
            f"cannot tell: the inference endpoint {self._client.settings.inference_endpoint} is "
            "not DigitalOcean's own, so it is not shown the API token, and it has taken no "
            "secret in this run (name it in digitalocean:trustedInferenceEndpoint if it is a "
            "gateway you trust with the token)"
        )

    def _ask(self, secret: str, *, counted: bool = True) -> SecretCheck | None:
        """None when DigitalOcean refused the secret with its own 401; else the verdict (a
        live one `counted` among the run's checks)."""
        try:
            self._client.list_inference_models(secret)
        except AuthenticationError as error:
            if error.error_id == "unauthorized":
                return None
            return SecretCheck(
                Verdict.UNKNOWN, f"a 401 that is not DigitalOcean's own ({_short(error)})"
            )
        except PermissionDeniedError as error:
            return SecretCheck(Verdict.UNKNOWN, f"{FROM_ELSEWHERE} ({_short(error)})")
        except TransportError as error:
            return SecretCheck(Verdict.UNKNOWN, self._stop(_short(error)))
        except GenAIError as error:
            return SecretCheck(Verdict.UNKNOWN, _short(error))
        with self._lock:
            self._accepted += 1
        if counted:
            self._count(dead=False)
        return SecretCheck(Verdict.LIVE)

    def _token_accepted(self) -> SecretCheck | None:
        """None when the endpoint accepts the account's token (its 401s are about secrets)."""
        try:
            self._client.list_inference_models(self._client.settings.require_token())
            return None
        except AuthenticationError:
            reason = (
                "the inference endpoint refuses the API token too, so its 401 may be about the "
                "endpoint (digitalocean:inferenceEndpoint) or a token without full access"
            )
            return SecretCheck(Verdict.UNKNOWN, self._stop(reason))
        except TransportError as error:
            return SecretCheck(Verdict.UNKNOWN, self._stop(_short(error)))
        except GenAIError as error:
            return SecretCheck(
                Verdict.UNKNOWN, f"the inference endpoint could not be probed ({_short(error)})"
            )

    def _weighed(self, dead: SecretCheck) -> SecretCheck:
        """A dead verdict, once the run's other checks in flight have come in: not believed
        when it is one of many (see the module docstring)."""
        with self._lock:
            self._dead += 1
            self._checked += 1
            self._holding += 1
            deadline = time.monotonic() + self._hold
            while self._in_flight > self._holding and not self._stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            self._holding -= 1
            if not self._trusted and not self._accepted:
                self._dead -= 1  # not a verdict: the endpoint never showed it knows the keys
                return SecretCheck(Verdict.UNKNOWN, self._unproven_reason())
            if (
                not self._stopped
                and self._dead >= MASS_DEAD_LEAST
                and 2 * self._dead > self._checked
            ):
                self._stopped = (
                    f"{self._dead} of the {self._checked} secrets checked were refused at once, "
                    "which says more about the inference endpoint "
                    f"({self._client.settings.inference_endpoint}) than about the keys: none of "
                    "them is taken for dead, and the rest of this run's checks are skipped"
                )
                self._said_unsure = False  # this is news: say it
            if self._stopped:
                return SecretCheck(Verdict.UNKNOWN, self._stopped)
            return dead

    def _count(self, *, dead: bool) -> None:
        with self._lock:
            self._checked += 1
            self._dead += dead

    def _stop(self, reason: str) -> str:
        """Skip the rest of this run's checks, for `reason`."""
        with self._lock:
            if not self._stopped:
                self._stopped = f"{reason}; the rest of this run's secret checks are skipped"
                self._lock.notify_all()
            return self._stopped


def _short(error: GenAIError) -> str:
    """The first line of an error, for a warning (errors never carry a secret)."""
    return str(error).splitlines()[0]
