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
        "do_genai_model_keys.lookups.answers",
        "do_genai_model_keys.lifecycle.key, do_genai_model_keys.lifecycle.rules",
        "do_genai_model_keys.lifecycle.runtime, do_genai_model_keys.keys.holds",
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


def test_the_import_paths_the_readme_gave_before_the_layout_move_still_work() -> None:
    from do_genai_model_keys.data_sources import Filter, Sort, get_models
    from do_genai_model_keys.errors import GenAIError, NotFoundError
    from do_genai_model_keys.keys import KeyStore
    from do_genai_model_keys.recovery import recover_pending_creates, restore_truncated_checkpoint
    from do_genai_model_keys.resources import ModelAccessKeyProvider

    assert Filter is do_genai_model_keys.Filter
    assert Sort is do_genai_model_keys.Sort
    assert get_models is do_genai_model_keys.get_models
    assert NotFoundError is do_genai_model_keys.NotFoundError
    assert issubclass(NotFoundError, GenAIError)
    assert callable(KeyStore)
    assert callable(recover_pending_creates)
    assert callable(restore_truncated_checkpoint)
    assert ModelAccessKeyProvider is do_genai_model_keys.ModelAccessKeyProvider


def test_which_api_a_path_is_for_is_decided_by_the_contract() -> None:
    from do_genai_model_keys.api.contract import (
        CHAT_COMPLETIONS_PATH,
        INFERENCE_MODELS_PATH,
        KEYS_PATH,
        MODELS_PATH,
        api_of,
        key_path,
    )

    for path in (KEYS_PATH, MODELS_PATH, key_path("3f2b6a4e-1111-4c2d-9e8f-0123456789ab")):
        assert api_of(path) == "control"
    for path in (INFERENCE_MODELS_PATH, CHAT_COMPLETIONS_PATH):
        assert api_of(path) == "inference"


def test_key_outputs_read_a_state_of_an_earlier_release_and_take_fresh_metadata() -> None:
    from do_genai_model_keys.api.models import ApiKeyInfo
    from do_genai_model_keys.lifecycle.outputs import KeyOutputs

    old = {"uuid": "u", "name": "web", "secret_key": "s", "created_at": None, "secret_version": 2}
    held = KeyOutputs.held(old)
    assert (held.secret_key, held.created_at, held.rotated_at, held.secret_version) == (
        "s",
        "",
        "",
        2,
    )
    listed = ApiKeyInfo(uuid="u", name="renamed", created_at="2026-01-01T00:00:00Z")
    fresh = held.described(listed)
    assert (fresh.name, fresh.created_at, fresh.secret_key) == ("renamed", listed.created_at, "s")
    assert fresh.issued("t", "2026-02-01T00:00:00Z").secret_key == "t"


def test_a_catalogue_model_is_read_as_the_record_users_get() -> None:
    import pydantic
    from do_genai_model_keys.api.models import catalogue_model

    model = catalogue_model(
        {
            "id": "m",
            "context_window": "131072",
            "unknown_field": 1,
            "description": None,
            "pricing": {"input_price_per_million": 3},
            "benchmark_score": {"a": None},
        }
    )
    assert (model.context_window, model.description) == (131072, "")
    assert model.pricing.input_price_per_million == 3.0
    assert model.benchmark_score == {"a": None}  # arbitrary JSON stays as sent
    assert catalogue_model({"id": "m", "context_window": "128k"}).context_window == 0
    for odd in (1.5, [1], True, float("inf")):
        with pytest.raises(pydantic.ValidationError):
            catalogue_model({"id": "m", "context_window": odd})
