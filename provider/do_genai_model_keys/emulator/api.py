"""The DigitalOcean endpoints the emulator serves: the GenAI control plane (`/v2/gen-ai/...`)
and the serverless inference paths (`/v1/...`), routed by the table `ROUTES`.

Each route is a function from a parsed `Request` to an `Answer`, or raises `ApiError`; the
server does authentication, rate limits, faults and rendering around it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..api.contract import (
    CHAT_COMPLETIONS_PATH,
    CREATE_RETIRED_MESSAGE,
    DEFAULT_PAGE_SIZE,
    INFERENCE_MODELS_PATH,
    KEYS_PATH,
    MAX_NAME_LENGTH,
    MAX_PAGE_SIZE,
    MODELS_PATH,
    SCOPE_BY_METHOD,
    api_of,
)
from ..api.times import format_time, parse_time
from .answers import Answer, ApiError
from .assumptions import (
    NOT_FOR_CHAT_ID,
    NOT_FOR_CHAT_STATUS,
    SCOPE_REFUSAL_ID,
    SCOPE_REFUSAL_STATUS,
    not_for_chat_message,
    scope_refusal_message,
)
from .catalogue import CHAT_KINDS, max_output_tokens, public_view
from .state import EmulatorState, Key

KEYS = KEYS_PATH
KEY = KEYS + "/{api_key_uuid}"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    scope: str | None  # None: an inference path, authenticated by a model key or a token
    run: Callable[[Request], Answer]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]
    params: dict[str, str]
    state: EmulatorState
    base_url: str
    key: Key | None = None
    """The model access key an inference request came with (None: a token, or a control call)."""


def _compile(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


# --- paging -------------------------------------------------------------------------------


def _int_param(request: Request, name: str, default: int) -> int:
    values = request.query.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        raise ApiError(
            400, "bad_request", f"{name} must be an integer, got {values[0]!r}"
        ) from None


def _paged(request: Request, items: list[dict[str, Any]], field: str) -> Answer:
    page = max(1, _int_param(request, "page", 1))
    per_page = min(MAX_PAGE_SIZE, max(1, _int_param(request, "per_page", DEFAULT_PAGE_SIZE)))
    total = len(items)
    pages = max(1, -(-total // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        query = {k: v for k, v in request.query.items() if k not in ("page", "per_page")}
        query["page"] = [str(number)]
        query["per_page"] = [str(per_page)]
        return f"{request.base_url}{request.path}?{urlencode(query, doseq=True)}"

    links: dict[str, str] = {}
    if page > 1:
        links.update(first=link(1), previous=link(min(page - 1, pages)))
    if page < pages:
        links.update(next=link(page + 1), last=link(pages))
    body: dict[str, Any] = {
        field: chunk,
        "links": {"pages": links} if links else {},
        "meta": {"page": page, "pages": pages, "total": total},
    }
    return Answer(200, body)


# --- control-plane routes -----------------------------------------------------------------


def list_models(request: Request) -> Answer:
    public_only = (request.query.get("public_only") or ["false"])[0].lower() == "true"
    usecases = set(request.query.get("usecases") or [])
    known = {u for m in request.state.models for u in m["_usecases"]} | {"MODEL_USECASE_UNKNOWN"}
    unknown = sorted(usecases - known)
    if unknown:
        raise ApiError(400, "bad_request", f"unknown usecases: {', '.join(unknown)}")
    models = [
        public_view(m)
        for m in request.state.models
        if (not public_only or m["_public"]) and (not usecases or usecases & set(m["_usecases"]))
    ]
    return _paged(request, models, "models")


def list_keys(request: Request) -> Answer:
    return _paged(request, [k.info() for k in request.state.list_keys()], "api_key_infos")


def _name_from_body(request: Request) -> str:
    name = request.body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "bad_request", "name is required")
    if len(name) > MAX_NAME_LENGTH:
        raise ApiError(
            422, "unprocessable_entity", f"name must be at most {MAX_NAME_LENGTH} characters"
        )
    return name


def create_key(request: Request) -> Answer:
    if request.state.retire_create:
        raise ApiError(410, "gone", CREATE_RETIRED_MESSAGE)
    key = request.state.create_key(_name_from_body(request), by_api=True)
    return Answer(200, {"api_key_info": key.info(with_secret=True)})


def _not_found(key_uuid: str) -> ApiError:
    return ApiError(404, "not_found", f"model API key {key_uuid} not found")


def rename_key(request: Request) -> Answer:
    key_uuid = request.params["api_key_uuid"]
    body_uuid = request.body.get("api_key_uuid")
    if body_uuid not in (None, "", key_uuid):
        raise ApiError(400, "bad_request", "api_key_uuid in the body does not match the path")
    key = request.state.rename_key(key_uuid, _name_from_body(request))
    if key is None:
        raise _not_found(key_uuid)
    return Answer(200, {"api_key_info": key.info()})


def regenerate_key(request: Request) -> Answer:
    key_uuid = request.params["api_key_uuid"]
    key = request.state.regenerate_key(key_uuid)
    if key is None:
        raise _not_found(key_uuid)
    return Answer(200, {"api_key_info": key.info(with_secret=True)})


def delete_key(request: Request) -> Answer:
    key_uuid = request.params["api_key_uuid"]
    key = request.state.delete_key(key_uuid)
    if key is None:
        raise _not_found(key_uuid)
    deleted_at = format_time(request.state.clock())
    return Answer(200, {"api_key_info": key.info(deleted_at=deleted_at)})


# --- inference routes ---------------------------------------------------------------------


def _served(state: EmulatorState) -> list[dict[str, Any]]:
    """The models the inference API serves: active ones available serverless."""
    return [
        m
        for m in state.models
        if m["model_availability"] == "serverless" and m["lifecycle_status"] == "active"
    ]


def _listed(model: dict[str, Any]) -> dict[str, Any]:
    """A model as `/v1/models` shows it: the spec's four fields, and the two users meet too."""
    return {
        "id": model["id"],
        "object": "model",
        "created": int(parse_time(model["created_at"]).timestamp()),
        "owned_by": model["provider"].removeprefix("MODEL_PROVIDER_").lower(),
        "context_length": int(model["context_window"]),
        "max_output_tokens": max_output_tokens(model),
    }


def inference_models(request: Request) -> Answer:
    """Every served model a full-access token may call; a scoped key sees only its own."""
    key = request.key
    listed = [_listed(m) for m in _served(request.state) if key is None or key.may_use(m["id"])]
    return Answer(200, {"object": "list", "data": listed})


def chat_completions(request: Request) -> Answer:
    model = request.body.get("model")
    messages = request.body.get("messages")
    if not isinstance(model, str) or not isinstance(messages, list) or not messages:
        raise ApiError(400, "bad_request", "model and a non-empty messages list are required")
    served = {m["id"]: m for m in _served(request.state)}
    if model not in served:
        raise ApiError(404, "not_found", f"model {model!r} is not available for inference")
    if request.key is not None and not request.key.may_use(model):
        raise ApiError(SCOPE_REFUSAL_STATUS, SCOPE_REFUSAL_ID, scope_refusal_message(model))
    kind = served[model]["type"]
    if kind not in CHAT_KINDS:
        endpoint = served[model]["endpoints"][0]["endpoint"]
        message = not_for_chat_message(model, kind, endpoint)
        raise ApiError(NOT_FOR_CHAT_STATUS, NOT_FOR_CHAT_ID, message)
    last = str(messages[-1].get("content", "")) if isinstance(messages[-1], dict) else ""
    prompt_tokens = sum(
        len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict)
    )
    answer = f"Emulated reply from {model}: you said {last!r}."
    digest = hashlib.sha256(f"{model}\n{last}".encode()).hexdigest()[:24]
    completion_tokens = len(answer.split())
    body = {
        "id": f"chatcmpl-{digest}",
        "object": "chat.completion",
        "created": int(request.state.clock()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {
                    "role": "assistant",
                    "content": answer,
                    "refusal": None,
                    "reasoning_content": None,
                },
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            # Required by the spec; the emulator has no prompt cache.
            "cache_created_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        },
    }
    headers = request.state.spend_inference_tokens(prompt_tokens + completion_tokens)
    return Answer(200, body, headers)


def _route(method: str, template: str, run: Callable[[Request], Answer]) -> Route:
    """A route; a control API route needs the scope of its method (`SCOPE_BY_METHOD`), an
    inference route (`api_of`) takes a model key or a token."""
    scope = None if api_of(template) == "inference" else SCOPE_BY_METHOD[method]
    return Route(method, template, _compile(template), scope, run)


ROUTES = [
    _route("GET", MODELS_PATH, list_models),
    _route("GET", KEYS, list_keys),
    _route("POST", KEYS, create_key),
    _route("PUT", KEY + "/regenerate", regenerate_key),
    _route("PUT", KEY, rename_key),
    _route("DELETE", KEY, delete_key),
    _route("GET", INFERENCE_MODELS_PATH, inference_models),
    _route("POST", CHAT_COMPLETIONS_PATH, chat_completions),
]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    """The route for a request and its path parameters, or (None, {})."""
    for route in ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None, {}
