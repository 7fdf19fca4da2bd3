"""Every message of the key's rows in docs/errors.md, driven through both doors (the dynamic
provider's methods and the plugin's, against the emulator, no engine): each door's message says
the same thing in its own spelling, and names nothing the way the other door spells it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from do_genai_model_keys.api.config import FIELDS
from do_genai_model_keys.doors import camel
from do_genai_model_keys.dynamic.resources import ROTATING, ModelAccessKeyProvider
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.lifecycle import runtime
from do_genai_model_keys.lifecycle.inputs import INPUTS
from do_genai_model_keys.plugin.provider import KeysProvider
from do_genai_model_keys.plugin.schema import KEY_TOKEN
from do_genai_model_keys.plugin.wire import RESOURCE_OPTIONS, ROTATING_NAMES
from do_genai_model_keys.seams.plugin_server import PluginError
from pulumi.provider.experimental import provider as api
from pulumi.provider.experimental.property_value import PropertyValue
from support.plugin_calls import run, wire

URN = f"urn:pulumi:dev::proj::{KEY_TOKEN}::web"
PYTHON_NAMES = sorted(
    {n for n in (*INPUTS, *ROTATING_NAMES, *FIELDS, *RESOURCE_OPTIONS) if "_" in n}
)
"""Names the two doors spell differently (`adopt_uuid` / `adoptUuid`)."""


@dataclass
class Door:
    """One door's calls, each answering with the message a user reads (or "" when none)."""

    check: Callable[[dict[str, Any], dict[str, Any]], str]
    create: Callable[[dict[str, Any]], str]
    update: Callable[[str, dict[str, Any], dict[str, Any]], str]
    foreign: list[str]
    """What the other door's spelling looks like in a message."""


def dynamic_door() -> Door:
    provider = ModelAccessKeyProvider()

    def check(olds: dict[str, Any], news: dict[str, Any]) -> str:
        return " | ".join(f.reason for f in provider.check(olds, news).failures or [])

    def create(props: dict[str, Any]) -> str:
        checked = provider.check({}, props).inputs
        return failure(lambda: provider.create(checked))

    def update(uuid: str, olds: dict[str, Any], news: dict[str, Any]) -> str:
        checked = provider.check(olds, news).inputs
        return failure(lambda: provider.update(uuid, olds, checked))

    return Door(check, create, update, [*map(camel, PYTHON_NAMES), "do-genai:"])


def plugin_door(plugin: KeysProvider) -> Door:
    def wired(props: dict[str, Any]) -> dict[str, PropertyValue]:
        return wire(**{camel(k) if k != ROTATING else k: v for k, v in props.items()})

    def check(olds: dict[str, Any], news: dict[str, Any]) -> str:
        request = api.CheckRequest(URN, wired(olds), wired(news), b"")
        return " | ".join(f.reason for f in run(plugin.check(request)).failures)

    def create(props: dict[str, Any]) -> str:
        checked = run(plugin.check(api.CheckRequest(URN, {}, wired(props), b""))).inputs
        return failure(lambda: run(plugin.create(api.CreateRequest(URN, checked, 60, False))))

    def update(uuid: str, olds: dict[str, Any], news: dict[str, Any]) -> str:
        checked = run(plugin.check(api.CheckRequest(URN, wired(olds), wired(news), b"")))
        request = api.UpdateRequest(URN, uuid, wired(olds), checked.inputs, 60, [], False)
        return failure(lambda: run(plugin.update(request)))

    return Door(check, create, update, [*PYTHON_NAMES, "digitalocean:"])


def failure(call: Callable[[], Any]) -> str:
    try:
        call()
    except (PluginError, Exception) as error:
        return str(error)
    return ""


@pytest.fixture(params=["dynamic", "plugin"])
def door(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[Door]:
    if request.param == "dynamic":
        runtime.configure_runtime(
            {"digitalocean:token": emulator.token, "digitalocean:apiEndpoint": emulator.url}.get
        )
        yield dynamic_door()
    else:
        plugin = KeysProvider()
        config = wire(token=PropertyValue(emulator.token, is_secret=True), apiEndpoint=emulator.url)
        run(plugin.configure(api.ConfigureRequest({}, config, True, True)))
        yield plugin_door(plugin)
    runtime.reset_runtime()


def soon() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


CHECKS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("empty name", {}, {"name": ""}, "must not be empty"),
    ("version text", {}, {"name": "a", "secret_version": "two"}, "whole number >= 1"),
    ("version down", {"secret_version": 4}, {"name": "a", "secret_version": 3}, "cannot go down"),
    ("rotate 0 days", {}, {"name": "a", "rotate_after_days": 0}, "number of days > 0"),
    ("adopt uuid", {}, {"name": "a", "adopt_uuid": "x"}, "must be a key UUID"),
    (
        "adopt both ways",
        {},
        {"name": "a", "adopt_uuid": "3f2b6c1e-0000-4000-8000-000000000000", "adopt_existing": True},
        "cannot be set together",
    ),
    (
        "rotation too soon",
        {"secret_version": 1, "name": "app-a", "__rotation": 1, "__emergencies": 0},
        {
            "name": "app-a",
            "secret_version": 2,
            ROTATING: {
                "component": "app",
                "slot": "a",
                "rotation": 2,
                "emergency": 0,
                "floor_hours": 24.0,
                "previous_active_since": "NOW",
            },
        },
        "is too soon",
    ),
]


@pytest.mark.parametrize(("case", "olds", "news", "said"), CHECKS, ids=[c[0] for c in CHECKS])
def test_a_checks_message_is_in_the_callers_spelling(
    door: Door, case: str, olds: dict[str, Any], news: dict[str, Any], said: str
) -> None:
    if ROTATING in news:
        news = {**news, ROTATING: {**news[ROTATING], "previous_active_since": soon()}}
    message = door.check(olds, news)
    assert said in message, message
    assert_spelled(message, door)


def test_a_retired_create_tells_how_to_adopt_in_the_callers_spelling(
    door: Door, emulator: Emulator
) -> None:
    emulator.state.retire_create = True
    message = door.create({"name": "web"})
    assert "answered 410" in message
    assert "adopt" in message.lower()
    assert_spelled(message, door)


def test_an_update_of_a_key_gone_meanwhile_says_refresh_in_the_callers_spelling(
    door: Door, emulator: Emulator
) -> None:
    key = emulator.state.create_key("web")
    olds = {
        "uuid": key.uuid,
        "name": "web",
        "secret_version": 1,
        "secret_key": "",
        "origin": "adopted",
    }
    emulator.state.delete_key(key.uuid)
    message = door.update(key.uuid, olds, {"name": "web-2", "secret_version": 2})
    assert "no longer exists on DigitalOcean" in message
    assert_spelled(message, door)


def assert_spelled(message: str, door: Door) -> None:
    found = [name for name in door.foreign if re.search(rf"(?<![\w-]){re.escape(name)}", message)]
    assert found == [], f"{found} in: {message}"
