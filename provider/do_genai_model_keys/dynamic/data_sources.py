"""Data sources: the model catalogue, the existing keys (metadata only) and inference models.

Each follows Pulumi's convention: `get_x(...)` returns a typed result now, `get_x_output(...)`
takes Inputs and returns an Output of the same result. They run in the program's process with
credentials from the stack config (`digitalocean:*`), then the environment, as the resource does.

Calls with the same API arguments share one round of requests per program (a per-process
cache); client-side filters and sorts in the manner of DigitalOcean's list data sources (match
exactly, by substring or by regular expression; sort on a field and direction) run on the cached
list. Results are frozen dataclasses, which `pulumi.export` takes as they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

import pulumi

from ..api.client import GenAIClient
from ..api.config import ClientSettings, settings_from_stack_config
from ..api.errors import GenAIError, InvalidArgumentError
from ..api.models import ApiKeyInfo, InferenceModel
from .account import Account
from .model_info import ModelInfo, Record, field_paths, model_info

MatchBy = Literal["exact", "substring", "re", "at_least", "at_most"]
MATCH_BY = ("exact", "substring", "re", "at_least", "at_most")
Direction = Literal["asc", "desc"]

USECASES = (
    "MODEL_USECASE_UNKNOWN",
    "MODEL_USECASE_AGENT",
    "MODEL_USECASE_FINETUNED",
    "MODEL_USECASE_KNOWLEDGEBASE",
    "MODEL_USECASE_GUARDRAIL",
    "MODEL_USECASE_REASONING",
    "MODEL_USECASE_SERVERLESS",
)
"""The `usecases` values the model list accepts (DigitalOcean's `MODEL_USECASE_*` enum)."""


@dataclass(frozen=True, eq=True)
class KeyMetadata(Record):
    """An existing model access key, without its secret (listings never carry one)."""

    uuid: str
    """The key's UUID."""
    name: str
    """The key's name."""
    created_at: str
    """When the key was made (RFC 3339)."""
    created_by: str
    """The id of the user who made it."""


@dataclass(frozen=True, eq=True)
class InferenceModelInfo(Record):
    """A model the given key may call through the serverless inference API."""

    id: str
    """The model id to send in inference requests."""
    created: int
    """Unix seconds."""
    owned_by: str
    """Who provides the model."""
    context_length: int = 0
    """Maximum tokens in (0 when the API does not say)."""
    max_output_tokens: int = 0
    """Maximum tokens out; 0 for models that answer no text (embeddings, rerankers, images)."""
    kind: str = ""
    """The catalogue's `type` for this id (chat, reasoning, embedding, rerank, image, ...);
    filled when `get_inference_models` is asked for a `kind`, "" otherwise."""


@dataclass(frozen=True, eq=True)
class GetModelsResult(Record):
    """The result of `get_models`."""

    models: tuple[ModelInfo, ...]
    """The models that passed every filter, in the requested order."""
    ids: tuple[str, ...]
    """Their ids, in the same order."""

    def lookup(self, id_or_name: str) -> ModelInfo:
        """The model whose id, or else display name, is exactly `id_or_name`."""
        for model in self.models:
            if model.id == id_or_name:
                return model
        for model in self.models:
            if model.name == id_or_name:
                return model
        raise InvalidArgumentError(
            f"no model with id or name {id_or_name!r} among {len(self.models)} models; "
            f"some ids: {', '.join(self.ids[:10])}"
        )


@dataclass(frozen=True, eq=True)
class GetModelAccessKeysResult(Record):
    """The result of `get_model_access_keys`."""

    keys: tuple[KeyMetadata, ...]
    """The keys that passed every filter (metadata only)."""
    uuids: tuple[str, ...]
    """Their UUIDs, in the same order."""


@dataclass(frozen=True, eq=True)
class GetInferenceModelsResult(Record):
    """The result of `get_inference_models`."""

    models: tuple[InferenceModelInfo, ...]
    """The models the key may call."""
    ids: tuple[str, ...]
    """Their ids."""


@dataclass(frozen=True)
class Filter:
    """Keep items whose `key` field matches one of `values` (or all of them, with `all`).

    `key` names a field, or a field of a nested record with a dot (`pricing.input_price_per_
    million`). `match_by`: `exact` (default), `substring`, `re` (a regular expression searched
    in the field), `at_least` or `at_most` (numbers: the field is >= or <= the value). A list
    field (such as `capabilities`) matches when any element does.
    """

    key: str
    values: Sequence[Any]
    match_by: MatchBy = "exact"
    all: bool = False


@dataclass(frozen=True)
class Sort:
    """Order items by the `key` field, `asc` (default) or `desc`."""

    key: str
    direction: Direction = "asc"


FilterArg = Filter | Mapping[str, Any]
SortArg = Sort | Mapping[str, Any]


# --- the per-program cache of API answers ------------------------------------------------------

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


def _settings(client: GenAIClient | None, account: Account | None) -> ClientSettings:
    """The client's settings, else the account's, else the stack config's."""
    if client is not None:
        return client.settings
    return account.settings() if account is not None else _program_settings()


def _program_settings() -> ClientSettings:
    from pulumi.runtime.config import CONFIG, get_config_env

    keys = {*CONFIG.get(), *get_config_env()}
    return settings_from_stack_config(pulumi.runtime.get_config, keys)


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


# --- filtering and sorting ----------------------------------------------------------------


def _as_filter(value: FilterArg, fields_allowed: Sequence[str], argument: str) -> Filter:
    raw = value if isinstance(value, Filter) else Filter(**dict(value))
    if raw.key not in fields_allowed:
        raise InvalidArgumentError(
            f"{argument}: unknown field {raw.key!r}; filterable fields: {', '.join(fields_allowed)}"
        )
    if raw.match_by not in MATCH_BY:
        raise InvalidArgumentError(
            f"{argument}: match_by must be one of {', '.join(map(repr, MATCH_BY))}, "
            f"got {raw.match_by!r}"
        )
    if isinstance(raw.values, str) or not raw.values:
        raise InvalidArgumentError(
            f"{argument}: values must be a non-empty list, got {raw.values!r}"
        )
    if raw.match_by in ("at_least", "at_most") and not all(_is_number(v) for v in raw.values):
        raise InvalidArgumentError(
            f"{argument}: match_by {raw.match_by!r} compares numbers, got {raw.values!r}"
        )
    if raw.match_by == "re":
        import regex

        for pattern in raw.values:
            try:
                regex.compile(str(pattern))
            except regex.error as error:
                raise InvalidArgumentError(
                    f"{argument}: {pattern!r} is not a valid regular expression ({error})"
                ) from None
    return raw


def _as_sort(value: SortArg, fields_allowed: Sequence[str]) -> Sort:
    raw = value if isinstance(value, Sort) else Sort(**dict(value))
    if raw.key not in fields_allowed:
        raise InvalidArgumentError(
            f"sorts: unknown field {raw.key!r}; sortable fields: {', '.join(fields_allowed)}"
        )
    if raw.direction not in ("asc", "desc"):
        raise InvalidArgumentError(
            f"sorts: direction must be 'asc' or 'desc', got {raw.direction!r}"
        )
    return raw


def _one_matches(field_value: Any, wanted: Any, match_by: MatchBy) -> bool:
    if isinstance(field_value, tuple | list):
        return any(_one_matches(v, wanted, match_by) for v in field_value)
    if match_by == "exact":
        return field_value == wanted or str(field_value) == str(wanted)
    if match_by == "substring":
        return str(wanted) in str(field_value)
    if match_by == "at_least":
        return _is_number(field_value) and field_value >= wanted
    if match_by == "at_most":
        return _is_number(field_value) and field_value <= wanted
    return _search(str(wanted), str(field_value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value(item: Record, path: str) -> Any:
    """The field `path` of `item`; a dotted path reaches into nested records."""
    value: Any = item
    for name in path.split("."):
        value = getattr(value, name)
    return value


REGEX_TIMEOUT_SECONDS = 0.5
"""How long one `match_by: "re"` search may take on one value. The `regex` package can stop a
search (the standard `re` cannot, and holds the GIL meanwhile), so a pattern that backtracks
catastrophically is an error naming it instead of a program that hangs."""


def _search(pattern: str, value: str) -> bool:
    import regex

    try:
        return regex.search(pattern, value, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        raise InvalidArgumentError(
            f"filters: the regular expression {pattern!r} took longer than "
            f"{REGEX_TIMEOUT_SECONDS} s on {value[:80]!r} (catastrophic backtracking?): "
            "simplify it, or use match_by 'substring' or 'exact'"
        ) from None


def _passes(item: Record, rule: Filter) -> bool:
    value = _value(item, rule.key)
    results = [_one_matches(value, wanted, rule.match_by) for wanted in rule.values]
    return all(results) if rule.all else any(results)


R = TypeVar("R", bound=Record)


def apply_filters_and_sorts(
    items: Sequence[R],
    filters: Sequence[FilterArg] | None,
    sorts: Sequence[SortArg] | None,
    fields_allowed: Sequence[str],
) -> list[R]:
    """Filter (every filter must pass) then sort (first sort is the primary key)."""
    checked_filters = [_as_filter(f, fields_allowed, "filters") for f in filters or []]
    checked_sorts = [_as_sort(s, fields_allowed) for s in sorts or []]
    kept = [item for item in items if all(_passes(item, f) for f in checked_filters)]
    for rule in reversed(checked_sorts):  # stable sorts, least significant key first
        kept.sort(key=_field_sort_key(rule.key), reverse=rule.direction == "desc")
    return kept


def _field_sort_key(name: str) -> Callable[[Record], tuple[int, Any]]:
    return lambda item: _sort_key(_value(item, name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))


# --- get_models ---------------------------------------------------------------------------

MODEL_FIELDS = field_paths(ModelInfo)
"""What filters and sorts of `get_models` can name, nested fields included."""


def get_models(
    public_only: bool | None = None,
    usecases: Sequence[str] | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
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
    settings = _settings(client, account)
    key = ("models", _fingerprint(settings), public_only, tuple(sorted(chosen)))
    models = _cached(
        key,
        lambda: _using_client(
            settings,
            client,
            lambda c: tuple(
                model_info(m) for m in c.iter_models(public_only=public_only, usecases=chosen)
            ),
        ),
    )
    kept = apply_filters_and_sorts(models, filters, sorts, MODEL_FIELDS)
    return GetModelsResult(models=tuple(kept), ids=tuple(m.id for m in kept))


def get_models_output(
    public_only: pulumi.Input[bool | None] = None,
    usecases: pulumi.Input[Sequence[str] | None] = None,
    filters: pulumi.Input[Sequence[FilterArg] | None] = None,
    sorts: pulumi.Input[Sequence[SortArg] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetModelsResult]:
    """`get_models` for Inputs; the answer is an Output."""
    return pulumi.Output.all(public_only, usecases, filters, sorts, _known(account)).apply(
        lambda args: get_models(args[0], args[1], args[2], args[3], account=args[4])
    )


# --- get_model_access_keys ----------------------------------------------------------------

KEY_FIELDS = tuple(f.name for f in fields(KeyMetadata))


def _key_metadata(key: ApiKeyInfo) -> KeyMetadata:
    return KeyMetadata(
        uuid=key.uuid,
        name=key.name,
        created_at=key.created_at or "",
        created_by=key.created_by or "",
    )


def get_model_access_keys(
    name: str | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
) -> GetModelAccessKeysResult:
    """Metadata of the existing model access keys (never a secret), optionally by exact name."""
    settings = _settings(client, account)
    keys = _cached(
        ("keys", _fingerprint(settings)),
        lambda: _using_client(
            settings, client, lambda c: tuple(_key_metadata(k) for k in c.iter_keys())
        ),
    )
    all_filters = list(filters or [])
    if name is not None:
        all_filters.append(Filter(key="name", values=[name]))
    kept = apply_filters_and_sorts(keys, all_filters, sorts, KEY_FIELDS)
    return GetModelAccessKeysResult(keys=tuple(kept), uuids=tuple(k.uuid for k in kept))


def get_model_access_keys_output(
    name: pulumi.Input[str | None] = None,
    filters: pulumi.Input[Sequence[FilterArg] | None] = None,
    sorts: pulumi.Input[Sequence[SortArg] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetModelAccessKeysResult]:
    """`get_model_access_keys` for Inputs; the answer is an Output."""
    return pulumi.Output.all(name, filters, sorts, _known(account)).apply(
        lambda args: get_model_access_keys(args[0], args[1], args[2], account=args[3])
    )


# --- get_inference_models -----------------------------------------------------------------


def _inference_info(model: InferenceModel) -> InferenceModelInfo:
    return InferenceModelInfo(
        id=model.id,
        created=model.created,
        owned_by=model.owned_by,
        context_length=model.context_length or 0,
        max_output_tokens=model.max_output_tokens or 0,
    )


def get_inference_models(
    api_key: str,
    kind: str | Sequence[str] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
) -> GetInferenceModelsResult:
    """The `/v1/models` list as seen by `api_key` (a model access key): proof that it works,
    and the models it may call (a key made for chosen models sees only those).

    `kind` keeps the models of that type or types (`chat`, `reasoning`, `embedding`, `rerank`,
    `image`, ...). `/v1/models` does not say a model's type, so asking for a kind also reads
    the catalogue (`get_models`, with the API token) and fills each result's `kind` from it."""
    if not isinstance(api_key, str) or not api_key:
        raise InvalidArgumentError("api_key: a model access key secret is required")
    settings = _settings(client, account)
    endpoint, digest = _fingerprint(settings, secret=api_key)
    models = _cached(
        ("inference", endpoint, digest),
        lambda: _using_client(
            settings,
            client,
            lambda c: tuple(_inference_info(m) for m in c.list_inference_models(api_key)),
        ),
    )
    if kind is not None:
        models = _of_kind(models, kind, client, account)
    return GetInferenceModelsResult(models=models, ids=tuple(m.id for m in models))


def _of_kind(
    models: tuple[InferenceModelInfo, ...],
    kind: str | Sequence[str],
    client: GenAIClient | None,
    account: Account | None,
) -> tuple[InferenceModelInfo, ...]:
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if not kinds or not all(isinstance(k, str) and k for k in kinds):
        raise InvalidArgumentError(
            f"kind: a model type such as 'chat' or 'embedding', got {kind!r}"
        )
    try:
        types = {m.id: m.type for m in get_models(client=client, account=account).models}
    except GenAIError as error:
        raise error.within(
            "get_inference_models(kind=...) reads the model catalogue to learn each model's type"
        ) from error
    typed = (dataclasses.replace(m, kind=types.get(m.id, "")) for m in models)
    return tuple(m for m in typed if m.kind in kinds)


def get_inference_models_output(
    api_key: pulumi.Input[str],
    kind: pulumi.Input[str | Sequence[str] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetInferenceModelsResult]:
    """`get_inference_models` for an Input key; a secret key keeps the result secret."""
    return pulumi.Output.all(api_key, kind, _known(account)).apply(
        lambda args: get_inference_models(args[0], args[1], account=args[2])
    )


def _known(account: Account | None) -> pulumi.Output[Account | None]:
    """The account once its token is known (it may be a secret Output)."""
    if account is None:
        return pulumi.Output.from_input(None)
    return pulumi.Output.from_input(account.token).apply(
        lambda token: dataclasses.replace(account, token=token)
    )
