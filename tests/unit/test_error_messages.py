"""Errors a person can act on: each failure names its own key once, in one line, whatever SDK."""

from __future__ import annotations

import sys
import traceback
import types
from collections.abc import Iterator

import pytest
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH, KEYS_PATH
from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider
from do_genai_model_keys.lifecycle import runtime
from do_genai_model_keys.seams import dynamic_server


def test_within_leaves_a_shared_error_as_it_was() -> None:
    shared = errors.ServerError(status=503, method="GET", path=KEYS_PATH)
    first = shared.within("reading model access key 'a' (u-a)")
    second = shared.within("reading model access key 'b' (u-b)", "Try again")
    assert str(shared).startswith(f"GET {KEYS_PATH} answered 503")
    assert str(first).startswith("reading model access key 'a' (u-a): GET")
    assert "'b'" not in str(first)
    assert str(second).startswith("reading model access key 'b' (u-b): GET")
    assert str(second).endswith("Try again")
    assert isinstance(second, errors.ServerError)
    assert (second.status, second.path) == (503, KEYS_PATH)
    assert str(first.within("refreshing")).startswith("refreshing: reading model access key 'a'")


@pytest.fixture
def unreachable_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelAccessKeyProvider]:
    monkeypatch.setenv("DIGITALOCEAN_HTTP_RETRY_MAX", "0")
    runtime.configure_runtime(
        {"digitalocean:token": "t" * 20, "digitalocean:apiEndpoint": "http://127.0.0.1:9"}.get
    )
    yield ModelAccessKeyProvider()
    runtime.reset_runtime()


def test_reads_that_share_a_failed_listing_each_name_only_their_key(
    unreachable_provider: ModelAccessKeyProvider,
) -> None:
    messages = []
    for n in range(20):
        with pytest.raises(errors.ConnectionFailedError) as failed:
            unreachable_provider.read(f"uuid-{n}", {"name": f"bulk-{n}"})
        messages.append(str(failed.value))
    for n, message in enumerate(messages):
        assert message.count("reading model access key") == 1, message
        assert f"'bulk-{n}' (uuid-{n})" in message
        assert "could not connect to http://127.0.0.1:9" in message
        assert len(message) < 400, message


def _server_module() -> types.ModuleType:
    """Stands in for the SDK's `python -m pulumi.dynamic` module, as the newest SDK has it."""
    server = types.ModuleType("__main__")
    server.traceback = traceback  # type: ignore[attr-defined]

    def _abort_with_traceback(fn):  # the SDK's wrapper, in shape
        return fn

    server._abort_with_traceback = _abort_with_traceback  # type: ignore[attr-defined]
    server.DynamicResourceProviderServicer = object  # type: ignore[attr-defined]
    return server


def format_while_handling(server: types.ModuleType, error: Exception) -> str:
    try:
        raise error
    except Exception:
        return str(server.traceback.format_exc())


def test_our_errors_reach_a_newer_sdk_as_their_message_alone() -> None:
    server = _server_module()
    assert dynamic_server.install(server) is True
    assert dynamic_server.install(server) is True  # once is enough; twice changes nothing
    error = errors.NotFoundError(status=404, method="PUT", path="/v2/x").within("updating 'k'")
    assert format_while_handling(server, error) == str(error)
    assert "\n" not in format_while_handling(server, error)
    # Anything else (a bug of ours, the SDK's own) keeps its full traceback.
    other = format_while_handling(server, KeyError("oops"))
    assert other.startswith("Traceback (most recent call last):")
    assert server.traceback.print_exc is traceback.print_exc


def test_nothing_is_hooked_outside_the_sdks_provider_server() -> None:
    program = types.ModuleType("__main__")
    program.traceback = traceback  # type: ignore[attr-defined]
    assert dynamic_server.install(program) is False
    assert program.traceback is traceback
    assert dynamic_server.install(sys.modules["__main__"]) is False  # pytest's own __main__


GATEWAY_TOKEN = "gw-token-4f1e2d3c"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, f"Incorrect API key provided: {GATEWAY_TOKEN}. Find yours at ..."),
        (403, f"token {GATEWAY_TOKEN[:-1]}* lacks access"),  # not the value sent: kept
        (500, "upstream said: Bearer dop_v1_" + "ab" * 32),
        (429, "key sk-do-emu-AbCdEf123456789 is over its quota"),
    ],
)
def test_server_text_never_repeats_a_credential(status: int, message: str) -> None:
    """A gateway that quotes the bearer value it got, or anything shaped like a DigitalOcean
    token or key secret, must not carry it into errors (and refresh warnings, which quote
    them)."""
    import httpx
    from do_genai_model_keys import GenAIClient

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"id": "x", "message": message})

    client = GenAIClient(
        GATEWAY_TOKEN,
        api_endpoint="http://api.test",
        transport=httpx.MockTransport(answer),
        sleep=lambda _s: None,
    )
    with pytest.raises(errors.APIStatusError) as caught:
        client.list_keys()
    text = f"{caught.value} {caught.value!r} {caught.value.api_message}"
    assert GATEWAY_TOKEN not in text
    assert "dop_v1_abab" not in text
    assert "sk-do-emu-AbC" not in text
    assert "[redacted]" in text or status == 403


def test_an_inference_refusal_gets_an_inference_hint_not_a_token_scope() -> None:
    refused = errors.error_for_status(
        status=403, method="GET", path=INFERENCE_MODELS_PATH, body={"id": "forbidden"}, headers={}
    )
    assert "genai:read" not in str(refused)
    assert "VPC" in str(refused)
    control = errors.error_for_status(status=403, method="GET", path=KEYS_PATH, body={}, headers={})
    assert "genai:read" in str(control)


def test_a_noted_diff_reaches_the_engine_as_a_detailed_diff() -> None:
    """The heal of a dead secret changes an output only: the plan names it (`secret_key`)."""
    from pulumi.runtime import proto

    # The SDK's server module serves as it is imported: a stand-in with its real `proto`.
    server = _server_module()
    server.proto = proto  # type: ignore[attr-defined]
    saved = server.proto, server.traceback
    try:
        assert dynamic_server.install(server) is True
        dynamic_server.note_diff(["name", "secret_key"], ["adopt_uuid"])
        some = server.proto.DiffResponse.DIFF_SOME
        answer = server.proto.DiffResponse(changes=some, replaces=["adopt_uuid"])
        assert answer.hasDetailedDiff
        assert list(answer.diffs) == ["name", "secret_key", "adopt_uuid"]
        kinds = {name: diff.kind for name, diff in answer.detailedDiff.items()}
        kind = server.proto.PropertyDiff
        assert kinds == {
            "name": kind.UPDATE,
            "secret_key": kind.UPDATE,
            "adopt_uuid": kind.UPDATE_REPLACE,
        }
        # A diff with nothing noted, or no change, is answered as the SDK answers it.
        assert not server.proto.DiffResponse(changes=some).hasDetailedDiff
    finally:
        server.proto, server.traceback = saved  # type: ignore[attr-defined]  # a stand-in module
