"""Data sources in a real program through the real engine; results land in stack outputs."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys import (
    ModelAccessKey,
    get_inference_models_output,
    get_model_access_keys,
    get_models,
)
from do_genai_model_keys.emulator import Emulator
from support.stacks import emulator_config

pytestmark = pytest.mark.e2e


def test_data_sources_export_through_the_engine(backend, emulator: Emulator) -> None:
    panel = emulator.state.create_key("made-in-panel")

    def program() -> None:
        models = get_models()
        anthropic = get_models(
            filters=[{"key": "provider", "values": ["MODEL_PROVIDER_ANTHROPIC"]}],
            sorts=[{"key": "id", "direction": "desc"}],
        )
        key = ModelAccessKey("k", name="data-source-key")
        pulumi.export("model_ids", list(models.ids))
        pulumi.export("anthropic", anthropic)  # a typed result exports as it is
        pulumi.export("panel_keys", get_model_access_keys(name="made-in-panel"))
        pulumi.export("inference", get_inference_models_output(key.secret_key).ids)

    stack = backend().stack(
        "datasources",
        "dev",
        program,
        config=emulator_config(emulator),
    )
    stack.up()
    outputs = stack.outputs()
    assert len(outputs["model_ids"].value) == 60
    anthropic = outputs["anthropic"].value
    assert anthropic["ids"] == sorted(anthropic["ids"], reverse=True)
    assert all(m["provider"] == "MODEL_PROVIDER_ANTHROPIC" for m in anthropic["models"])
    assert outputs["panel_keys"].value["uuids"] == [panel.uuid]
    assert "secret" not in str(outputs["panel_keys"].value)
    assert "openai-gpt-4o" in outputs["inference"].value
    assert outputs["inference"].secret  # derived from a secret key, it stays secret
    stack.destroy()
