"""Typed views of DigitalOcean's answers.

Response models accept unknown fields (`extra="allow"`): the model object has grown many fields
since 2025 and a new server field must never break parsing. Secrets are `SecretStr`, so a key
printed by accident shows `**********`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


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


class ModelVersion(_Response):
    major: int | None = None
    minor: int | None = None
    patch: int | None = None


class ModelPricing(_Response):
    """US dollars per million tokens (or per image, second, ... where the field says so)."""

    cache_read_input_price_per_million: float | None = None
    cache_write_1h_input_price_per_million: float | None = None
    cache_write_5m_input_price_per_million: float | None = None
    image_cache_read_input_price_per_million: float | None = None
    image_input_price_per_million: float | None = None
    image_output_price_per_million: float | None = None
    input_cache_read: float | None = None
    input_price_per_million: float | None = None
    output_price_per_million: float | None = None
    price_per_audio: float | None = None
    price_per_image: float | None = None
    price_per_megapixel: float | None = None
    price_per_second: float | None = None
    price_per_thousand_characters: float | None = None
    price_per_video: float | None = None
    reasoning_price_per_million: float | None = None
    text_cache_read_input_price_per_million: float | None = None
    text_input_price_per_million: float | None = None
    text_output_price_per_million: float | None = None


class ModelModalities(_Response):
    input: list[str] = Field(default_factory=list)
    output: list[str] = Field(default_factory=list)


class ModelEndpoint(_Response):
    endpoint: str = ""
    capabilities: list[str] = Field(default_factory=list)


class ModelSetting(_Response):
    """A playground setting: a number in [min, max] by step, or one of `options`."""

    name: str = ""
    type: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    default_value: float | None = None
    default_string: str = ""
    options: list[str] = Field(default_factory=list)


class ModelAgreement(_Response):
    uuid: str = ""
    name: str = ""
    description: str = ""
    url: str = ""


class Model(_Response):
    """One entry of the GenAI model catalogue (`GET /v2/gen-ai/models`): every documented
    property, each optional (an answer may leave any out)."""

    uuid: str = ""
    """The model's unique id."""
    id: str = ""
    """The human-readable id used in inference requests, e.g. `llama3.3-70b-instruct`."""
    name: str = ""
    """The display name."""
    description: str | None = None
    provider: str | None = None
    """`MODEL_PROVIDER_DIGITALOCEAN`, `MODEL_PROVIDER_ANTHROPIC` or `MODEL_PROVIDER_OPENAI`."""
    is_foundational: bool | None = None
    """True for foundation models provided by DigitalOcean."""
    context_window: str | None = None
    """Maximum tokens, as the API sends it (a string)."""
    parameter_count: float | None = None
    capabilities: list[str] = Field(default_factory=list)
    """Capabilities such as inference, reasoning or vectorization."""
    lifecycle_status: str | None = None
    """internal, public-preview, active, deprecated or end_of_life."""
    type: str | None = None
    """chat, embedding, image, reasoning, coding, ..."""
    model_availability: str | None = None
    """serverless, dedicated, ..."""
    modalities: ModelModalities | None = None
    pricing: ModelPricing | None = None
    endpoints: list[ModelEndpoint] = Field(default_factory=list)
    reasoning_efforts: list[str] = Field(default_factory=list)
    settings: list[ModelSetting] = Field(default_factory=list)
    thinking: bool | None = None
    agreement: ModelAgreement | None = None
    benchmark_score: dict[str, Any] = Field(default_factory=dict)
    kb_default_chunk_size: int | None = None
    kb_max_chunk_size: int | None = None
    kb_min_chunk_size: int | None = None
    parent_uuid: str | None = None
    url: str | None = None
    upload_complete: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: ModelVersion | None = None

    @field_validator("context_window", mode="before")
    @classmethod
    def _window_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


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
