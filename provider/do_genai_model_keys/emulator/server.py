"""The emulator's HTTP server: authentication, rate limits, faults and error rendering around
the DigitalOcean routes of `api.py` and the control API of `control.py`.

A real HTTP/1.1 server (the standard library's threading server), so clients exercise their
whole stack: connection pools, timeouts, dropped connections. Errors render in DigitalOcean's
shape `{"id", "message", "request_id"}` with the `x-request-id` header, and every answer of the
API paths carries the `ratelimit-*` headers. A handler that raises answers 500 and is recorded
in `state.handler_errors`, which `Emulator.stop()` turns into a test failure.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .answers import ApiError
from .api import Request, Route, match
from .assumptions import (
    NEW_SECRET_REFUSAL,
    TOKENS_CALL_INFERENCE,
    VPC_REFUSAL_ID,
    VPC_REFUSAL_MESSAGE,
    VPC_REFUSAL_STATUS,
)
from .control import control
from .state import EmulatorState, FaultRule, Key

# --- the request handler ------------------------------------------------------------------


class _DropConnection(Exception):
    """Close the connection without answering."""


class _RawAnswer(Exception):
    """Answer with this exact body (the `body` fault: a proxy's page, a broken JSON)."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status, self.body, self.content_type = status, body, content_type


MAX_REQUEST_BODY = 2**20
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SLOT_WAIT_SECONDS = 5.0
MAX_THREADS = 256
"""Connections served at once; more wait in the listen backlog (the standard server would start
a thread for each, without limit)."""


IDLE_SECONDS = 10.0
"""A connection that sends nothing for this long is closed, so idle clients cannot hold every
one of the `MAX_THREADS` handlers."""


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
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

    def do_HEAD(self) -> None:
        self.close_connection = True  # the client reads no body: none may linger on the line
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (a malformed request line, a method it has no
        handler for) in DigitalOcean's JSON shape too, never an HTML page labelled JSON."""
        self.close_connection = True
        error_id = (
            HTTPStatus(code).phrase.lower().replace(" ", "_")
            if code in HTTPStatus._value2member_map_
            else "error"
        )
        self._send(
            code, {"id": error_id, "message": message or explain or ""}, {}, str(uuid.uuid4())
        )

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
                self._check_control_origin()
                answer = control(self.server.state, self.command, parts.path, body)
                self._send(answer.status, answer.body, {}, request_id)
                return
            self._handle_api(parts.path, parse_qs(parts.query), body, request_id)
        except _RawAnswer as raw:
            self._send_raw(raw, request_id)
        except _DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except ApiError as error:
            self._send_error(error, request_id, {})
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout, its deadline) before the answer: not our failure.
            self.close_connection = True
        except Exception:
            self.server.state.handler_errors.append(traceback.format_exc())
            self._send_error(
                ApiError(500, "server_error", "emulator handler failed"), request_id, {}
            )

    def _read_body(self) -> dict[str, Any]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._parsed(self._read_chunks())
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
            self.close_connection = True  # where the body ends is unknown: never read on
            raise ApiError(400, "bad_request", "Content-Length must be a whole number")
        length = int(declared)
        if length > MAX_REQUEST_BODY:
            self.close_connection = True
            raise ApiError(413, "payload_too_large", f"bodies are at most {MAX_REQUEST_BODY} bytes")
        return self._parsed(self.rfile.read(length) if length else b"")

    def _read_chunks(self) -> bytes:
        """A body sent with `Transfer-Encoding: chunked`, bounded like any other."""
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
                if size < 0:
                    raise ValueError(size)
            except ValueError:
                self.close_connection = True
                raise ApiError(400, "bad_request", "a chunk size is not a hex number") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    pass
                return bytes(body)
            if len(body) + size > MAX_REQUEST_BODY:
                self.close_connection = True
                raise ApiError(
                    413, "payload_too_large", f"bodies are at most {MAX_REQUEST_BODY} bytes"
                )
            body += self.rfile.read(size)
            self.rfile.readline(3)  # the CRLF after the chunk

    @staticmethod
    def _parsed(raw: bytes) -> dict[str, Any]:
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise ApiError(400, "bad_request", "the request body is not valid JSON") from None
        if not isinstance(value, dict):
            raise ApiError(400, "bad_request", "the request body must be a JSON object")
        return value

    def _check_control_origin(self) -> None:
        """Control requests come from tests and scripts on this machine, never from a web page:
        a page in the developer's browser can send a cross-site `text/plain` POST, or reach us
        under its own host name (DNS rebinding), but not a JSON POST to a loopback Host."""
        try:
            host = urlsplit("//" + (self.headers.get("Host") or "")).hostname
        except ValueError:
            host = None
        if host not in LOOPBACK_HOSTS:
            raise ApiError(403, "forbidden", "control requests must name a loopback Host")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.command != "GET" and kind != "application/json":
            raise ApiError(
                415,
                "unsupported_media_type",
                "control requests that change something must be JSON (Content-Type: "
                "application/json), so that no web page can forge them",
            )

    def _handle_api(
        self, path: str, query: dict[str, list[str]], body: dict[str, Any], request_id: str
    ) -> None:
        state = self.server.state
        route, params = match(self.command, path)
        # Unknown paths are counted under one name: statistics stay bounded whatever is asked.
        template = route.template if route else "(no route)"
        state.count(self.command, template)
        if route is None:
            if path.startswith("/v2/") or path.startswith("/v1/"):
                raise ApiError(
                    501,
                    "not_implemented",
                    f"the emulator does not implement {self.command} {path}",
                )
            raise ApiError(404, "not_found", f"no such path: {path}")

        with state.serving():
            self._serve_api(route, params, path, query, body, request_id)

    def _serve_api(
        self,
        route: Route,
        params: dict[str, str],
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any],
        request_id: str,
    ) -> None:
        state = self.server.state
        template = route.template
        token = _bearer(self.headers.get("Authorization"))
        rate_headers, refusal = self._take_rate_slot(route, token)
        try:
            fault = state.pick_fault(self.command, template)
            if fault is not None:
                self._apply_fault(fault)
            key = self._authorize(route, token)
            if refusal is not None:
                state.count_rate_limited(self.command, template)
                raise refusal
            host = self.headers.get("Host") or str(self.server.server_address[0])
            request = Request(self.command, path, query, body, params, state, f"http://{host}", key)
            answer = route.run(request)
        except ApiError as error:
            error.headers = {**rate_headers, **error.headers}
            raise
        if fault is not None and fault.kind == "commit_then_drop":
            raise _DropConnection()
        if fault is not None and fault.kind == "commit_then_delay":
            time.sleep(fault.latency_ms / 1000)
        self._send(
            answer.status, answer.body, {**rate_headers, **(answer.headers or {})}, request_id
        )

    def _apply_fault(self, fault: FaultRule) -> None:
        if fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
        elif fault.kind == "drop":
            raise _DropConnection()
        elif fault.kind == "body":
            raise _RawAnswer(fault.status, fault.body.encode(), fault.content_type)
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

    def _take_rate_slot(
        self, route: Route, token: str | None
    ) -> tuple[dict[str, str], ApiError | None]:
        """Count the request against its API's limits: the headers to send, and the 429 to
        answer instead when a limit is spent (see `limits.py`)."""
        state = self.server.state
        if route.scope is None:  # the inference API: per account, no retry-after
            headers, refused = state.take_inference_slot()
            refusal = ApiError(429, "too_many_requests", "Too many requests") if refused else None
            return headers, refusal
        headers, wait = state.take_rate_slot(token or "anonymous")
        if wait is None:
            return headers, None
        # Rounded up: a client that waits this long must find room.
        seconds = str(max(1, math.ceil(wait)))
        return headers, ApiError(
            429, "too_many_requests", "API rate limit exceeded", retry_after=seconds
        )

    def _authorize(self, route: Route, token: str | None) -> Key | None:
        """Refuse a request its bearer may not make; the model access key it came with, if any."""
        state = self.server.state
        if route.scope is None:
            key = state.key_with_secret(token) if token else None
            if key is not None and state.clock() < key.valid_from:
                raise ApiError(*NEW_SECRET_REFUSAL)
            if key is not None and key.vpc_only:
                raise ApiError(VPC_REFUSAL_STATUS, VPC_REFUSAL_ID, VPC_REFUSAL_MESSAGE)
            if key is not None or (TOKENS_CALL_INFERENCE and token and token in state.tokens):
                return key
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
        return None

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

    def _send_raw(self, raw: _RawAnswer, request_id: str) -> None:
        self.send_response(raw.status)
        self.send_header("Content-Type", raw.content_type)
        self.send_header("Content-Length", str(len(raw.body)))
        self.send_header("x-request-id", request_id)
        self.end_headers()
        self.wfile.write(raw.body)


def _bearer(header: str | None) -> str | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    return header[7:].strip() or None


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The standard library's backlog of 5 drops connections under a burst of parallel clients.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: EmulatorState, *, verbose: bool = False):
        self.state = state
        self.verbose = verbose
        self._slots = threading.BoundedSemaphore(MAX_THREADS)
        super().__init__(address, EmulatorHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # At most MAX_THREADS handlers at once. A connection that finds no free slot within a
        # few seconds is closed unanswered, so the accept loop (and shutdown) never waits long.
        if not self._slots.acquire(timeout=SLOT_WAIT_SECONDS):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()
