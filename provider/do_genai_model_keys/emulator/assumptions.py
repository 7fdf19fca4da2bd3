"""Where DigitalOcean's documents are silent, what the emulator does instead: in one place.

Each choice below stands where the public spec and product docs give no answer. Correct it here
(and in the README's emulator section) when DigitalOcean documents the real behaviour.
"""

from __future__ import annotations

INFERENCE_REQUESTS_PER_MINUTE = 600
"""Requests a minute to the inference API, per account. DigitalOcean documents that such a limit
exists and the `x-ratelimit-*-requests` headers that report it, not the figure."""
INFERENCE_TOKENS_PER_MINUTE = 2_000_000
"""Tokens (prompt and completion) a minute, per account: a figure of the same kind."""
INFERENCE_TOKENS_PER_DAY = 50_000_000
"""Tokens a day, per account: a figure of the same kind."""

SCOPE_REFUSAL_STATUS = 403
SCOPE_REFUSAL_ID = "forbidden"


def scope_refusal_message(model: str) -> str:
    """The refusal of a call, with a key limited to other models, to `model`. The docs say a
    key can be limited to chosen models, not how a call to another is refused; the emulator
    answers 403 in the API's error shape, as the control API refuses a missing scope."""
    return f"this model access key is not allowed to use model {model!r}"
