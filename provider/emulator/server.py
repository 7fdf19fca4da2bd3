"""The emulator's HTTP server: routes, authentication, paging, faults and error rendering.

A real HTTP/1.1 server (the standard library's threading server), so clients exercise their
whole stack: connection pools, timeouts, dropped connections. Errors render in DigitalOcean's
shape `{"id", "message", "request_id"}` with the `x-request-id` header, and every answer of the
API paths carries the `ratelimit-*` headers. A handler that raises answers 500 and is recorded
in `state.handler_errors`, which `Emulator.stop()` turns into a test failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import socket
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..times import format_time, parse_time
from .catalogue import public_view
from .state import EmulatorState, FaultRule

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
RETIRED_MESSAGE = (
    "resource retired: Creating model API keys through this endpoint is retired. Go to manage "
    "page in the control panel to create a model access key."
)
KEYS = "/v2/gen-ai/models/api_keys"
KEY = KEYS + "/{api_key_uuid}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None


class ApiError(Exception):
    """Raised by a route to answer an error in DigitalOcean's shape."""

    def __init__(self, status: int, error_id: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}


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
    if len(name) > 255:
        raise ApiError(422, "unprocessable_entity", "name must be at most 255 characters")
    return name


def create_key(request: Request) -> Answer:
    if request.state.retire_create:
        raise ApiError(410, "gone", RETIRED_MESSAGE)
    key = request.state.create_key(_name_from_body(request))
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


def _inference_models(state: EmulatorState) -> list[dict[str, Any]]:
    return [
        {
            "id": m["id"],
            "object": "model",
            "created": int(parse_time(m["created_at"]).timestamp()),
            "owned_by": m["provider"].removeprefix("MODEL_PROVIDER_").lower(),
        }
        for m in state.models
        if "MODEL_USECASE_SERVERLESS" in m["_usecases"] and m["lifecycle_status"] == "active"
    ]


def inference_models(request: Request) -> Answer:
    return Answer(200, {"object": "list", "data": _inference_models(request.state)})


def chat_completions(request: Request) -> Answer:
    model = request.body.get("model")
    messages = request.body.get("messages")
    if not isinstance(model, str) or not isinstance(messages, list) or not messages:
        raise ApiError(400, "bad_request", "model and a non-empty messages list are required")
    if model not in {m["id"] for m in _inference_models(request.state)}:
        raise ApiError(404, "not_found", f"model {model!r} is not available for inference")
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
    return Answer(200, body)


ROUTES = [
    Route("GET", "/v2/gen-ai/models", _compile("/v2/gen-ai/models"), "genai:read", list_models),
    Route("GET", KEYS, _compile(KEYS), "genai:read", list_keys),
    Route("POST", KEYS, _compile(KEYS), "genai:create", create_key),
    Route(
        "PUT", KEY + "/regenerate", _compile(KEY + "/regenerate"), "genai:update", regenerate_key
    ),
    Route("PUT", KEY, _compile(KEY), "genai:update", rename_key),
    Route("DELETE", KEY, _compile(KEY), "genai:delete", delete_key),
    Route("GET", "/v1/models", _compile("/v1/models"), None, inference_models),
    Route("POST", "/v1/chat/completions", _compile("/v1/chat/completions"), None, chat_completions),
]


# --- the request handler ------------------------------------------------------------------


class _DropConnection(Exception):
    """Close the connection without answering."""


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, each answer waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer
    error_content_type = "application/json"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        # Only the request line is ever logged (never headers, so never a token).
        if self.server.verbose:
            super().log_message(format, *args)

    def _handle(self) -> None:
        request_id = str(uuid.uuid4())
        try:
            parts = urlsplit(self.path)
            body = self._read_body()
            if parts.path.startswith("/_emulator/"):
                answer = control(self.server.state, self.command, parts.path, body)
                self._send(answer.status, answer.body, {}, request_id)
                return
            self._handle_api(parts.path, parse_qs(parts.query), body, request_id)
        except _DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except ApiError as error:
            self._send_error(error, request_id, {})
        except Exception:
            self.server.state.handler_errors.append(traceback.format_exc())
            self._send_error(
                ApiError(500, "server_error", "emulator handler failed"), request_id, {}
            )

    def _read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise ApiError(400, "bad_request", "the request body is not valid JSON") from None
        if not isinstance(value, dict):
            raise ApiError(400, "bad_request", "the request body must be a JSON object")
        return value

    def _handle_api(
        self, path: str, query: dict[str, list[str]], body: dict[str, Any], request_id: str
    ) -> None:
        state = self.server.state
        route, params = _match(self.command, path)
        template = route.template if route else path
        state.count(self.command, template)
        if route is None:
            if path.startswith("/v2/") or path.startswith("/v1/"):
                raise ApiError(
                    501,
                    "not_implemented",
                    f"the emulator does not implement {self.command} {path}",
                )
            raise ApiError(404, "not_found", f"no such path: {path}")

        token = _bearer(self.headers.get("Authorization"))
        rate_headers, retry_after = state.take_rate_slot(token or "anonymous")
        try:
            fault = state.pick_fault(self.command, template)
            if fault is not None:
                self._apply_fault(fault)
            self._authorize(route, token)
            if retry_after is not None:
                raise ApiError(
                    429,
                    "too_many_requests",
                    "API rate limit exceeded",
                    # Rounded up: a client that waits this long must find room.
                    retry_after=str(max(1, math.ceil(retry_after))),
                )
            host = self.headers.get("Host") or str(self.server.server_address[0])
            request = Request(self.command, path, query, body, params, state, f"http://{host}")
            answer = route.run(request)
        except ApiError as error:
            error.headers = {**rate_headers, **error.headers}
            raise
        if fault is not None and fault.kind == "commit_then_drop":
            raise _DropConnection()
        if fault is not None and fault.kind == "commit_then_delay":
            time.sleep(fault.latency_ms / 1000)
        self._send(answer.status, answer.body, rate_headers, request_id)

    def _apply_fault(self, fault: FaultRule) -> None:
        if fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
        elif fault.kind == "drop":
            raise _DropConnection()
        elif fault.kind == "status":
            error_id = {
                429: "too_many_requests",
                500: "server_error",
                502: "bad_gateway",
                503: "service_unavailable",
                504: "gateway_timeout",
            }.get(fault.status, HTTPStatus(fault.status).phrase.lower().replace(" ", "_"))
            raise ApiError(
                fault.status,
                error_id,
                f"injected fault: {HTTPStatus(fault.status).phrase}",
                **{k.replace("-", "_"): v for k, v in fault.headers.items()},
            )

    def _authorize(self, route: Route, token: str | None) -> None:
        state = self.server.state
        if route.scope is None:
            if token and (token in state.tokens or state.secret_is_live(token)):
                return
            raise ApiError(401, "unauthorized", "Unable to authenticate you.")
        scopes = state.tokens.get(token or "")
        if scopes is None:
            raise ApiError(401, "unauthorized", "Unable to authenticate you.")
        if route.scope not in scopes:
            raise ApiError(
                403,
                "forbidden",
                f"You are not authorized to perform this operation (needs scope {route.scope}).",
            )

    def _send_error(self, error: ApiError, request_id: str, headers: dict[str, str]) -> None:
        body = {"id": error.error_id, "message": error.message, "request_id": request_id}
        self._send(error.status, body, {**headers, **error.headers}, request_id)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str], request_id: str
    ) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", request_id)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _bearer(header: str | None) -> str | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    return header[7:].strip() or None


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None, {}


# --- the control API ----------------------------------------------------------------------


def control(state: EmulatorState, method: str, path: str, body: dict[str, Any]) -> Answer:
    """`/_emulator/*`: reset, statistics, faults and control-panel keys for tests and demos."""
    if (method, path) == ("POST", "/_emulator/reset"):
        state.reset()
        return Answer(200, {"ok": True})
    if (method, path) == ("GET", "/_emulator/stats"):
        return Answer(200, state.stats_snapshot())
    if (method, path) == ("POST", "/_emulator/stats/reset"):
        state.reset_stats()
        return Answer(200, {"ok": True})
    if (method, path) == ("POST", "/_emulator/keys"):
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "bad_request", "name is required")
        return Answer(200, {"api_key_info": state.create_key(name).info(with_secret=True)})
    if (method, path) == ("GET", "/_emulator/faults"):
        return Answer(200, {"faults": state.faults_snapshot()})
    if (method, path) == ("DELETE", "/_emulator/faults"):
        state.clear_faults()
        return Answer(200, {"ok": True})
    if (method, path) == ("POST", "/_emulator/faults"):
        try:
            rule = state.add_fault(FaultRule(**body))
        except (TypeError, ValueError) as error:
            raise ApiError(400, "bad_request", f"bad fault rule: {error}") from None
        return Answer(200, {"fault": {"id": rule.id}})
    if (method, path) == ("POST", "/_emulator/rate-limit"):
        per_minute = body.get("per_minute")
        if per_minute is not None and (not isinstance(per_minute, int) or per_minute < 1):
            raise ApiError(400, "bad_request", "per_minute must be a whole number >= 1, or null")
        state.set_rate_limit(per_minute)
        return Answer(200, {"per_minute": per_minute})
    if (method, path) == ("POST", "/_emulator/retire-create"):
        state.retire_create = bool(body.get("retired", True))
        return Answer(200, {"retire_create": state.retire_create})
    raise ApiError(404, "not_found", f"no emulator control {method} {path}")


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The standard library's backlog of 5 drops connections under a burst of parallel clients.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: EmulatorState, *, verbose: bool = False):
        self.state = state
        self.verbose = verbose
        super().__init__(address, EmulatorHandler)
