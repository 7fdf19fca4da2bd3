"""Where the package meets the Pulumi SDK below its documented surface, in one place.

Both doors are served by the SDK's own servers: the dynamic-provider server for the dynamic
resources (`dynamic_server.py`), the provider server of `pulumi.provider.experimental` for the
plugin (`plugin_server.py`). Pulumi's docs describe Python providers on the SDK's generated gRPC
bindings; the experimental provider class is not documented yet, but it is the SDK's own
translation of those bindings (property values, secrets, unknowns), so the plugin uses it rather
than a copy of ours, and reaches past it only where `REACHES` says. Each reach is listed with its
reason, and `missing()` says which of their targets an installed SDK lacks:
`tests/unit/test_sdk_seams.py` runs it against the oldest SDK the package supports and the newest
it is tested with (`OLDEST`, `NEWEST`), so an SDK upgrade has one place to look.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

OLDEST = {"dynamic": "3.139.0", "plugin": "3.171.0"}
"""The oldest SDK each door supports, which its reaches are checked against: the dynamic
resources from pyproject.toml's lower bound (the first whose dynamic providers receive
`configure`), the plugin from the first SDK with `pulumi.provider.experimental`'s server."""
NEWEST = "3.272.0"
"""The newest SDK the reaches are checked against: the one the tests run (constraints.txt)."""


@dataclass(frozen=True)
class Reach:
    """One thing of the SDK's we use that its docs do not promise."""

    door: str
    """The door that needs it: "dynamic" or "plugin" (`OLDEST` says since when)."""
    target: str
    """`module:attribute` (an attribute path), or `module:"text"` for a module that cannot be
    imported to look (the dynamic-provider server starts serving when imported)."""
    used_in: str
    why: str
    since: str = ""
    """The first SDK with the target, where older ones need no hook (the hook then stands
    aside: it looks for its target before it acts)."""


REACHES = (
    Reach(
        "dynamic",
        'pulumi.dynamic.__main__:"def _abort_with_traceback"',
        "dynamic_server.install",
        "the server sends a failed call's whole traceback; ours are said as their message",
        since="3.260.0",
    ),
    Reach(
        "dynamic",
        'pulumi.dynamic.__main__:"import traceback"',
        "dynamic_server.install",
        "the module's `traceback` is swapped for one that formats our errors as one line",
        since="3.260.0",
    ),
    Reach(
        "dynamic",
        'pulumi.dynamic.__main__:"from pulumi.runtime import configure, proto"',
        "dynamic_server.install",
        "the module's `proto` is wrapped so a diff names the properties it changes",
    ),
    Reach(
        "dynamic",
        'pulumi.dynamic.__main__:"def Diff(self, request, context)"',
        "dynamic_server.served_urn",
        "the URN of the call being served is its `request`'s, found one frame up",
    ),
    Reach(
        "dynamic",
        "pulumi.runtime.proto.provider_pb2:DiffResponse.DIFF_SOME",
        "dynamic_server._NotedDiffResponse",
        "a response that says there are changes gets the noted properties",
    ),
    Reach(
        "dynamic",
        "pulumi.dynamic.config:Config.__annotations__._props",
        "dynamic_server.config_keys",
        "the stack config's keys, to find a typo among them",
    ),
    Reach(
        "dynamic",
        "pulumi.runtime.config:CONFIG",
        "program.config_keys",
        "the program's config keys (the SDK reads one key at a time)",
    ),
    Reach(
        "dynamic",
        "pulumi.runtime.config:get_config_env",
        "program.config_keys",
        "the config the engine hands a program in its environment",
    ),
    Reach(
        "dynamic",
        "pulumi.runtime.rpc:UNKNOWN",
        "lifecycle.inputs.UNKNOWN",
        "the value an engine sends for what it does not know yet (the lifecycle keeps a copy)",
    ),
    Reach(
        "dynamic",
        "pulumi.output:Unknown",
        "lifecycle.inputs.is_unknown",
        "an unknown as the dynamic server hands it to a provider (told by its class's name)",
    ),
    Reach(
        "plugin",
        "pulumi.provider.experimental.server:ProviderServicer.__annotations__._engine_address",
        "plugin_server.serve",
        "an engine that attaches (PULUMI_DEBUG_PROVIDERS) sends its address after start-up",
    ),
    Reach(
        "plugin",
        "pulumi.provider.server:ProviderServicer.__annotations__.engine_address",
        "plugin_server.serve",
        "the component server builds the pair with the attached engine too",
    ),
    Reach(
        "plugin",
        "pulumi.provider.server:ProviderServicer.Construct",
        "plugin_server.serve",
        "the experimental servicer has no Construct: the component server's answers it",
    ),
    Reach(
        "plugin",
        "pulumi.provider.experimental.property_value:Computed",
        "plugin.wire.plain",
        "an unknown as the experimental servicer hands it over",
    ),
)


def missing(doors: tuple[str, ...] = ("dynamic", "plugin")) -> list[str]:
    """The reaches of `doors` whose target the installed SDK lacks (none: each has its own)."""
    from importlib.metadata import version

    installed = _numbers(version("pulumi"))
    return [
        f"{reach.target} (used in {reach.used_in})"
        for reach in REACHES
        if reach.door in doors and installed >= _numbers(reach.since or "0") and not _found(reach)
    ]


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def _found(reach: Reach) -> bool:
    module, _, path = reach.target.partition(":")
    if path.startswith('"'):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        return origin is not None and path.strip('"') in _text(origin)
    try:
        found: object = importlib.import_module(module)
    except ImportError:
        return False
    for name in path.split("."):
        if isinstance(found, dict):
            if name not in found:
                return False
            found = found[name]
        elif hasattr(found, name):
            found = getattr(found, name)
        else:
            return False
    return True


def _text(origin: str) -> str:
    with open(origin, encoding="utf-8") as source:
        return source.read()
