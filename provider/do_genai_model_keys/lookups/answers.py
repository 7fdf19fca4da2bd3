"""The data sources' answers, for both doors (no Pulumi here): the model catalogue, the existing
keys (metadata only) and the models a key may call, with the API's filters and client-side ones.

Each takes the client to ask (or the settings of a short-lived one, closed after). Calls with
the same API arguments share one round of requests per process (a cache keyed by the account's
endpoints and a digest of its token); filters and sorts (`filtering.py`) run on the cached list.
The dynamic door's `get_*` functions (`dynamic/data_sources.py`) resolve the account from a
program's config first; the plugin answers its functions with these, with the client of the
provider's account (`plugin/schema.py` `FUNCTIONS`, which also reads their signatures).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..api.client import GenAIClient
from ..api.config import ClientSettings
from ..api.contract import USECASES
from ..api.errors import GenAIError, InvalidArgumentError
from .filtering import Filter, FilterArg, SortArg, apply_filters_and_sorts
from .records import (
    KEY_FIELDS,
    MODEL_FIELDS,
    GetInferenceModelsResult,
    GetModelAccessKeysResult,
    GetModelsResult,
    InferenceModelInfo,
    inference_model,
    key_metadata,
    of_kind,
)

# --- the per-process cache of API answers ------------------------------------------------------

_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()
_in_flight: dict[tuple[Any, ...], threading.Lock] = {}

T = TypeVar("T")


def _cached(key: tuple[Any, ...], fetch: Callable[[], T]) -> T:
    """One fetch per key per process; concurrent callers of a key wait for the first."""
    with _cache_lock:
        if key in _cache:
            return _cache[key]  # type: ignore[no-any-return]
        lock = _in_flight.setdefault(key, threading.Lock())
    with lock:
        with _cache_lock:
            if key in _cache:
                return _cache[key]  # type: ignore[no-any-return]
        value = fetch()
        with _cache_lock:
            _cache[key] = value
        return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _fingerprint(settings: ClientSettings, secret: str | None = None) -> tuple[str, str]:
    token = secret if secret is not None else settings.require_token().get_secret_value()
    digest = hashlib.sha256(token.encode()).hexdigest()
    return settings.api_endpoint + "|" + settings.inference_endpoint, digest


def _using_client(
    settings: ClientSettings, client: GenAIClient | None, call: Callable[[GenAIClient], T]
) -> T:
    """Run `call` with the caller's client, or with a short-lived one that is closed after."""
    if client is not None:
        return call(client)
    with GenAIClient(settings=settings) as own:
        return call(own)


def _settings(client: GenAIClient | None, settings: ClientSettings | None) -> ClientSettings:
    if settings is not None:
        return settings
    if client is None:
        raise TypeError("a data source needs a client or the settings of one")
    return client.settings


# --- the catalogue ------------------------------------------------------------------------


def get_models(
    public_only: bool | None = None,
    usecases: Sequence[str] | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    settings: ClientSettings | None = None,
) -> GetModelsResult:
    """The GenAI model catalogue, every page, with the API's filters and client-side ones.

    `usecases` are `MODEL_USECASE_*` names; `filters` and `sorts` work on the fields of
    `ModelInfo`. Use `.lookup(id_or_name)` on the result to pick one model.
    """
    chosen = tuple(usecases or ())
    unknown = [u for u in chosen if u not in USECASES]
    if unknown:
        raise InvalidArgumentError(
            f"usecases: unknown value(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(USECASES)}"
        )
    settings = _settings(client, settings)
    key = ("models", _fingerprint(settings), public_only, tuple(sorted(chosen)))
    models = _cached(
        key,
        lambda: _using_client(
            settings,
            client,
            lambda c: tuple(c.iter_models(public_only=public_only, usecases=chosen)),
        ),
    )
    kept = apply_filters_and_sorts(models, filters, sorts, MODEL_FIELDS)
    return GetModelsResult(models=tuple(kept), ids=tuple(m.id for m in kept))


# --- the keys -----------------------------------------------------------------------------


def get_model_access_keys(
    name: str | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    settings: ClientSettings | None = None,
) -> GetModelAccessKeysResult:
    """Metadata of the existing model access keys (never a secret), optionally by exact name."""
    settings = _settings(client, settings)
    keys = _cached(
        ("keys", _fingerprint(settings)),
        lambda: _using_client(
            settings, client, lambda c: tuple(key_metadata(k) for k in c.iter_keys())
        ),
    )
    all_filters = list(filters or [])
    if name is not None:
        all_filters.append(Filter(key="name", values=[name]))
    kept = apply_filters_and_sorts(keys, all_filters, sorts, KEY_FIELDS)
    return GetModelAccessKeysResult(keys=tuple(kept), uuids=tuple(k.uuid for k in kept))


# --- the models a key may call ------------------------------------------------------------


def get_inference_models(
    api_key: str,
    kind: str | Sequence[str] | None = None,
    *,
    client: GenAIClient | None = None,
    settings: ClientSettings | None = None,
) -> GetInferenceModelsResult:
    """The `/v1/models` list as seen by `api_key` (a model access key): proof that it works,
    and the models it may call (a key made for chosen models sees only those).

    `kind` keeps the models of that type or types (`chat`, `reasoning`, `embedding`, `rerank`,
    `image`, ...). `/v1/models` does not say a model's type, so asking for a kind also reads
    the catalogue (`get_models`, with the API token) and fills each result's `kind` from it."""
    if not isinstance(api_key, str) or not api_key:
        raise InvalidArgumentError("api_key: a model access key secret is required")
    settings = _settings(client, settings)
    endpoint, digest = _fingerprint(settings, secret=api_key)
    models = _cached(
        ("inference", endpoint, digest),
        lambda: _using_client(
            settings,
            client,
            lambda c: tuple(inference_model(m) for m in c.list_inference_models(api_key)),
        ),
    )
    if kind is not None:
        models = _of_kind(models, kind, client, settings)
    return GetInferenceModelsResult(models=models, ids=tuple(m.id for m in models))


def _of_kind(
    models: tuple[InferenceModelInfo, ...],
    kind: str | Sequence[str],
    client: GenAIClient | None,
    settings: ClientSettings,
) -> tuple[InferenceModelInfo, ...]:
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if not kinds or not all(isinstance(k, str) and k for k in kinds):
        raise InvalidArgumentError(
            f"kind: a model type such as 'chat' or 'embedding', got {kind!r}"
        )
    try:
        types = {m.id: m.type for m in get_models(client=client, settings=settings).models}
    except GenAIError as error:
        raise error.within(
            "get_inference_models(kind=...) reads the model catalogue to learn each model's type"
        ) from error
    typed = (of_kind(m, types.get(m.id, "")) for m in models)
    return tuple(m for m in typed if m.kind in kinds)
