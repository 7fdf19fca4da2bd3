"""GenAIClient against the running emulator over real HTTP."""

from __future__ import annotations

import logging
import math

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.keys.store import KeyStore
from support.clock import FakeClock
from support.emulators import KEY_ROUTE, SOME_UUID, api_requests, emulator_client, fault
from support.secrets import different_secrets, secret_absent

LIST_KEYS = f"GET {KEYS_PATH}"
CREATE = f"POST {KEYS_PATH}"


@pytest.mark.parametrize("per_page", [7, 20, 200])
def test_listing_models_follows_every_page(emulator: Emulator, per_page: int) -> None:
    with emulator_client(emulator) as client:
        models = client.list_models(per_page=per_page)
    assert len(models) == 60
    assert len({m.id for m in models}) == 60
    assert api_requests(emulator, "GET /v2/gen-ai/models") == math.ceil(60 / per_page)


def test_listing_keys_over_many_pages_costs_one_request_per_200(
    emulator: Emulator, client: GenAIClient
) -> None:
    for n in range(450):
        emulator.state.create_key(f"k{n}")
    keys = client.list_keys()
    assert [k.name for k in keys] == [f"k{n}" for n in range(450)]
    assert all(k.secret_key is None for k in keys)
    assert api_requests(emulator, LIST_KEYS) == 3


def test_model_filters_are_passed_to_the_api(client: GenAIClient) -> None:
    everything = client.list_models()
    public = client.list_models(public_only=True)
    embeddings = client.list_models(usecases=["MODEL_USECASE_KNOWLEDGEBASE"])
    assert 0 < len(public) < len(everything)
    assert {m.capabilities[0] for m in embeddings} == {"vectorization"}
    both = client.list_models(usecases=["MODEL_USECASE_KNOWLEDGEBASE", "MODEL_USECASE_GUARDRAIL"])
    assert len(both) > len(embeddings)


def test_key_lifecycle(emulator: Emulator, client: GenAIClient) -> None:
    created = client.create_key("life")
    assert created.secret_key is not None
    first = created.secret_key.get_secret_value()
    assert client.list_inference_models(first)

    renamed = client.rename_key(created.uuid, "life-2")
    assert (renamed.uuid, renamed.name, renamed.secret_key) == (created.uuid, "life-2", None)

    regenerated = client.regenerate_key(created.uuid)
    assert regenerated.uuid == created.uuid
    assert regenerated.secret_key is not None
    different_secrets(
        regenerated.secret_key.get_secret_value(),
        first,
        "regenerated.secret_key.get_secret_value()",
    )
    with pytest.raises(errors.AuthenticationError, match="model access key was refused"):
        client.list_inference_models(first)

    deleted = client.delete_key(created.uuid)
    assert deleted is not None
    assert deleted.deleted_at
    with pytest.raises(errors.NotFoundError):
        client.delete_key(created.uuid)
    assert client.list_keys() == []


def test_wrong_token_is_401(emulator: Emulator) -> None:
    with GenAIClient("not-a-token", api_endpoint=emulator.url) as bad:
        with pytest.raises(errors.AuthenticationError) as caught:
            bad.list_keys()
    assert caught.value.request_id
    assert "not-a-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("scopes", "call", "missing"),
    [
        ("genai:update", lambda c: c.list_keys(), "genai:read"),
        ("genai:read", lambda c: c.create_key("x"), "genai:create"),
        ("genai:read", lambda c: c.rename_key(SOME_UUID, "x"), "genai:update"),
        ("genai:read,genai:update", lambda c: c.delete_key(SOME_UUID), "genai:delete"),
    ],
)
def test_missing_scope_is_403_naming_the_scope(scopes: str, call, missing: str) -> None:
    with Emulator(tokens={"limited": frozenset(scopes.split(","))}, allow_create=True) as emu:
        with GenAIClient("limited", api_endpoint=emu.url) as limited:
            with pytest.raises(errors.PermissionDeniedError, match=missing):
                call(limited)


def test_retired_create_is_410_with_adoption_advice() -> None:
    with Emulator() as emu, emulator_client(emu) as client:
        with pytest.raises(errors.CreationRetiredError) as caught:
            client.create_key("new")
        assert caught.value.error_id == "gone"
        assert "control panel" in caught.value.api_message
        assert "adopt_uuid" in str(caught.value)
        assert api_requests(emu, CREATE) == 1  # never retried


@pytest.mark.parametrize("failures", [1, 2, 4])
@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 429, "headers": {"retry-after": "2"}},
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "drop"},
    ],
    ids=["429", "500", "503", "dropped"],
)
def test_reads_retry_until_they_succeed(emulator: Emulator, failures: int, rule: dict) -> None:
    fault(emulator, method="GET", path=KEYS_PATH, count=failures, **rule)
    clock = FakeClock()
    waits = clock.waits
    settings = emulator_client(emulator).settings
    with GenAIClient(settings=settings, sleep=clock.sleep, clock=clock.time) as client:
        assert client.list_keys() == []
    assert api_requests(emulator, LIST_KEYS) == failures + 1
    assert len(waits) == failures
    if rule.get("status") == 429:  # never shorter than asked, jittered so workers spread out
        assert all(2.0 <= wait <= 2.5 for wait in waits), waits


def test_reads_give_up_after_the_retry_budget(emulator: Emulator) -> None:
    fault(emulator, method="GET", path=KEYS_PATH, kind="status", status=503)
    with emulator_client(emulator, http_retry_max=2) as client:
        with pytest.raises(errors.ServerError, match="503"):
            client.list_keys()
    assert api_requests(emulator, LIST_KEYS) == 3


def test_rate_limit_beyond_the_cap_fails_fast(emulator: Emulator) -> None:
    fault(
        emulator,
        method="GET",
        path=KEYS_PATH,
        kind="status",
        status=429,
        headers={"retry-after": "3600"},
    )
    with emulator_client(emulator) as client, pytest.raises(errors.RateLimitError) as caught:
        client.list_keys()
    assert caught.value.retry_after == 3600
    assert api_requests(emulator, LIST_KEYS) == 1


@pytest.mark.parametrize("kind", ["commit_then_drop"])
def test_a_create_whose_answer_is_lost_is_not_duplicated(emulator: Emulator, kind: str) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind=kind, count=1)
    with emulator_client(emulator) as client:
        key = KeyStore(client).create("lost-answer")
        assert key.secret_key is not None
        keys = client.list_keys()
        assert [k.uuid for k in keys] == [key.uuid]
        # The secret we hold is the live one.
        assert client.list_inference_models(key.secret_key)
    assert api_requests(emulator, CREATE) == 1
    assert api_requests(emulator, f"PUT {KEY_ROUTE}/regenerate") == 1


@pytest.mark.parametrize(
    "rule", [{"kind": "status", "status": 500}, {"kind": "drop"}], ids=["500", "dropped"]
)
def test_a_create_that_never_committed_is_sent_again_once_listing_shows_nothing(
    emulator: Emulator, rule: dict
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, count=2, **rule)
    with emulator_client(emulator) as client:
        key = KeyStore(client).create("retry-me")
        assert [k.uuid for k in client.list_keys()] == [key.uuid]
    assert api_requests(emulator, CREATE) == 3


def test_a_create_refused_with_429_is_retried_without_checking(emulator: Emulator) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="status", status=429, count=1)
    with emulator_client(emulator) as client:
        KeyStore(client).create("polite")
    assert api_requests(emulator, CREATE) == 2
    assert api_requests(emulator, LIST_KEYS) == 1  # the snapshot before the first POST only


def test_connection_refused_names_the_endpoint_and_its_setting(emulator: Emulator) -> None:
    with GenAIClient("t", api_endpoint="http://127.0.0.1:9", sleep=lambda s: None) as client:
        with pytest.raises(errors.ConnectionFailedError) as failed:
            client.list_keys()
    message = str(failed.value)
    assert "could not connect to http://127.0.0.1:9" in message
    assert "digitalocean:apiEndpoint or DIGITALOCEAN_API_URL" in message
    assert "nothing was changed" in message


def test_an_unreachable_inference_endpoint_names_its_own_setting(emulator: Emulator) -> None:
    with GenAIClient(
        emulator.token,
        api_endpoint=emulator.url,
        inference_endpoint="http://127.0.0.1:9",
        sleep=lambda s: None,
    ) as client:
        with pytest.raises(errors.ConnectionFailedError) as failed:
            client.list_inference_models("some-model-key-secret")
    assert "could not connect to http://127.0.0.1:9" in str(failed.value)
    assert "digitalocean:inferenceEndpoint or DIGITALOCEAN_INFERENCE_URL" in str(failed.value)


def test_the_token_never_shows_in_repr_errors_or_logs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fault(emulator, method="GET", path=KEYS_PATH, kind="status", status=500, count=1)
    with emulator_client(emulator) as client:
        client.list_keys()
        created = client.create_key("quiet")
        secret_absent(emulator.token, repr(client), "repr(client)")
        secret_absent(emulator.token, repr(client.settings), "repr(client.settings)")
        assert created.secret_key is not None
        secret = created.secret_key.get_secret_value()
        secret_absent(secret, repr(created), "repr(created)")
        with pytest.raises(errors.NotFoundError) as caught:
            client.rename_key(SOME_UUID, "x")
    text = caplog.text + str(caught.value) + repr(caught.value)
    assert "retry 1 of 4" in caplog.text  # the retry was logged ...
    secret_absent(emulator.token, text, "the logs and the error")  # ... without the token
    secret_absent(secret, text, "text")


def test_transport_seam_fails_loudly_on_unplanned_requests() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == KEYS_PATH and request.method == "GET":
            page = request.url.params.get("page")
            body = {
                "api_key_infos": [{"uuid": f"u{page}", "name": "n", "created_by": 42}],
                "links": {"pages": {"next": "https://elsewhere.example/v2?page=2"}}
                if page == "1"
                else {},
                "meta": {"page": page, "pages": "2", "total": "2"},
            }
            return httpx.Response(200, json=body)
        raise AssertionError(f"unplanned request {request.method} {request.url}")

    with GenAIClient(
        "tok", api_endpoint="http://api.test", transport=httpx.MockTransport(handler)
    ) as client:
        keys = client.list_keys()
    assert [k.uuid for k in keys] == ["u1", "u2"]
    assert keys[0].created_by == "42"
    # The next link's host was not followed: the token stays on our endpoint.
    assert seen == [f"GET {KEYS_PATH}", f"GET {KEYS_PATH}"]
