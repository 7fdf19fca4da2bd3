"""A key's account as the lifecycle compares it: what makes two accounts the same.

Both doors give a key's account as a map of `ClientSettings` fields (the dynamic door's
`Account.as_input()`, the plugin's provider configuration); None is the stack's own account.
"""

from __future__ import annotations

from typing import Any


def identity(account: Any) -> Any:
    """What makes two accounts the same, for `diff`: their resolved settings, with each endpoint
    in its one spelling (`config.canonical_endpoint`), so a trailing slash, the default endpoint
    written out or `localhost` for 127.0.0.1 is no change at all. None: the stack's config; a
    value that is no usable account stays as it is (the provider's `check` refuses it)."""
    if not isinstance(account, dict) or not account.get("token"):
        return account
    from ..api.config import FIELDS, settings_of, whose
    from ..api.errors import ConfigurationError

    try:
        settings = settings_of(dict(account))
    except ConfigurationError:
        return account
    rest = (name for name in FIELDS if name not in ("token", "api_endpoint", "inference_endpoint"))
    return (*whose(settings), *(getattr(settings, name) for name in rest))
