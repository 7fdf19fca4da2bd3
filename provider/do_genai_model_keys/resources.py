"""The stable home of the pickled provider (do not move).

Every stack's state holds the dynamic provider pickled by reference to
`do_genai_model_keys.resources.ModelAccessKeyProvider`, and the engine unpickles it to refresh,
update and destroy. The code lives in `dynamic.resources`; this module keeps the old path
loading for every state written before the move.
"""

from __future__ import annotations

from .dynamic import KEY_TYPE
from .dynamic.resources import ModelAccessKey, ModelAccessKeyProvider

__all__ = ["KEY_TYPE", "ModelAccessKey", "ModelAccessKeyProvider"]
