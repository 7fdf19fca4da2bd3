"""`GenAIClient`: the typed HTTP client for DigitalOcean's GenAI model-key endpoints.

One httpx connection pool per API (the control API's and the inference API's), explicit
timeouts and a deadline per request that closes its socket when it passes (`transport.py`),
retries from `retry.py`, decoding from `decoding.py`. The token lives in a `SecretStr` and
reaches only the `Authorization` header of requests to the configured endpoints: a `next` page
link is followed by its path and query against our own endpoint, never to another host.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import SecretStr, ValidationError

from . import lifeline
from .config import (
    API_ENDPOINT_SETTING,
    INFERENCE_ENDPOINT_SETTING,
    MAX_ANSWER_BYTES,
    ClientSettings,
    check_bearer,
    check_transport_security,
    resolve_settings,
    token_may_reach_inference,
)
from .contract import (
    INFERENCE_MODELS_PATH,
    KEYS_PATH,
    MAX_PAGE_SIZE,
    MODELS_PATH,
    Api,
    api_of,
    key_path,
)
from .decoding import Decoded, decode_response
from .errors import (
    ConfigurationError,
    ConnectionFailedError,
    InvalidArgumentError,
    RateLimitError,
    RequestTimeoutError,
    ResponseLostError,
    TransportError,
    UnexpectedResponseError,
)
from .models import ApiKeyInfo, InferenceModel, ModelInfo, catalogue_model
from .retry import (
    RequestPacer,
    RetryPolicy,
    Sleep,
    build_retrying,
)
from .transport import (
    DeadlinePassed,
    Watch,
    abortable_transport,
    proxy_for,
    within_deadline,
)

T = TypeVar("T")
M = TypeVar("M")

MAX_PAGES = 10_000
"""A guard against a listing that never ends: a server whose next links always point to a new
page (links that come back to a page already read are caught at once, in `_pages`)."""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one loads the CA bundle (~35 ms), which
    would otherwise be paid by every client, and the data sources make one per call."""
    return httpx.create_ssl_context()


def _user_agent() -> str:
    try:
        return f"do-genai-model-keys/{version('do-genai-model-keys')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "do-genai-model-keys/0+unknown"


class GenAIClient:
    """Calls DigitalOcean's model-key, model-list and inference-model endpoints.

    One method per endpoint (listings follow every page), with decoding, retries and pacing,
    and nothing about what a key means: the rules of the Pulumi resources (a create made
    exactly once, adoption, one shared listing) are `keys.store.KeyStore`'s. Use it on its own or
    through the Pulumi resources. Settings come from `settings`, else from
    the keyword arguments merged with the environment (see `config.resolve_settings`).
    `transport` is the seam for tests; `sleep` receives every retry and pacing wait.
    """

    def __init__(
        self,
        token: str | SecretStr | None = None,
        *,
        api_endpoint: str | None = None,
        inference_endpoint: str | None = None,
        settings: ClientSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if settings is None:
            settings = resolve_settings(
                {
                    "token": token,
                    "api_endpoint": api_endpoint,
                    "inference_endpoint": inference_endpoint,
                }
            )
        if transport is None:  # a real network: the token must not cross it in plain text
            check_transport_security(settings, os.environ)
        self.settings = settings
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._policy = RetryPolicy.of(settings)
        # Pacing runs on the clock that `sleep` moves: a test's, or the monotonic one.
        pace_clock = time.monotonic if clock is time.time else clock
        self._pacers = {
            api: RequestPacer(settings.requests_per_second, clock=pace_clock, sleep=sleep)
            for api in ("control", "inference")
        }
        """One pace per API: each has limits of its own, and meeting one slows only its calls."""
        self._endpoints: dict[Api, str] = {
            "control": settings.api_endpoint,
            "inference": settings.inference_endpoint,
        }
        self._http = {api: self._pool(transport, url) for api, url in self._endpoints.items()}
        """One pool per API: a slow inference endpoint never holds the control API's
        connections, and the other way round."""
        self._timeout = _timeout_of(settings)
        self._owns_pools = True

    def _pool(self, transport: httpx.BaseTransport | None, endpoint: str) -> httpx.Client:
        """The pool of one API; through the proxy the environment names for its endpoint."""
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        if transport is None:
            proxy = proxy_for(endpoint)
            if proxy is not None and not proxy.startswith(("http://", "https://")):
                transport = httpx.HTTPTransport(verify=_tls_context(), limits=limits, proxy=proxy)
            else:
                transport = abortable_transport(_tls_context(), limits, proxy)
        return httpx.Client(
            transport=transport,
            timeout=_timeout_of(self.settings),
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"GenAIClient(api_endpoint={self.settings.api_endpoint!r})"

    def with_settings(self, **changes: Any) -> GenAIClient:
        """A client with these settings changed (timeouts, retries) that shares this one's
        connection pools and pacing: the secret checks' short single attempts. Closing it
        leaves the pools to this client."""
        sibling = copy.copy(self)
        sibling.settings = dataclasses.replace(self.settings, **changes)
        sibling._policy = RetryPolicy.of(sibling.settings)
        sibling._timeout = _timeout_of(sibling.settings)
        sibling._owns_pools = False
        return sibling

    def close(self) -> None:
        if self._owns_pools:
            for pool in self._http.values():
                pool.close()

    def __enter__(self) -> GenAIClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- model access keys ---------------------------------------------------------------

    def iter_keys(self, *, per_page: int = MAX_PAGE_SIZE) -> Iterator[ApiKeyInfo]:
        """Every key, page by page (metadata only: listings carry no secrets)."""
        for page in self._pages(KEYS_PATH, {"per_page": per_page}, "api_key_infos", _KEY):
            yield from page

    def list_keys(self, *, per_page: int = MAX_PAGE_SIZE) -> list[ApiKeyInfo]:
        return list(self.iter_keys(per_page=per_page))

    def create_key(self, name: str) -> ApiKeyInfo:
        """Create a key and return it with its secret: one POST, never sent again by itself,
        because a second POST after a lost answer could make a second key. DigitalOcean
        answers 410 since June 2026 (`CreationRetiredError`). `KeyStore.create` is the create
        that settles a lost answer (see `keys/creates.py`)."""
        return self._key_call("POST", KEYS_PATH, json={"name": name}, retry=False)

    def rename_key(self, uuid: str, name: str) -> ApiKeyInfo:
        return self._key_call(
            "PUT", _checked_path(uuid, "PUT"), json={"api_key_uuid": uuid, "name": name}
        )

    def regenerate_key(
        self, uuid: str, *, failures: list[BaseException] | None = None
    ) -> ApiKeyInfo:
        """Issue a new secret for the key (same UUID); the old secret stops working at once.
        `failures`, when given, receives each failed attempt's error (one whose outcome is
        unknown may yet be done by the server, late; see `KeyStore.regenerate`)."""
        path = _checked_path(uuid, "PUT", "regenerate")
        return self._key_call("PUT", path, failures=failures)

    def delete_key(self, uuid: str) -> ApiKeyInfo | None:
        """Delete the key; its last metadata, or None when a successful answer carried none."""
        path = _checked_path(uuid, "DELETE")
        decoded = self._call("DELETE", path, idempotent=True)
        info = decoded.data.get("api_key_info")
        return _parse(_KEY, info, "DELETE", KEYS_PATH) if info else None

    # --- catalogues ------------------------------------------------------------------------

    def iter_models(
        self,
        *,
        public_only: bool | None = None,
        usecases: Sequence[str] | None = None,
        per_page: int = MAX_PAGE_SIZE,
    ) -> Iterator[ModelInfo]:
        params: dict[str, Any] = {"per_page": per_page}
        if public_only is not None:
            params["public_only"] = "true" if public_only else "false"
        if usecases:
            params["usecases"] = list(usecases)
        for page in self._pages(MODELS_PATH, params, "models", _CATALOGUE_MODEL):
            yield from page

    def list_models(
        self,
        *,
        public_only: bool | None = None,
        usecases: Sequence[str] | None = None,
        per_page: int = MAX_PAGE_SIZE,
    ) -> list[ModelInfo]:
        return list(self.iter_models(public_only=public_only, usecases=usecases, per_page=per_page))

    def list_inference_models(self, api_key: str | SecretStr) -> list[InferenceModel]:
        """The serverless models a model access key (or a full-access token) may call."""
        secret = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        check_bearer(secret.get_secret_value(), "the model access key given")
        decoded = self._call("GET", INFERENCE_MODELS_PATH, token=secret, idempotent=True)
        return _items(decoded.data, "data", _INFERENCE_MODEL, "GET", INFERENCE_MODELS_PATH)

    # --- plumbing --------------------------------------------------------------------------

    def _key_call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        retry: bool = True,
        failures: list[BaseException] | None = None,
    ) -> ApiKeyInfo:
        """A call whose answer is `{"api_key_info": ...}`; anything else is an
        `UnexpectedResponseError` (retried like a lost answer, unless `retry` is off)."""

        def once() -> ApiKeyInfo:
            token = self.settings.require_token()
            decoded = self._send_once(method, path, None, json, token)
            info = decoded.data.get("api_key_info")
            if not isinstance(info, dict):
                raise UnexpectedResponseError(method, path, "no api_key_info object")
            return _parse(_KEY, info, method, path)

        if not retry:
            return once()
        return self._retrying(method, path, idempotent=True, call=once, failures=failures)

    def _pages(
        self, path: str, params: dict[str, Any], field: str, model: Shape[M]
    ) -> Iterator[list[M]]:
        """Yield each page's items, following `links.pages.next` (or `meta`); only the next
        link's query is taken, sent to our own endpoint, never to a host an answer names.

        A page is fetched and read in one retried call, so a page that does not decode is asked
        for again; a listing that cannot be read to its end raises: a caller must never take
        part of a listing for all of it (a key past the cut would read as deleted)."""
        params = {**params, "page": 1}
        seen: set[tuple[tuple[str, str], ...]] = set()
        for _ in range(MAX_PAGES):
            signature = tuple(sorted((k, str(v)) for k, v in params.items()))
            if signature in seen:
                raise UnexpectedResponseError(
                    "GET", path, "the listing's next links go round in a circle, so it never ends"
                )
            seen.add(signature)

            read = functools.partial(self._read_page, path, dict(params), field, model)
            items, next_url = self._retrying("GET", path, idempotent=True, call=read)
            yield items
            if not next_url:
                return
            params = _next_params(next_url, params)
        raise UnexpectedResponseError(
            "GET", path, f"the listing did not end within {MAX_PAGES} pages"
        )

    def _read_page(
        self, path: str, params: dict[str, Any], field: str, model: Shape[M]
    ) -> tuple[list[M], str | None]:
        """One page's items and the next page's link, read in one attempt."""
        token = self.settings.require_token()
        decoded = self._send_once("GET", path, params, None, token)
        return _items(decoded.data, field, model, "GET", path), decoded.next_url

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        token: SecretStr | None = None,
        idempotent: bool,
    ) -> Decoded:
        secret = token or self.settings.require_token()
        return self._retrying(
            method,
            path,
            idempotent=idempotent,
            call=lambda: self._send_once(method, path, params, json, secret),
        )

    def _retrying(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        call: Callable[[], T],
        failures: list[BaseException] | None = None,
    ) -> T:
        retrying = build_retrying(
            self._policy, idempotent=idempotent, sleep=self._sleep, what=f"{method} {path}"
        )
        for attempt in retrying:
            with attempt:
                try:
                    return call()
                except BaseException as error:
                    if failures is not None:
                        failures.append(error)
                    raise
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _is_token(self, secret: SecretStr) -> bool:
        token = self.settings.token
        return token is not None and secret.get_secret_value() == token.get_secret_value()

    def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
        secret: SecretStr,
    ) -> Decoded:
        """One attempt: its turn under the pace, then the exchange, all within the deadline.
        The path says which API the request is for (`contract.api_of`), and so its endpoint,
        pace and pool."""
        api = api_of(path)
        if (
            api == "inference"
            and self._is_token(secret)
            and not token_may_reach_inference(self.settings)
        ):
            raise ConfigurationError(
                f"not sent: the API token would go to the inference endpoint "
                f"{self.settings.inference_endpoint}, which is neither DigitalOcean's own nor at "
                "the API endpoint's origin. Name it in digitalocean:trustedInferenceEndpoint if "
                "it is a gateway you trust with the token"
            )
        url = self._endpoints[api] + path
        pacer = self._pacers[api]
        waited = pacer.wait_turn(within=self.settings.deadline)
        if waited is None:
            raise ConnectionFailedError(
                method, path, "not sent: its turn under the request pace came after its deadline"
            )
        lifeline.ensure_attached()  # after the wait: never a request once the engine is gone
        remaining = self.settings.deadline - waited
        headers = {"Authorization": f"Bearer {secret.get_secret_value()}"}
        http = self._http[api]
        try:
            status, answer_headers, body = within_deadline(
                remaining,
                lambda stop: self._exchange(http, method, url, params, json, headers, stop),
            )
        except DeadlinePassed:
            raise RequestTimeoutError(
                method,
                path,
                f"no complete answer within {self.settings.deadline:g} s, the deadline of one "
                "request (the server answered too slowly)",
            ) from None
        except _AnswerTooLarge:
            raise UnexpectedResponseError(
                method, path, f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB"
            ) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise self._unreachable(method, api, path, error) from None
        except httpx.PoolTimeout:
            raise ConnectionFailedError(
                method, path, "not sent: no connection of the pool came free in time"
            ) from None
        except httpx.TimeoutException as error:
            raise RequestTimeoutError(method, path, _cause(error)) from None
        except UnicodeEncodeError:
            # Refused before it left; the encoder's message would quote the header.
            raise ConfigurationError(
                f"{method} {path} could not be sent: a header value is not allowed; check the "
                "token (digitalocean:token) for spaces, line breaks or non-ASCII characters"
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise ResponseLostError(method, path, _cause(error)) from None
        except httpx.TransportError as error:
            raise TransportError(method, path, _cause(error)) from None
        except httpx.DecodingError as error:
            raise UnexpectedResponseError(method, path, _cause(error)) from None
        try:
            return decode_response(
                method=method,
                path=path,
                status=status,
                headers=answer_headers,
                body=body,
                now=self._clock(),
                sent=(secret.get_secret_value(),),
            )
        except RateLimitError as error:
            pacer.rate_limited(error.retry_after, error.allowed_per_second)
            raise

    def _exchange(
        self,
        http: httpx.Client,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        watch: Watch,
    ) -> tuple[int, httpx.Headers, bytes]:
        """Send one request and read its answer, at most `MAX_ANSWER_BYTES` of it (decoded, so
        a compressed bomb stops early too); stops reading once the caller gave up."""
        with http.stream(
            method, url, params=params, json=json, headers=headers, timeout=self._timeout
        ) as answer:
            declared = answer.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
                raise _AnswerTooLarge
            body = bytearray()
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise _AnswerTooLarge
                if watch.is_set():
                    raise DeadlinePassed
            watch.done()  # read whole: the connection is the pool's again
            return answer.status_code, answer.headers, bytes(body)

    def _unreachable(
        self, method: str, api: Api, path: str, error: httpx.HTTPError
    ) -> ConnectionFailedError:
        """A connection failure that names the endpoint and the setting it came from."""
        endpoint = self._endpoints[api]
        setting = INFERENCE_ENDPOINT_SETTING if api == "inference" else API_ENDPOINT_SETTING
        failure = ConnectionFailedError(
            method, path, f"could not connect to {endpoint} ({_cause(error)})"
        )
        failure.advice = (
            f"Check that the endpoint is right and reachable; it comes from {setting}, "
            "and nothing was changed"
        )
        return failure


class _AnswerTooLarge(Exception):
    """The answer is larger than `MAX_ANSWER_BYTES`."""


def _timeout_of(settings: ClientSettings) -> httpx.Timeout:
    """One read's timeout, and at most 10 s to connect."""
    return httpx.Timeout(settings.timeout, connect=min(10.0, settings.timeout))


def _cause(error: httpx.HTTPError) -> str:
    """Name the failure without the request (whose headers hold the token). A local protocol
    error's text can quote a header (h11: "Illegal header value b'Bearer ...'"), so only its
    kind is named."""
    if isinstance(error, httpx.LocalProtocolError):
        return f"{type(error).__name__} (the request could not be sent as written)"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _checked_path(uuid: str, method: str, action: str = "") -> str:
    """The key's path, or an `InvalidArgumentError` when `uuid` is not a key UUID."""
    try:
        return key_path(uuid, action)
    except ValueError as error:
        raise InvalidArgumentError(f"{method} {KEYS_PATH}/...: {error}; nothing was sent") from None


def _next_params(next_url: str, current: dict[str, Any]) -> dict[str, Any]:
    query = urlsplit(next_url).query
    merged = dict(current)
    repeated: dict[str, list[str]] = {}
    for key, value in parse_qsl(query):
        repeated.setdefault(key, []).append(value)
    for key, values in repeated.items():
        merged[key] = values if len(values) > 1 else values[0]
    return merged


def _items(data: Mapping[str, Any], field: str, model: Shape[M], method: str, path: str) -> list[M]:
    """The list `field` of an answer, each item validated; anything else is an
    `UnexpectedResponseError`. A missing list reads as empty only when the answer's `meta`
    says there are none (`total` 0): `{}`, `{"links": {}}` or a `meta` without a total claim
    nothing, and a listing that claims nothing must never read as "no keys"."""
    items = data.get(field)
    if items is None:
        meta = data.get("meta")
        total = meta.get("total") if isinstance(meta, dict) else None
        if total is not None and str(total).strip() in ("0", "0.0"):
            return []
        raise UnexpectedResponseError(method, path, f"the answer has no {field} list")
    if not isinstance(items, list):
        raise UnexpectedResponseError(
            method, path, f"{field} is a {type(items).__name__}, not a list"
        )
    return [_parse(model, item, method, path) for item in items]


def _parse(model: Shape[M], item: Any, method: str, path: str) -> M:
    """Validate one object of an answer; a shape we cannot read is a typed error, not pydantic's."""
    try:
        return model.validate(item)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise UnexpectedResponseError(method, path, f"{model.name}: {problems}") from None


@dataclass(frozen=True)
class Shape(Generic[M]):
    """What one object of an answer is: its name, for errors, and how it is validated."""

    name: str
    validate: Callable[[Any], M]


_KEY = Shape("ApiKeyInfo", ApiKeyInfo.model_validate)
_CATALOGUE_MODEL = Shape("Model", catalogue_model)
_INFERENCE_MODEL = Shape("InferenceModel", InferenceModel.model_validate)
