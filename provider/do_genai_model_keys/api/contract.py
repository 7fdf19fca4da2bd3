"""What DigitalOcean's API is, declared once: paths, identifiers, limits and dates.

The client, the provider, the input checks and the emulator all read these, so a fact about the
API changes here and nowhere else. Light on purpose (the standard library only): `key_inputs`
checks `adopt_uuid` with it in the program. The client builds every key path with `key_path`,
which refuses anything that is not a key UUID, so a UUID from the state or from an answer can
never walk up the path (`..`) or add a query (`x?a=b`).
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote

KEYS_PATH = "/v2/gen-ai/models/api_keys"
MODELS_PATH = "/v2/gen-ai/models"
INFERENCE_MODELS_PATH = "/v1/models"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"

Api = Literal["control", "inference"]
"""DigitalOcean's two APIs: the control API (`/v2/...`, an API token) and the inference API
(`/v1/...`, a model access key), each with an endpoint, limits and errors of its own."""


def api_of(path: str) -> Api:
    """Which API a path is for: the one place the two are told apart."""
    return "inference" if path.startswith("/v1/") else "control"


MAX_NAME_LENGTH = 255
"""The longest key name the API takes (longer ones are refused with 422)."""
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
"""Listings page by 20 unless asked; `per_page` above 200 is cut to 200."""

CREATE_RETIRED_ON = "2026-06-11"
"""Since this day every `POST /v2/gen-ai/models/api_keys` answers 410 (`id: gone`)."""
CREATE_RETIRED_MESSAGE = (
    "resource retired: Creating model API keys through this endpoint is retired. Go to manage "
    "page in the control panel to create a model access key."
)
"""The 410's `message`, as the API words it."""

USECASES = (
    "MODEL_USECASE_UNKNOWN",
    "MODEL_USECASE_AGENT",
    "MODEL_USECASE_FINETUNED",
    "MODEL_USECASE_KNOWLEDGEBASE",
    "MODEL_USECASE_GUARDRAIL",
    "MODEL_USECASE_REASONING",
    "MODEL_USECASE_SERVERLESS",
)
"""The `usecases` values the model list accepts (DigitalOcean's `MODEL_USECASE_*` enum)."""

SCOPE_BY_METHOD = {
    "GET": "genai:read",
    "POST": "genai:create",
    "PUT": "genai:update",
    "PATCH": "genai:update",
    "DELETE": "genai:delete",
}
"""The token scope each method of the control API's GenAI paths needs."""
ALL_SCOPES = frozenset(SCOPE_BY_METHOD.values())
"""Every GenAI scope a token can hold."""

CONTROL_PER_MINUTE = 250
CONTROL_PER_HOUR = 5000
"""The control API's documented rate limits, per token: 250 requests in any minute, 5,000 in
any hour."""

KEY_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
"""What DigitalOcean's key UUIDs look like (RFC 4122 text form)."""


def is_key_uuid(value: object) -> bool:
    return isinstance(value, str) and KEY_UUID.fullmatch(value) is not None


def key_path(uuid: str, action: str = "") -> str:
    """`/v2/gen-ai/models/api_keys/{uuid}[/action]`; a value that is not a key UUID raises
    `ValueError` naming it (shortened: it may come from a hostile answer)."""
    if not is_key_uuid(uuid):
        raise ValueError(f"{str(uuid)[:60]!r} is not a key UUID (like 3f2b6a4e-...-...)")
    path = f"{KEYS_PATH}/{quote(uuid, safe='')}"
    return f"{path}/{action}" if action else path
