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


class Model(_Response):
    """One entry of the GenAI model catalogue (`GET /v2/gen-ai/models`)."""

    uuid: str = ""
    """The model's unique id."""
    id: str = ""
    """The human-readable id used in inference requests, e.g. `llama3.3-70b-instruct`."""
    name: str = ""
    """The display name."""
    provider: str | None = None
    """`MODEL_PROVIDER_DIGITALOCEAN`, `MODEL_PROVIDER_ANTHROPIC` or `MODEL_PROVIDER_OPENAI`."""
    is_foundational: bool | None = None
    """True for foundation models provided by DigitalOcean."""
    context_window: str | None = None
    """Maximum tokens, as the API sends it (a string)."""
    capabilities: list[str] = Field(default_factory=list)
    """Capabilities such as inference, reasoning or vectorization."""
    lifecycle_status: str | None = None
    """internal, public-preview, active, deprecated or end_of_life."""
    type: str | None = None
    """The model type as the API names it."""
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
