"""DigitalOcean's Gradient SDK (`gradient`) against the default emulator, rate limits on: the
catalogue, the model access key calls and a chat with a model access key."""

from __future__ import annotations

import gradient
from do_genai_model_keys.emulator import Emulator
from support.secrets import different_secrets


def test_gradient_lists_regenerates_and_chats_with_a_model_access_key() -> None:
    with Emulator() as emu:
        made = emu.state.create_key("panel-key", models=["llama3.3-70b-instruct"])
        panel_secret = made.secret  # the state's key object takes the new secret on regenerate
        client = gradient.Gradient(access_token=emu.token, base_url=emu.url, max_retries=0)
        try:
            models = client.models.list(per_page=200)
            assert len(models.models or []) == 60
            keys = client.inference.api_keys.list()
            assert [k.uuid for k in keys.api_key_infos or []] == [made.uuid]
            regenerated = client.inference.api_keys.update_regenerate(made.uuid)
            assert regenerated.api_key_info is not None
            secret = regenerated.api_key_info.secret_key or ""
            different_secrets(secret, panel_secret, "the regenerated secret")
        finally:
            client.close()

        chat = gradient.Gradient(model_access_key=secret, inference_endpoint=emu.url, max_retries=0)
        try:
            answer = chat.chat.completions.create(
                model="llama3.3-70b-instruct", messages=[{"role": "user", "content": "hi"}]
            )
            assert "Emulated reply" in (answer.choices[0].message.content or "")
        finally:
            chat.close()
