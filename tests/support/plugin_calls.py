"""Calling the plugin's provider directly, as the engine would (no engine): its coroutines on a
loop of their own, and inputs as the wire carries them."""

from __future__ import annotations

import asyncio
from typing import Any

from pulumi.provider.experimental.property_value import PropertyValue


def run(coroutine: Any) -> Any:
    """The coroutine on a loop of its own: `asyncio.run` would leave the thread's event loop
    unset, which the Pulumi SDK's mocks (another test of the same worker) cannot start with."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def wire(**values: Any) -> dict[str, PropertyValue]:
    """Inputs as the engine sends them: numbers as floats, maps and lists of property values."""

    def one(value: Any) -> PropertyValue:
        if isinstance(value, PropertyValue):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, dict):
            value = {key: one(item) for key, item in value.items()}
        elif isinstance(value, list):
            value = [one(item) for item in value]
        return PropertyValue(value)

    return {name: one(value) for name, value in values.items()}
