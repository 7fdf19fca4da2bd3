"""Between the plugin's wire and the core: names and values.

The schema spells properties as every Pulumi language expects (`secretVersion`); the core
spells them as Python does (`secret_version`). Values arrive as the SDK's `PropertyValue`s;
the core takes plain Python values, with a value the engine does not know yet (a preview) as
the same marker the dynamic resources receive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..api.config import FIELDS as SETTINGS
from ..doors import camel, snake
from ..lifecycle.inputs import UNKNOWN
from ..pair.component import OUTPUTS
from . import PACKAGE
from .schema import rotating_inputs

ROTATING = "__rotating"
"""The input a slot of the plugin's `RotatingModelAccessKey` gets from its component
(`components.py`): the pair's rotation, which the provider reads into a
`lifecycle.rules.Rotating` and never stores (snake_case `camel` leaves as it is)."""


def plain(value: PropertyValue) -> Any:
    """A property's value as the core takes it: secrets unwrapped (the core keeps them out of
    every message), a value unknown until `up` as the preview marker."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple):
        return [plain(item) for item in inner]
    return inner


def from_wire(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Wire properties as the core's inputs or state (snake_case names, plain values)."""
    return {snake(name): plain(value) for name, value in props.items()}


def wire_value(value: Any, *, secret: bool = False) -> PropertyValue:
    """A plain value as a property: whole numbers as the wire's floats. A value unknown until
    `up` stays the marker string, which is how the wire itself spells an unknown (the SDK's
    `Computed` does not marshal in 3.259)."""
    if isinstance(value, Mapping):
        wired = PropertyValue({camel(str(k)): wire_value(v) for k, v in value.items()})
    elif isinstance(value, list | tuple):
        wired = PropertyValue([wire_value(item) for item in value])
    elif isinstance(value, int) and not isinstance(value, bool):
        wired = PropertyValue(float(value))
    else:
        wired = PropertyValue(value)
    return wired.with_secret(True) if secret else wired


def to_wire(
    props: Mapping[str, Any], *, secrets: Iterable[str] = (), keep: Iterable[str] | None = None
) -> dict[str, PropertyValue]:
    """The core's properties on the wire: camelCase names, `secrets` always secret, nulls left
    out (`keep`: only these names)."""
    wanted = None if keep is None else set(keep)
    hidden = set(secrets)
    return {
        camel(name): wire_value(value, secret=name in hidden)
        for name, value in props.items()
        if value is not None and (wanted is None or name in wanted)
    }


ROTATING_NAMES = (*rotating_inputs(), *OUTPUTS)
"""A rotating pair's inputs and outputs, which its slots' messages name (`adopt_uuids`,
`previous_secret_key`): the schema's own lists."""
RESOURCE_OPTIONS = ("retain_on_delete",)
"""Pulumi's resource options that messages name."""


def spelled(message: str, names: Iterable[str]) -> str:
    """A core message as this door says it: inputs and settings named as the schema names them
    (`secretVersion`), and the stack config in the plugin's namespace (`do-genai:token`)."""
    for name in sorted(
        {*names, *ROTATING_NAMES, *SETTINGS, *RESOURCE_OPTIONS}, key=len, reverse=True
    ):
        if "_" in name:
            message = re.sub(rf"\b{name}\b", camel(name), message)
    return message.replace("digitalocean:", f"{PACKAGE}:")
