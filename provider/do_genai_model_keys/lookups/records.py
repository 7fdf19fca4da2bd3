"""The records the data sources return: frozen dataclasses, which `pulumi.export` takes as they
are. A catalogue model is `api.models.ModelInfo` (typed once, where answers are validated); the
records here are a key's metadata, an inference model and each lookup's result."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

from ..api.errors import InvalidArgumentError
from ..api.models import ApiKeyInfo, InferenceModel, ModelInfo, Record, field_paths


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


MODEL_FIELDS = field_paths(ModelInfo)
"""What filters and sorts of `get_models` can name, nested fields included."""
KEY_FIELDS = tuple(f.name for f in fields(KeyMetadata))
"""What filters and sorts of `get_model_access_keys` can name."""


def key_metadata(key: ApiKeyInfo) -> KeyMetadata:
    """A listed key's record: its metadata, never a secret."""
    return KeyMetadata(
        uuid=key.uuid,
        name=key.name,
        created_at=key.created_at or "",
        created_by=key.created_by or "",
    )


def inference_model(model: InferenceModel) -> InferenceModelInfo:
    """One entry of `/v1/models`, as its record."""
    return InferenceModelInfo(
        id=model.id,
        created=model.created,
        owned_by=model.owned_by,
        context_length=model.context_length or 0,
        max_output_tokens=model.max_output_tokens or 0,
    )


def of_kind(model: InferenceModelInfo, kind: str) -> InferenceModelInfo:
    """The record with the catalogue's type for its id filled in."""
    return dataclasses.replace(model, kind=kind)
