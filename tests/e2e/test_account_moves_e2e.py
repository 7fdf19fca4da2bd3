"""An account is its settings, not its spelling (through the real engine): an endpoint written
another way changes nothing, a move to another account never replaces or deletes the key, a
resource renamed without an alias keeps the key, and two resources adopting one key fail."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys import Account, ModelAccessKey
from do_genai_model_keys.api.contract import ALL_SCOPES
from do_genai_model_keys.emulator import Emulator
from pulumi import automation as auto
from support.emulators import KEY_ROUTE
from support.secrets import expect, same_secret, secret_absent
from support.stacks import changes

pytestmark = pytest.mark.e2e


def adopting(resource: str = "web", endpoint_key: str = "url"):
    def program() -> None:
        config = pulumi.Config()
        account = Account(
            token=config.require_secret("token"),
            api_endpoint=config.require(endpoint_key),
            http_retry_wait_min=0.01,
            http_retry_wait_max=0.05,
        )
        key = ModelAccessKey(resource, name="web", adopt_existing=True, account=account)
        pulumi.export("secret", key.secret_key)
        pulumi.export("uuid", key.uuid)

    return program


def test_an_endpoint_spelled_another_way_or_moved_never_deletes_the_key(backend) -> None:
    with Emulator() as home, Emulator(tokens={"other-team-token-000111": ALL_SCOPES}) as elsewhere:
        panel = home.state.create_key("web")
        local = backend()
        stack = local.stack(
            "moves", "dev", adopting(), config={"token": (home.token, True), "url": home.url}
        )
        stack.up()
        secret = stack.outputs()["secret"].value

        for spelling in (home.url + "/", home.url.replace("127.0.0.1", "localhost")):
            stack.set_config("url", auto.ConfigValue(spelling))
            assert changes(stack.preview()) == {}, spelling
            stack.up()
            assert list(home.state.keys) == [panel.uuid]
            same_secret(stack.outputs()["secret"].value, secret, f"after {spelling}")
            expect(home.state.secret_is_live(secret), True, "the secret still works")

        # Another account, where the key is not: the update fails, naming the key and both
        # endpoints, and nothing is deleted anywhere.
        stack.set_config("url", auto.ConfigValue(elsewhere.url))
        stack.set_config("token", auto.ConfigValue("other-team-token-000111", secret=True))
        preview = stack.preview(diff=True)
        assert changes(preview) == {"update": 1}
        # The plan names the field that changed, in the open (it was `account: [secret]`).
        assert "api_endpoint" in preview.stdout
        assert elsewhere.url in preview.stdout
        secret_absent("other-team-token-000111", preview.stdout, "the preview")
        with pytest.raises(auto.CommandError) as failed:
            stack.up()
        message = str(failed.value)
        assert panel.uuid in message
        assert elsewhere.url in message
        assert home.url in message
        assert "Nothing was changed or deleted" in message
        secret_absent(home.token, message, "the error")
        assert list(home.state.keys) == [panel.uuid]
        expect(home.state.secret_is_live(secret), True, "the secret survives the failed move")


def test_a_resource_renamed_without_an_alias_keeps_its_key(backend) -> None:
    """The new resource adopts the same key; the engine then deletes the old resource, and the
    backstop keeps the key that the new one holds."""
    with Emulator() as emu:
        panel = emu.state.create_key("web")
        local = backend()
        config = {"token": (emu.token, True), "url": emu.url}
        local.stack("renamed", "dev", adopting("web"), config=config).up()
        stack = local.stack("renamed", "dev", adopting("frontend"), config=config)
        result = stack.up()
        assert result.summary.resource_changes == {"create": 1, "delete": 1, "same": 1}
        assert list(emu.state.keys) == [panel.uuid]
        secret = stack.outputs()["secret"].value
        expect(emu.state.secret_is_live(secret), True, "the new resource's secret")
        assert "was not deleted" in result.stdout


def test_two_resources_adopting_one_key_fail_naming_both(backend) -> None:
    def program() -> None:
        for resource, name in (("a", "first-name"), ("b", "second-name")):
            key = ModelAccessKey(resource, name=name, adopt_uuid=pulumi.Config().require("uuid"))
            pulumi.export(resource, key.secret_key)

    with Emulator() as emu:
        panel = emu.state.create_key("shared")
        local = backend(DIGITALOCEAN_TOKEN=emu.token, DIGITALOCEAN_API_URL=emu.url)
        stack = local.stack("twice", "dev", program, config={"uuid": panel.uuid})
        with pytest.raises(auto.CommandError) as failed:
            stack.up()
        message = str(failed.value)
        assert "'first-name'" in message
        assert "'second-name'" in message
        assert list(emu.state.keys) == [panel.uuid]
        assert (
            emu.state.stats_snapshot()["requests"].get(f"PUT {KEY_ROUTE}/regenerate", 0) <= 1
        )  # one adopter regenerated; the other was stopped before it could
