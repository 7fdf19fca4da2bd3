"""Quickstart: a model access key made in the control panel, adopted and managed as code.

DigitalOcean stopped creating keys through the API in June 2026: make the key in the control
panel (GenAI > Model access keys), name it `quickstart-web` (or set `keyName`), then `pulumi up`
adopts it and regenerates its secret so the stack holds one that works. Raise `secretVersion`
to rotate it in place.

An adopted key is protected from deletion: `pulumi destroy` refuses to delete it until
`deletionProtection` is set to false and `pulumi up` has run.

Config: `keyName` (default `quickstart-web`), `secretVersion` (default 1), `deletionProtection`
(default: on for the adopted key), plus the provider's
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
        # Unset: on, since the key was adopted and only the control panel can make it again.
        deletion_protection=config.get_bool("deletionProtection"),
    )
    pulumi.export("serverless_model_count", len(models.models))
    pulumi.export("first_serverless_models", list(models.ids[:3]))
    pulumi.export("web_key_uuid", web.uuid)
    pulumi.export("web_key_secret", web.secret_key)  # a Pulumi secret, always
