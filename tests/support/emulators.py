"""The tests' own ways into an emulator: a client that never sleeps, the control API, request
counts, and unique names."""

from __future__ import annotations

import atexit
import uuid

import httpx
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api.config import ClientSettings
from do_genai_model_keys.emulator import Emulator
from pydantic import SecretStr


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


def api_requests(emu: Emulator, key: str) -> int:
    return int(control(emu, "GET", "stats")["requests"].get(key, 0))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
