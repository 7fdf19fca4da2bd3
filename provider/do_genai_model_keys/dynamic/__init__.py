"""The Pulumi front door for Python programs (internal): dynamic resources, rotation, data
sources and the provider process's runtime. Users import from `do_genai_model_keys`."""

from ..doors import DYNAMIC

KEY_TYPE = DYNAMIC.key_type
"""The type the engine records for a `ModelAccessKey` (the SDK derives it from the class, and
`resources.py` checks that it does): recovery, the inventory and the benchmarks find keys in a
state by it, without loading Pulumi."""
ROTATING_KEY_TYPE = DYNAMIC.pair_type
"""The type of a `RotatingModelAccessKey` component in a state."""
