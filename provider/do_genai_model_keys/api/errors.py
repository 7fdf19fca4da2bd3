"""Every error this package raises, named for what the caller can do about it.

    GenAIError
    ├── ConfigurationError            a setting is missing or malformed: fix the config or env
    ├── InvalidArgumentError          a data-source argument is wrong: the message names it
    ├── KeyLookupError                adoption or a lost create's check cannot pick exactly one key
    ├── SecretNotReadyError           a new secret was refused through the whole wait for it
    ├── DeletionProtectedError        a key nobody can make again is not deleted: the ways out
    ├── UnexpectedResponseError       a 2xx answer whose body is not what the API documents
    ├── TransportError                no usable HTTP answer came back
    │   ├── ConnectionFailedError     the request never reached the server
    │   ├── RequestTimeoutError       the server did not answer in time
    │   └── ResponseLostError         the connection dropped after the request was sent
    └── APIStatusError                DigitalOcean answered with an error status
        ├── BadRequestError           400
        ├── AuthenticationError       401: the token is wrong, expired or missing
        ├── PermissionDeniedError     403: the token lacks a scope
        ├── NotFoundError             404
        ├── CreationRetiredError      410 on create: make the key in the control panel, adopt it
        ├── UnprocessableEntityError  422
        ├── RateLimitError            429 after the retries allowed
        └── ServerError               5xx after the retries allowed

`error_for_status` maps one HTTP answer to its class. No error message ever carries a token or a
key secret: messages are built from DigitalOcean's own error text, the method and the path.

Callers higher up (the Pulumi provider) raise `GenAIError.within(...)` from the error they caught:
a copy that adds what they were doing and keeps the class and the attributes, so a program can
still catch `NotFoundError`, and an error shared by several callers is never edited in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Self

from .contract import CREATE_RETIRED_ON, KEYS_PATH, SCOPE_BY_METHOD, api_of

if TYPE_CHECKING:
    from .models import ApiKeyInfo

ADOPT_HINT = (
    "DigitalOcean retired creating model access keys through the API (POST "
    f"{KEYS_PATH} answers 410 since {CREATE_RETIRED_ON}). Create the key in the control "
    "panel (GenAI > Model access keys), then adopt it: ModelAccessKey(..., adopt_uuid='<uuid>') "
    "or ModelAccessKey(..., name='<exact name>', adopt_existing=True); for a "
    "RotatingModelAccessKey, make two keys and pass adopt_uuids=['<slot a uuid>', "
    "'<slot b uuid>']. Adoption regenerates the secret so that the stack holds a working one."
)


class GenAIError(Exception):
    """Base of every error raised by this package.

    `context` (what the caller was doing) leads the message and `advice` (what to do next)
    ends it; both are empty until `within` sets them.
    """

    context: str = ""
    advice: str = ""

    def within(self, context: str, advice: str = "") -> Self:
        """A copy of this error that says what was being done (and what to do now), of the same
        class with the same attributes; an outer caller's context goes before an inner one's.
        Raise the copy `from` the original: the original is left as it was, because one error
        can reach many callers (every read that shared a failed listing gets the same one) and
        each must name only its own key."""
        clone = type(self).__new__(type(self))
        clone.args = self.args
        clone.__dict__.update(self.__dict__)
        clone.context = f"{context}: {self.context}" if self.context else context
        clone.advice = advice or self.advice
        return clone

    def __str__(self) -> str:
        text = super().__str__()
        if self.context:
            text = f"{self.context}: {text}"
        if self.advice:
            # The cause may be a sentence of its own (httpx's are): no doubled full stop.
            text = (
                f"{text} {self.advice}"
                if text.endswith((".", "!", "?"))
                else f"{text}. {self.advice}"
            )
        return text


class ConfigurationError(GenAIError):
    """A setting is missing or malformed; the message names the setting and where it came from."""


class InvalidArgumentError(GenAIError):
    """A data-source argument is wrong; the message names it and the allowed values."""


class KeyLookupError(GenAIError):
    """Adoption could not pick exactly one key; the message lists candidates by name and UUID."""


class SecretNotReadyError(GenAIError):
    """DigitalOcean's inference API refused a secret just issued for as long as we waited for
    it (`digitalocean:secretReadyWait`), the account's token accepted: it was not handed out."""


class DeletionProtectedError(GenAIError):
    """A delete refused before any request: the key is protected (adopted or imported, or
    `deletion_protection` set), and the message names the ways out."""


class UnexpectedResponseError(GenAIError):
    """A 2xx answer that lacks what the API documents, or whose body does not decode.

    For a write, the change may well have happened: treat it like a lost answer.
    """

    def __init__(self, method: str, path: str, problem: str) -> None:
        self.method = method
        self.path = path
        self.problem = problem
        super().__init__(f"{method} {path} answered with an unexpected body: {problem}")


class TransportError(GenAIError):
    """No usable HTTP answer: the network, a timeout or a dropped connection."""

    def __init__(self, method: str, path: str, cause: str) -> None:
        self.method = method
        self.path = path
        self.cause = cause
        super().__init__(f"{method} {path}: {cause}")


class ConnectionFailedError(TransportError):
    """The connection could not be opened, so the server never saw the request."""


class RequestTimeoutError(TransportError):
    """The server did not answer in time; a write may or may not have happened."""


class ResponseLostError(TransportError):
    """The connection closed after the request was sent; a write may or may not have happened."""


class APIStatusError(GenAIError):
    """DigitalOcean answered with an error status.

    Carries the status, DigitalOcean's error `id`, `message` and `request_id` (from the body or
    the `x-request-id` header), and the method and path that were requested.
    """

    status: int
    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        error_id: str = "",
        message: str = "",
        request_id: str = "",
        retry_after: float | None = None,
        allowed_per_second: float | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.error_id = error_id
        self.api_message = message
        self.request_id = request_id
        self.retry_after = retry_after
        """Seconds the server asked us to wait (`retry-after`, or a spent budget's reset)."""
        self.allowed_per_second = allowed_per_second
        """The pace the server's limit allows, where its headers say."""
        super().__init__(self._render())

    @property
    def hint(self) -> str:
        """What to do about it, in one sentence."""
        return self.default_hint

    def _render(self) -> str:
        request = f"[request {self.request_id}] " if self.request_id else ""
        what = f"{self.status} {self.error_id}".strip()
        text = f"{request}{self.method} {self.path} answered {what}"
        if self.api_message:
            text += f": {self.api_message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, error_id={self.error_id!r}, "
            f"method={self.method!r}, path={self.path!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    default_hint = "the request was malformed; check the inputs named in the message"


class AuthenticationError(APIStatusError):
    @property
    def hint(self) -> str:
        if api_of(self.path) == "inference":
            return (
                "the model access key was refused: it was regenerated or deleted since, or is "
                "not a model access key"
            )
        return (
            "the API token was refused: set a valid one with `pulumi config set --secret "
            "digitalocean:token ...` or DIGITALOCEAN_TOKEN. If you just changed it: `pulumi "
            "refresh` and `pulumi destroy` use the token stored at the last `pulumi up`, so "
            "run `pulumi up` (or `pulumi refresh --run-program`) to use the new one"
        )


class PermissionDeniedError(APIStatusError):
    @property
    def hint(self) -> str:
        if api_of(self.path) == "inference":
            return (
                "the inference API refused this credential here: a model access key limited to "
                "other models, or to a VPC, is refused from the public endpoint; the API "
                "token's scopes play no part"
            )
        scope = SCOPE_BY_METHOD.get(self.method, "genai:*")
        return f"the API token lacks the scope {scope}: grant it to the token or use another token"


class NotFoundError(APIStatusError):
    default_hint = "the key or path does not exist (deleted outside Pulumi?)"


class CreationRetiredError(APIStatusError):
    default_hint = ADOPT_HINT


class UnprocessableEntityError(APIStatusError):
    default_hint = "DigitalOcean rejected the values sent; check the inputs named in the message"


class RateLimitError(APIStatusError):
    default_hint = (
        "rate limit reached and retries exhausted: wait a minute, raise "
        "digitalocean:httpRetryMax, or lower digitalocean:requestsPerSecond"
    )


class ServerError(APIStatusError):
    default_hint = (
        "DigitalOcean failed after the retries allowed; try again later or raise "
        "digitalocean:httpRetryMax"
    )


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    410: CreationRetiredError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for_status(
    *,
    status: int,
    method: str,
    path: str,
    body: Mapping[str, object] | None,
    headers: Mapping[str, str],
    retry_after: float | None = None,
    allowed_per_second: float | None = None,
    sent: Sequence[str] = (),
) -> APIStatusError:
    """Build the error for one non-2xx answer; pure, so it is tested without HTTP. The
    server's text is redacted (`redact`) of `sent`, the credentials the request carried."""
    body = body or {}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIStatusError)
    request_id = str(body.get("request_id") or headers.get("x-request-id") or "")
    return cls(
        status=status,
        method=method,
        path=path,
        error_id=redact(str(body.get("id") or ""), sent),
        message=redact(str(body.get("message") or ""), sent),
        request_id=redact(request_id, sent),
        retry_after=retry_after,
        allowed_per_second=allowed_per_second,
    )


_CREDENTIAL_SHAPES = re.compile(
    r"do[opr]_v1_[A-Za-z0-9]{8,}"  # DigitalOcean personal, OAuth and refresh tokens
    r"|sk-do-[A-Za-z0-9_\-]{8,}"  # model access key secrets
    r"|(?<=[Bb]earer )[^\s\"',;]{8,}"  # whatever follows "Bearer"
)
REDACTED = "[redacted]"


def redact(text: str, sent: Sequence[str] = ()) -> str:
    """Server-provided text without credentials: whatever value the request carried (a gateway
    answers "Incorrect API key provided: <token>") and anything shaped like a DigitalOcean
    token or key secret."""
    for value in sent:
        if len(value) >= 4:
            text = text.replace(value, REDACTED)
    return _CREDENTIAL_SHAPES.sub(REDACTED, text)


RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def is_ambiguous(error: BaseException) -> bool:
    """True when a write may or may not have happened: no usable answer, or a 5xx."""
    if isinstance(error, ConnectionFailedError):
        return False
    if isinstance(error, TransportError | UnexpectedResponseError):
        return True
    return isinstance(error, APIStatusError) and error.status in RETRYABLE_STATUSES - {429}


def describe(keys: Sequence[ApiKeyInfo], limit: int = 20) -> str:
    """Keys as `'name' (uuid)`, for error messages."""
    if not keys:
        return "none"
    shown = ", ".join(f"{k.name!r} ({k.uuid})" for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")
