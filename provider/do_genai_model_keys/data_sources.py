"""Kept for programs written before the layout move: `from do_genai_model_keys.data_sources
import Filter, Sort, get_models` still works. New code imports from `do_genai_model_keys`."""

from __future__ import annotations

from .api.models import ModelInfo
from .dynamic.data_sources import (
    clear_cache,
    get_inference_models,
    get_inference_models_output,
    get_model_access_keys,
    get_model_access_keys_output,
    get_models,
    get_models_output,
)
from .lookups.filtering import Filter, Sort, apply_filters_and_sorts
from .lookups.records import (
    GetInferenceModelsResult,
    GetModelAccessKeysResult,
    GetModelsResult,
    InferenceModelInfo,
    KeyMetadata,
)

__all__ = [
    "Filter",
    "GetInferenceModelsResult",
    "GetModelAccessKeysResult",
    "GetModelsResult",
    "InferenceModelInfo",
    "KeyMetadata",
    "ModelInfo",
    "Sort",
    "apply_filters_and_sorts",
    "clear_cache",
    "get_inference_models",
    "get_inference_models_output",
    "get_model_access_keys",
    "get_model_access_keys_output",
    "get_models",
    "get_models_output",
]
