"""The catalogue's models as `get_models` hands them to a program: typed, frozen records.

Every property DigitalOcean documents for a model is here, numbers as numbers (a price is a
float, the context window an int), so a program can filter and sort on them, nested fields
included (`pricing.input_price_per_million`). A property an answer leaves out reads as 0, "" or
empty, never as a missing attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_type_hints

from ..api.models import Model, ModelPricing


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

    uuid: str
    """The model's unique id."""
    id: str
    """The id sent in inference requests, e.g. `llama3.3-70b-instruct`."""
    name: str
    """The display name."""
    provider: str
    """`MODEL_PROVIDER_DIGITALOCEAN`, `_ANTHROPIC` or `_OPENAI`."""
    is_foundational: bool
    """True for foundation models provided by DigitalOcean."""
    context_window: int
    """Maximum tokens (0 when the API does not say)."""
    capabilities: tuple[str, ...]
    """Capabilities such as inference, reasoning or vectorization."""
    lifecycle_status: str
    """active, deprecated, public-preview, ..."""
    type: str
    """chat, embedding, image, reasoning, coding, ..."""
    created_at: str
    """When the model was added (RFC 3339)."""
    updated_at: str
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


def model_info(model: Model) -> ModelInfo:
    """The record of one model of an answer."""
    try:
        window = int(model.context_window or 0)
    except ValueError:
        window = 0
    modalities = model.modalities
    agreement = model.agreement
    version = model.version
    return ModelInfo(
        uuid=model.uuid,
        id=model.id,
        name=model.name,
        provider=model.provider or "",
        is_foundational=bool(model.is_foundational),
        context_window=window,
        capabilities=tuple(model.capabilities),
        lifecycle_status=model.lifecycle_status or "",
        type=model.type or "",
        created_at=model.created_at or "",
        updated_at=model.updated_at or "",
        description=model.description or "",
        model_availability=model.model_availability or "",
        parameter_count=float(model.parameter_count or 0),
        pricing=_pricing(model.pricing),
        modalities=Modalities(
            input=tuple(modalities.input) if modalities else (),
            output=tuple(modalities.output) if modalities else (),
        ),
        endpoints=tuple(
            Endpoint(endpoint=e.endpoint, capabilities=tuple(e.capabilities))
            for e in model.endpoints
        ),
        reasoning_efforts=tuple(model.reasoning_efforts),
        settings=tuple(
            Setting(
                name=s.name,
                type=s.type,
                min=s.min or 0.0,
                max=s.max or 0.0,
                step=s.step or 0.0,
                default_value=s.default_value or 0.0,
                default_string=s.default_string,
                options=tuple(s.options),
            )
            for s in model.settings
        ),
        thinking=bool(model.thinking),
        agreement=Agreement(
            uuid=agreement.uuid,
            name=agreement.name,
            description=agreement.description,
            url=agreement.url,
        )
        if agreement
        else Agreement(),
        benchmark_score=dict(model.benchmark_score),
        kb_default_chunk_size=model.kb_default_chunk_size or 0,
        kb_max_chunk_size=model.kb_max_chunk_size or 0,
        kb_min_chunk_size=model.kb_min_chunk_size or 0,
        parent_uuid=model.parent_uuid or "",
        url=model.url or "",
        upload_complete=bool(model.upload_complete),
        version=Version(
            major=version.major or 0, minor=version.minor or 0, patch=version.patch or 0
        )
        if version
        else Version(),
    )


def _pricing(pricing: ModelPricing | None) -> Pricing:
    if pricing is None:
        return Pricing()
    given = {name: getattr(pricing, name) for name in _field_names(Pricing)}
    return Pricing(**{name: float(value) for name, value in given.items() if value is not None})


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
