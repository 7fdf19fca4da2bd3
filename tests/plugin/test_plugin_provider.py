"""The plugin's provider, called as the engine calls it (its request objects), against the
emulator over real HTTP: the same core as the dynamic door, behind the wire's names, secrets
and unknowns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from do_genai_model_keys.api.errors import ConfigurationError
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.lifecycle.inputs import UNKNOWN
from do_genai_model_keys.lifecycle.runtime import reset_runtime, runtime
from do_genai_model_keys.plugin.provider import KeysProvider
from do_genai_model_keys.plugin.schema import KEY_TOKEN, package_schema
from do_genai_model_keys.plugin.wire import spelled
from do_genai_model_keys.seams.plugin_server import PluginError
from pulumi.provider.experimental import provider as api
from pulumi.provider.experimental.property_value import PropertyValue
from support.emulators import inference_status
from support.plugin_calls import run, wire

URN = f"urn:pulumi:dev::proj::{KEY_TOKEN}::web"


def text(value: PropertyValue) -> str:
    assert isinstance(value.value, str)
    return value.value


def plain(props: dict[str, PropertyValue]) -> dict[str, Any]:
    return {name: value.value for name, value in props.items()}


@pytest.fixture
def plugin(emulator: Emulator) -> Iterator[KeysProvider]:
    provider = KeysProvider()
    config = wire(token=PropertyValue(emulator.token, is_secret=True), apiEndpoint=emulator.url)
    run(provider.configure(api.ConfigureRequest({}, config, True, True)))
    yield provider
    # The process's runtime is the plugin's now (an engine's, checking against DigitalOcean):
    # the next test of this worker starts without it.
    reset_runtime()


def create(plugin: KeysProvider, **inputs: Any) -> api.CreateResponse:
    checked = run(plugin.check(api.CheckRequest(URN, {}, wire(**inputs), b"")))
    assert not checked.failures
    return run(plugin.create(api.CreateRequest(URN, checked.inputs, 60, False)))


def test_a_key_is_made_renamed_rotated_and_deleted(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    made = create(plugin, name="web")
    uuid = str(made.resource_id)
    state = made.properties
    assert state["secretKey"].is_secret
    first = text(state["secretKey"])
    assert inference_status(emulator, first) == 200
    assert set(state) >= {"uuid", "name", "secretVersion", "createdAt", "rotatedAt"}

    news = run(plugin.check(api.CheckRequest(URN, {}, wire(name="web-2", secretVersion=2), b"")))
    diff = run(plugin.diff(api.DiffRequest(URN, uuid, state, news.inputs, [])))
    assert diff.changes
    assert not diff.replaces
    assert set(diff.diffs) == {"name", "secretVersion"}
    updated = run(
        plugin.update(api.UpdateRequest(URN, uuid, state, news.inputs, 60, [], False))
    ).properties
    assert updated["name"].value == "web-2"
    assert emulator.state.keys[uuid].name == "web-2"
    assert updated["secretKey"].is_secret
    assert updated["secretKey"].value != first
    assert inference_status(emulator, first) == 401
    assert inference_status(emulator, text(updated["secretKey"])) == 200

    run(plugin.delete(api.DeleteRequest(URN, uuid, updated, 60)))
    assert uuid not in emulator.state.keys


def test_a_preview_touches_nothing_and_leaves_outputs_unknown(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    checked = run(plugin.check(api.CheckRequest(URN, {}, wire(name="web"), b"")))
    preview = run(plugin.create(api.CreateRequest(URN, checked.inputs, 60, True)))
    assert preview.properties["secretKey"].value == UNKNOWN  # how the wire spells unknown
    assert preview.properties["uuid"].value == UNKNOWN
    assert not emulator.state.keys


def test_bad_inputs_are_named_as_the_schema_names_them(plugin: KeysProvider) -> None:
    checked = run(
        plugin.check(api.CheckRequest(URN, {}, wire(name=" ", secretVersion=0, adoptUid="x"), b""))
    )
    by_field = {f.property: f.reason for f in checked.failures}
    assert set(by_field) == {"name", "secretVersion", "adoptUid"}
    assert by_field["secretVersion"].startswith("secretVersion must be >= 1")
    assert "secret_version" not in json.dumps(by_field)


def test_an_imported_key_is_read_without_its_secret_and_regenerated_by_the_next_up(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    panel = emulator.state.create_key("made-in-panel")
    read = run(plugin.read(api.ReadRequest(URN, panel.uuid, {}, {})))
    assert read.resource_id == panel.uuid
    assert plain(read.inputs) == {"name": "made-in-panel", "secretVersion": 1.0}
    assert "secretKey" not in read.properties or not read.properties["secretKey"].value
    program = run(plugin.check(api.CheckRequest(URN, read.inputs, wire(name="made-in-panel"), b"")))
    # the import's own diff: no change, so the import goes through
    same = run(plugin.diff(api.DiffRequest(URN, panel.uuid, read.properties, program.inputs, [])))
    assert not same.changes
    assert inference_status(emulator, panel.secret) == 200  # importing regenerates nothing

    later = KeysProvider()  # the next `up` is another plugin process
    config = wire(token=PropertyValue(emulator.token, is_secret=True), apiEndpoint=emulator.url)
    run(later.configure(api.ConfigureRequest({}, config, True, True)))
    due = run(later.diff(api.DiffRequest(URN, panel.uuid, read.properties, program.inputs, [])))
    assert due.changes
    assert "secretKey" in due.diffs
    updated = run(
        later.update(
            api.UpdateRequest(URN, panel.uuid, read.properties, program.inputs, 60, [], False)
        )
    ).properties
    assert inference_status(emulator, text(updated["secretKey"])) == 200
    assert inference_status(emulator, panel.secret) == 401


def test_importing_a_uuid_the_account_does_not_have_says_so(plugin: KeysProvider) -> None:
    with pytest.raises(Exception, match="no key with this UUID in the account"):
        run(plugin.read(api.ReadRequest(URN, "3f2b6a4e-1111-4222-8333-444455556666", {}, {})))


def test_the_functions_answer_with_records_and_a_secret_argument_keeps_them_secret(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    made = create(plugin, name="fn")
    models = run(plugin.invoke(api.InvokeRequest("do-genai:index:getModels", {}))).return_value
    assert models["ids"].value
    assert not models["ids"].is_secret
    first = models["models"].value[0].value
    assert {"id", "contextWindow", "pricing"} <= set(first)
    keys = run(
        plugin.invoke(api.InvokeRequest("do-genai:index:getModelAccessKeys", wire(name="fn")))
    ).return_value
    assert [u.value for u in keys["uuids"].value] == [made.resource_id]
    secret = made.properties["secretKey"]
    inference = run(
        plugin.invoke(api.InvokeRequest("do-genai:index:getInferenceModels", {"apiKey": secret}))
    ).return_value
    assert inference["ids"].is_secret
    assert inference["ids"].value


def test_unknown_provider_settings_are_refused_with_the_nearest_name(emulator: Emulator) -> None:
    checked = run(
        KeysProvider().check_config(
            api.CheckRequest(
                "urn:pulumi:dev::p::pulumi:providers:do-genai::default",
                {},
                wire(token=emulator.token, apiEndpiont=emulator.url),
                b"",
            )
        )
    )
    [failure] = checked.failures
    assert failure.property == "apiEndpiont"
    assert "did you mean apiEndpoint?" in failure.reason


def test_the_schema_marks_the_secret_and_names_every_input() -> None:
    schema = package_schema()
    key = schema["resources"][KEY_TOKEN]
    assert key["properties"]["secretKey"]["secret"] is True
    assert set(key["inputProperties"]) == {
        "name",
        "secretVersion",
        "rotateAfterDays",
        "adoptUuid",
        "adoptExisting",
        "regenerateOnAdopt",
        "deletionProtection",
    }
    assert schema["config"]["variables"]["token"]["secret"] is True
    assert set(schema["functions"]) == {
        "do-genai:index:getModels",
        "do-genai:index:getModelAccessKeys",
        "do-genai:index:getInferenceModels",
    }


def configured(emu: Emulator) -> KeysProvider:
    provider = KeysProvider()
    config = wire(token=PropertyValue(emu.token, is_secret=True), apiEndpoint=emu.url)
    run(provider.configure(api.ConfigureRequest({}, config, True, True)))
    return provider


def test_a_key_the_provider_no_longer_finds_after_a_new_token_is_never_dropped(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    made = create(plugin, name="stays")
    uuid = str(made.resource_id)
    with Emulator(allow_create=True) as other:  # the token of another team
        moved = configured(other)
        with pytest.raises(Exception, match="not in the account the provider now points at"):
            run(moved.read(api.ReadRequest(URN, uuid, made.properties, {})))
        with pytest.raises(Exception, match="Nothing was changed, deleted or dropped"):
            run(moved.delete(api.DeleteRequest(URN, uuid, made.properties, 60)))
    assert uuid in emulator.state.keys  # still there, still in the state
    back = configured(emulator)  # the old token back: the key reads as it was
    read = run(back.read(api.ReadRequest(URN, uuid, made.properties, {})))
    assert read.resource_id == uuid


def test_a_secret_input_is_not_quoted_in_its_check_failure(plugin: KeysProvider) -> None:
    leaked = "sk-do-not-a-uuid-but-a-secret"
    news = {"name": PropertyValue("web"), "adoptUuid": PropertyValue(leaked, is_secret=True)}
    checked = run(plugin.check(api.CheckRequest(URN, {}, news, b"")))
    [failure] = checked.failures
    assert failure.property == "adoptUuid"
    assert leaked not in failure.reason
    assert checked.inputs["adoptUuid"].is_secret  # and the input stays a secret


def test_provider_settings_errors_name_the_setting_and_a_plain_token_is_kept_secret(
    emulator: Emulator,
) -> None:
    urn = "urn:pulumi:dev::p::pulumi:providers:do-genai::default"
    checked = run(
        KeysProvider().check_config(
            api.CheckRequest(urn, {}, wire(token=emulator.token, apiEndpoint="ftp://x"), b"")
        )
    )
    [failure] = checked.failures
    assert failure.property == "apiEndpoint"
    assert "api_endpoint" not in failure.reason
    assert checked.inputs["token"].is_secret


def test_an_explicit_provider_naming_an_endpoint_never_takes_the_environments_token(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`DIGITALOCEAN_TOKEN` is the stack's account's: an explicit provider that names another
    endpoint but no token fails, naming the fix, and sends nothing; the stack's default
    provider still takes it, as CI sets it."""
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", emulator.token)
    endpoint = wire(apiEndpoint=emulator.url)
    explicit = KeysProvider()
    urn = "urn:pulumi:dev::p::pulumi:providers:do-genai::prod"
    run(explicit.check_config(api.CheckRequest(urn, {}, endpoint, b"")))
    with pytest.raises(ConfigurationError) as refused:
        run(explicit.configure(api.ConfigureRequest({}, endpoint, True, True)))
    assert "names the endpoint" in str(refused.value)
    assert "DIGITALOCEAN_TOKEN" in str(refused.value)
    assert emulator.token not in str(refused.value)

    default = KeysProvider()
    urn = "urn:pulumi:dev::p::pulumi:providers:do-genai::default_0_3_0"
    run(default.check_config(api.CheckRequest(urn, {}, endpoint, b"")))
    run(default.configure(api.ConfigureRequest({}, endpoint, True, True)))
    assert create(default, name="from-ci").resource_id in emulator.state.keys


def test_a_moved_key_without_an_account_mark_is_never_dropped_unconfirmed(
    plugin: KeysProvider, emulator: Emulator
) -> None:
    """A key `move-to-plugin` wrote has no account mark: a refresh that does not find it
    cannot tell a deleted key from a changed token, so it drops nothing and says so."""
    made = create(plugin, name="moved")
    uuid = str(made.resource_id)
    unmarked = {k: v for k, v in made.properties.items() if not k.startswith("__")}
    emulator.state.delete_key(uuid)
    runtime().keys.listing.expire()  # a new refresh: what the account holds now
    with pytest.raises(Exception, match="Nothing was dropped from the state"):
        run(plugin.read(api.ReadRequest(URN, uuid, unmarked, {})))
    gone = run(plugin.read(api.ReadRequest(URN, uuid, made.properties, {})))  # marked: dropped
    assert gone.resource_id is None


def test_a_stack_setting_digitalocean_config_without_its_twin_is_refused(
    emulator: Emulator, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python quickstart's `digitalocean:apiEndpoint` on a plugin stack: without the
    `do-genai:` twin the plugin would go to DigitalOcean's default endpoint. Refused, naming
    the twin; with the twin set, served."""
    monkeypatch.chdir(tmp_path)  # the project folder, where the engine starts the plugin
    (tmp_path / "Pulumi.dev.yaml").write_text(
        f"config:\n  digitalocean:apiEndpoint: {emulator.url}\n  do-genai:secretReadyWait: '5'\n"
    )
    urn = "urn:pulumi:dev::p::pulumi:providers:do-genai::default_0_3_0"
    token_only = wire(token=PropertyValue(emulator.token, is_secret=True))
    provider = KeysProvider()
    run(provider.check_config(api.CheckRequest(urn, {}, token_only, b"")))
    with pytest.raises(ConfigurationError) as refused:
        run(provider.configure(api.ConfigureRequest({}, token_only, True, True)))
    assert "do-genai:apiEndpoint" in str(refused.value)
    assert "digitalocean:apiEndpoint" in str(refused.value)
    twinned = wire(token=PropertyValue(emulator.token, is_secret=True), apiEndpoint=emulator.url)
    run(provider.configure(api.ConfigureRequest({}, twinned, True, True)))


def test_a_retired_create_tells_every_language_how_to_adopt_in_its_own_names() -> None:
    """DigitalOcean answers 410 to creates: the plugin's message names the schema's inputs,
    with no Python call syntax a TypeScript or YAML user would have to translate."""
    with Emulator() as retired:  # creates answer 410, as on DigitalOcean today
        provider = KeysProvider()
        config = wire(token=PropertyValue(retired.token, is_secret=True), apiEndpoint=retired.url)
        run(provider.configure(api.ConfigureRequest({}, config, True, True)))
        try:
            checked = run(provider.check(api.CheckRequest(URN, {}, wire(name="web"), b"")))
            with pytest.raises(PluginError) as refused:
                run(provider.create(api.CreateRequest(URN, checked.inputs, 60, False)))
        finally:
            reset_runtime()
    said = str(refused.value)
    assert "adoptUuid" in said
    assert "adoptExisting" in said
    assert "adoptUuids" in said
    for python in ("adopt_uuid", "adopt_existing", "ModelAccessKey(", "=True", "=['"):
        assert python not in said, python


def test_messages_name_the_pairs_inputs_and_outputs_as_the_schema_does() -> None:
    said = spelled(
        "previous_secret_key stops working; active_secret_key still works; set adopt_uuids, "
        "rotation_anchor and min_rotation_interval_hours",
        [],
    )
    assert said == (
        "previousSecretKey stops working; activeSecretKey still works; set adoptUuids, "
        "rotationAnchor and minRotationIntervalHours"
    )
