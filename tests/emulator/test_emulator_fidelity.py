"""The emulator as users meet DigitalOcean: scoped keys, both APIs' rate limits on by default,
the whole model object, and `/v1/models` with the fields and the models users see."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml
from do_genai_model_keys.api.contract import (
    CHAT_COMPLETIONS_PATH,
    CONTROL_PER_HOUR,
    CONTROL_PER_MINUTE,
    INFERENCE_MODELS_PATH,
    KEYS_PATH,
    key_path,
)
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.emulator.assumptions import INFERENCE_REQUESTS_PER_MINUTE
from support.contract import SPEC_PATH
from support.emulators import HTTP, control

CHAT = CHAT_COMPLETIONS_PATH
SCOPE = ["llama3.3-70b-instruct", "openai-gpt-4o-mini"]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def panel_key(emu: Emulator, name: str, models: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name} if models is None else {"name": name, "models": models}
    return control(emu, "POST", "keys", body)["api_key_info"]


def chat(emu: Emulator, secret: str, model: str) -> httpx.Response:
    message = {"role": "user", "content": "hello"}
    return HTTP.post(
        emu.url + CHAT, headers=bearer(secret), json={"model": model, "messages": [message]}
    )


def inference_ids(emu: Emulator, secret: str) -> list[str]:
    answer = HTTP.get(emu.url + INFERENCE_MODELS_PATH, headers=bearer(secret))
    assert answer.status_code == 200, answer.text
    return [m["id"] for m in answer.json()["data"]]


# --- scoped keys ------------------------------------------------------------------------------


def test_a_key_limited_to_models_lists_and_calls_only_those(emulator: Emulator) -> None:
    scoped = panel_key(emulator, "scoped", SCOPE)
    everything = panel_key(emulator, "unscoped")
    assert sorted(inference_ids(emulator, scoped["secret_key"])) == sorted(SCOPE)
    assert len(inference_ids(emulator, everything["secret_key"])) > len(SCOPE)
    assert len(inference_ids(emulator, emulator.token)) > len(SCOPE)  # a token sees every model

    assert chat(emulator, scoped["secret_key"], SCOPE[0]).status_code == 200
    refused = chat(emulator, scoped["secret_key"], "openai-gpt-4o")
    assert refused.status_code == 403
    assert refused.json()["id"] == "forbidden"
    assert "openai-gpt-4o" in refused.json()["message"]
    assert chat(emulator, everything["secret_key"], "openai-gpt-4o").status_code == 200


def test_regenerate_and_rename_keep_the_scope(emulator: Emulator) -> None:
    scoped = panel_key(emulator, "scoped", SCOPE)
    uuid = scoped["uuid"]
    HTTP.put(
        f"{emulator.url}{key_path(uuid)}",
        headers=bearer(emulator.token),
        json={"api_key_uuid": uuid, "name": "renamed"},
    ).raise_for_status()
    answer = HTTP.put(
        f"{emulator.url}{key_path(uuid, 'regenerate')}", headers=bearer(emulator.token)
    )
    secret = answer.json()["api_key_info"]["secret_key"]
    assert sorted(inference_ids(emulator, secret)) == sorted(SCOPE)
    listed = HTTP.get(emulator.url + KEYS_PATH, headers=bearer(emulator.token)).json()
    assert all("models" not in k for k in listed["api_key_infos"])  # the API does not show it


@pytest.mark.parametrize("models", [[], ["no-such-model"], "llama3.3-70b-instruct", [1]], ids=str)
def test_a_panel_key_for_unknown_or_malformed_models_is_refused(emulator: Emulator, models) -> None:
    answer = HTTP.post(emulator.url + "/_emulator/keys", json={"name": "bad", "models": models})
    assert answer.status_code == 400
    assert "models" in answer.json()["message"]
    assert emulator.state.keys == {}


# --- rate limits --------------------------------------------------------------------------------


def test_control_api_limits_are_digitaloceans_and_on_by_default() -> None:
    with Emulator() as emu:
        assert (emu.state.per_minute_limit, emu.state.per_hour_limit) == (250, 5000)
        assert (CONTROL_PER_MINUTE, CONTROL_PER_HOUR) == (250, 5000)
        assert emu.state.inference_limits


def test_the_minute_runs_out_at_250_and_the_hour_at_5000() -> None:
    with Emulator() as emu:
        headers = bearer(emu.token)
        codes = [HTTP.get(emu.url + KEYS_PATH, headers=headers).status_code for _ in range(251)]
        assert codes.count(200) == 250
        assert codes[-1] == 429
        refused = HTTP.get(emu.url + KEYS_PATH, headers=headers)
        assert refused.json()["id"] == "too_many_requests"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-limit"] == "5000"
        assert emu.state.stats_snapshot()["rate_limited"] == {f"GET {KEYS_PATH}": 2}

    with Emulator(per_minute_limit=None) as emu:  # the hour alone
        headers = bearer(emu.token)
        for _ in range(5000):
            assert HTTP.get(emu.url + KEYS_PATH, headers=headers).status_code == 200
        last = HTTP.get(emu.url + KEYS_PATH, headers=headers)
        assert last.status_code == 429
        assert last.headers["ratelimit-remaining"] == "0"


def test_inference_answers_carry_the_quota_headers_and_a_429_has_no_retry_after() -> None:
    with Emulator() as emu:
        key = panel_key(emu, "app")
        answer = chat(emu, key["secret_key"], "llama3.3-70b-instruct")
        for bucket in ("requests", "tokens-per-minute", "tokens-per-day"):
            for part in ("limit", "remaining", "reset"):
                assert f"x-ratelimit-{part}-{bucket}" in answer.headers
        assert answer.headers["x-ratelimit-limit-requests"] == str(INFERENCE_REQUESTS_PER_MINUTE)
        assert answer.headers["x-ratelimit-reset-requests"] == "0"  # room left: 0, as documented
        spent = int(answer.headers["x-ratelimit-limit-tokens-per-minute"]) - int(
            answer.headers["x-ratelimit-remaining-tokens-per-minute"]
        )
        assert spent == answer.json()["usage"]["total_tokens"]

        for _ in range(INFERENCE_REQUESTS_PER_MINUTE - 1):
            assert HTTP.get(
                emu.url + INFERENCE_MODELS_PATH, headers=bearer(key["secret_key"])
            ).is_success
        refused = HTTP.get(emu.url + INFERENCE_MODELS_PATH, headers=bearer(key["secret_key"]))
        assert refused.status_code == 429
        assert refused.json()["id"] == "too_many_requests"
        assert "retry-after" not in refused.headers
        assert int(refused.headers["x-ratelimit-reset-requests"]) > 0


def test_no_rate_limits_for_benchmarks() -> None:
    with Emulator(rate_limits=False) as emu:
        codes = {
            HTTP.get(emu.url + KEYS_PATH, headers=bearer(emu.token)).status_code for _ in range(300)
        }
        assert codes == {200}


def test_rate_limits_are_set_through_the_control_api(emulator: Emulator) -> None:
    answer = control(
        emulator, "POST", "rate-limit", {"per_minute": 2, "inference": False, "scale": 0.5}
    )
    assert answer == {"per_minute": 2, "per_hour": 5000, "inference": False, "scale": 0.5}
    codes = [
        HTTP.get(emulator.url + KEYS_PATH, headers=bearer(emulator.token)).status_code
        for _ in "abc"
    ]
    assert codes == [200, 200, 429]
    bad = HTTP.post(emulator.url + "/_emulator/rate-limit", json={"scale": 2})
    assert bad.status_code == 400


# --- the model object and /v1/models ----------------------------------------------------------


def test_every_model_has_every_documented_property(emulator: Emulator) -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    answer = spec["paths"]["/v2/gen-ai/models"]["get"]["responses"]["200"]
    documented = set(
        answer["content"]["application/json"]["schema"]["properties"]["models"]["items"][
            "properties"
        ]
    )
    assert len(documented) == 29
    body = HTTP.get(
        emulator.url + "/v2/gen-ai/models", headers=bearer(emulator.token), params={"per_page": 200}
    ).json()
    assert body["models"]
    for model in body["models"]:
        assert set(model) == documented, model["id"]
        assert isinstance(model["pricing"]["input_price_per_million"], float)


def test_v1_models_lists_non_chat_models_with_their_lengths(emulator: Emulator) -> None:
    answer = HTTP.get(emulator.url + INFERENCE_MODELS_PATH, headers=bearer(emulator.token)).json()
    by_id = {m["id"]: m for m in answer["data"]}
    assert {"gte-large-en-v1.5", "bge-reranker-v2-m3", "flux-1-schnell"} <= set(by_id)
    chat_model = by_id["llama3.3-70b-instruct"]
    assert chat_model["context_length"] == 128000
    assert 0 < chat_model["max_output_tokens"] <= chat_model["context_length"]
    assert by_id["gte-large-en-v1.5"]["max_output_tokens"] == 0
    assert all(m["object"] == "model" for m in answer["data"])


def test_chat_with_a_model_that_does_not_chat_is_refused(emulator: Emulator) -> None:
    key = panel_key(emulator, "app")
    refused = chat(emulator, key["secret_key"], "gte-large-en-v1.5")
    assert refused.status_code == 400
    assert "/v1/embeddings" in refused.json()["message"]
