"""A Pulumi mock test whose new_resource delegates to the real provider's create."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys.dynamic import resources
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.lifecycle import runtime
from support.secrets import same_secret


class DelegatingMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        assert args.typ == "pulumi-python:dynamic/genai:ModelAccessKey"
        provider = resources.ModelAccessKeyProvider()
        checked = provider.check({}, {k: v for k, v in args.inputs.items() if k != "__provider"})
        assert checked.failures == []
        result = provider.create(checked.inputs)
        return result.id, result.outs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def mocked(emulator: Emulator):
    runtime.configure_runtime(
        {"digitalocean:token": emulator.token, "digitalocean:apiEndpoint": emulator.url}.get
    )
    pulumi.runtime.set_mocks(DelegatingMocks(), preview=False)
    yield emulator
    runtime.reset_runtime()


@pulumi.runtime.test
def test_model_access_key_through_mocks(mocked: Emulator):
    key = resources.ModelAccessKey("mocked", name="mocked-key")

    def check(values: list) -> None:
        uuid, name, secret = values
        live = mocked.state.keys[uuid]
        assert live.name == name == "mocked-key"
        same_secret(secret, live.secret, "secret")

    return pulumi.Output.all(key.uuid, key.name, key.secret_key).apply(check)


@pulumi.runtime.test
def test_a_pairs_input_given_as_a_secret_is_refused_by_name(mocked: Emulator):
    """The rotation count decides which slot is regenerated when the program runs: a secret or
    another resource's output cannot, and the error says which input and why (it read
    `Unexpected <class 'Exception'>` and an object's repr)."""
    from do_genai_model_keys import RotatingModelAccessKey

    with pytest.raises(ValueError, match="rotation must be a known value") as refused:
        RotatingModelAccessKey("pair", name="pair", rotation=pulumi.Output.secret(1))  # type: ignore[arg-type]
    assert "not a secret and not another resource's output" in str(refused.value)
    assert "object at 0x" not in str(refused.value)
