"""Typed views of DigitalOcean's answers.

Response models accept unknown fields (`extra="allow"`): the model object has grown many fields
since 2025 and a new server field must never break parsing. Secrets are `SecretStr`, so a key
printed by accident shows `**********`.

A catalogue model is typed once, as the record `get_models` hands a program (`ModelInfo`, a
frozen dataclass: `pulumi.export` takes it as it is): answers are validated straight into it
(`catalogue_model`), unknown fields dropped, a property an answer leaves out or sends as null
read as 0, "" or empty, never as a missing attribute, numbers as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Annotated, Any, get_type_hints

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
    TypeAdapter,
    field_validator,
)


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class ApiKeyInfo(_Response):
    """A model access key. `secret_key` is set only in create and regenerate answers."""

    uuid: str
    """The key's identifier; it never changes, not even on regenerate."""
    name: str = ""
    """The key's display name; DigitalOcean does not require names to be unique."""
    created_at: str | None = None
    """When the key was made (RFC 3339)."""
    created_by: str | None = None
    """The id of the user who made it (a number sent as a string)."""
    deleted_at: str | None = None
    """Set in the answer to a delete."""
    secret_key: SecretStr | None = None
    """The bearer secret apps send to the inference API; shown once."""

    @field_validator("created_by", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None


class InferenceModel(_Response):
    """One entry of the serverless inference list (`GET /v1/models`)."""

    id: str
    """The model id to send in `/v1/chat/completions`."""
    object: str = "model"
    created: int = 0
    """Unix seconds."""
    owned_by: str = ""
    context_length: int | None = None
    """Maximum tokens in (not in the spec; the live API sends it)."""
    max_output_tokens: int | None = None
    """Maximum tokens out; 0 for models that answer no text (not in the spec; the live API
    sends it)."""


# --- the model catalogue ------------------------------------------------------------------


def _whole_or_zero(value: Any) -> Any:
    """A context window as the API sends it: a whole number, or one written as text. Text that
    is no whole number (`"128k"`) reads as 0, "the API does not say", rather than failing the
    catalogue; anything else (a fraction, a list, `true`) is an answer we cannot read."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError("context_window must be a whole number or its text")
    try:
        return int(value)
    except ValueError:
        return 0


class Record:
    """Results are plain frozen dataclasses: `pulumi.export` takes an object's public
    attributes as a map (anything iterable would become a list), so they export as they are."""


@dataclass(frozen=True)
class Pricing(Record):
    """US dollars per million tokens, or per image, second, ... where the name says so; 0 where
    the model has no such price."""

    input_price_per_million: float = 0.0
    output_price_per_million: float = 0.0
    reasoning_price_per_million: float = 0.0
    text_input_price_per_million: float = 0.0
    text_output_price_per_million: float = 0.0
    text_cache_read_input_price_per_million: float = 0.0
    cache_read_input_price_per_million: float = 0.0
    cache_write_5m_input_price_per_million: float = 0.0
    cache_write_1h_input_price_per_million: float = 0.0
    input_cache_read: float = 0.0
    image_input_price_per_million: float = 0.0
    image_output_price_per_million: float = 0.0
    image_cache_read_input_price_per_million: float = 0.0
    price_per_image: float = 0.0
    price_per_megapixel: float = 0.0
    price_per_audio: float = 0.0
    price_per_second: float = 0.0
    price_per_thousand_characters: float = 0.0
    price_per_video: float = 0.0


@dataclass(frozen=True)
class Modalities(Record):
    input: tuple[str, ...] = ()
    """What the model takes: text, image, ..."""
    output: tuple[str, ...] = ()
    """What it gives: text, image, embedding, ..."""


@dataclass(frozen=True)
class Endpoint(Record):
    endpoint: str = ""
    """The inference path that serves the model, e.g. `/v1/chat/completions`."""
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setting(Record):
    """A playground setting: a number from `min` to `max` by `step`, or one of `options`."""

    name: str = ""
    type: str = ""
    min: float = 0.0
    max: float = 0.0
    step: float = 0.0
    default_value: float = 0.0
    default_string: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agreement(Record):
    """The terms a model is used under."""

    uuid: str = ""
    name: str = ""
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class Version(Record):
    major: int = 0
    minor: int = 0
    patch: int = 0


@dataclass(frozen=True, eq=True)
class ModelInfo(Record):
    """One model of the catalogue, with every property the API documents."""

    uuid: str = ""
    """The model's unique id."""
    id: str = ""
    """The id sent in inference requests, e.g. `llama3.3-70b-instruct`."""
    name: str = ""
    """The display name."""
    provider: str = ""
    """`MODEL_PROVIDER_DIGITALOCEAN`, `_ANTHROPIC` or `_OPENAI`."""
    is_foundational: bool = False
    """True for foundation models provided by DigitalOcean."""
    context_window: Annotated[int, BeforeValidator(_whole_or_zero)] = 0
    """Maximum tokens (0 when the API does not say)."""
    capabilities: tuple[str, ...] = ()
    """Capabilities such as inference, reasoning or vectorization."""
    lifecycle_status: str = ""
    """active, deprecated, public-preview, ..."""
    type: str = ""
    """chat, embedding, image, reasoning, coding, ..."""
    created_at: str = ""
    """When the model was added (RFC 3339)."""
    updated_at: str = ""
    """When the model was last changed (RFC 3339)."""
    description: str = ""
    model_availability: str = ""
    """serverless, dedicated, ..."""
    parameter_count: float = 0.0
    """Parameters, in billions (0 when the provider does not say)."""
    pricing: Pricing = Pricing()
    modalities: Modalities = Modalities()
    endpoints: tuple[Endpoint, ...] = ()
    reasoning_efforts: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    thinking: bool = False
    """Whether the model supports extended thinking (Anthropic models)."""
    agreement: Agreement = Agreement()
    benchmark_score: dict[str, Any] = field(default_factory=dict, hash=False)
    """Benchmark scores, as arbitrary JSON."""
    kb_default_chunk_size: int = 0
    kb_max_chunk_size: int = 0
    kb_min_chunk_size: int = 0
    parent_uuid: str = ""
    """The model this one is based on, if any."""
    url: str = ""
    upload_complete: bool = False
    version: Version = Version()


def catalogue_model(item: Any) -> ModelInfo:
    """One model of a catalogue answer, as its record; raises pydantic's `ValidationError` for
    a property of the wrong kind (the client turns it into an `UnexpectedResponseError`)."""
    return _catalogue_adapter().validate_python(_without_nulls(item, ModelInfo))


@cache
def _catalogue_adapter() -> TypeAdapter[ModelInfo]:
    return TypeAdapter(ModelInfo)


def _without_nulls(value: Any, record: type) -> Any:
    """An object of the answer without the nulls of `record`'s own properties (and of its
    nested records'), so that each takes its default; what a property holds as arbitrary JSON
    (`benchmark_score`) stays as sent."""
    if not isinstance(value, dict):
        return value
    nested = _nested_records(record)
    kept = {}
    for name, item in value.items():
        if item is None:
            continue
        inner = nested.get(name)
        if inner is not None and isinstance(item, list):
            item = [_without_nulls(element, inner) for element in item]
        elif inner is not None:
            item = _without_nulls(item, inner)
        kept[name] = item
    return kept


@cache
def _nested_records(record: type) -> dict[str, type]:
    """`record`'s fields that hold a record, or a tuple of them: name -> that record's type."""
    found = {}
    for name, kind in get_type_hints(record).items():
        inner = next(iter(getattr(kind, "__args__", ())), kind)
        if isinstance(inner, type) and is_dataclass(inner):
            found[name] = inner
    return found


def _field_names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


def field_paths(record: type, prefix: str = "") -> tuple[str, ...]:
    """Every field of `record` a filter or a sort can name: top-level ones, and the fields of
    nested records as `outer.inner` (`pricing.input_price_per_million`)."""
    hints = get_type_hints(record)
    paths: list[str] = []
    for name in _field_names(record):
        paths.append(prefix + name)
        kind = hints[name]
        if isinstance(kind, type) and is_dataclass(kind):
            paths.extend(field_paths(kind, f"{prefix}{name}."))
    return tuple(paths)
