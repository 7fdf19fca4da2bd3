"""`python -m do_genai_model_keys move-to-plugin`: a stack's keys, moved from the dynamic
resources to the provider plugin without regenerating any secret.

It rewrites an exported state (`pulumi stack export`): each dynamic `ModelAccessKey` becomes a
`do-genai:index:ModelAccessKey` of the same name, with the same UUID (its ID) and the same
secret (the encrypted value is carried over as it is: nothing is decrypted), its properties
spelled as the plugin spells them, served by the plugin's default provider, which is added.
A `RotatingModelAccessKey` becomes the plugin's component of the same name, its two slots keys
like the others (the component's outputs are the same in both doors), and every URN that runs
through it, its slots' first, is rewritten to match.
The program is then changed to declare the same keys through a plugin SDK (same resource names),
and `pulumi preview` shows no change to any key. Nothing is sent to DigitalOcean.

    pulumi stack export --file before.json
    python -m do_genai_model_keys move-to-plugin before.json --out after.json
    pulumi stack import --file after.json
    pulumi config set --secret do-genai:token <token>   (and the endpoints it prints)

Refused, with the reason: a key or pair with its own `account` (give the plugin an explicit
provider for that account instead), a pending operation (finish or cancel it first), and a
state that already has plugin keys of the same name.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid as uuids
from pathlib import Path
from typing import Any

from ..api.config import STACK_CONFIG_KEYS
from ..api.errors import GenAIError
from ..doors import DYNAMIC, PACKAGE, PLUGIN, PROVIDER_TYPE, camel
from ..lifecycle.inputs import INPUTS
from ..lifecycle.outputs import OUTPUTS, ROTATION_COUNTS
from ..plugin.schema import VERSION
from .exits import OK, TROUBLE, USAGE

PROVIDER_NAME = "default_" + VERSION.replace(".", "_")
"""The name the engine gives the default provider of a versioned SDK."""
DYNAMIC_CONFIG = f"{DYNAMIC.config_namespace}:"
TYPES = {DYNAMIC.key_type: PLUGIN.key_type, DYNAMIC.pair_type: PLUGIN.pair_type}
"""Each dynamic-door type and the plugin's type for it."""


class MoveError(GenAIError):
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
    keys = [r for r in resources if r.get("type") == DYNAMIC.key_type]
    if not keys:
        raise MoveError(
            f"the state holds no dynamic ModelAccessKey ({DYNAMIC.key_type}): nothing to move"
        )
    taken = {r["urn"] for r in resources if r.get("type") in TYPES.values()}
    stack = next((r for r in resources if r.get("type") == "pulumi:pulumi:Stack"), None)
    if stack is None or not isinstance(stack.get("urn"), str):
        raise MoveError(
            "the state holds no pulumi:pulumi:Stack resource with a URN: is the file what "
            "`pulumi stack export` wrote? Nothing was written"
        )
    prefix = stack["urn"].split("::pulumi:pulumi:Stack::")[0]
    provider_urn = f"{prefix}::{PROVIDER_TYPE}::{PROVIDER_NAME}"
    provider_id = str(uuids.uuid4())
    config: list[str] = []
    settings: dict[str, Any] = {}
    moved: dict[str, str] = {}
    for key in keys:
        _refuse_unmovable(key)
    for resource in resources:  # keys, pairs, and whatever a pair is the parent of
        new_urn = _moved_urn(resource["urn"])
        if new_urn == resource["urn"]:
            continue
        if new_urn in taken:
            raise MoveError(f"{new_urn} is already in the state: was this state moved before?")
        moved[resource["urn"]] = new_urn
    existing = next((r for r in resources if r.get("urn") == provider_urn), None)
    if existing is not None:  # the plugin's default provider is there already: use it
        provider_id = existing["id"]
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
        key["provider"] = f"{provider_urn}::{provider_id}"
        kept = (*INPUTS, *ROTATION_COUNTS)
        key["inputs"] = _spelled(key.get("inputs") or {}, kept)
        key["outputs"] = _spelled(key.get("outputs") or {}, (*kept, *OUTPUTS))
        if "propertyDependencies" in key:
            key["propertyDependencies"] = {
                camel(k): v for k, v in key["propertyDependencies"].items() if k in INPUTS
            }
        if "additionalSecretOutputs" in key:
            key["additionalSecretOutputs"] = ["secretKey"]
    for resource in resources:  # whatever refers to a moved resource uses its new URN
        resource["urn"] = moved.get(resource["urn"], resource["urn"])
        resource["type"] = TYPES.get(resource.get("type", ""), resource.get("type"))
        resource["dependencies"] = [moved.get(d, d) for d in resource.get("dependencies") or []]
        for field in ("parent", "deletedWith"):
            if resource.get(field) in moved:
                resource[field] = moved[resource[field]]
        provider_urn_of, _, provider_id_of = str(resource.get("provider") or "").rpartition("::")
        if provider_urn_of in moved:  # a provider of its own under a moved pair
            resource["provider"] = f"{moved[provider_urn_of]}::{provider_id_of}"
        if resource.get("aliases"):
            resource["aliases"] = [
                moved.get(a, a) if isinstance(a, str) else a for a in resource["aliases"]
            ]
        if "propertyDependencies" in resource:
            resource["propertyDependencies"] = {
                name: [moved.get(d, d) for d in urns]
                for name, urns in resource["propertyDependencies"].items()
            }
    first_key = resources.index(keys[0])
    if existing is None:
        resources.insert(first_key, _provider(provider_urn, provider_id, settings))
    elif resources.index(existing) > first_key:  # a provider comes before the keys it serves
        resources.remove(existing)
        resources.insert(first_key, existing)
    return deployment, config


def _moved_urn(urn: str) -> str:
    """The URN with each dynamic-door type of its type chain (its parents' types, then its own,
    joined by `$`) the plugin's; other types stay as they are."""
    parts = urn.split("::")
    if len(parts) < 4:
        raise MoveError(f"{urn} is not a resource URN; nothing was written")
    chain = [TYPES.get(t, t) for t in parts[2].split("$")]
    return "::".join([*parts[:2], "$".join(chain), *parts[3:]])


def _refuse_unmovable(key: dict[str, Any]) -> None:
    name = key["urn"].rpartition("::")[2]
    if (key.get("inputs") or {}).get("account") not in (None, {}):
        raise MoveError(
            f"ModelAccessKey {name!r} has an account of its own (or its RotatingModelAccessKey "
            "has): in the plugin an account is a provider. Move the stack's other keys first, "
            "or give that key an explicit provider by hand; nothing was written"
        )


def _spelled(props: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Properties as the plugin spells them; the pickled provider and `account` stay behind."""
    return {
        camel(k): v for k, v in props.items() if k in names and k != "account" and v is not None
    }


def _config_keys(provider: dict[str, Any]) -> list[str]:
    """The `do-genai:*` keys matching the dynamic provider's `digitalocean:*` settings (only
    those this package reads: pulumi-digitalocean's own keys stay where they are)."""
    return [f"{PACKAGE}:{name}" for name in _settings(provider)]


def _settings(provider: dict[str, Any]) -> dict[str, Any]:
    """The dynamic provider's `digitalocean:*` settings as the plugin's provider inputs (an
    encrypted token stays encrypted: the stack's secrets provider is the same)."""
    inputs = provider.get("inputs") or {}
    return {k[len(DYNAMIC_CONFIG) :]: v for k, v in inputs.items() if k in STACK_CONFIG_KEYS}


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


def _encrypted_keys(deployment: dict[str, Any]) -> set[str]:
    """The plugin's config keys whose value the dynamic provider held encrypted."""
    inner = deployment.get("deployment", deployment)
    found = set()
    for resource in inner.get("resources") or []:
        if str(resource.get("type", "")).endswith("pulumi-python"):
            for name, value in (resource.get("inputs") or {}).items():
                if isinstance(value, dict) and "ciphertext" in value and name in STACK_CONFIG_KEYS:
                    found.add(f"{PACKAGE}:{name[len(DYNAMIC_CONFIG) :]}")
    return found


def _one_line(error: BaseException) -> str:
    """An error for the one line a command prints: its first line, at most 200 characters."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]


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
        encrypted = _encrypted_keys(deployment)
        moved, config = move(deployment)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        print(f"move-to-plugin: cannot read {args.state}: {_one_line(error)}", file=sys.stderr)
        return USAGE
    except RecursionError:
        print(f"move-to-plugin: cannot read {args.state}: nested too deeply", file=sys.stderr)
        return USAGE
    except MoveError as error:
        print(f"move-to-plugin: {error}", file=sys.stderr)
        return TROUBLE
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
        secret = "--secret " if key.endswith(":token") or key in encrypted else ""
        print(
            f"  pulumi config set {secret}{key} <the value of digitalocean:{key.split(':')[1]}>",
            file=sys.stderr,
        )
    return OK
