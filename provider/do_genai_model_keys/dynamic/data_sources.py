"""Data sources: the model catalogue, the existing keys (metadata only) and inference models.

Each follows Pulumi's convention: `get_x(...)` returns a typed result now, `get_x_output(...)`
takes Inputs and returns an Output of the same result. They run in the program's process with
credentials from the stack config (`digitalocean:*`), then the environment, as the resource does.

The answers themselves are `lookups.answers`, which the plugin's functions share: calls with
the same API arguments share one round of requests per process, and client-side filters and
sorts (`lookups.filtering`) run on the cached list. Results are
the frozen dataclasses of `lookups.records` and `api.models.ModelInfo`, which `pulumi.export`
takes as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pulumi

from ..api.client import GenAIClient
from ..api.config import ClientSettings, settings_from_stack_config
from ..lookups import answers
from ..lookups.answers import clear_cache as clear_cache  # the stable path re-exports it
from ..lookups.filtering import FilterArg, SortArg
from ..lookups.records import GetInferenceModelsResult, GetModelAccessKeysResult, GetModelsResult
from .account import Account


def _settings(client: GenAIClient | None, account: Account | None) -> ClientSettings:
    """The client's settings, else the account's, else the stack config's."""
    if client is not None:
        return client.settings
    return account.settings() if account is not None else _program_settings()


def _program_settings() -> ClientSettings:
    from ..seams.program import config_keys

    return settings_from_stack_config(pulumi.runtime.get_config, config_keys())


# --- get_models ---------------------------------------------------------------------------


def get_models(
    public_only: bool | None = None,
    usecases: Sequence[str] | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
) -> GetModelsResult:
    """The GenAI model catalogue, every page, with the API's filters and client-side ones
    (`lookups.answers.get_models`), asked with `client`, else in `account`, else with the
    stack config's account.

    `usecases` are `MODEL_USECASE_*` names; `filters` and `sorts` work on the fields of
    `ModelInfo`. Use `.lookup(id_or_name)` on the result to pick one model.
    """
    settings = _settings(client, account)
    return answers.get_models(
        public_only, usecases, filters, sorts, client=client, settings=settings
    )


def get_models_output(
    public_only: pulumi.Input[bool | None] = None,
    usecases: pulumi.Input[Sequence[str] | None] = None,
    filters: pulumi.Input[Sequence[FilterArg] | None] = None,
    sorts: pulumi.Input[Sequence[SortArg] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetModelsResult]:
    """`get_models` for Inputs; the answer is an Output."""
    return pulumi.Output.all(public_only, usecases, filters, sorts, _known(account)).apply(
        lambda args: get_models(args[0], args[1], args[2], args[3], account=args[4])
    )


# --- get_model_access_keys ----------------------------------------------------------------


def get_model_access_keys(
    name: str | None = None,
    filters: Sequence[FilterArg] | None = None,
    sorts: Sequence[SortArg] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
) -> GetModelAccessKeysResult:
    """Metadata of the existing model access keys (never a secret), optionally by exact name,
    in `account` (or the stack config's)."""
    settings = _settings(client, account)
    return answers.get_model_access_keys(name, filters, sorts, client=client, settings=settings)


def get_model_access_keys_output(
    name: pulumi.Input[str | None] = None,
    filters: pulumi.Input[Sequence[FilterArg] | None] = None,
    sorts: pulumi.Input[Sequence[SortArg] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetModelAccessKeysResult]:
    """`get_model_access_keys` for Inputs; the answer is an Output."""
    return pulumi.Output.all(name, filters, sorts, _known(account)).apply(
        lambda args: get_model_access_keys(args[0], args[1], args[2], account=args[3])
    )


# --- get_inference_models -----------------------------------------------------------------


def get_inference_models(
    api_key: str,
    kind: str | Sequence[str] | None = None,
    *,
    client: GenAIClient | None = None,
    account: Account | None = None,
) -> GetInferenceModelsResult:
    """The `/v1/models` list as seen by `api_key` (a model access key), and with `kind` only
    the models of that type or types, whose catalogue is read in `account` (or the stack
    config's): `lookups.answers.get_inference_models`."""
    settings = _settings(client, account)
    return answers.get_inference_models(api_key, kind, client=client, settings=settings)


def get_inference_models_output(
    api_key: pulumi.Input[str],
    kind: pulumi.Input[str | Sequence[str] | None] = None,
    *,
    account: Account | None = None,
) -> pulumi.Output[GetInferenceModelsResult]:
    """`get_inference_models` for an Input key; a secret key keeps the result secret."""
    return pulumi.Output.all(api_key, kind, _known(account)).apply(
        lambda args: get_inference_models(args[0], args[1], account=args[2])
    )


def _known(account: Account | None) -> pulumi.Output[Account | None]:
    """The account once its token is known (it may be a secret Output)."""
    if account is None:
        return pulumi.Output.from_input(None)
    return pulumi.Output.from_input(account.token).apply(
        lambda token: dataclasses.replace(account, token=token)
    )
