"""Quickstart: a model access key made in the control panel, adopted and managed as code.

DigitalOcean stopped creating keys through the API in June 2026: make the key in the control
panel (GenAI > Model access keys), name it `quickstart-web` (or set `keyName`), then `pulumi up`
adopts it and regenerates its secret so the stack holds one that works. Raise `secretVersion`
to rotate it in place.

Config: `keyName` (default `quickstart-web`), `secretVersion` (default 1), plus the provider's
`digitalocean:token` (secret) and, for the emulator, `digitalocean:apiEndpoint` and
`digitalocean:inferenceEndpoint`.
"""

from __future__ import annotations

import pulumi
from do_genai_model_keys import ModelAccessKey, get_models


def program() -> None:
    config = pulumi.Config()
    models = get_models(
        usecases=["MODEL_USECASE_SERVERLESS"],
        filters=[{"key": "lifecycle_status", "values": ["active"]}],
        sorts=[{"key": "id"}],
    )
    web = ModelAccessKey(
        "web",
        name=config.get("keyName") or "quickstart-web",
        adopt_existing=True,
        secret_version=config.get_int("secretVersion") or 1,
    )
    pulumi.export("serverless_model_count", len(models.models))
    pulumi.export("first_serverless_models", list(models.ids[:3]))
    pulumi.export("web_key_uuid", web.uuid)
    pulumi.export("web_key_secret", web.secret_key)  # a Pulumi secret, always
