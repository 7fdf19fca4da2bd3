"""Live-secret checks on read: a secret regenerated outside the stack is drift, and nothing but a
definite refusal ever changes the state (the provider's real methods against the emulator)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from conftest import api_requests, control
from do_genai_model_keys import GenAIClient, runtime
from do_genai_model_keys.config import ClientSettings
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.keys import KeyStore, Verdict
from do_genai_model_keys.resources import ModelAccessKeyProvider
from pydantic import SecretStr
from support.secrets import different_secrets, expect, same_secret

MODELS = "GET /v1/models"


def configure(emu: Emulator, **config: str) -> None:
    settings = {
        "digitalocean:token": emu.token,
        "digitalocean:apiEndpoint": emu.url,
        "digitalocean:inferenceEndpoint": emu.url,
        "digitalocean:httpRetryWaitMin": "0",
        "digitalocean:httpRetryWaitMax": "0",
        "digitalocean:httpRetryMax": "1",
        **config,
    }
    runtime.configure_runtime(settings.get)


@pytest.fixture
def provider(emulator: Emulator) -> Iterator[ModelAccessKeyProvider]:
    configure(emulator)
    yield ModelAccessKeyProvider()
    runtime.reset_runtime()


def adopted(provider: ModelAccessKeyProvider, emulator: Emulator, name: str = "app") -> tuple:
    panel = emulator.state.create_key(name)
    checked = provider.check({}, {"name": name, "adopt_uuid": panel.uuid})
    result = provider.create(checked.inputs)
    assert result.outs is not None
    control(emulator, "POST", "stats/reset")
    return result.id, result.outs, checked.inputs


def read(provider: ModelAccessKeyProvider, key_id: str, outs: dict) -> dict:
    runtime.runtime().keys.listing.expire()  # a new refresh: what the account holds now
    result = provider.read(key_id, outs)
    assert result.outs is not None
    return result.outs


def test_a_working_secret_is_kept_at_one_request(provider, emulator: Emulator) -> None:
    key_id, outs, _ = adopted(provider, emulator)
    same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "kept")
    assert api_requests(emulator, MODELS) == 1


def test_a_secret_regenerated_in_the_panel_is_drift_and_up_heals_it(
    provider, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    key_id, outs, inputs = adopted(provider, emulator, "web")
    control(emulator, "POST", "keys/regenerate", {"uuid": key_id})
    with caplog.at_level(logging.WARNING, logger="do_genai_model_keys.secrets"):
        refreshed = read(provider, key_id, outs)
    assert refreshed["secret_key"] == ""  # shown as a change of secret_key
    warning = caplog.text
    assert "'web'" in warning
    assert key_id in warning
    assert "control panel" in warning
    assert "pulumi up" in warning
    assert provider.diff(key_id, refreshed, inputs).changes is True
    healed = provider.update(key_id, refreshed, inputs).outs
    assert healed is not None
    different_secrets(healed["secret_key"], outs["secret_key"], "the healed secret")
    expect(emulator.state.secret_is_live(healed["secret_key"]), True, "live")


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 403},
        {"kind": "status", "status": 429, "headers": {"retry-after": "3600"}},
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "drop"},
        {"kind": "body", "body": "<html>gateway</html>"},
    ],
    ids=["403", "429", "500", "503", "dropped", "html"],
)
def test_no_answer_but_a_definite_refusal_changes_the_state(
    provider, emulator: Emulator, caplog: pytest.LogCaptureFixture, rule: dict
) -> None:
    key_id, outs, _ = adopted(provider, emulator)
    other_id, other_outs, _ = adopted(provider, emulator, "other")
    control(emulator, "POST", "faults", {"method": "GET", "path": "/v1/models", **rule})
    with caplog.at_level(logging.WARNING, logger="do_genai_model_keys.secrets"):
        same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "kept")
        kept = read(provider, other_id, other_outs)["secret_key"]
        same_secret(kept, other_outs["secret_key"], "kept")
    assert caplog.text.count("could not check") == 1  # once per run, not once per key
    assert "nothing was changed" in caplog.text


def test_a_401_from_an_endpoint_that_refuses_the_token_too_is_not_trusted(
    provider, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    key_id, outs, _ = adopted(provider, emulator)
    control(
        emulator,
        "POST",
        "faults",
        {"method": "GET", "path": "/v1/models", "kind": "status", "status": 401},
    )
    with caplog.at_level(logging.WARNING, logger="do_genai_model_keys.secrets"):
        same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "kept")
    assert "refuses the API token too" in caplog.text


def test_an_outage_that_refuses_everything_after_one_good_probe_kills_nothing(
    provider, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The token was accepted once; then the endpoint refuses every bearer: no secret dies."""
    dead_id, dead_outs, _ = adopted(provider, emulator, "dead")
    control(emulator, "POST", "keys/regenerate", {"uuid": dead_id})
    assert read(provider, dead_id, dead_outs)["secret_key"] == ""  # the token was accepted
    key_id, outs, _ = adopted(provider, emulator, "alive")
    rule = {"method": "GET", "path": "/v1/models", "kind": "status", "status": 401}
    control(emulator, "POST", "faults", rule)
    same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "kept")


def test_an_unreachable_inference_endpoint_changes_nothing(emulator: Emulator) -> None:
    configure(emulator, **{"digitalocean:inferenceEndpoint": "http://127.0.0.1:9"})
    try:
        provider = ModelAccessKeyProvider()
        key_id, outs, _ = adopted(provider, emulator)
        same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "kept")
    finally:
        runtime.reset_runtime()


def test_a_timeout_is_unknown(emulator: Emulator) -> None:
    key = emulator.state.create_key("slow")
    control(
        emulator,
        "POST",
        "faults",
        {"method": "GET", "path": "/v1/models", "kind": "latency", "latency_ms": 1500},
    )
    settings = ClientSettings(
        token=SecretStr(emulator.token),
        api_endpoint=emulator.url,
        inference_endpoint=emulator.url,
        http_retry_max=0,
        timeout=0.3,
    )
    with GenAIClient(settings=settings) as client:
        check = KeyStore(client).check_secret(key.secret)
    assert check.verdict is Verdict.UNKNOWN
    assert "Timeout" in check.reason


def test_checks_off_make_no_request(emulator: Emulator) -> None:
    configure(emulator, **{"digitalocean:verifySecrets": "false"})
    try:
        provider = ModelAccessKeyProvider()
        key_id, outs, _ = adopted(provider, emulator)
        control(emulator, "POST", "keys/regenerate", {"uuid": key_id})
        same_secret(read(provider, key_id, outs)["secret_key"], outs["secret_key"], "not checked")
        assert api_requests(emulator, MODELS) == 0
    finally:
        runtime.reset_runtime()


def test_each_dead_verdict_is_confirmed_by_the_token_right_after(
    provider, emulator: Emulator
) -> None:
    made = [adopted(provider, emulator, f"k{n}") for n in range(3)]
    for key_id, _, _ in made:
        control(emulator, "POST", "keys/regenerate", {"uuid": key_id})
    for key_id, outs, _ in made:
        assert read(provider, key_id, outs)["secret_key"] == ""
    assert api_requests(emulator, MODELS) == 3 + 3  # each secret, and the token after each
