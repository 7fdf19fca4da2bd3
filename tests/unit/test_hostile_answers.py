"""Answers we cannot read are errors, never "nothing there" (a listing that reads as empty
would make a refresh forget every key); odd headers never fail a good call."""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.config import MAX_ANSWER_BYTES, ClientSettings, resolve_settings
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.api.decoding import decode_response, rate_limit_of, retry_after_seconds
from do_genai_model_keys.api.retry import RequestPacer
from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider
from do_genai_model_keys.dynamic.rotation import rotation_count
from do_genai_model_keys.lookups.filtering import apply_filters_and_sorts
from do_genai_model_keys.lookups.records import InferenceModelInfo
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from support.clock import FakeClock

TOKEN = "dop-test-token-0123456789abcdef"
KEY = {"uuid": "3f2b6a4e-1111-4222-8333-444455556666", "name": "k"}


def serving(*pages: tuple[int, bytes, dict[str, str]]) -> tuple[httpx.MockTransport, list[str]]:
    """A server that answers with `pages` in turn (the last one again and again)."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        status, body, headers = pages[min(len(seen), len(pages)) - 1]
        return httpx.Response(status, content=body, headers=headers)

    return httpx.MockTransport(handle), seen


def client(transport: httpx.MockTransport) -> GenAIClient:
    return GenAIClient(
        TOKEN, api_endpoint="http://api.test", transport=transport, sleep=lambda _s: None
    )


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers", "problem"),
    [
        (b"<html>maintenance</html>", {"content-type": "text/html"}, "not a JSON object"),
        (b"[]", JSON, "not a JSON object"),
        (b"", JSON, "not a JSON object"),
        (b"{not json", JSON, "not a JSON object"),
        (b"\xff\xfe", JSON, "not a JSON object"),
        (b"[" * 100_000, JSON, "not a JSON object"),
        (b"{}", JSON, "no api_key_infos list"),
        (b'{"api_key_infos": 1}', JSON, "api_key_infos is a int, not a list"),
        (b'{"api_key_infos": {"uuid": "x"}}', JSON, "not a list"),
        (b'{"api_key_infos": [1]}', JSON, "ApiKeyInfo"),
        (b'{"api_key_infos": [{"name": "no uuid"}]}', JSON, "uuid"),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_a_listing_that_does_not_decode_is_an_error_after_its_retries(
    body: bytes, headers: dict[str, str], problem: str
) -> None:
    transport, seen = serving((200, body, headers))
    with client(transport) as c, pytest.raises(errors.UnexpectedResponseError) as failed:
        c.list_keys()
    assert problem in str(failed.value)
    assert f"GET {KEYS_PATH}" in str(failed.value)
    assert TOKEN not in str(failed.value)
    assert TOKEN not in repr(failed.value)
    assert len(seen) == 5  # the first try and four retries: a page is asked for again


def test_one_bad_page_is_asked_for_again_and_the_listing_completes() -> None:
    good = json.dumps({"api_key_infos": [KEY], "meta": {"total": 1}}).encode()
    transport, seen = serving((200, b"<html>", {}), (200, good, JSON))
    with client(transport) as c:
        assert [k.uuid for k in c.list_keys()] == [KEY["uuid"]]
    assert len(seen) == 2


@pytest.mark.parametrize("body", [b'{"meta": {"total": 0}}', b'{"meta": {"total": "0"}}'])
def test_an_empty_listing_may_leave_the_list_out_when_its_meta_says_none(body: bytes) -> None:
    transport, _ = serving((200, body, JSON))
    with client(transport) as c:
        assert c.list_keys() == []


@pytest.mark.parametrize(
    "body", [b'{"meta": {}}', b'{"links": {}}', b'{"links": {}, "meta": {}}', b'{"meta": []}']
)
def test_a_listing_that_claims_nothing_is_an_error_not_no_keys(body: bytes) -> None:
    """Without the list and without a meta that says there are none, the answer claims
    nothing: read as "no keys", it would drop every key of the stack."""
    transport, seen = serving((200, body, JSON))
    with client(transport) as c, pytest.raises(errors.UnexpectedResponseError, match="no api_key"):
        c.list_keys()
    assert len(seen) == 5  # asked for again, as any page that cannot be read


def test_a_listing_that_claims_keys_but_lists_none_is_an_error() -> None:
    transport, _ = serving((200, b'{"meta": {"total": 3}, "links": {}}', JSON))
    with client(transport) as c, pytest.raises(errors.UnexpectedResponseError, match="no api_key"):
        c.list_keys()


def test_a_listing_whose_next_links_never_end_is_an_error_not_a_short_list() -> None:
    page = {"api_key_infos": [KEY], "links": {"pages": {"next": "http://api.test/x?page=2"}}}
    transport, seen = serving((200, json.dumps(page).encode(), JSON))
    with client(transport) as c, pytest.raises(errors.UnexpectedResponseError) as failed:
        c.list_keys()
    assert "never ends" in str(failed.value)
    assert len(seen) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"ratelimit-limit": "inf", "ratelimit-remaining": "1e999", "ratelimit-reset": "nan"},
        {"ratelimit-limit": "-inf", "ratelimit-remaining": "", "ratelimit-reset": "soon"},
        {"retry-after": "tomorrow, maybe"},
        {"retry-after": "Mon, 99 Foo 2026 99:99:99 GMT"},
        {"retry-after": "inf"},
        {"retry-after": "nan"},
    ],
)
def test_odd_rate_limit_headers_never_fail_an_answer(headers: dict[str, str]) -> None:
    body = json.dumps({"api_key_infos": [KEY]}).encode()
    decoded = decode_response(method="GET", path=KEYS_PATH, status=200, headers=headers, body=body)
    assert decoded.data["api_key_infos"] == [KEY]
    assert rate_limit_of(headers, now=0).wait is None
    assert retry_after_seconds(headers, now=0) is None
    with pytest.raises(errors.RateLimitError):
        decode_response(method="GET", path=KEYS_PATH, status=429, headers=headers, body=b"")


# --- secrets never in text ------------------------------------------------------------------

SECRET_PART = "s3cr3t-part-0123456789"


@pytest.mark.parametrize(
    "token",
    [
        f"dop_v1_first_line\n{SECRET_PART}",  # a token file with two lines
        f"{SECRET_PART}\r\nsecond",
        f"{SECRET_PART}\x00",
        f"t\u00f6ken-{SECRET_PART}",
        f"{SECRET_PART} with spaces",
    ],
    ids=["two-lines", "crlf", "nul", "non-ascii", "spaces"],
)
def test_a_token_that_cannot_be_a_header_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(errors.ConfigurationError) as refused:
        resolve_settings(environ={"DIGITALOCEAN_TOKEN": token})
    assert "DIGITALOCEAN_TOKEN" in str(refused.value)
    assert SECRET_PART not in str(refused.value)
    with pytest.raises(errors.ConfigurationError) as refused:
        GenAIClient(token, api_endpoint="http://127.0.0.1:9")
    assert SECRET_PART not in str(refused.value)
    with GenAIClient("good-token", api_endpoint="http://api.test", transport=serving()[0]) as c:
        with pytest.raises(errors.ConfigurationError) as refused:
            c.list_inference_models(token)
    assert SECRET_PART not in str(refused.value)


def test_a_transport_message_that_quotes_a_header_is_not_copied() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value b'Bearer {TOKEN}'")

    with client(httpx.MockTransport(handle)) as c, pytest.raises(errors.TransportError) as failed:
        c.list_keys()
    assert TOKEN not in str(failed.value)
    assert "LocalProtocolError" in str(failed.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2-password@api.example.com",
        "https://:hunter2-password@api.example.com",
        "htps://user:hunter2-password@api.example.com",
        "https://user:hunter2-password@api.example.com:port",
    ],
)
def test_an_endpoint_with_userinfo_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(errors.ConfigurationError) as refused:
        resolve_settings(environ={"DIGITALOCEAN_API_URL": url})
    assert "hunter2" not in str(refused.value)
    assert "DIGITALOCEAN_API_URL" in str(refused.value)


@pytest.mark.parametrize(
    "endpoint", ["http://api.example.com", "http://10.0.0.5:8080", "http://127.evil.example"]
)
def test_plain_http_to_another_machine_is_refused_unless_allowed(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(errors.ConfigurationError) as refused:
        GenAIClient(TOKEN, api_endpoint=endpoint)
    assert "DIGITALOCEAN_ALLOW_HTTP=true" in str(refused.value)
    assert "digitalocean:apiEndpoint" in str(refused.value)
    with pytest.raises(errors.ConfigurationError, match="digitalocean:inferenceEndpoint"):
        GenAIClient(TOKEN, api_endpoint="https://api.test", inference_endpoint=endpoint)
    monkeypatch.setenv("DIGITALOCEAN_ALLOW_HTTP", "true")
    GenAIClient(TOKEN, api_endpoint=endpoint).close()


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"]
)
def test_plain_http_to_this_machine_is_fine(endpoint: str) -> None:
    GenAIClient(TOKEN, api_endpoint=endpoint, inference_endpoint=endpoint).close()


# --- bounded in time and size ---------------------------------------------------------------


@pytest.fixture
def trickling_server() -> Iterator[tuple[str, list[int]]]:
    """A server on 127.0.0.1 that sends a valid start and then one byte per 50 ms, for ever
    (until the test ends): each read is quick, the answer never completes."""
    listener = socket.create_server(("127.0.0.1", 0))
    sent: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: 100000\r\n\r\n{"
            )
            while not stop.wait(0.05):
                try:
                    connection.sendall(b" ")
                except OSError:
                    return
                sent.append(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", sent
    stop.set()
    listener.close()
    thread.join(timeout=5)


def test_an_answer_that_never_completes_meets_the_deadline(
    trickling_server: tuple[str, list[int]],
) -> None:
    url, sent = trickling_server
    settings = ClientSettings(
        token=SecretStr(TOKEN), api_endpoint=url, http_retry_max=0, timeout=5.0, deadline=0.5
    )
    with GenAIClient(settings=settings) as c, pytest.raises(errors.RequestTimeoutError) as failed:
        c.list_keys()
    assert "deadline of one request" in str(failed.value)
    assert len(sent) < 1000  # it stopped waiting long before the answer could complete


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_answer_larger_than_the_cap_is_refused_early(declared: bool) -> None:
    chunks_sent: list[int] = []

    def endless() -> Iterator[bytes]:
        yield b'{"api_key_infos": ['
        while True:
            chunks_sent.append(1)
            yield b" " * 65536

    def handle(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(200, headers={"content-length": str(100 * 2**20)}, content=b"")
        return httpx.Response(200, content=endless())

    with client(httpx.MockTransport(handle)) as c:
        with pytest.raises(errors.UnexpectedResponseError, match="larger than 16 MiB"):
            c.list_keys()
    assert len(chunks_sent) <= 5 * (MAX_ANSWER_BYTES // 65536 + 1)  # five tries, each capped


# --- identifiers never shape a path -----------------------------------------------------------


@pytest.mark.parametrize(
    "uuid", ["..", "../../models", "x?a=b#c", "3f2b6a4e-1111-4222-8333-444455556666/../x", ""]
)
@pytest.mark.parametrize("call", ["rename", "regenerate", "delete"])
def test_a_value_that_is_not_a_key_uuid_never_reaches_a_path(uuid: str, call: str) -> None:
    transport, seen = serving((200, b"{}", JSON))
    with client(transport) as c, pytest.raises(errors.InvalidArgumentError) as refused:
        {
            "rename": lambda: c.rename_key(uuid, "n"),
            "regenerate": lambda: c.regenerate_key(uuid),
            "delete": lambda: c.delete_key(uuid),
        }[call]()
    assert "is not a key UUID" in str(refused.value)
    assert "nothing was sent" in str(refused.value)
    assert seen == []


def test_a_key_uuid_is_the_only_path_segment() -> None:
    transport, seen = serving((200, json.dumps({"api_key_info": KEY}).encode(), JSON))
    with client(transport) as c:
        c.regenerate_key(KEY["uuid"].upper())
    assert seen == [f"http://api.test{KEYS_PATH}/{KEY['uuid'].upper()}/regenerate"]


# --- numbers that pass a check and overflow later ----------------------------------------------


@pytest.mark.parametrize("days", [1e7, math.inf, math.nan, 36_501, -1, 0])
def test_a_rotation_period_beyond_a_hundred_years_is_refused_where_it_is_checked(
    days: float,
) -> None:
    failures = ModelAccessKeyProvider().check({}, {"name": "k", "rotate_after_days": days})
    assert [f.property for f in failures.failures] == ["rotate_after_days"]
    assert "at most 36_500" in failures.failures[0].reason
    with pytest.raises(ValueError, match="at most 36_500"):
        rotation_count(0, days)


def test_diff_never_overflows_on_a_period_an_older_release_stored() -> None:
    olds = {
        "name": "k",
        "uuid": KEY["uuid"],
        "secret_key": "x",
        "rotated_at": "2026-01-01T00:00:00Z",
        "rotate_after_days": 1e7,
    }
    news = {"name": "k", "rotate_after_days": 1e7}
    assert ModelAccessKeyProvider().diff(KEY["uuid"], olds, news).changes is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIGITALOCEAN_REQUESTS_PER_SECOND", "1e-320"),
        ("DIGITALOCEAN_REQUESTS_PER_SECOND", "1e-9"),
        ("DIGITALOCEAN_REQUESTS_PER_SECOND", "1e308"),
        ("DIGITALOCEAN_HTTP_RETRY_MAX", "1000000000"),
        ("DIGITALOCEAN_HTTP_RETRY_WAIT_MAX", "1e308"),
        ("DIGITALOCEAN_HTTP_RETRY_WAIT_MIN", "86400"),
    ],
)
def test_pacing_and_retry_settings_are_bounded_where_they_are_read(
    variable: str, value: str
) -> None:
    with pytest.raises(errors.ConfigurationError, match=variable):
        resolve_settings(environ={variable: value})


def test_the_slowest_pacing_allowed_still_moves() -> None:
    settings = resolve_settings(environ={"DIGITALOCEAN_REQUESTS_PER_SECOND": "0.01"})
    clock = FakeClock(now=0.0)  # standing still: two callers at one instant
    pacer = RequestPacer(settings.requests_per_second, clock=clock.time, sleep=clock.waits.append)
    pacer.wait_turn()
    pacer.wait_turn()
    assert clock.waits == [100.0]


# --- a filter cannot hang a program -----------------------------------------------------------


def test_a_regex_filter_that_backtracks_for_ever_is_an_error_naming_it() -> None:
    items = [InferenceModelInfo(id="a" * 40 + "!", created=0, owned_by="x")]
    evil = {"key": "id", "values": [r"^(a|a)*$"], "match_by": "re"}
    with pytest.raises(errors.InvalidArgumentError) as refused:
        apply_filters_and_sorts(items, [evil], None, ["id"])
    assert "'^(a|a)*$' took longer than 0.5 s" in str(refused.value)
    assert "match_by 'substring'" in str(refused.value)
    ordinary = {"key": "id", "values": [r"^a+!$"], "match_by": "re"}
    assert apply_filters_and_sorts(items, [ordinary], None, ["id"]) == items


# --- generated hostile answers ------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(["api_key_infos", "models", "data", "links", "meta", "id", "message"]),
        json_values,
        max_size=4,
    ).map(lambda v: json.dumps(v).encode()),
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30
) | st.sampled_from(["inf", "-inf", "nan", "1e999", "-1", "0", "Mon, 99 Foo"])
headers = st.dictionaries(
    st.sampled_from(
        ["retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"]
    ),
    header_values,
)


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from([200, 201, 204, 400, 401, 403, 404, 410, 422, 429, 500, 503]),
    body=bodies,
    answer_headers=headers,
    call=st.sampled_from(["list", "rename", "models"]),
)
def test_any_answer_is_data_or_a_genai_error_naming_the_call(
    status: int, body: bytes, answer_headers: dict[str, str], call: str
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=answer_headers)

    with GenAIClient(
        settings=ClientSettings(
            token=SecretStr(TOKEN), api_endpoint="http://api.test", http_retry_max=0
        ),
        transport=httpx.MockTransport(handle),
        sleep=lambda _s: None,
    ) as c:
        try:
            if call == "list":
                c.list_keys()
            elif call == "rename":
                c.rename_key(KEY["uuid"], "n")
            else:
                c.list_models()
            failure: errors.GenAIError | None = None
        except errors.GenAIError as error:
            failure = error  # anything else escapes and fails the test
    if failure is not None:
        assert "/v2/gen-ai/models" in str(failure)
        assert TOKEN not in str(failure)
        assert TOKEN not in repr(failure)
