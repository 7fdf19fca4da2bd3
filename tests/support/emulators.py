"""The tests' own ways into an emulator: a client that never sleeps, the control API, fault
rules, request counts, whether a secret works, and unique names."""

from __future__ import annotations

import atexit
import uuid
from typing import Any

import httpx
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api.config import ClientSettings
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH, KEYS_PATH
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.emulator.state import FaultRule
from pydantic import SecretStr

SOME_UUID = "3f2b6a4e-1111-4222-8333-444455556666"
"""A well-formed key UUID that no server here knows."""
KEY_ROUTE = f"{KEYS_PATH}/{{api_key_uuid}}"
"""A key's path as the emulator's routes name it: what its request counts (`api_requests`) and
fault rules (`path=`) say for every key."""


def emulator_client(emu: Emulator, **overrides: object) -> GenAIClient:
    """A client for `emu` that records waits instead of sleeping."""
    settings = ClientSettings(
        token=SecretStr(emu.token),
        api_endpoint=emu.url,
        inference_endpoint=emu.url,
        **overrides,  # type: ignore[arg-type]
    )
    return GenAIClient(settings=settings, sleep=lambda _seconds: None)


HTTP = httpx.Client(timeout=30)
"""One connection pool for the tests' own calls to emulators: a one-off `httpx.get` builds a
TLS context each time (~45 ms), a pooled call costs about 1 ms."""
atexit.register(HTTP.close)


def control(emu: Emulator, method: str, path: str, body: object | None = None) -> dict:
    """Call the emulator's control API."""
    response = HTTP.request(method, f"{emu.url}/_emulator/{path}", json=body or {})
    response.raise_for_status()
    return response.json()


def fault(emu: Emulator, **rule: Any) -> FaultRule:
    """Add a fault rule (`FaultRule`'s fields: kind, method, path, count, ...) to `emu`.

    Straight into the state, not through `POST /_emulator/faults`: the rule is checked the same
    way (a bad field raises here), and no pooled connection to the emulator is left open for
    the tests that count its sockets. The control API's fault routes have tests of their own
    (tests/emulator/test_emulator.py)."""
    return emu.state.add_fault(FaultRule(**rule))


def clear_faults(emu: Emulator) -> None:
    """Remove every fault rule of `emu`: what `DELETE /_emulator/faults` does."""
    emu.state.clear_faults()


def api_requests(emu: Emulator, key: str) -> int:
    return int(control(emu, "GET", "stats")["requests"].get(key, 0))


def inference_status(emu: Emulator, secret: str) -> int:
    """What `GET /v1/models` with `secret` answers: 200 while the key's secret is live, 401
    once it is not."""
    headers = {"Authorization": f"Bearer {secret}"}
    return httpx.get(f"{emu.url}{INFERENCE_MODELS_PATH}", headers=headers).status_code


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
