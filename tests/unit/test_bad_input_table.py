"""The bad-input table: every case names the field or cause and the fix, and none
echoes a secret. docs/errors.md shows the same table."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api.config import resolve_settings
from do_genai_model_keys.api.errors import GenAIError
from do_genai_model_keys.dynamic import data_sources
from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider, check_inputs
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.lifecycle import runtime
from support.emulators import emulator_client, fault
from support.secrets import secret_absent

TOKEN = "tok-Table-Secret-123"
SECRET = "sk-do-emu-table-secret"


def check_failure(olds: dict, news: dict) -> str:
    failures = check_inputs(olds, news)
    assert len(failures) == 1
    return f"{failures[0].property}: {failures[0].reason}"


def config_failure(**env: str) -> str:
    with pytest.raises(GenAIError) as caught:
        resolve_settings(environ={"DIGITALOCEAN_TOKEN": TOKEN, **env}).require_token()
    return str(caught.value)


def missing_token() -> str:
    with pytest.raises(GenAIError) as caught:
        resolve_settings(environ={}).require_token()
    return str(caught.value)


RESOURCE_AND_CONFIG: list[tuple[str, Callable[[], str], list[str]]] = [
    ("empty name", lambda: check_failure({}, {"name": ""}), ["name", "must not be empty"]),
    ("blank name", lambda: check_failure({}, {"name": "  "}), ["name", "whitespace"]),
    ("long name", lambda: check_failure({}, {"name": "n" * 300}), ["name", "the most is 255"]),
    (
        "version text",
        lambda: check_failure({}, {"name": "a", "secret_version": "two"}),
        ["secret_version", "whole number"],
    ),
    (
        "version down",
        lambda: check_failure({"secret_version": 4}, {"name": "a", "secret_version": 3}),
        ["secret_version", "raise it"],
    ),
    (
        "rotate 0 days",
        lambda: check_failure({}, {"name": "a", "rotate_after_days": 0}),
        ["rotate_after_days", "> 0"],
    ),
    (
        "bad adopt uuid",
        lambda: check_failure({}, {"name": "a", "adopt_uuid": "x"}),
        ["adopt_uuid", "UUID"],
    ),
    (
        "both adopt inputs",
        lambda: check_failure(
            {},
            {
                "name": "a",
                "adopt_uuid": "3f2b6a4e-1111-4222-8333-444455556666",
                "adopt_existing": True,
            },
        ),
        ["adopt_uuid", "not both"],
    ),
    ("missing token", missing_token, ["digitalocean:token", "DIGITALOCEAN_TOKEN"]),
    (
        "endpoint not a URL",
        lambda: config_failure(DIGITALOCEAN_API_URL="api.example"),
        ["DIGITALOCEAN_API_URL", "http(s) URL"],
    ),
    (
        "retry max text",
        lambda: config_failure(DIGITALOCEAN_HTTP_RETRY_MAX="lots"),
        ["DIGITALOCEAN_HTTP_RETRY_MAX", "whole number"],
    ),
    (
        "retry wait text",
        lambda: config_failure(DIGITALOCEAN_HTTP_RETRY_WAIT_MIN="soon"),
        ["DIGITALOCEAN_HTTP_RETRY_WAIT_MIN", "seconds"],
    ),
    (
        "rps negative",
        lambda: config_failure(DIGITALOCEAN_REQUESTS_PER_SECOND="-1"),
        ["DIGITALOCEAN_REQUESTS_PER_SECOND", ">= 0"],
    ),
]


@pytest.mark.parametrize(
    ("case", "produce", "expected"), RESOURCE_AND_CONFIG, ids=[c[0] for c in RESOURCE_AND_CONFIG]
)
def test_resource_and_configuration_errors(case: str, produce, expected: list[str]) -> None:
    message = produce()
    for fragment in expected:
        assert fragment in message, (case, message)
    assert TOKEN not in message


DATA_SOURCES: list[tuple[str, dict, list[str]]] = [
    (
        "unknown usecase",
        {"usecases": ["MODEL_USECASE_X"]},
        ["usecases", "allowed: MODEL_USECASE_UNKNOWN"],
    ),
    (
        "unknown filter field",
        {"filters": [{"key": "colour", "values": ["r"]}]},
        ["filters", "filterable fields"],
    ),
    (
        "broken regex",
        {"filters": [{"key": "id", "values": ["("], "match_by": "re"}]},
        ["filters", "not a valid regular expression"],
    ),
    ("unknown sort field", {"sorts": [{"key": "size"}]}, ["sorts", "sortable fields"]),
    (
        "bad sort direction",
        {"sorts": [{"key": "id", "direction": "sideways"}]},
        ["sorts", "'asc' or 'desc'"],
    ),
]


@pytest.mark.parametrize(
    ("case", "kwargs", "expected"), DATA_SOURCES, ids=[c[0] for c in DATA_SOURCES]
)
def test_data_source_argument_errors(
    client: GenAIClient, case: str, kwargs: dict, expected: list[str]
) -> None:
    data_sources.clear_cache()
    with pytest.raises(GenAIError) as caught:
        data_sources.get_models(client=client, **kwargs)
    for fragment in expected:
        assert fragment in str(caught.value), case


def refused(
    emu_options: dict, token: str, operation: Callable[[ModelAccessKeyProvider, Emulator], object]
) -> str:

    with Emulator(**{"allow_create": True, **emu_options}) as emu:
        runtime.configure_runtime(
            {
                "digitalocean:token": token,
                "digitalocean:apiEndpoint": emu.url,
                "digitalocean:httpRetryWaitMin": "0",
                "digitalocean:httpRetryWaitMax": "0",
            }.get
        )
        try:
            with pytest.raises(GenAIError) as caught:
                operation(ModelAccessKeyProvider(), emu)
        finally:
            runtime.reset_runtime()
    return str(caught.value)


def create(provider: ModelAccessKeyProvider, _emu: Emulator) -> object:
    return provider.create(provider.check({}, {"name": "table-key"}).inputs)


def made_key(emu: Emulator) -> str:
    return emu.state.create_key("table-key").uuid


def rename(provider: ModelAccessKeyProvider, emu: Emulator) -> object:
    uuid = made_key(emu)
    return provider.update(
        uuid,
        {"name": "old", "uuid": uuid, "secret_key": SECRET},
        provider.check({}, {"name": "table-key-2"}).inputs,
    )


def refresh(provider: ModelAccessKeyProvider, _emu: Emulator) -> object:
    return provider.read("3f2b6a4e-1111-4222-8333-444455556666", {"name": "table-key"})


def delete(provider: ModelAccessKeyProvider, emu: Emulator) -> object:
    provider.delete(made_key(emu), {"name": "table-key"})
    return None


def rate_limited(provider: ModelAccessKeyProvider, emu: Emulator) -> object:
    fault(emu, kind="status", status=429, headers={"retry-after": "3600"})
    return refresh(provider, emu)


ALL = "genai:read,genai:create,genai:update,genai:delete"
API: list[tuple[str, dict, str, Callable, list[str]]] = [
    (
        "401 wrong token",
        {},
        "unknown-token",
        create,
        ["401", "API token was refused", "digitalocean:token"],
    ),
    (
        "403 read",
        {"tokens": {TOKEN: frozenset({"genai:create"})}},
        TOKEN,
        refresh,
        ["403", "genai:read", "reading"],
    ),
    (
        "403 create",
        {"tokens": {TOKEN: frozenset({"genai:read"})}},
        TOKEN,
        create,
        ["403", "genai:create", "creating"],
    ),
    (
        "403 update",
        {"tokens": {TOKEN: frozenset({"genai:read"})}},
        TOKEN,
        rename,
        ["403", "genai:update", "updating"],
    ),
    (
        "403 delete",
        {"tokens": {TOKEN: frozenset({"genai:read"})}},
        TOKEN,
        delete,
        ["403", "genai:delete", "deleting"],
    ),
    (
        "404 on update",
        {"tokens": {TOKEN: frozenset(ALL.split(","))}},
        TOKEN,
        lambda p, e: p.update(
            "3f2b6a4e-1111-4222-8333-444455556666",
            {"name": "a", "secret_key": SECRET},
            {"name": "b"},
        ),
        ["no longer exists", "pulumi refresh"],
    ),
    (
        "410 create",
        {"tokens": {TOKEN: frozenset(ALL.split(","))}, "allow_create": False},
        TOKEN,
        create,
        ["410", "adopt_uuid", "control panel"],
    ),
    (
        "422 long name",
        {"tokens": {TOKEN: frozenset(ALL.split(","))}},
        TOKEN,
        lambda p, e: p.update(
            made_key(e), {"name": "a", "secret_key": SECRET}, {"name": "n" * 300}
        ),
        ["422", "at most 255"],
    ),
    (
        "429 beyond the cap",
        {"tokens": {TOKEN: frozenset(ALL.split(","))}},
        TOKEN,
        rate_limited,
        ["429", "rate limit", "httpRetryMax"],
    ),
]


@pytest.mark.parametrize(
    ("case", "options", "token", "operation", "expected"), API, ids=[c[0] for c in API]
)
def test_api_refusals(case: str, options: dict, token: str, operation, expected: list[str]) -> None:
    message = refused(options, token, operation)
    for fragment in expected:
        assert fragment in message, (case, message)
    assert TOKEN not in message
    assert SECRET not in message


def test_the_table_has_at_least_twenty_cases() -> None:
    assert len(RESOURCE_AND_CONFIG) + len(DATA_SOURCES) + len(API) >= 20


def test_emulator_client_fixture_is_quiet(emulator: Emulator) -> None:
    with emulator_client(emulator) as client:
        secret_absent(emulator.token, repr(client), "repr(client)")
