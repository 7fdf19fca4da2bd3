"""A second stack that reads a model access key from the keys stack through a StackReference.

Config: `keysStack` (e.g. `organization/quickstart/demo` on a file backend, `acme/keys/prod` on
Pulumi Cloud) and `secretOutput` (the output holding the secret; default `web_key_secret`).
The secret stays a secret here too.
"""

from __future__ import annotations

import pulumi


def program() -> None:
    config = pulumi.Config()
    keys = pulumi.StackReference(config.require("keysStack"))
    secret = keys.get_output(config.get("secretOutput") or "web_key_secret")
    pulumi.export("model_access_key", pulumi.Output.secret(secret))
