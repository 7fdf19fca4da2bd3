"""Every wait is bounded and a request given up on leaves nothing behind: no thread, no socket,
no spent pool; a server's rate figure cannot pace a run for days."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.config import resolve_settings
from do_genai_model_keys.api.contract import KEYS_PATH
from do_genai_model_keys.api.retry import (
    MAX_PACING_WAIT,
    RATE_LIMITED_PER_SECOND,
    RequestPacer,
    RetryPolicy,
    never_reached_server,
)
from do_genai_model_keys.emulator import Emulator
from support.clock import FakeClock
from support.emulators import emulator_client, fault


def _our_threads() -> list[str]:
    """This process's threads, less the in-process emulator's request handlers."""
    return sorted(t.name for t in threading.enumerate() if "process_request" not in t.name)


def _established_to(port: int) -> int:
    """Client-side TCP connections of this machine to `port` that are still open."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01":  # 01: ESTABLISHED
                count += 1
    return count


def test_110_timed_out_requests_leave_no_thread_or_socket_and_the_pool_still_serves() -> None:
    with Emulator() as emu:
        key = emu.state.create_key("after-the-storm")
        client = emulator_client(emu, http_retry_max=0, timeout=5, deadline=0.1)
        before = _our_threads()
        fault(emu, kind="latency", method="GET", path=KEYS_PATH, latency_ms=3000, count=110)

        def timed_out(_: int) -> type[BaseException]:
            with pytest.raises(errors.RequestTimeoutError) as caught:
                client.list_keys()
            return caught.type

        with ThreadPoolExecutor(max_workers=10) as pool:
            outcomes = list(pool.map(timed_out, range(110)))
        assert outcomes == [errors.RequestTimeoutError] * 110

        # No thread left behind (earlier tests' threads may end meanwhile: only new ones count).
        assert set(_our_threads()) - set(before) == set()
        assert _established_to(httpx.URL(emu.url).port or 0) == 0
        regenerated = client.regenerate_key(key.uuid)
        assert regenerated.secret_key is not None
        assert set(_our_threads()) - set(before) == set()
        assert (
            _established_to(httpx.URL(emu.url).port or 0) <= 1
        )  # the one kept alive for the next request
        client.close()


def test_a_server_that_trickles_its_answer_is_cut_at_the_deadline() -> None:
    """A byte just inside each read timeout would hold a request for ever: the deadline ends
    it, the socket under it closed."""
    with Emulator() as emu:
        client = emulator_client(emu, http_retry_max=0, timeout=5, deadline=0.2)
        fault(emu, kind="latency", method="GET", path=KEYS_PATH, latency_ms=2000, count=1)
        with pytest.raises(errors.RequestTimeoutError, match="deadline"):
            client.list_keys()
        assert client.list_keys() == []
        client.close()


def test_a_pool_timeout_is_never_sent_and_retried_as_such() -> None:
    tries: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        tries.append(request.method)
        raise httpx.PoolTimeout("no connection came free")

    client = GenAIClient(
        "t",
        api_endpoint="http://api.test",
        transport=httpx.MockTransport(handle),
        sleep=lambda _s: None,
    )
    with pytest.raises(errors.ConnectionFailedError, match="not sent") as caught:
        client.rename_key("3f2b6a4e-1111-4222-8333-444455556666", "k")
    assert tries == ["PUT"] * 5  # every attempt the budget allows
    assert never_reached_server(caught.value, RetryPolicy())  # so a create may send it again
    assert not errors.is_ambiguous(caught.value)


@pytest.mark.parametrize("figure", ["0.0001", "1e-300", "0", "-5", "nan", "inf", "lots"])
def test_a_rate_figure_no_real_limit_has_is_ignored(figure: str) -> None:
    """A 429 whose limit says 0.0001 requests a minute must not pace a run for days (1e-300
    used to end in a bare OverflowError)."""
    answers = [
        httpx.Response(
            429,
            json={"id": "too_many_requests", "message": "slow down"},
            headers={"retry-after": "10", "x-ratelimit-limit-requests": figure},
        ),
        httpx.Response(200, json={"object": "list", "data": []}),
        httpx.Response(200, json={"object": "list", "data": []}),
    ]
    waits: list[float] = []
    client = GenAIClient(
        "t",
        api_endpoint="http://api.test",
        transport=httpx.MockTransport(lambda _request: answers.pop(0)),
        sleep=waits.append,
    )
    client.list_inference_models("sk-do-key")
    client.list_inference_models("sk-do-key")
    assert max(waits) < 20  # the retry-after, with its jitter; then the documented pace
    assert all(wait <= 1 / RATE_LIMITED_PER_SECOND + 1e-9 for wait in waits[1:])


def test_one_pacing_wait_is_capped_however_many_wait_before_it() -> None:
    clock = FakeClock(now=0.0)  # standing still: five callers at one instant
    pacer = RequestPacer(0.01, clock=clock.time, sleep=clock.waits.append)
    for _ in range(5):
        pacer.wait_turn()
    assert clock.waits == [MAX_PACING_WAIT] * 4


def test_pacing_counts_against_the_deadline() -> None:
    """A request whose turn comes after its deadline is not sent at all (and says so)."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(200, json={"api_key_infos": [], "meta": {"total": 0}})

    client = GenAIClient(
        settings=resolve_settings(
            {
                "token": "t",
                "api_endpoint": "http://api.test",
                "requests_per_second": 0.01,
                "http_retry_max": 0,
                "timeout": 1,
                "deadline": 50,
            },
            environ={},
        ),
        transport=httpx.MockTransport(handle),
        sleep=lambda _s: None,
        clock=lambda: 0.0,
    )
    client.list_keys()
    with pytest.raises(errors.ConnectionFailedError, match="deadline"):
        client.list_keys()
    assert sent == [KEYS_PATH]


def test_the_environments_proxy_is_used_and_its_requests_keep_their_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTPS_PROXY / HTTP_PROXY (with NO_PROXY) are honoured, as httpx honours them, and a
    request through the proxy still ends at its deadline (the emulator stands in for a proxy:
    it answers requests in absolute form)."""
    with Emulator() as emu:
        made = emu.state.create_key("through-the-proxy")
        for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", emu.url)
        monkeypatch.setenv("DIGITALOCEAN_ALLOW_HTTP", "true")  # a made-up host, over http
        client = GenAIClient(
            emu.token,
            api_endpoint="http://api.proxied.test",
            inference_endpoint="http://inference.proxied.test",
            sleep=lambda _s: None,
        )
        assert [k.uuid for k in client.list_keys()] == [made.uuid]
        fault(emu, kind="latency", method="GET", path=KEYS_PATH, latency_ms=2000, count=1)
        slow = client.with_settings(http_retry_max=0, deadline=0.2)
        with pytest.raises(errors.RequestTimeoutError):
            slow.list_keys()
        assert "do-genai-deadline" not in " ".join(_our_threads())
        client.close()
