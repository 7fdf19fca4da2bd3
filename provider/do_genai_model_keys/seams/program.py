"""The stack config a program runs with, as the SDK holds it.

The SDK reads one config key at a time (`pulumi.runtime.get_config`) and offers no list of the
keys set; a typo (`digitalocean:apiEndpiont`) is found only by looking at every key, so the data
sources read the SDK's own config store (`pulumi.runtime.config`: the module's `CONFIG` and the
`PULUMI_CONFIG` environment the engine hands a program).
"""

from __future__ import annotations


def config_keys() -> list[str]:
    """Every config key the running program was given."""
    from pulumi.runtime.config import CONFIG, get_config_env

    return sorted({*CONFIG.get(), *get_config_env()})
