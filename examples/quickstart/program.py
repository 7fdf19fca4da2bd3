"""Quickstart: two model access keys, the serverless model list, the secrets exported."""

from __future__ import annotations

import pulumi

from provider import ModelAccessKey, get_models


def program() -> None:
    models = get_models(
        usecases=["MODEL_USECASE_SERVERLESS"],
        filters=[{"key": "lifecycle_status", "values": ["active"]}],
        sorts=[{"key": "id"}],
    )
    # Raise `secretVersion` in stack config to regenerate the web key's secret.
    web_version = pulumi.Config().get_int("secretVersion") or 1
    web = ModelAccessKey("web", name="quickstart-web", secret_version=web_version)
    batch = ModelAccessKey("batch", name="quickstart-batch", rotate_after_days=90)

    pulumi.export("serverless_model_count", len(models.models))
    pulumi.export("first_serverless_models", list(models.ids[:3]))
    pulumi.export("web_key_uuid", web.uuid)
    pulumi.export("web_key_secret", web.secret_key)  # a Pulumi secret, always
    pulumi.export("batch_key_uuid", batch.uuid)
    pulumi.export("batch_key_secret", batch.secret_key)
