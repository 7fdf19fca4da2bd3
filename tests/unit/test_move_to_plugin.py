"""`move-to-plugin` on exported states: what each key becomes, and what refers to it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from do_genai_model_keys.commands.move_to_plugin import MoveError, move

CHECKPOINT = Path(__file__).resolve().parents[1] / "e2e" / "checkpoints"
DYNAMIC = "pulumi-python:dynamic/genai:ModelAccessKey"
PLUGIN = "do-genai:index:ModelAccessKey"


def exported() -> dict[str, Any]:
    [path] = CHECKPOINT.glob("*.json")
    return dict(json.loads(path.read_text()))


def resources(state: dict[str, Any]) -> list[dict[str, Any]]:
    return list(state["deployment"]["resources"])


def test_a_key_keeps_its_id_and_its_encrypted_secret_and_gets_the_plugins_provider() -> None:
    before = exported()
    [key] = [r for r in resources(before) if r["type"] == DYNAMIC]
    after, config = move(copy.deepcopy(before))
    [moved] = [r for r in resources(after) if r["type"] == PLUGIN]
    assert moved["id"] == key["id"]
    assert moved["urn"] == key["urn"].replace(DYNAMIC, PLUGIN)
    assert moved["outputs"]["secretKey"] == key["outputs"]["secret_key"]  # ciphertext as it was
    assert "__provider" not in moved["inputs"]
    [provider] = [r for r in resources(after) if r["type"] == "pulumi:providers:do-genai"]
    assert moved["provider"] == f"{provider['urn']}::{provider['id']}"
    assert "do-genai:token" in config
    assert not [k for k in config if "spaces" in k.lower()]


def test_a_key_in_a_component_and_what_refers_to_it_follow_the_new_urn() -> None:
    state = exported()
    items = resources(state)
    [key] = [r for r in items if r["type"] == DYNAMIC]
    stack = next(r for r in items if r["type"] == "pulumi:pulumi:Stack")
    prefix = stack["urn"].split("::pulumi:pulumi:Stack::")[0]
    component = {"urn": f"{prefix}::my:app:Web::web", "type": "my:app:Web", "custom": False}
    old_urn = f"{prefix}::my:app:Web${DYNAMIC}::k"
    key.update(urn=old_urn, parent=component["urn"])
    consumer = {
        "urn": f"{prefix}::my:app:Consumer::c",
        "type": "my:app:Consumer",
        "dependencies": [old_urn],
        "propertyDependencies": {"secret": [old_urn]},
        "deletedWith": old_urn,
    }
    items += [component, consumer]
    state["deployment"]["resources"] = items
    after, _ = move(state)
    new_urn = f"{prefix}::my:app:Web${PLUGIN}::k"
    assert [r["urn"] for r in resources(after) if r["type"] == PLUGIN] == [new_urn]
    moved_consumer = next(r for r in resources(after) if r["type"] == "my:app:Consumer")
    assert moved_consumer["dependencies"] == [new_urn]
    assert moved_consumer["propertyDependencies"] == {"secret": [new_urn]}
    assert moved_consumer["deletedWith"] == new_urn


def test_a_key_with_an_account_of_its_own_is_refused_and_nothing_is_written() -> None:
    state = exported()
    [key] = [r for r in resources(state) if r["type"] == DYNAMIC]
    key["inputs"]["account"] = {"api_endpoint": "https://team-b.example"}
    with pytest.raises(MoveError, match="has an account of its own"):
        move(state)


def test_a_state_moved_twice_is_refused() -> None:
    once, _ = move(exported())
    with pytest.raises(MoveError, match="no dynamic ModelAccessKey"):
        move(once)


def test_a_rotating_pair_becomes_the_plugins_component_and_its_slots_follow() -> None:
    state = exported()
    items = resources(state)
    [template] = [r for r in items if r["type"] == DYNAMIC]
    items.remove(template)
    stack = next(r for r in items if r["type"] == "pulumi:pulumi:Stack")
    prefix = stack["urn"].split("::pulumi:pulumi:Stack::")[0]
    pair_type = "genai:index:RotatingModelAccessKey"
    pair = {
        "urn": f"{prefix}::{pair_type}::pair",
        "type": pair_type,
        "custom": False,
        "parent": stack["urn"],
        "outputs": {"active_slot": "b", "rotation": 1},
    }
    slot_urn = {slot: f"{prefix}::{pair_type}${DYNAMIC}::pair-{slot}" for slot in "ab"}
    slots = [
        {
            **copy.deepcopy(template),
            "urn": slot_urn[slot],
            "parent": pair["urn"],
            "dependencies": [slot_urn["a"]] if slot == "b" else [],
        }
        for slot in "ab"
    ]
    for slot in slots:
        slot["inputs"].update(__rotation=1, __emergencies=0)
    state["deployment"]["resources"] = [*items, pair, *slots]

    after, _ = move(state)
    plugin_pair = "do-genai:index:RotatingModelAccessKey"
    [moved_pair] = [r for r in resources(after) if r["type"] == plugin_pair]
    assert moved_pair["urn"] == f"{prefix}::{plugin_pair}::pair"
    assert moved_pair["outputs"] == pair["outputs"]  # the same in both doors
    moved_slots = [r for r in resources(after) if r["type"] == PLUGIN]
    new_slot_urn = {slot: f"{prefix}::{plugin_pair}${PLUGIN}::pair-{slot}" for slot in "ab"}
    assert [r["urn"] for r in moved_slots] == [new_slot_urn["a"], new_slot_urn["b"]]
    assert {r["parent"] for r in moved_slots} == {moved_pair["urn"]}
    assert moved_slots[1]["dependencies"] == [new_slot_urn["a"]]
    assert [r["id"] for r in moved_slots] == [r["id"] for r in slots]
    assert all(r["inputs"]["__rotation"] == 1 for r in moved_slots)  # the pacing's memory
    chains = [r["urn"].split("::")[2].split("$") for r in resources(after)]
    assert not [chain for chain in chains if {pair_type, DYNAMIC} & set(chain)]


def test_a_plugin_provider_already_there_is_reused_and_comes_before_the_keys() -> None:
    first, _ = move(exported())
    [provider] = [r for r in resources(first) if r["type"] == "pulumi:providers:do-genai"]
    state = exported()
    state["deployment"]["resources"].append(provider)  # after the dynamic key
    after, _ = move(state)
    items = resources(after)
    providers = [i for i, r in enumerate(items) if r["type"] == "pulumi:providers:do-genai"]
    [key_at] = [i for i, r in enumerate(items) if r["type"] == PLUGIN]
    assert len(providers) == 1
    assert providers[0] < key_at
    assert items[key_at]["provider"] == f"{provider['urn']}::{provider['id']}"
