"""The emulator as pytest fixtures, for the tests of your own programs and apps.

Opt in, the way moto or respx are used: in your suite's root `conftest.py`

    pytest_plugins = ["do_genai_model_keys.emulator.pytest_plugin"]

(or `pytest -p do_genai_model_keys.emulator.pytest_plugin`). Nothing is registered for anyone
who does not ask, and a program that declares keys never loads this module.

- `genai_emulator`: a running emulator for one test, DigitalOcean as it is today (creates
  answer 410, rate limits on): `.url`, `.token`, `.state.create_key(name, models=[...])` makes a
  key "in the control panel" and returns it with its `.secret`.
- `genai_env`: the same emulator, with `DIGITALOCEAN_TOKEN`, `DIGITALOCEAN_API_URL` and
  `DIGITALOCEAN_INFERENCE_URL` set for the test, so code that reads the environment (this
  package's client and data sources, a Pulumi program run from the test) talks to it.
- `make_genai_emulator(**options)`: more emulators, each with `Emulator`'s options
  (`allow_create=True`, `rate_limits=False`, `seed=...`); all stop after the test.

An emulator whose request handler failed fails the test that used it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from . import Emulator


@pytest.fixture
def make_genai_emulator() -> Iterator[Callable[..., Emulator]]:
    with ExitStack() as running:

        def make(**options: Any) -> Emulator:
            return running.enter_context(Emulator(**options))

        yield make


@pytest.fixture
def genai_emulator(make_genai_emulator: Callable[..., Emulator]) -> Emulator:
    return make_genai_emulator()


@pytest.fixture
def genai_env(genai_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", genai_emulator.token)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", genai_emulator.url)
    monkeypatch.setenv("DIGITALOCEAN_INFERENCE_URL", genai_emulator.url)
    return genai_emulator
