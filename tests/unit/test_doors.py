"""Both doors' states read the same way by the commands (`doors.py`): a plugin key's secret,
age and explicit provider's account, a plugin pair's rotation, as a dynamic one's are."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from do_genai_model_keys.commands.inventory import stack_holdings
from do_genai_model_keys.commands.rotation_status import stack_rotations
from do_genai_model_keys.doors import (
    DOORS,
    DYNAMIC,
    PLUGIN,
    SECRET_SIGNATURE,
    door_of,
    explicit_provider,
    own_account,
)

SECRET = "sk-do-emu-doors-never-printed"
STACK = "urn:pulumi:dev::proj"
DEFAULT = f"{STACK}::pulumi:providers:do-genai::default_0_1_0"
EXPLICIT = f"{STACK}::pulumi:providers:do-genai::second"


def secret(value: Any) -> dict[str, str]:
    return {SECRET_SIGNATURE: "1b47061264138c4ac30d75fd1eb44270", "plaintext": json.dumps(value)}


def export(*resources: dict[str, Any]) -> str:
    return json.dumps({"version": 3, "deployment": {"resources": list(resources)}})


def plugin_key(name: str, uuid: str, provider: str, **outputs: Any) -> dict[str, Any]:
    return {
        "urn": f"{STACK}::{PLUGIN.key_type}::{name}",
        "type": PLUGIN.key_type,
        "id": uuid,
        "provider": f"{provider}::0c2a",
        "inputs": {"name": name, "secretVersion": 1},
        "outputs": {"name": name, "uuid": uuid, **outputs},
    }


def test_each_door_spells_the_core_names_its_own_way() -> None:
    assert [door_of(d.key_type) for d in DOORS] == [DYNAMIC, PLUGIN]
    assert [door_of(d.pair_type) for d in DOORS] == [DYNAMIC, PLUGIN]
    assert door_of("aws:s3/bucket:Bucket") is None
    assert DYNAMIC.prop("secret_key") == "secret_key"
    assert PLUGIN.prop("secret_key") == "secretKey"
    assert PLUGIN.core({"rotatedAt": "x", "secretVersion": 2}) == {
        "rotated_at": "x",
        "secret_version": 2,
    }
    assert PLUGIN.config_key("api_endpoint") == "do-genai:apiEndpoint"
    assert DYNAMIC.config_key("api_endpoint") == "digitalocean:apiEndpoint"


def test_only_an_explicit_plugin_provider_names_an_account_of_its_own() -> None:
    on_default = plugin_key("a", "u1", DEFAULT)
    on_explicit = plugin_key("b", "u2", EXPLICIT)
    provider = {
        "urn": EXPLICIT,
        "type": "pulumi:providers:do-genai",
        "inputs": {"apiEndpoint": "http://127.0.0.1:9", "token": secret("tok"), "version": "0.1"},
    }
    resources = {EXPLICIT: provider}
    assert explicit_provider(on_default) == ""
    assert explicit_provider(on_explicit) == EXPLICIT
    assert own_account(on_default, resources) is None
    assert own_account(on_explicit, resources) == {
        "api_endpoint": "http://127.0.0.1:9",
        "token": secret("tok"),
    }
    assert own_account(on_explicit, {}) == {}  # a provider the state lacks: unreadable


def test_the_inventory_reads_a_plugin_keys_secret_age_and_explicit_account() -> None:
    provider = {
        "urn": EXPLICIT,
        "type": "pulumi:providers:do-genai",
        "inputs": {"apiEndpoint": "http://127.0.0.1:9", "token": secret("tok-2")},
    }
    text = export(
        plugin_key("a", "u1", DEFAULT, secretKey=secret(SECRET), rotatedAt="2026-01-02T00:00:00Z"),
        plugin_key("b", "u2", EXPLICIT, secretKey=secret(SECRET), rotatedAt="2026-03-04T00:00:00Z"),
        provider,
    )
    held = dict(stack_holdings(lambda _args: text, "org/proj/dev", with_secrets=True))
    assert held["u1"].secret == SECRET
    assert held["u1"].rotated_at == "2026-01-02T00:00:00Z"
    assert held["u1"].account is None  # the stack's config: the account inventoried
    assert held["u2"].account == {"api_endpoint": "http://127.0.0.1:9", "token": "tok-2"}
    assert SECRET not in repr(held)


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.name)
def test_the_rotation_command_lists_a_pair_of_either_door(door: Any) -> None:
    outputs = door.spelled(
        {
            "active_slot": "b",
            "rotation": 1,
            "rotated_at": "2026-06-01T00:00:00Z",
            "min_rotation_interval_hours": 24.0,
            "rotate_after_days": 30,
            "rotation_anchor": "2026-01-01T00:00:00Z",
            "emergency_rotations": 0,
        }
    )
    pair = {"urn": f"{STACK}::{door.pair_type}::pair", "type": door.pair_type, "outputs": outputs}
    at = datetime(2026, 6, 2, tzinfo=UTC)
    [row] = stack_rotations(lambda _args: export(pair), "org/proj/dev", at)
    assert (row.resource, row.active_slot, row.rotation) == ("pair", "b", 1)
    assert row.previous_dies_not_before == "2026-06-02T00:00:00Z"
    assert row.next_rotation_due == "2026-06-30T00:00:00Z"
