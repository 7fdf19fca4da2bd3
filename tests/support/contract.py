"""Check recorded HTTP exchanges against tests/spec/do-genai-openapi.yaml with openapi-core."""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

# The contract lives in the repository (tests/spec/README.md says where it comes from);
# GENAI_OPENAPI_SPEC points the tests at another copy.
SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
SPEC_PATH = Path(os.environ.get("GENAI_OPENAPI_SPEC") or SPEC_DIR / "do-genai-openapi.yaml")
CREATE_EXTENSION_PATH = SPEC_DIR / "do-genai-create-before-retirement.yaml"
"""The create's answer from before its retirement: what the emulator's --allow-create serves."""


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise FileNotFoundError(
            f"the OpenAPI contract is missing at {path}: restore tests/spec/ from the "
            "repository or set GENAI_OPENAPI_SPEC"
        )
    return yaml.safe_load(path.read_text())


@cache
def spec_dict() -> dict[str, Any]:
    return _load(SPEC_PATH)


def with_create_extension(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec plus the pre-retirement create answers, operation by operation."""
    extended = copy.deepcopy(spec)
    for path, operations in _load(CREATE_EXTENSION_PATH)["paths"].items():
        for method, operation in operations.items():
            extended["paths"][path][method]["responses"].update(operation["responses"])
    return extended


def openapi_for(base_url: str, *, create_extension: bool = False) -> OpenAPI:
    """The spec (with the create extension if asked) with every `servers` list (the API's and
    the inference host's) at `base_url`."""
    spec = copy.deepcopy(spec_dict())
    if create_extension:
        spec = with_create_extension(spec)
    spec["servers"] = [{"url": base_url}]
    for path_item in spec["paths"].values():
        for item in [path_item, *[v for v in path_item.values() if isinstance(v, dict)]]:
            if "servers" in item:
                item["servers"] = [{"url": base_url}]
    return OpenAPI.from_dict(spec)


class _Request:
    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        url = urlsplit(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("Content-Type", "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict({}),
        )


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("Content-Type", "").split(";")[0]
        self.headers = Headers(dict(response.headers))


class RecordingTransport(httpx.HTTPTransport):
    """A real transport that keeps every exchange for later validation."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response


def validate_exchange(openapi: OpenAPI, request: httpx.Request, response: httpx.Response) -> None:
    """Raise openapi-core's error when the request or the answer breaks the spec."""
    wrapped = _Request(request)
    openapi.validate_request(wrapped)
    openapi.validate_response(wrapped, _Response(response))
