"""Client settings, resolved in one place.

Precedence, highest first: an explicit argument, the stack config a dynamic provider receives in
`configure` (`digitalocean:*`, the names pulumi-digitalocean uses), environment variables, then
the defaults below. Every malformed value raises `ConfigurationError` naming the
setting, where the value came from and what is allowed; the token itself is never echoed.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from .errors import ConfigurationError

DEFAULT_API_ENDPOINT = "https://api.digitalocean.com"
DEFAULT_INFERENCE_ENDPOINT = "https://inference.do-ai.run"
DEFAULT_RETRY_MAX = 4
DEFAULT_RETRY_WAIT_MIN = 1.0
DEFAULT_RETRY_WAIT_MAX = 30.0
DEFAULT_TIMEOUT = 30.0
MAX_RETRIES = 100
MAX_WAIT = 3600.0
"""Retry waits above an hour are a typo, not a policy."""
MIN_REQUESTS_PER_SECOND = 0.01
MAX_REQUESTS_PER_SECOND = 10_000.0
"""Pacing bounds: below one request per 100 s a run would never end; above this, no pacing."""
DEFAULT_SECRET_READY_WAIT = 60.0
"""A new secret that the inference API has not taken within a minute is not merely late."""
DEFAULT_DEADLINE = 120.0
"""One request's whole life, however its server trickles the answer (timeout is per read)."""
MAX_ANSWER_BYTES = 16 * 2**20
"""The largest answer read (decoded); a page of 200 keys or models is well under 1 MiB."""


OFFICIAL_PROVIDER_KEYS = (
    "digitalocean:spacesAccessId",
    "digitalocean:spacesSecretKey",
    "digitalocean:spacesEndpoint",
)
"""Keys pulumi-digitalocean reads in the same namespace and we do not: a stack that uses both
sets them, so they pass without a word."""


def _set_by(config_key: str, *env: str) -> dict[str, Any]:
    """A field's metadata for a setting a stack (`config_key`), the environment (`env`, the
    first set wins) or an `Account` may give."""
    return {"config_key": config_key, "env": env}


@dataclass(frozen=True)
class ClientSettings:
    """Everything a `GenAIClient` needs besides a transport. `token` is masked in `repr`.

    The one declaration of the settings: each field's type and default, and for those a stack
    or an `Account` may set, its `digitalocean:*` key and environment variables. Resolving
    (`resolve_settings`), the config-key check, the error messages and `Account` read them
    here."""

    token: SecretStr | None = field(
        default=None,
        metadata=_set_by("digitalocean:token", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"),
    )
    api_endpoint: str = field(
        default=DEFAULT_API_ENDPOINT,
        metadata=_set_by("digitalocean:apiEndpoint", "DIGITALOCEAN_API_URL"),
    )
    inference_endpoint: str = field(
        default=DEFAULT_INFERENCE_ENDPOINT,
        metadata=_set_by("digitalocean:inferenceEndpoint", "DIGITALOCEAN_INFERENCE_URL"),
    )
    http_retry_max: int = field(
        default=DEFAULT_RETRY_MAX,
        metadata=_set_by("digitalocean:httpRetryMax", "DIGITALOCEAN_HTTP_RETRY_MAX"),
    )
    http_retry_wait_min: float = field(
        default=DEFAULT_RETRY_WAIT_MIN,
        metadata=_set_by("digitalocean:httpRetryWaitMin", "DIGITALOCEAN_HTTP_RETRY_WAIT_MIN"),
    )
    http_retry_wait_max: float = field(
        default=DEFAULT_RETRY_WAIT_MAX,
        metadata=_set_by("digitalocean:httpRetryWaitMax", "DIGITALOCEAN_HTTP_RETRY_WAIT_MAX"),
    )
    requests_per_second: float = field(
        default=0.0,
        metadata=_set_by("digitalocean:requestsPerSecond", "DIGITALOCEAN_REQUESTS_PER_SECOND"),
    )
    """Pace every request to at most this many a second (0: no pacing of our own)."""
    verify_secrets: bool = field(
        default=True, metadata=_set_by("digitalocean:verifySecrets", "DIGITALOCEAN_VERIFY_SECRETS")
    )
    """Whether a refresh checks each stored secret against the inference API."""
    trusted_inference_endpoint: str = field(
        default="",
        metadata=_set_by(
            "digitalocean:trustedInferenceEndpoint", "DIGITALOCEAN_TRUSTED_INFERENCE_URL"
        ),
    )
    """An inference endpoint other than DigitalOcean's own (a gateway of yours) that may be
    shown the API token, to tell a dead secret from an endpoint that knows none ("": none)."""
    secret_ready_wait: float = field(
        default=DEFAULT_SECRET_READY_WAIT,
        metadata=_set_by("digitalocean:secretReadyWait", "DIGITALOCEAN_SECRET_READY_WAIT"),
    )
    """How long a new secret is asked for, with backoff, before it is handed out (seconds)."""
    timeout: float = DEFAULT_TIMEOUT
    """One read's timeout (an argument only)."""
    deadline: float = DEFAULT_DEADLINE
    """One request's whole life (an argument only)."""

    def require_token(self) -> SecretStr:
        """The token, or an error that says how to provide one."""
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigurationError(
                "no DigitalOcean API token: run `pulumi config set --secret digitalocean:token "
                "<token>` or export DIGITALOCEAN_TOKEN"
            )
        return self.token


@dataclass(frozen=True)
class _Setting:
    field: str
    config_key: str
    env: tuple[str, ...]


_SETTINGS = tuple(
    _Setting(f.name, f.metadata["config_key"], f.metadata["env"])
    for f in fields(ClientSettings)
    if "config_key" in f.metadata
)
FIELDS = tuple(s.field for s in _SETTINGS)
"""The settings a stack, the environment or an `Account` may give, by `ClientSettings` name."""


def _where(field: str, default: str) -> str:
    """Where a setting comes from, for error messages: config key, environment, default."""
    setting = next(s for s in _SETTINGS if s.field == field)
    return f"{setting.config_key} or {' / '.join(setting.env)} (default {default})"


API_ENDPOINT_SETTING = _where("api_endpoint", DEFAULT_API_ENDPOINT)
INFERENCE_ENDPOINT_SETTING = _where("inference_endpoint", DEFAULT_INFERENCE_ENDPOINT)
STACK_CONFIG_KEYS = tuple(s.config_key for s in _SETTINGS)
"""The `digitalocean:*` stack config keys a provider or program reads."""


def resolve_settings(
    explicit: Mapping[str, Any] | None = None,
    stack_config: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ClientSettings:
    """Merge the sources into validated settings; see the module docstring for the order."""
    explicit = {k: v for k, v in (explicit or {}).items() if v is not None}
    unknown = set(explicit) - set(FIELDS) - {"timeout", "deadline"}
    if unknown:
        raise ConfigurationError(f"unknown client settings: {', '.join(sorted(unknown))}")
    stack_config = stack_config or {}
    environ = os.environ if environ is None else environ

    values: dict[str, Any] = {}
    for setting in _SETTINGS:
        if setting.field in explicit:
            raw, source = explicit[setting.field], f"argument {setting.field}"
        elif stack_config.get(setting.config_key) not in (None, ""):
            raw, source = stack_config[setting.config_key], f"config {setting.config_key}"
        else:
            found = next((e for e in setting.env if environ.get(e)), None)
            if found is None:
                continue
            raw, source = environ[found], f"environment variable {found}"
        values[setting.field] = _parse(setting.field, raw, source)
    for name in ("timeout", "deadline"):
        if name in explicit:
            values[name] = _positive_float(name, explicit[name], f"argument {name}")

    if "inference_endpoint" not in values and _is_loopback(
        urlsplit(values.get("api_endpoint", "")).hostname or ""
    ):
        # The emulator serves both APIs on one port: never send its keys to DigitalOcean.
        values["inference_endpoint"] = values["api_endpoint"]
    if "timeout" in values and "deadline" not in values:  # a longer read wait, a later deadline
        values["deadline"] = max(DEFAULT_DEADLINE, 4 * values["timeout"])
    settings = ClientSettings(**values)
    if settings.deadline < settings.timeout:
        raise ConfigurationError(
            f"the deadline of one request ({settings.deadline:g} s) is shorter than the timeout "
            f"of one read ({settings.timeout:g} s): make deadline >= timeout"
        )
    if settings.http_retry_wait_min > settings.http_retry_wait_max:
        raise ConfigurationError(
            f"digitalocean:httpRetryWaitMin ({settings.http_retry_wait_min}) is larger than "
            f"digitalocean:httpRetryWaitMax ({settings.http_retry_wait_max}): make min <= max"
        )
    return settings


def settings_from_stack_config(
    get: Callable[[str], Any], keys: Iterable[str] = ()
) -> ClientSettings:
    """Settings from a stack's `digitalocean:*` config (`get` reads one key, None when unset),
    then the environment and the defaults: the one way the provider's `configure`, the data
    sources and recovery turn stack config into settings. `keys` names every config key the
    stack sets: a `digitalocean:*` one that nobody reads is a typo, and an error (see
    `check_config_keys`)."""
    check_config_keys(keys)
    config = {}
    for key in STACK_CONFIG_KEYS:
        value = get(key)
        if value not in (None, ""):
            config[key] = str(value)
    return resolve_settings(stack_config=config)


def check_config_keys(keys: Iterable[str]) -> None:
    """Refuse a `digitalocean:*` key that neither this package nor pulumi-digitalocean reads.

    A misspelt `digitalocean:apiEndpiont` would otherwise be ignored, and the token sent to the
    default endpoint, DigitalOcean's own: the error names the key and the nearest known one."""
    known = STACK_CONFIG_KEYS + OFFICIAL_PROVIDER_KEYS
    folded = {key.lower(): key for key in known}
    unknown = sorted(
        {k for k in keys if k.startswith("digitalocean:") and k not in known}, key=str.lower
    )
    if not unknown:
        return
    problems = []
    for key in unknown:
        nearest = difflib.get_close_matches(key.lower(), folded, n=1, cutoff=0.6)
        guess = f" (did you mean {folded[nearest[0]]}?)" if nearest else ""
        problems.append(f"{key}{guess}")
    raise ConfigurationError(
        f"unknown config {'keys' if len(problems) > 1 else 'key'} {'; '.join(problems)}: "
        "nothing reads it, so its value would be ignored and the defaults used (for an "
        "endpoint: DigitalOcean's own, with your token). Rename it with `pulumi config rm` and "
        f"`pulumi config set`; the keys read are {', '.join(STACK_CONFIG_KEYS)}. Nothing was sent"
    )


def check_bearer(value: str, what: str) -> None:
    """A bearer credential is one line of visible ASCII; anything else would fail inside the
    HTTP library with a message that quotes the header, so it fails here, unquoted."""
    if any(not "!" <= character <= "~" for character in value):
        raise ConfigurationError(
            f"{what} holds a space, a control character or a non-ASCII character (a token file "
            "with two lines, or a pasted quote?): DigitalOcean tokens and keys are one line of "
            "ASCII letters, digits and punctuation; set it again"
        )


def _parse(field: str, raw: Any, source: str) -> Any:
    if field == "token":
        if isinstance(raw, SecretStr):
            raw = raw.get_secret_value()
        if not isinstance(raw, str):
            raise ConfigurationError(f"{source}: the token must be a string")
        token = raw.strip()
        check_bearer(token, f"{source}: the token")
        return SecretStr(token)
    if field in ("api_endpoint", "inference_endpoint"):
        return _endpoint(raw, source)
    if field == "trusted_inference_endpoint":
        return _endpoint(raw, source) if str(raw).strip() else ""
    if field == "verify_secrets":
        return _flag(raw, source)
    if field == "http_retry_max":
        return _whole_number(raw, source, most=MAX_RETRIES)
    if field == "requests_per_second":
        number = _non_negative_float(
            raw,
            source,
            f"a number of requests per second >= 0 (0: unlimited; otherwise from "
            f"{MIN_REQUESTS_PER_SECOND} to {MAX_REQUESTS_PER_SECOND:_})",
            most=MAX_REQUESTS_PER_SECOND,
        )
        if 0 < number < MIN_REQUESTS_PER_SECOND:
            raise ConfigurationError(
                f"{source} must be 0 (unlimited) or at least {MIN_REQUESTS_PER_SECOND} "
                f"(one request every {1 / MIN_REQUESTS_PER_SECOND:g} s), got {raw!r}"
            )
        return number
    return _non_negative_float(
        raw, source, f"a number of seconds >= 0 and at most {MAX_WAIT:g}", most=MAX_WAIT
    )


def _endpoint(raw: Any, source: str) -> str:
    text = str(raw).strip().rstrip("/")
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise ConfigurationError(
            f"{source} must be an http(s) URL such as https://api.digitalocean.com, "
            f"got {_without_userinfo(text)!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            f"{source} holds a user name or password (user:password@host), which would be "
            "sent along and shown in messages: give the URL without it; the token goes in "
            "digitalocean:token"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"{source} must be a base URL without ?query or #fragment, "
            f"got {_without_userinfo(text)!r}"
        )
    return text


def canonical_endpoint(url: str) -> str:
    """One spelling per endpoint, for telling accounts apart: scheme and host in lower case,
    the scheme's default port and any trailing slash dropped, `localhost` as 127.0.0.1 (the
    emulator's own spelling). `https://API.digitalocean.com:443/` is the default endpoint."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    host = "127.0.0.1" if host == "localhost" else host
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def origin(url: str) -> tuple[str, str, int | None]:
    """An endpoint's origin, (scheme, host, port), in its one spelling: what a credential sent
    there is shown to."""
    parts = urlsplit(canonical_endpoint(url))
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme, parts.hostname or "", port or default


def token_may_reach_inference(settings: ClientSettings) -> bool:
    """Whether the API token may be shown to the inference endpoint: only when that endpoint is
    DigitalOcean's own, has the very origin of the API endpoint (the emulator serves both on one
    port), or is the gateway the user named with `trustedInferenceEndpoint`. Anywhere else the
    token (genai create, update and delete) would go to a stranger whenever it answers 401."""
    where = origin(settings.inference_endpoint)
    trusted = [DEFAULT_INFERENCE_ENDPOINT, settings.api_endpoint]
    if settings.trusted_inference_endpoint:
        trusted.append(settings.trusted_inference_endpoint)
    return any(where == origin(each) for each in trusted)


def _without_userinfo(text: str) -> str:
    """The URL for a message, with anything between `//` and `@` hidden."""
    scheme, slashes, rest = text.partition("//")
    if not slashes:
        return text
    host, at, tail = rest.partition("@")
    return f"{scheme}//***@{tail}" if at and "/" not in host else text


ALLOW_HTTP_ENV = "DIGITALOCEAN_ALLOW_HTTP"


def check_transport_security(settings: ClientSettings, environ: Mapping[str, str]) -> None:
    """Refuse plain http to another machine: the token would cross the network unencrypted.
    Loopback (the emulator) is fine; `DIGITALOCEAN_ALLOW_HTTP=true` allows a trusted network."""
    if environ.get(ALLOW_HTTP_ENV, "").strip().lower() in ("1", "true", "yes"):
        return
    for endpoint, where in (
        (settings.api_endpoint, API_ENDPOINT_SETTING),
        (settings.inference_endpoint, INFERENCE_ENDPOINT_SETTING),
    ):
        parts = urlsplit(endpoint)
        if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
            raise ConfigurationError(
                f"{endpoint} uses plain http to another machine, so the token would cross the "
                f"network unencrypted: use https (it comes from {where}), or set "
                f"{ALLOW_HTTP_ENV}=true if that network is trusted"
            )


def _flag(raw: Any, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ConfigurationError(f"{source} must be true or false, got {raw!r}")


def _whole_number(raw: Any, source: str, *, most: int) -> int:
    """A whole number; a float that is one (8.0) counts: Pulumi hands every number to a
    provider as a float."""
    try:
        number = int(raw) if isinstance(raw, float) and raw.is_integer() else int(str(raw).strip())
    except (ValueError, OverflowError):
        number = -1
    if not 0 <= number <= most or isinstance(raw, bool):
        raise ConfigurationError(
            f"{source} must be a whole number >= 0 and at most {most}, got {raw!r}"
        )
    return number


def _non_negative_float(
    raw: Any, source: str, what: str = "a number of seconds >= 0", *, most: float = math.inf
) -> float:
    try:
        number = float(str(raw).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= most or isinstance(raw, bool):
        raise ConfigurationError(f"{source} must be {what}, got {raw!r}")
    return number


def _positive_float(field: str, raw: Any, source: str) -> float:
    number = _non_negative_float(raw, source)
    if number == 0:
        raise ConfigurationError(f"{source} must be > 0, got {raw!r}")
    return number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def whose(settings: ClientSettings) -> tuple[str, str, str]:
    """Whose keys these settings reach: (token, API endpoint, inference endpoint), each
    endpoint in its one spelling (`config.canonical_endpoint`)."""
    return (
        settings.token.get_secret_value() if settings.token else "",
        canonical_endpoint(settings.api_endpoint),
        canonical_endpoint(settings.inference_endpoint),
    )


def settings_of(account: dict[str, Any]) -> ClientSettings:
    """The settings of an account as the provider receives it (a map), checked; the
    environment plays no part."""
    return resolve_settings(explicit=account, environ={})
