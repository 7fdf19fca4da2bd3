"""DigitalOcean as users meet it, through the real engine: a key limited to chosen models, and
the control API's rate limit met in the middle of an `up`."""

from __future__ import annotations

import threading
import time

import openai
import pulumi
import pytest
from do_genai_model_keys import ModelAccessKey, get_inference_models_output
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from support import examples
from support.emulators import HTTP, api_requests, fault
from support.stacks import KeyStack, emulator_config

pytestmark = pytest.mark.e2e

SCOPE = ["llama3.3-70b-instruct", "openai-gpt-4o-mini"]
CREATE = f"POST {KEYS_PATH}"
LIST = f"GET {KEYS_PATH}"
SNAPSHOT = {"method": "GET", "path": KEYS_PATH}


def test_an_adopted_scoped_key_sees_only_its_models_and_the_app_is_refused_others(
    backend, emulator: Emulator
) -> None:
    panel = emulator.state.create_key("scoped-in-panel", models=SCOPE)

    def program() -> None:
        key = ModelAccessKey("app", name=panel.name, adopt_uuid=panel.uuid)
        pulumi.export("secret", key.secret_key)
        pulumi.export("models", get_inference_models_output(key.secret_key).ids)

    stack = backend().stack(
        "scoped",
        "dev",
        program,
        config=emulator_config(emulator),
    )
    stack.up()
    outputs = stack.outputs()
    assert sorted(outputs["models"].value) == sorted(SCOPE)
    secret = outputs["secret"].value

    app = examples.load("app-consumer", "app")
    assert "Emulated reply" in app.ask(secret, emulator.url, "hello", model=SCOPE[0])
    with pytest.raises(openai.PermissionDeniedError) as refused:
        app.ask(secret, emulator.url, "hello", model="openai-gpt-4o")
    assert refused.value.status_code == 403
    assert "not allowed to use model 'openai-gpt-4o'" in str(refused.value)


def test_a_burst_of_300_calls_meets_the_429_and_an_up_rides_it_out(backend) -> None:
    # A minute of 6 s (rate_scale 0.1): the burst fills it, and its end comes in seconds.
    with Emulator(allow_create=True, rate_scale=0.1) as emu:
        keys = KeyStack(backend(), emu)
        specs = {f"k{n:02d}": {"name": f"burst-{n:02d}"} for n in range(60)}
        # The provider's first call (the listing before its creates) is held for two seconds;
        # once it has arrived, the rest of the account bursts, and the creates come after it.
        fault(emu, **SNAPSHOT, kind="latency", latency_ms=2000, count=1)
        outcome: list[object] = []
        up = threading.Thread(target=lambda: outcome.append(keys.up(specs)))
        up.start()
        deadline = time.monotonic() + 120
        while api_requests(emu, LIST) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        headers = {"Authorization": f"Bearer {emu.token}"}
        burst = [
            HTTP.get(f"{emu.url}/v2/gen-ai/models", headers=headers, params={"per_page": 1})
            for _ in range(300)
        ]
        up.join(timeout=300)
        codes = [answer.status_code for answer in burst]
        assert 429 in codes
        assert set(codes) <= {200, 429}
        [result] = outcome
        assert result.summary.result == "succeeded"  # type: ignore[attr-defined]
        assert sorted(k.name for k in emu.state.keys.values()) == sorted(
            spec["name"] for spec in specs.values()
        )
        refused = emu.state.stats_snapshot()["rate_limited"]
        assert refused.get(CREATE, 0) >= 1, refused  # the provider met the limit, and waited
        assert api_requests(emu, CREATE) == 60 + refused[CREATE]  # each refused POST, sent again
