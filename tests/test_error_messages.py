"""Errors a person can act on: each failure names its own key once, in one line, whatever SDK."""

from __future__ import annotations

import sys
import traceback
import types
from collections.abc import Iterator

import pytest
from do_genai_model_keys import diagnostics, errors, runtime
from do_genai_model_keys.resources import ModelAccessKeyProvider


def test_within_leaves_a_shared_error_as_it_was() -> None:
    shared = errors.ServerError(status=503, method="GET", path="/v2/gen-ai/models/api_keys")
    first = shared.within("reading model access key 'a' (u-a)")
    second = shared.within("reading model access key 'b' (u-b)", "Try again")
    assert str(shared).startswith("GET /v2/gen-ai/models/api_keys answered 503")
    assert str(first).startswith("reading model access key 'a' (u-a): GET")
    assert "'b'" not in str(first)
    assert str(second).startswith("reading model access key 'b' (u-b): GET")
    assert str(second).endswith("Try again")
    assert isinstance(second, errors.ServerError)
    assert (second.status, second.path) == (503, "/v2/gen-ai/models/api_keys")
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
    return server


def format_while_handling(server: types.ModuleType, error: Exception) -> str:
    try:
        raise error
    except Exception:
        return str(server.traceback.format_exc())


def test_our_errors_reach_a_newer_sdk_as_their_message_alone() -> None:
    server = _server_module()
    assert diagnostics.install(server) is True
    assert diagnostics.install(server) is True  # once is enough; twice changes nothing
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
    assert diagnostics.install(program) is False
    assert program.traceback is traceback
    assert diagnostics.install(sys.modules["__main__"]) is False  # pytest's own __main__
