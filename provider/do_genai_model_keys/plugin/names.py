"""Property names as the schema spells them (`secretVersion`) and as the core does
(`secret_version`). Nothing here needs the Pulumi SDK's provider server, so the schema can be
printed with any SDK the dynamic resources support."""

from __future__ import annotations

import re


def camel(name: str) -> str:
    """`secret_version` -> `secretVersion`; the core's own `__names` stay as they are."""
    if name.startswith("__"):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """`secretVersion` -> `secret_version`."""
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)
