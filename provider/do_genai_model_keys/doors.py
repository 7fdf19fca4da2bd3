"""Both doors' states, described once: what a stack's state holds for a key and a rotating pair.

A key reaches a stack through one of two doors. The dynamic resources (Python programs) record
`pulumi-python:dynamic/genai:ModelAccessKey` with snake_case properties and read `digitalocean:*`
config; the provider plugin (every language) records `do-genai:index:ModelAccessKey` with the
schema's camelCase properties and reads `do-genai:*` config. Everything that reads a state
without running a provider (the commands `keys`, `rotation`, `recover`, `move-to-plugin`)
reads it through a `Door`, so a plugin key is seen exactly as a dynamic one is. Nothing here
imports Pulumi.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PACKAGE = "do-genai"
"""The plugin's package: its resources are `do-genai:index:*`, its config `do-genai:*`."""
PROVIDER_TYPE = f"pulumi:providers:{PACKAGE}"
"""The type of the plugin's provider resources in a state (the default one and explicit ones)."""
DEFAULT_PROVIDER_PREFIX = "default"
"""How the engine names a stack's default provider (`default`, `default_0_1_0`): any other
provider of the package is an explicit `Provider` resource, which is an account of its own."""


def camel(name: str) -> str:
    """`secret_version` -> `secretVersion`; the core's own `__names` stay as they are."""
    if name.startswith("__"):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """`secretVersion` -> `secret_version`."""
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


@dataclass(frozen=True)
class Door:
    """How one door's states spell a key and a pair. Property names are given in the core's
    spelling (`secret_key`, `rotated_at`) and translated here."""

    name: str
    key_type: str
    pair_type: str
    config_namespace: str
    camel_case: bool

    def prop(self, name: str) -> str:
        """The core's property name as this door's state spells it."""
        return camel(name) if self.camel_case else name

    def value(self, props: Mapping[str, Any], name: str) -> Any:
        """A property of a state, asked for by its core name."""
        return props.get(self.prop(name))

    def core(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """A state's properties with the core's names."""
        return {snake(k): v for k, v in props.items()} if self.camel_case else dict(props)

    def spelled(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Properties with the core's names, as this door's state spells them."""
        return {self.prop(k): v for k, v in props.items()}

    def config_key(self, name: str) -> str:
        """A setting (`ClientSettings`'s name) as this door's stack config key."""
        return f"{self.config_namespace}:{camel(name)}"


DYNAMIC = Door(
    name="dynamic",
    key_type="pulumi-python:dynamic/genai:ModelAccessKey",
    pair_type="genai:index:RotatingModelAccessKey",
    config_namespace="digitalocean",
    camel_case=False,
)
PLUGIN = Door(
    name="plugin",
    key_type=f"{PACKAGE}:index:ModelAccessKey",
    pair_type=f"{PACKAGE}:index:RotatingModelAccessKey",
    config_namespace=PACKAGE,
    camel_case=True,
)
DOORS = (DYNAMIC, PLUGIN)


def door_of(type_token: Any) -> Door | None:
    """The door whose key or pair a state's resource type is; None for anything else."""
    for door in DOORS:
        if type_token in (door.key_type, door.pair_type):
            return door
    return None


def explicit_provider(resource: Mapping[str, Any]) -> str:
    """The URN of the explicit plugin `Provider` a state's resource was made with, or "" (the
    stack's default provider, or a dynamic resource). A provider reference is `<urn>::<id>`."""
    urn = str(resource.get("provider") or "").rpartition("::")[0]
    if not urn or f"::{PROVIDER_TYPE}::" not in urn:
        return ""
    return "" if urn.rpartition("::")[2].startswith(DEFAULT_PROVIDER_PREFIX) else urn


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # noqa: S105  # a marker, no secret
"""How a state marks a secret value (Pulumi's secret signature): `{<signature>: ...,
"plaintext": "<the value as JSON>"}` when revealed, `"ciphertext"` when not."""


def revealed_map(value: Any) -> Mapping[str, Any] | None:
    """A map of a state, read through a secret marker when the export revealed it; None for
    anything else (a secret left encrypted included)."""
    if isinstance(value, Mapping) and SECRET_SIGNATURE in value:
        plaintext = value.get("plaintext")
        try:
            value = json.loads(plaintext) if isinstance(plaintext, str) else None
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


def own_account(resource: Mapping[str, Any], resources: Mapping[str, Mapping[str, Any]]) -> Any:
    """The account a key's state names for itself, or None when it uses the stack's config;
    `{}` for an account of its own that the export keeps secret. The dynamic door keeps it in
    the key's `account` (the outputs may hold the whole map as one secret, the inputs keep the
    settings in the open); the plugin in the inputs of the explicit provider the key was made
    with (`resources`: the state's resources by URN), given here with the core's names. Values
    inside (the token) may still be secret-marked."""
    door = door_of(resource.get("type"))
    if door is DYNAMIC:
        marked = False
        for props in (resource.get("outputs"), resource.get("inputs")):
            value = props.get("account") if isinstance(props, Mapping) else None
            marked = marked or (isinstance(value, Mapping) and SECRET_SIGNATURE in value)
            account = revealed_map(value)
            if account is not None:
                return dict(account)
        return {} if marked else None
    provider = explicit_provider(resource)
    if not provider:
        return None
    inputs = revealed_map((resources.get(provider) or {}).get("inputs"))
    if inputs is None:
        return {}
    return {snake(k): v for k, v in inputs.items() if k != "version"}
