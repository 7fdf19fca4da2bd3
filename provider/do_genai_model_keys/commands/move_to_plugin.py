"""`python -m do_genai_model_keys move-to-plugin`: a stack's keys, moved from the dynamic
resources to the provider plugin without regenerating any secret.

It rewrites an exported state (`pulumi stack export`): each dynamic `ModelAccessKey` becomes a
`do-genai:index:ModelAccessKey` of the same name, with the same UUID (its ID) and the same
secret (the encrypted value is carried over as it is: nothing is decrypted), its properties
spelled as the plugin spells them, served by the plugin's default provider, which is added.
The program is then changed to declare the same keys through a plugin SDK (same resource names),
and `pulumi preview` shows no change to any key. Nothing is sent to DigitalOcean.

    pulumi stack export --file before.json
    python -m do_genai_model_keys move-to-plugin before.json --out after.json
    pulumi stack import --file after.json
    pulumi config set --secret do-genai:token <token>   (and the endpoints it prints)

Refused, with the reason: a key with its own `account` (give the plugin an explicit provider
for that account instead), a key of a `RotatingModelAccessKey` (not moved yet), a
pending operation (finish or cancel it first), and a state that already has plugin keys of the
same name.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid as uuids
from pathlib import Path
from typing import Any

from ..dynamic import KEY_TYPE, ROTATING_KEY_TYPE
from ..dynamic.key_inputs import INPUTS
from ..dynamic.key_outputs import OUTPUTS
from ..plugin import PACKAGE
from ..plugin.names import camel
from ..plugin.schema import KEY_TOKEN, VERSION

PROVIDER_TYPE = f"pulumi:providers:{PACKAGE}"
PROVIDER_NAME = "default_" + VERSION.replace(".", "_")
"""The name the engine gives the default provider of a versioned SDK."""
DYNAMIC_CONFIG = "digitalocean:"


class MoveError(Exception):
    """The state cannot be moved as it is; the message says why and what to do."""


def move(deployment: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The deployment with its dynamic keys moved to the plugin, and the config keys the
    stack now needs (`do-genai:*`, from the dynamic provider's `digitalocean:*`)."""
    inner = deployment.get("deployment", deployment)
    if inner.get("pending_operations"):
        raise MoveError(
            "the state has pending operations (an interrupted `pulumi up`): run "
            "`python -m do_genai_model_keys recover`, or `pulumi cancel` and `pulumi refresh`, "
            "then export again"
        )
    resources: list[dict[str, Any]] = inner.get("resources") or []
    keys = [r for r in resources if r.get("type") == KEY_TYPE]
    if not keys:
        raise MoveError(f"the state holds no dynamic ModelAccessKey ({KEY_TYPE}): nothing to move")
    taken = {r["urn"] for r in resources if r.get("type") == KEY_TOKEN}
    stack = next(r for r in resources if r.get("type") == "pulumi:pulumi:Stack")
    prefix = stack["urn"].split("::pulumi:pulumi:Stack::")[0]
    provider_urn = f"{prefix}::{PROVIDER_TYPE}::{PROVIDER_NAME}"
    provider_id = str(uuids.uuid4())
    config: list[str] = []
    settings: dict[str, Any] = {}
    moved: dict[str, str] = {}
    for key in keys:
        _refuse_unmovable(key, resources)
        new_urn = key["urn"].replace(f"::{KEY_TYPE}::", f"::{KEY_TOKEN}::")
        if new_urn in taken:
            raise MoveError(f"{new_urn} is already in the state: was this state moved before?")
        moved[key["urn"]] = new_urn
    dynamic_providers = {
        r["urn"] + "::" + r["id"]: r
        for r in resources
        if r.get("type", "").endswith("pulumi-python")
    }
    for key in keys:
        old_provider = dynamic_providers.get(key.get("provider", ""))
        if old_provider is not None:
            config = sorted({*config, *_config_keys(old_provider)})
            settings = _settings(old_provider)
        key["urn"] = moved[key["urn"]]
        key["type"] = KEY_TOKEN
        key["provider"] = f"{provider_urn}::{provider_id}"
        key["inputs"] = _spelled(key.get("inputs") or {}, INPUTS)
        key["outputs"] = _spelled(key.get("outputs") or {}, (*INPUTS, *OUTPUTS))
        for field in ("propertyDependencies",):
            if field in key:
                key[field] = {camel(k): v for k, v in key[field].items() if k in INPUTS}
    for resource in resources:  # whatever depended on a moved key depends on it by its new URN
        resource["dependencies"] = [moved.get(d, d) for d in resource.get("dependencies") or []]
        if resource.get("parent") in moved:
            resource["parent"] = moved[resource["parent"]]
    first_key = resources.index(keys[0])
    resources.insert(first_key, _provider(provider_urn, provider_id, settings))
    return deployment, config


def _refuse_unmovable(key: dict[str, Any], resources: list[dict[str, Any]]) -> None:
    name = key["urn"].rpartition("::")[2]
    if (key.get("inputs") or {}).get("account") not in (None, {}):
        raise MoveError(
            f"ModelAccessKey {name!r} has an account of its own: in the plugin an account is "
            "a provider. Move the stack's other keys first, or give that key an explicit "
            "provider by hand; nothing was written"
        )
    parent = next((r for r in resources if r["urn"] == key.get("parent")), None)
    if parent is not None and parent.get("type") == ROTATING_KEY_TYPE:
        raise MoveError(
            f"ModelAccessKey {name!r} is a slot of a RotatingModelAccessKey, which this command "
            "does not move yet (the component's type changes too): keep that stack on the "
            "dynamic resources; nothing was written"
        )


def _spelled(props: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Properties as the plugin spells them; the pickled provider and `account` stay behind."""
    return {
        camel(k): v for k, v in props.items() if k in names and k != "account" and v is not None
    }


def _config_keys(provider: dict[str, Any]) -> list[str]:
    """The `do-genai:*` keys matching the dynamic provider's `digitalocean:*` settings."""
    inputs = provider.get("inputs") or {}
    return [f"{PACKAGE}:{k[len(DYNAMIC_CONFIG) :]}" for k in inputs if k.startswith(DYNAMIC_CONFIG)]


def _settings(provider: dict[str, Any]) -> dict[str, Any]:
    """The dynamic provider's `digitalocean:*` settings as the plugin's provider inputs (an
    encrypted token stays encrypted: the stack's secrets provider is the same)."""
    inputs = provider.get("inputs") or {}
    return {k[len(DYNAMIC_CONFIG) :]: v for k, v in inputs.items() if k.startswith(DYNAMIC_CONFIG)}


def _provider(urn: str, id_: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The plugin's default provider, with the settings the stack's config will give it (so
    the first plan after the move shows no change to it either)."""
    inputs = {**settings, "version": VERSION}
    return {
        "urn": urn,
        "custom": True,
        "id": id_,
        "type": PROVIDER_TYPE,
        "inputs": inputs,
        "outputs": dict(inputs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m do_genai_model_keys move-to-plugin",
        description="Move a stack's keys from the dynamic resources to the do-genai plugin "
        "(rewrites a `pulumi stack export`; no secret is regenerated or decrypted).",
    )
    parser.add_argument("state", type=Path, help="the file `pulumi stack export --file` wrote")
    parser.add_argument("--out", type=Path, help="where to write the moved state (default: stdout)")
    args = parser.parse_args(argv)
    try:
        deployment = json.loads(args.state.read_text())
        moved, config = move(deployment)
    except (OSError, ValueError) as error:
        print(f"move-to-plugin: cannot read {args.state}: {error}", file=sys.stderr)
        return 2
    except MoveError as error:
        print(f"move-to-plugin: {error}", file=sys.stderr)
        return 1
    text = json.dumps(moved, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    print(
        "move-to-plugin: now `pulumi stack import --file` the moved state, declare the keys "
        "with the plugin's SDK under the same names, and set the plugin's config:",
        file=sys.stderr,
    )
    for key in config:
        secret = "--secret " if key.endswith(":token") else ""
        print(
            f"  pulumi config set {secret}{key} <the value of digitalocean:{key.split(':')[1]}>",
            file=sys.stderr,
        )
    return 0
