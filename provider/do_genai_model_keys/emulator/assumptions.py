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


NOT_FOR_CHAT_STATUS = 400
NOT_FOR_CHAT_ID = "bad_request"


def not_for_chat_message(model: str, kind: str, endpoint: str) -> str:
    """The refusal of a chat with a model that does not chat (an embedding model, say): the
    docs do not say; the emulator answers 400 naming the model's own endpoint."""
    return (
        f"model {model!r} is a {kind} model; chat completions need a chat model "
        f"(its endpoint: {endpoint})"
    )


TOKENS_CALL_INFERENCE = True
"""A full-access API token is accepted by the inference API as well as a model access key (the
DigitalOcean inference guide says so); the emulator accepts every token it knows there. The
provider's secret checks rely on it to tell a dead key from a wrong endpoint."""


VPC_REFUSAL_STATUS = 403
VPC_REFUSAL_ID = "forbidden"
VPC_REFUSAL_MESSAGE = "this model access key may only be used from its VPC"
"""A key restricted to a VPC in the control panel, sent to the public inference endpoint: the
docs say such a key is refused from outside its VPC, not how. The emulator answers 403 in the
API's error shape (a refusal of where the call comes from, not of the secret), so a client can
tell it from a dead secret's 401."""

NEW_SECRET_REFUSAL = (401, "unauthorized", "Unable to authenticate you.")
"""A secret the inference edge has not learned yet (the emulator's `secret_delay` after a
regenerate): the docs do not say a new secret can lag; if it does, the edge cannot tell it from
an unknown one, so the emulator answers exactly as to a dead secret."""
