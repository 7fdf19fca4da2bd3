"""DigitalOcean's own Python client (pydo) agrees with our emulator."""

from __future__ import annotations

import pydo
from do_genai_model_keys.emulator import Emulator
from support.secrets import different_secrets, same_secret


def test_pydo_lists_renames_regenerates_and_deletes(emulator: Emulator) -> None:
    made = emulator.state.create_key("panel-key")
    client = pydo.Client(token=emulator.token, endpoint=emulator.url)
    # azure-core refuses bearer tokens over plain HTTP unless told, per call, that it is fine.

    models = client.genai.list_models(per_page=200, enforce_https=False)
    assert models["meta"]["total"] == 60
    assert len(models["models"]) == 60

    keys = client.genai.list_model_api_keys(enforce_https=False)
    assert [k["uuid"] for k in keys["api_key_infos"]] == [made.uuid]

    renamed = client.genai.update_model_api_key(
        api_key_uuid=made.uuid,
        body={"api_key_uuid": made.uuid, "name": "renamed"},
        enforce_https=False,
    )
    assert renamed["api_key_info"]["name"] == "renamed"

    old_secret = made.secret
    regenerated = client.genai.regenerate_model_api_key(api_key_uuid=made.uuid, enforce_https=False)
    different_secrets(
        regenerated["api_key_info"]["secret_key"],
        old_secret,
        "regenerated['api_key_info']['secret_key']",
    )
    assert regenerated["api_key_info"]["uuid"] == made.uuid
    same_secret(
        emulator.state.keys[made.uuid].secret,
        regenerated["api_key_info"]["secret_key"],
        "emulator.state.keys[made.uuid].secret",
    )

    deleted = client.genai.delete_model_api_key(api_key_uuid=made.uuid, enforce_https=False)
    assert deleted["api_key_info"]["uuid"] == made.uuid
    assert client.genai.list_model_api_keys(enforce_https=False)["api_key_infos"] == []


def test_pydo_create_gets_the_410_it_expects_from_the_default_emulator() -> None:
    """pydo, generated from today's spec, accepts only 410 from the retired create."""
    with Emulator() as emu:
        client = pydo.Client(token=emu.token, endpoint=emu.url)
        answer = client.genai.create_model_api_key(body={"name": "new"}, enforce_https=False)
        assert answer["id"] == "gone"
        assert "control panel" in answer["message"]
        assert emu.state.keys == {}
