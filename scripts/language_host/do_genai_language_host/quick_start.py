"""The host's process starts without the pulumi SDK's own `__init__` modules.

The host needs only the generated gRPC modules under `pulumi.runtime.proto`. Imported the
ordinary way, they run `pulumi/__init__.py` and `pulumi/runtime/__init__.py` first: the whole
SDK, 0.25 s of the host's 0.6 s start, and the engine starts the host two or three times a
`pulumi up`. Called first thing in the host's own process (never in a process that runs a
program: `runner.py` is a process of its own, with the SDK as it is), this makes `pulumi` and
`pulumi.runtime` bare packages over the SDK's own folders, so that only the protocol loads.
"""

from __future__ import annotations

import sys
import types
from importlib.util import find_spec


def bare_sdk_packages() -> None:
    for name in ("pulumi", "pulumi.runtime"):
        if name in sys.modules:
            continue
        spec = find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            return  # no SDK: the ordinary import then fails with its own message
        package = types.ModuleType(name)
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules[name] = package
