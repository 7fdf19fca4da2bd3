"""`RotatingModelAccessKey` in the plugin: the same component, built in the plugin's process.

A program in any language declares `do-genai:index:RotatingModelAccessKey` (a remote component);
the engine asks the plugin to `Construct` it, and the plugin runs the very component the Python
door runs (`pair/component.py`), with the plugin's own key resource for its two slots. So the
rotation arithmetic, the pacing and the proof of a new secret are the ones Python programs have:
the slots' `check` (the same core) refuses a rotation that comes too soon, names the emergency
counter, and so on. A component rather than a resource: its two keys stay two keys in the state,
each refreshed, imported or moved like any other, and a plan shows which slot rotates.

The component's inputs must be known when the program runs (numbers and names from config, not
outputs of other resources): the rotation count decides which slot is regenerated.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.provider as classic

from ..doors import camel
from ..pair.component import OUTPUTS, RotatingPair, known
from .schema import KEY_TOKEN, ROTATING_TOKEN, VERSION, rotating_inputs
from .wire import ROTATING


class PluginKey:
    """A slot of the component: the plugin's `ModelAccessKey`, registered by type token."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        secret_version: int,
        adopt_uuid: str | None,
        account: Any,
        deletion_protection: bool | None,
        opts: pulumi.ResourceOptions,
        rotating: dict[str, Any],
    ) -> None:
        props = {
            "name": name,
            "secretVersion": secret_version,
            "adoptUuid": adopt_uuid,
            "deletionProtection": deletion_protection,
            ROTATING: rotating,
            "uuid": None,
            "secretKey": None,
            "rotatedAt": None,
        }
        secrecy = pulumi.ResourceOptions(version=VERSION, additional_secret_outputs=["secretKey"])
        key = pulumi.CustomResource(
            KEY_TOKEN, resource_name, props, pulumi.ResourceOptions.merge(opts, secrecy)
        )
        self.uuid: pulumi.Output[str] = key.uuid  # type: ignore[attr-defined]
        self.secret_key: pulumi.Output[str] = key.secretKey  # type: ignore[attr-defined]
        self.rotated_at: pulumi.Output[str] = key.rotatedAt  # type: ignore[attr-defined]


class PluginPair(RotatingPair):
    """The pair under the plugin's type, with the plugin's key in its slots."""

    type_token = ROTATING_TOKEN
    slot_key = PluginKey


class Components(classic.Provider):
    """The plugin's components, served through the SDK's component-provider `Construct`."""

    def __init__(self) -> None:
        super().__init__(VERSION)

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> classic.ConstructResult:
        if resource_type != ROTATING_TOKEN:
            raise ValueError(f"unknown component {resource_type}: the package has {ROTATING_TOKEN}")
        given = {
            python: _whole(known(name, wire, inputs[wire]))
            for python, wire in rotating_inputs().items()
            if inputs.get(wire) is not None
        }
        component = PluginPair(name, **given, opts=options)
        state = {camel(field): getattr(component, field) for field in OUTPUTS}
        return classic.ConstructResult(component.urn, state)


def _whole(value: Any) -> Any:
    """Numbers reach the plugin as floats; the component counts rotations in whole numbers."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
