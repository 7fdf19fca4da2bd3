"""Manage DigitalOcean GenAI model access keys as code with Pulumi.

What users import is here, and only here: `__all__` below is the public surface (resources, data
sources and their records, `Filter` and `Sort`, `Account`, the client and every error class).
The subpackages are internal and may change between releases: `api` (the DigitalOcean API),
`keys` (the key rules), `lookups` (the data sources' records, filters and sorts), `dynamic` (the
Pulumi front for Python programs) and `commands`; `emulator` is public in its own right
(`do_genai_model_keys.emulator.Emulator` and its pytest plugin).

Public names load lazily (PEP 562), so `import do_genai_model_keys` costs almost nothing and has
no side effects: the Pulumi SDK, httpx and pydantic load when a name that needs them is first used.
`python -m do_genai_model_keys recover` settles an interrupted `pulumi up` (`commands.recovery`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    # Resources
    "ModelAccessKey": "do_genai_model_keys.dynamic.resources",
    "ModelAccessKeyArgs": "do_genai_model_keys.lifecycle.inputs",
    "ModelAccessKeyProvider": "do_genai_model_keys.dynamic.resources",
    "RotatingModelAccessKey": "do_genai_model_keys.dynamic.rotation",
    "Account": "do_genai_model_keys.dynamic.account",
    # Data sources and their records
    "get_models": "do_genai_model_keys.dynamic.data_sources",
    "get_models_output": "do_genai_model_keys.dynamic.data_sources",
    "get_model_access_keys": "do_genai_model_keys.dynamic.data_sources",
    "get_model_access_keys_output": "do_genai_model_keys.dynamic.data_sources",
    "get_inference_models": "do_genai_model_keys.dynamic.data_sources",
    "get_inference_models_output": "do_genai_model_keys.dynamic.data_sources",
    "Filter": "do_genai_model_keys.lookups.filtering",
    "Sort": "do_genai_model_keys.lookups.filtering",
    "GetModelsResult": "do_genai_model_keys.lookups.records",
    "GetModelAccessKeysResult": "do_genai_model_keys.lookups.records",
    "GetInferenceModelsResult": "do_genai_model_keys.lookups.records",
    "ModelInfo": "do_genai_model_keys.api.models",
    "Pricing": "do_genai_model_keys.api.models",
    "Modalities": "do_genai_model_keys.api.models",
    "Endpoint": "do_genai_model_keys.api.models",
    "Setting": "do_genai_model_keys.api.models",
    "Agreement": "do_genai_model_keys.api.models",
    "Version": "do_genai_model_keys.api.models",
    "KeyMetadata": "do_genai_model_keys.lookups.records",
    "InferenceModelInfo": "do_genai_model_keys.lookups.records",
    # The client on its own
    "GenAIClient": "do_genai_model_keys.api.client",
    "ClientSettings": "do_genai_model_keys.api.config",
    "resolve_settings": "do_genai_model_keys.api.config",
    "ApiKeyInfo": "do_genai_model_keys.api.models",
    "InferenceModel": "do_genai_model_keys.api.models",
    # Errors: every one is a GenAIError
    "GenAIError": "do_genai_model_keys.api.errors",
    "ConfigurationError": "do_genai_model_keys.api.errors",
    "InvalidArgumentError": "do_genai_model_keys.api.errors",
    "KeyLookupError": "do_genai_model_keys.api.errors",
    "SecretNotReadyError": "do_genai_model_keys.api.errors",
    "DeletionProtectedError": "do_genai_model_keys.api.errors",
    "UnexpectedResponseError": "do_genai_model_keys.api.errors",
    "TransportError": "do_genai_model_keys.api.errors",
    "ConnectionFailedError": "do_genai_model_keys.api.errors",
    "RequestTimeoutError": "do_genai_model_keys.api.errors",
    "ResponseLostError": "do_genai_model_keys.api.errors",
    "APIStatusError": "do_genai_model_keys.api.errors",
    "BadRequestError": "do_genai_model_keys.api.errors",
    "AuthenticationError": "do_genai_model_keys.api.errors",
    "PermissionDeniedError": "do_genai_model_keys.api.errors",
    "NotFoundError": "do_genai_model_keys.api.errors",
    "CreationRetiredError": "do_genai_model_keys.api.errors",
    "UnprocessableEntityError": "do_genai_model_keys.api.errors",
    "RateLimitError": "do_genai_model_keys.api.errors",
    "ServerError": "do_genai_model_keys.api.errors",
    "InventoryError": "do_genai_model_keys.commands.backend",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .api.client import GenAIClient as GenAIClient
    from .api.config import ClientSettings as ClientSettings
    from .api.config import resolve_settings as resolve_settings
    from .api.errors import APIStatusError as APIStatusError
    from .api.errors import AuthenticationError as AuthenticationError
    from .api.errors import BadRequestError as BadRequestError
    from .api.errors import ConfigurationError as ConfigurationError
    from .api.errors import ConnectionFailedError as ConnectionFailedError
    from .api.errors import CreationRetiredError as CreationRetiredError
    from .api.errors import DeletionProtectedError as DeletionProtectedError
    from .api.errors import GenAIError as GenAIError
    from .api.errors import InvalidArgumentError as InvalidArgumentError
    from .api.errors import KeyLookupError as KeyLookupError
    from .api.errors import NotFoundError as NotFoundError
    from .api.errors import PermissionDeniedError as PermissionDeniedError
    from .api.errors import RateLimitError as RateLimitError
    from .api.errors import RequestTimeoutError as RequestTimeoutError
    from .api.errors import ResponseLostError as ResponseLostError
    from .api.errors import SecretNotReadyError as SecretNotReadyError
    from .api.errors import ServerError as ServerError
    from .api.errors import TransportError as TransportError
    from .api.errors import UnexpectedResponseError as UnexpectedResponseError
    from .api.errors import UnprocessableEntityError as UnprocessableEntityError
    from .api.models import Agreement as Agreement
    from .api.models import ApiKeyInfo as ApiKeyInfo
    from .api.models import Endpoint as Endpoint
    from .api.models import InferenceModel as InferenceModel
    from .api.models import Modalities as Modalities
    from .api.models import ModelInfo as ModelInfo
    from .api.models import Pricing as Pricing
    from .api.models import Setting as Setting
    from .api.models import Version as Version
    from .commands.backend import InventoryError as InventoryError
    from .dynamic.account import Account as Account
    from .dynamic.data_sources import get_inference_models as get_inference_models
    from .dynamic.data_sources import get_inference_models_output as get_inference_models_output
    from .dynamic.data_sources import get_model_access_keys as get_model_access_keys
    from .dynamic.data_sources import get_model_access_keys_output as get_model_access_keys_output
    from .dynamic.data_sources import get_models as get_models
    from .dynamic.data_sources import get_models_output as get_models_output
    from .dynamic.resources import ModelAccessKey as ModelAccessKey
    from .dynamic.resources import ModelAccessKeyProvider as ModelAccessKeyProvider
    from .dynamic.rotation import RotatingModelAccessKey as RotatingModelAccessKey
    from .lifecycle.inputs import ModelAccessKeyArgs as ModelAccessKeyArgs
    from .lookups.filtering import Filter as Filter
    from .lookups.filtering import Sort as Sort
    from .lookups.records import GetInferenceModelsResult as GetInferenceModelsResult
    from .lookups.records import GetModelAccessKeysResult as GetModelAccessKeysResult
    from .lookups.records import GetModelsResult as GetModelsResult
    from .lookups.records import InferenceModelInfo as InferenceModelInfo
    from .lookups.records import KeyMetadata as KeyMetadata


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'do_genai_model_keys' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
