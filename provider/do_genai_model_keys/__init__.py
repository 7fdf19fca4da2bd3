"""Manage DigitalOcean GenAI model access keys as code with Pulumi.

Public names load lazily (PEP 562), so `import do_genai_model_keys` costs almost nothing and has
no side effects: the Pulumi SDK, httpx and pydantic load when a name that needs them is first used.
`python -m do_genai_model_keys recover` settles an interrupted `pulumi up` (see `recovery`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Account": "do_genai_model_keys.dynamic.account",
    "GenAIClient": "do_genai_model_keys.api.client",
    "ClientSettings": "do_genai_model_keys.api.config",
    "resolve_settings": "do_genai_model_keys.api.config",
    "ModelAccessKey": "do_genai_model_keys.dynamic.resources",
    "ModelAccessKeyArgs": "do_genai_model_keys.dynamic.key_inputs",
    "ModelAccessKeyProvider": "do_genai_model_keys.dynamic.resources",
    "RotatingModelAccessKey": "do_genai_model_keys.dynamic.rotation",
    "get_models": "do_genai_model_keys.dynamic.data_sources",
    "get_models_output": "do_genai_model_keys.dynamic.data_sources",
    "get_model_access_keys": "do_genai_model_keys.dynamic.data_sources",
    "get_model_access_keys_output": "do_genai_model_keys.dynamic.data_sources",
    "get_inference_models": "do_genai_model_keys.dynamic.data_sources",
    "get_inference_models_output": "do_genai_model_keys.dynamic.data_sources",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .api.client import GenAIClient as GenAIClient
    from .api.config import ClientSettings as ClientSettings
    from .api.config import resolve_settings as resolve_settings
    from .dynamic.account import Account as Account
    from .dynamic.data_sources import get_inference_models as get_inference_models
    from .dynamic.data_sources import get_inference_models_output as get_inference_models_output
    from .dynamic.data_sources import get_model_access_keys as get_model_access_keys
    from .dynamic.data_sources import get_model_access_keys_output as get_model_access_keys_output
    from .dynamic.data_sources import get_models as get_models
    from .dynamic.data_sources import get_models_output as get_models_output
    from .dynamic.key_inputs import ModelAccessKeyArgs as ModelAccessKeyArgs
    from .dynamic.resources import ModelAccessKey as ModelAccessKey
    from .dynamic.resources import ModelAccessKeyProvider as ModelAccessKeyProvider
    from .dynamic.rotation import RotatingModelAccessKey as RotatingModelAccessKey


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'do_genai_model_keys' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
