"""The public surface is drawn and the layers hold: what users import is in `__all__`, every
error is a `GenAIError`, the core imports nothing of Pulumi, and `Account` offers exactly the
settings `ClientSettings` declares."""

from __future__ import annotations

import inspect
import subprocess
import sys
from dataclasses import fields

import do_genai_model_keys
import pytest
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.config import FIELDS, STACK_CONFIG_KEYS

USERS_IMPORT = {
    # resources
    "ModelAccessKey",
    "ModelAccessKeyArgs",
    "ModelAccessKeyProvider",
    "RotatingModelAccessKey",
    "Account",
    # data sources, their records, filters and sorts
    "get_models",
    "get_models_output",
    "get_model_access_keys",
    "get_model_access_keys_output",
    "get_inference_models",
    "get_inference_models_output",
    "Filter",
    "Sort",
    "GetModelsResult",
    "GetModelAccessKeysResult",
    "GetInferenceModelsResult",
    "ModelInfo",
    "KeyMetadata",
    "InferenceModelInfo",
    # the client on its own
    "GenAIClient",
    "ClientSettings",
    "resolve_settings",
}


def test_all_holds_what_users_import_and_every_name_loads() -> None:
    public = set(do_genai_model_keys.__all__)
    assert public >= USERS_IMPORT, USERS_IMPORT - public
    for name in do_genai_model_keys.__all__:
        assert getattr(do_genai_model_keys, name) is not None, name


def test_every_error_class_is_exported_and_is_a_genai_error() -> None:
    from do_genai_model_keys.commands.inventory import InventoryError

    classes = {
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, Exception) and obj.__module__ == errors.__name__
    } | {InventoryError}
    assert len(classes) >= 19
    for cls in classes:
        assert issubclass(cls, errors.GenAIError), cls
        assert getattr(do_genai_model_keys, cls.__name__) is cls, cls.__name__
        assert cls.__name__ in do_genai_model_keys.__all__


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, do_genai_model_keys; "
        "print(sorted(m for m in ('pulumi', 'httpx', 'pydantic') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "modules",
    [
        "do_genai_model_keys.api.client, do_genai_model_keys.api.decoding",
        "do_genai_model_keys.keys.store, do_genai_model_keys.keys.secret_checks",
        "do_genai_model_keys.lookups.records, do_genai_model_keys.lookups.filtering",
    ],
)
def test_the_core_imports_nothing_of_pulumi(modules: str) -> None:
    """A second front door (a provider plugin) sits on the same core: it must not need the
    dynamic provider's SDK parts to load."""
    code = f"import sys, {modules}; print('pulumi' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_an_account_offers_exactly_the_declared_settings() -> None:
    """`ClientSettings` declares the settings once; `Account` keeps typed keyword fields for
    editors, and they must be the same names (a new setting cannot be forgotten there)."""
    own = tuple(f.name for f in fields(do_genai_model_keys.Account))
    assert own == FIELDS
    assert len(STACK_CONFIG_KEYS) == len(FIELDS)
    assert all(key.startswith("digitalocean:") for key in STACK_CONFIG_KEYS)
