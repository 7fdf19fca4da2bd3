"""Data sources against the emulator: paging, filters, sorting, caching and argument errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import pytest
from do_genai_model_keys import (
    Filter,
    GenAIClient,
    Sort,
    get_inference_models,
    get_model_access_keys,
    get_models,
)
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.contract import CHAT_COMPLETIONS_PATH, KEYS_PATH
from do_genai_model_keys.dynamic import data_sources
from do_genai_model_keys.emulator import Emulator
from support.emulators import api_requests
from support.secrets import expect

MODELS = "GET /v2/gen-ai/models"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    data_sources.clear_cache()
    yield
    data_sources.clear_cache()


def test_every_model_in_one_request_per_200(client: GenAIClient, emulator: Emulator) -> None:
    result = get_models(client=client)
    assert len(result.models) == 60
    assert result.ids == tuple(m.id for m in result.models)
    assert api_requests(emulator, MODELS) == 1
    assert isinstance(result.models[0].context_window, int)


def test_the_same_call_twice_costs_one_round(client: GenAIClient, emulator: Emulator) -> None:
    get_models(usecases=["MODEL_USECASE_AGENT"], client=client)
    get_models(usecases=["MODEL_USECASE_AGENT"], client=client)
    get_models(
        usecases=["MODEL_USECASE_AGENT"],
        filters=[Filter("provider", ["MODEL_PROVIDER_OPENAI"])],
        client=client,
    )
    assert api_requests(emulator, MODELS) == 1
    get_models(usecases=["MODEL_USECASE_KNOWLEDGEBASE"], client=client)
    assert api_requests(emulator, MODELS) == 2


def test_api_filters(client: GenAIClient) -> None:
    embeddings = get_models(usecases=["MODEL_USECASE_KNOWLEDGEBASE"], client=client)
    assert {m.capabilities for m in embeddings.models} == {("vectorization",)}
    assert len(get_models(public_only=True, client=client).models) < 60


@pytest.mark.parametrize(
    ("rule", "check"),
    [
        (
            Filter("provider", ["MODEL_PROVIDER_ANTHROPIC"]),
            lambda m: m.provider.endswith("ANTHROPIC"),
        ),
        ({"key": "id", "values": ["gpt"], "match_by": "substring"}, lambda m: "gpt" in m.id),
        (
            {"key": "id", "values": [r"^llama.*-v2\.0$"], "match_by": "re"},
            lambda m: m.id.startswith("llama") and m.id.endswith("-v2.0"),
        ),
        (Filter("capabilities", ["reasoning"]), lambda m: "reasoning" in m.capabilities),
        (
            Filter("capabilities", ["inference", "reasoning"], all=True),
            lambda m: {"inference", "reasoning"} <= set(m.capabilities),
        ),
        (Filter("is_foundational", [True]), lambda m: m.is_foundational),
    ],
)
def test_client_side_filters(client: GenAIClient, rule, check) -> None:
    kept = get_models(filters=[rule], client=client).models
    assert kept
    assert all(check(m) for m in kept)
    everything = get_models(client=client).models
    assert len([m for m in everything if check(m)]) == len(kept)


def test_sorting_on_two_fields(client: GenAIClient) -> None:
    models = get_models(
        sorts=[Sort("provider", "desc"), {"key": "context_window", "direction": "asc"}],
        client=client,
    ).models
    keys = [(m.provider, -m.context_window) for m in models]
    assert keys == sorted(keys, reverse=True)


def test_lookup_by_id_or_name(client: GenAIClient) -> None:
    result = get_models(client=client)
    assert result.lookup("openai-gpt-4o").name == "GPT-4o"
    assert result.lookup("Claude Opus 4").id == "anthropic-claude-opus-4"
    with pytest.raises(errors.InvalidArgumentError, match="no model with id or name 'gpt-9'"):
        result.lookup("gpt-9")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"usecases": ["MODEL_USECASE_DANCING"]},
            r"usecases: unknown value.*allowed: MODEL_USECASE_UNKNOWN",
        ),
        (
            {"filters": [{"key": "colour", "values": ["red"]}]},
            r"filters: unknown field 'colour'; filterable",
        ),
        (
            {"filters": [{"key": "id", "values": ["(unclosed"], "match_by": "re"}]},
            r"not a valid regular",
        ),
        ({"filters": [{"key": "id", "values": ["x"], "match_by": "fuzzy"}]}, r"match_by must be"),
        ({"filters": [{"key": "id", "values": []}]}, r"values must be a non-empty list"),
        ({"sorts": [{"key": "size"}]}, r"sorts: unknown field 'size'; sortable fields: uuid, id"),
        ({"sorts": [{"key": "id", "direction": "up"}]}, r"direction must be 'asc' or 'desc'"),
    ],
)
def test_bad_arguments_name_the_argument_and_allowed_values(
    client: GenAIClient, kwargs: dict, message: str
) -> None:
    with pytest.raises(errors.InvalidArgumentError, match=message):
        get_models(client=client, **kwargs)


def test_key_metadata_never_carries_a_secret(client: GenAIClient, emulator: Emulator) -> None:
    made = [emulator.state.create_key(n) for n in ("a", "b", "a")]
    everything = get_model_access_keys(client=client)
    assert everything.uuids == tuple(k.uuid for k in made)
    assert set(asdict(everything.keys[0])) == {"uuid", "name", "created_at", "created_by"}
    named = get_model_access_keys(name="a", client=client)
    assert named.uuids == (made[0].uuid, made[2].uuid)
    expect(all(k.secret not in repr(everything) for k in made), True, "all")
    assert api_requests(emulator, f"GET {KEYS_PATH}") == 1


def test_inference_models_seen_by_a_key(client: GenAIClient, emulator: Emulator) -> None:
    key = emulator.state.create_key("k")
    old_secret = key.secret
    result = get_inference_models(old_secret, client=client)
    assert "openai-gpt-4o" in result.ids
    emulator.state.regenerate_key(key.uuid)
    data_sources.clear_cache()
    with pytest.raises(errors.AuthenticationError):
        get_inference_models(old_secret, client=client)
    with pytest.raises(errors.InvalidArgumentError, match="api_key"):
        get_inference_models("", client=client)


# --- every property, nested fields and numbers -------------------------------------------------


def cheapest_serverless_with_a_long_context(client: GenAIClient):
    """The README's example: the cheapest serverless chat model with >= 128k tokens of context."""
    return get_models(
        filters=[
            Filter("model_availability", ["serverless"]),
            Filter("type", ["chat"]),
            Filter("lifecycle_status", ["active"]),
            Filter("context_window", [128_000], match_by="at_least"),
        ],
        sorts=[Sort("pricing.input_price_per_million"), Sort("id")],
        client=client,
    ).models[0]


def test_the_cheapest_serverless_model_with_a_long_context(client: GenAIClient) -> None:
    pick = cheapest_serverless_with_a_long_context(client)
    every = get_models(client=client).models
    rivals = [
        m
        for m in every
        if m.model_availability == "serverless"
        and m.type == "chat"
        and m.lifecycle_status == "active"
        and m.context_window >= 128_000
    ]
    assert pick.pricing.input_price_per_million == min(
        m.pricing.input_price_per_million for m in rivals
    )
    assert pick.context_window >= 128_000
    assert isinstance(pick.pricing.output_price_per_million, float)


def test_model_info_carries_every_property_typed(client: GenAIClient) -> None:
    [reasoning] = get_models(
        filters=[Filter("id", ["anthropic-claude-sonnet-4"])], client=client
    ).models
    assert reasoning.type == "reasoning"
    assert reasoning.thinking is True
    assert reasoning.reasoning_efforts == ("low", "medium", "high")
    assert reasoning.pricing.input_price_per_million == 3.0
    assert reasoning.modalities.output == ("text",)
    assert reasoning.endpoints[0].endpoint == CHAT_COMPLETIONS_PATH
    assert reasoning.settings[0].name == "temperature"
    assert reasoning.agreement.url.startswith("https://")
    assert reasoning.version.major == 1
    assert reasoning.parameter_count == 0.0
    assert asdict(reasoning)["pricing"]["output_price_per_million"] == 15.0


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Filter("pricing.no_such_price", [1]), "unknown field 'pricing.no_such_price'"),
        (Filter("context_window", ["big"], match_by="at_least"), "compares numbers"),
        (Filter("context_window", [1], match_by="more"), "match_by must be one of"),  # type: ignore[arg-type]
    ],
)
def test_nested_and_numeric_filters_explain_their_mistakes(
    client: GenAIClient, rule: Filter, message: str
) -> None:
    with pytest.raises(errors.InvalidArgumentError, match=message):
        get_models(filters=[rule], client=client)


def test_fields_take_either_doors_spelling_and_an_unknown_one_gets_the_nearest(
    client: GenAIClient,
) -> None:
    """A TypeScript or YAML program names fields in camelCase (the schema's spelling)."""
    camel = [{"key": "pricing.inputPricePerMillion", "values": [3], "matchBy": "at_most"}]
    snake = [Filter("pricing.input_price_per_million", [3], match_by="at_most")]
    sorted_camel = [{"key": "contextWindow", "direction": "desc"}]
    by_camel = get_models(filters=camel, sorts=sorted_camel, client=client).models
    by_snake = get_models(
        filters=snake, sorts=[{"key": "context_window", "direction": "desc"}], client=client
    ).models
    assert [m.id for m in by_camel] == [m.id for m in by_snake]
    assert by_camel
    with pytest.raises(errors.InvalidArgumentError) as raised:
        get_models(sorts=[{"key": "contextWindw"}], client=client)
    said = str(raised.value)
    assert "Did you mean 'contextWindow'?" in said
    assert "context_window" not in said  # the fields in the spelling the caller used
    with pytest.raises(errors.InvalidArgumentError, match="Did you mean 'context_window'"):
        get_models(sorts=[{"key": "context_windw"}], client=client)


def test_inference_models_by_kind(client: GenAIClient, emulator: Emulator) -> None:
    key = emulator.state.create_key("kinds")
    everything = get_inference_models(key.secret, client=client)
    assert all(m.kind == "" for m in everything.models)  # not asked: /v1/models has no type
    embeddings = get_inference_models(key.secret, kind="embedding", client=client)
    assert embeddings.ids == ("gte-large-en-v1.5", "gte-large-en-v1.5-v1.1")  # active versions
    assert embeddings.models[0].max_output_tokens == 0
    chat = get_inference_models(key.secret, kind=["chat", "reasoning"], client=client)
    assert "llama3.3-70b-instruct" in chat.ids
    assert {m.kind for m in chat.models} == {"chat", "reasoning"}
    assert chat.models[0].context_length > 0
    with pytest.raises(errors.InvalidArgumentError, match="kind"):
        get_inference_models(key.secret, kind=[""], client=client)


def test_a_scoped_keys_inference_models_are_its_own(
    client: GenAIClient, emulator: Emulator
) -> None:
    key = emulator.state.create_key("scoped", models=["openai-gpt-4o-mini"])
    assert get_inference_models(key.secret, client=client).ids == ("openai-gpt-4o-mini",)
