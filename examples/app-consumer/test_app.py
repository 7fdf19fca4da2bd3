"""The app's tests, as a team would write them: no DigitalOcean account, no network.

cd examples/app-consumer && python -m pytest
"""

from __future__ import annotations

import openai
import pytest
from app import ask
from do_genai_model_keys import get_inference_models


def test_the_app_answers_with_a_key_from_the_control_panel(genai_emulator) -> None:
    key = genai_emulator.state.create_key("app")
    assert "hello" in ask(key.secret, genai_emulator.url, "hello")


def test_a_key_for_other_models_is_refused(genai_emulator) -> None:
    key = genai_emulator.state.create_key("scoped", models=["openai-gpt-4o-mini"])
    with pytest.raises(openai.PermissionDeniedError):
        ask(key.secret, genai_emulator.url, "hello", model="llama3.3-70b-instruct")


def test_the_data_sources_read_the_environment(genai_env) -> None:
    key = genai_env.state.create_key("app", models=["openai-gpt-4o-mini"])
    assert get_inference_models(key.secret).ids == ("openai-gpt-4o-mini",)
