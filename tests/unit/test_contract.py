"""Every request our client sends and every answer the emulator gives match the OpenAPI spec."""

from __future__ import annotations

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.config import ClientSettings
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from openapi_core.exceptions import OpenAPIError
from pydantic import SecretStr
from support.contract import (
    RecordingTransport,
    openapi_for,
    spec_dict,
    validate_exchange,
    with_create_extension,
)


def recording_client(
    emu: Emulator, transport: RecordingTransport, token: str | None = None
) -> GenAIClient:
    settings = ClientSettings(
        token=SecretStr(token or emu.token),
        api_endpoint=emu.url,
        inference_endpoint=emu.url,
        http_retry_max=0,
    )
    return GenAIClient(settings=settings, transport=transport, sleep=lambda s: None)


def exercise(client: GenAIClient) -> None:
    """Every call the client makes, with successes and errors."""
    client.list_models(per_page=25)
    client.list_models(
        public_only=True, usecases=["MODEL_USECASE_AGENT", "MODEL_USECASE_REASONING"]
    )
    key = client.create_key("contract")
    client.list_keys(per_page=1)
    client.rename_key(key.uuid, "contract-2")
    regenerated = client.regenerate_key(key.uuid)
    assert regenerated.secret_key is not None
    client.list_inference_models(regenerated.secret_key)
    client.delete_key(key.uuid)
    for call in (
        lambda: client.delete_key(key.uuid),
        lambda: client.rename_key(key.uuid, "gone"),
        lambda: client.regenerate_key(key.uuid),
        lambda: client.list_inference_models("not-a-key"),
    ):
        with pytest.raises(errors.APIStatusError):
            call()


def is_allowed_create(request: httpx.Request, response: httpx.Response) -> bool:
    return (
        request.method == "POST" and request.url.path == KEYS_PATH and response.status_code == 200
    )


def test_client_requests_and_emulator_answers_follow_the_spec(emulator: Emulator) -> None:
    transport = RecordingTransport()
    with recording_client(emulator, transport) as client:
        emulator.state.create_key("page-filler")
        exercise(client)
    upstream = openapi_for(emulator.url)
    extended = openapi_for(emulator.url, create_extension=True)
    statuses = set()
    creates = 0
    for request, response in transport.exchanges:
        if is_allowed_create(request, response):  # --allow-create: the emulator's extension
            creates += 1
            validate_exchange(extended, request, response)
            with pytest.raises(OpenAPIError):  # today's API documents no 200 for it
                validate_exchange(upstream, request, response)
        else:
            validate_exchange(upstream, request, response)
        statuses.add(response.status_code)
    assert creates == 1
    assert {200, 401, 404} <= statuses
    assert len(transport.exchanges) >= 12


def test_the_spec_copy_is_upstreams_create_retired_and_the_extension_apart() -> None:
    """The repository's copy is not edited: the create answers only what upstream lists. The
    contract's keys path is the spec's, spelled out once here."""
    assert KEYS_PATH == "/v2/gen-ai/models/api_keys"
    spec = spec_dict()
    create = spec["paths"][KEYS_PATH]["post"]
    assert create.get("deprecated") is True
    assert "200" not in create["responses"]
    assert "410" in create["responses"]
    extended = with_create_extension(spec)["paths"][KEYS_PATH]["post"]
    answer = extended["responses"]["200"]["content"]["application/json"]["schema"]
    assert "secret_key" in answer["properties"]["api_key_info"]["properties"]


@pytest.mark.parametrize(
    ("emulator_options", "token", "call", "status"),
    [
        ({}, None, lambda c: c.create_key("x"), 410),
        ({"per_minute_limit": 1}, None, lambda c: [c.list_keys(), c.list_keys()], 429),
        ({}, "wrong", lambda c: c.list_keys(), 401),
    ],
    ids=["410", "429", "401"],
)
def test_error_answers_follow_the_spec(emulator_options: dict, token, call, status: int) -> None:
    transport = RecordingTransport()
    with Emulator(**emulator_options) as emu, recording_client(emu, transport, token) as client:
        with pytest.raises(errors.APIStatusError):
            call(client)
    openapi = openapi_for(emu.url)
    assert transport.exchanges[-1][1].status_code == status
    for request, response in transport.exchanges:
        validate_exchange(openapi, request, response)


def test_chat_completion_answer_follows_the_spec(emulator: Emulator) -> None:
    key = emulator.state.create_key("chat")
    transport = RecordingTransport()
    with httpx.Client(transport=transport) as http:
        http.post(
            f"{emulator.url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {key.secret}"},
            json={"model": "openai-gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        )
    request, response = transport.exchanges[0]
    assert response.status_code == 200
    validate_exchange(openapi_for(emulator.url), request, response)
