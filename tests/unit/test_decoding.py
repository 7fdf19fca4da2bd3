"""Decoding and error mapping are pure: every shape of answer, no HTTP."""

from __future__ import annotations

import json

import pytest
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.api.decoding import decode_response, next_page_url, retry_after_seconds

NOW = 1_800_000_000.0


def decode(status: int, body: object = None, headers: dict[str, str] | None = None):
    raw = json.dumps(body).encode() if body is not None else b""
    return decode_response(
        method="GET",
        path="/v2/gen-ai/models",
        status=status,
        headers=headers or {},
        body=raw,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (410, errors.CreationRetiredError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (418, errors.APIStatusError),
    ],
)
def test_each_status_maps_to_its_error_class(status: int, cls: type[errors.APIStatusError]) -> None:
    with pytest.raises(cls) as caught:
        decode(status, {"id": "some_id", "message": "it went wrong", "request_id": "req-1"})
    error = caught.value
    assert type(error) is cls
    assert (error.status, error.error_id, error.api_message, error.request_id) == (
        status,
        "some_id",
        "it went wrong",
        "req-1",
    )
    assert str(error).startswith("[request req-1] GET /v2/gen-ai/models answered")


def test_request_id_falls_back_to_the_header_and_html_bodies_do_not_break_decoding() -> None:
    with pytest.raises(errors.ServerError) as caught:
        decode_response(
            method="PUT",
            path="/x",
            status=502,
            headers={"x-request-id": "hdr-9"},
            body=b"<html>bad gateway</html>",
        )
    assert caught.value.request_id == "hdr-9"
    assert caught.value.error_id == ""


def test_forbidden_names_the_missing_scope_for_the_method() -> None:
    error = errors.error_for_status(status=403, method="DELETE", path="/p", body={}, headers={})
    assert "genai:delete" in str(error)


def test_retired_create_explains_adoption() -> None:
    error = errors.error_for_status(
        status=410,
        method="POST",
        path=KEYS_PATH,
        body={"id": "gone"},
        headers={},
    )
    assert "adopt_uuid" in str(error)
    assert "adopt_existing" in str(error)
    assert "control panel" in str(error)


def test_repr_shows_no_headers() -> None:
    error = errors.error_for_status(
        status=401, method="GET", path="/p", body={}, headers={"authorization": "Bearer tk-Zq9"}
    )
    assert "tk-Zq9" not in repr(error)
    assert "tk-Zq9" not in str(error)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "Wed, 15 Jan 2027 08:00:10 GMT"}, 1_800_000_010.0 - NOW),
        ({"ratelimit-reset": str(int(NOW) + 30), "ratelimit-remaining": "0"}, 30.0),
        ({"ratelimit-reset": str(int(NOW) + 30), "ratelimit-remaining": "12"}, None),
        ({}, None),
    ],
)
def test_retry_after_in_seconds_or_http_date_or_reset(headers: dict[str, str], expected) -> None:
    got = retry_after_seconds(headers, now=NOW)
    if expected is None:
        assert got is None
    elif headers.get("retry-after", "").startswith("Wed"):
        # An HTTP date has second precision; the figure must be the distance to it.
        assert got is not None
        assert got >= 0
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"links": {"pages": {"next": "https://api/x?page=2"}}}, "https://api/x?page=2"),
        ({"links": {}, "meta": {"page": "1", "pages": "3"}}, "?page=2"),
        ({"meta": {"page": 3, "pages": 3}}, None),
        ({"links": {"pages": {}}}, None),
        ({}, None),
    ],
)
def test_next_page_from_links_or_meta_with_numbers_as_strings(data, expected) -> None:
    assert next_page_url(data) == expected


def test_a_success_is_data_and_the_next_page_only() -> None:
    decoded = decode(
        200,
        {"models": []},
        {"ratelimit-limit": "5000", "ratelimit-remaining": "4999", "ratelimit-reset": "1700000000"},
    )
    assert decoded.data == {"models": []}
    assert decoded.next_url is None


def test_a_refusal_carries_the_wait_and_the_pace_its_headers_ask_for() -> None:
    """The rate-limit headers are read once, in decoding: the 429 carries what they decide."""
    headers = {"x-ratelimit-limit-requests": "600", "x-ratelimit-reset-requests": str(NOW + 7)}
    with pytest.raises(errors.RateLimitError) as raised:
        decode(429, {"id": "too_many_requests"}, headers)
    assert raised.value.retry_after == pytest.approx(7)
    assert raised.value.allowed_per_second == pytest.approx(10)
    with pytest.raises(errors.RateLimitError) as silent:
        decode(429, {"id": "too_many_requests"}, {"x-ratelimit-limit-requests": "nan"})
    assert (silent.value.retry_after, silent.value.allowed_per_second) == (None, None)
