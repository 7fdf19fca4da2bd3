"""Retries that never touch a key that is not ours, within one budget, with typed errors.

Each test names the failure it guards against: a lost create answer beside a same-named key, a
retry storm, a key found but left unfinished, transport and decoding failures, a clock read as
local time, and a CLI that ignores Ctrl-C when started from a script.
"""

from __future__ import annotations

import gzip
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from calendar import timegm
from collections.abc import Callable
from time import strptime

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api import errors
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH, KEYS_PATH
from do_genai_model_keys.api.models import ApiKeyInfo
from do_genai_model_keys.api.retry import RetryPolicy
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.keys.creates import LATE_WRITE_GRACE, CreateLedger, create_exactly_once
from do_genai_model_keys.keys.secret_checks import SecretChecker
from do_genai_model_keys.keys.store import KeyStore
from support.clock import FakeClock
from support.emulators import KEY_ROUTE, SOME_UUID, api_requests, control, emulator_client, fault
from support.secrets import expect

CREATE = f"POST {KEYS_PATH}"
REGENERATE_PATH = f"{KEY_ROUTE}/regenerate"
REGENERATE = f"PUT {REGENERATE_PATH}"
DELETE = f"DELETE {KEY_ROUTE}"


def live(emu: Emulator, secret: str) -> bool:
    return emu.state.secret_is_live(secret)


def secret_of(key) -> str:
    assert key.secret_key is not None
    return key.secret_key.get_secret_value()


def create_once(
    name: str,
    client: GenAIClient,
    existing: set[str],
    *,
    ledger: CreateLedger | None = None,
    policy: RetryPolicy | None = None,
) -> ApiKeyInfo:
    """`create_exactly_once` with the test's snapshot (`existing`) and no waits."""
    return create_exactly_once(
        name,
        client,
        existing,
        policy or RetryPolicy(),
        ledger=ledger or CreateLedger(),
        sleep=lambda _s: None,
    )


def uuids(client: GenAIClient) -> set[str]:
    return {k.uuid for k in client.list_keys()}


def test_two_same_named_creates_with_one_answer_lost_get_two_keys(emulator: Emulator) -> None:
    """The sibling's key, committed but not yet claimed, is never taken for ours."""
    # The sibling's POST commits, then answers slowly. Ours is sent after the sibling's key
    # exists (but after our snapshot), commits, and its answer is lost: our check runs while
    # the sibling's key exists and is not claimed yet.
    fault(
        emulator, method="POST", path=KEYS_PATH, kind="commit_then_delay", latency_ms=600, count=1
    )
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    results: list[object] = []
    ledger = CreateLedger()  # one process: the sibling's create and ours share its ledger

    def sibling() -> None:
        with emulator_client(emulator) as client:
            results.append(create_once("twin", client, uuids(client), ledger=ledger))

    sibling_thread = threading.Thread(target=sibling)
    with emulator_client(emulator) as client:
        before = uuids(client)
        sibling_thread.start()
        while len(emulator.state.keys) < 1:  # committed, answer still on its way
            time.sleep(0.005)
        results.append(create_once("twin", client, before, ledger=ledger))
    sibling_thread.join()
    made = [r for r in results if isinstance(r, ApiKeyInfo)]
    assert len(made) == 2, results
    assert len({k.uuid for k in made}) == 2
    expect(all(live(emulator, secret_of(k)) for k in made), True, "all")
    assert len(emulator.state.keys) == 2
    assert api_requests(emulator, CREATE) == 2


def test_a_colleagues_key_of_the_same_name_is_never_regenerated(emulator: Emulator) -> None:
    """A same-named key made before our POST is excluded by the snapshot; the create that never
    committed is simply sent again."""
    colleague = emulator.state.create_key("shared-name")
    fault(emulator, method="POST", path=KEYS_PATH, kind="drop", count=1)
    with emulator_client(emulator) as client:
        ours = KeyStore(client).create("shared-name")
    assert ours.uuid != colleague.uuid
    expect(live(emulator, colleague.secret), True, "live")
    assert api_requests(emulator, REGENERATE) == 0
    assert api_requests(emulator, CREATE) == 2


def test_a_key_that_appears_between_snapshot_and_post_makes_the_check_ambiguous(
    emulator: Emulator,
) -> None:
    """Two unclaimed candidates: an error that lists both, and neither is touched."""
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    with emulator_client(emulator) as client:
        before = uuids(client)
        colleague = [emulator.state.create_key("race").secret]
        with pytest.raises(errors.KeyLookupError) as caught:
            create_once("race", client, before)
    message = str(caught.value)
    assert message.count("'race' (") == 2
    assert "adopt_uuid='" in message
    assert "Nothing was changed" in message
    assert live(emulator, colleague[0])
    assert api_requests(emulator, REGENERATE) == 0
    assert api_requests(emulator, DELETE) == 0


@pytest.mark.parametrize("retry_max", [0, 2, 4])
def test_a_429_then_500_storm_sends_at_most_retry_max_plus_one_posts(
    emulator: Emulator, retry_max: int
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="status", status=429, count=2)
    fault(emulator, method="POST", path=KEYS_PATH, kind="status", status=500)
    clock = FakeClock()  # the client's pacing after the 429 waits on it too
    waits: list[float] = []  # the waits between the create's attempts

    def wait(seconds: float) -> None:
        waits.append(seconds)
        clock.sleep(seconds)

    settings = emulator_client(emulator, http_retry_max=retry_max).settings
    with GenAIClient(settings=settings, sleep=clock.sleep, clock=clock.time) as client:
        with pytest.raises(errors.APIStatusError) as caught:
            KeyStore(client, sleep=wait).create("storm")
    assert api_requests(emulator, CREATE) == retry_max + 1
    backoffs = [w for w in waits if w != LATE_WRITE_GRACE]
    assert len(backoffs) == retry_max
    # Each 500 (the third POST on) is looked for twice, the grace apart, before the next POST.
    assert waits.count(LATE_WRITE_GRACE) == max(0, retry_max - 1)
    assert caught.value.status == (429 if retry_max < 2 else 500)
    assert emulator.state.keys == {}


def test_a_found_key_whose_secret_cannot_be_learned_is_deleted_not_orphaned(
    emulator: Emulator,
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    fault(emulator, method="PUT", path=REGENERATE.split(" ")[1], kind="status", status=500)
    with emulator_client(emulator, http_retry_max=1) as client:
        with pytest.raises(errors.ServerError) as caught:
            KeyStore(client).create("unfinished")
    assert emulator.state.keys == {}
    assert "deleted again" in str(caught.value)
    assert "run the same command again" in str(caught.value)


def test_a_found_key_that_cannot_be_deleted_either_is_named_with_its_adoption_input(
    emulator: Emulator,
) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    fault(emulator, method="PUT", path=REGENERATE.split(" ")[1], kind="status", status=500)
    fault(emulator, method="DELETE", path=DELETE.split(" ")[1], kind="status", status=503)
    with emulator_client(emulator, http_retry_max=1) as client:
        with pytest.raises(errors.ServerError) as caught:
            KeyStore(client).create("stuck")
    [left] = emulator.state.keys.values()
    assert f"adopt_uuid='{left.uuid}'" in str(caught.value)


def test_listing_that_fails_after_a_lost_create_says_a_key_may_exist(emulator: Emulator) -> None:
    fault(emulator, method="POST", path=KEYS_PATH, kind="commit_then_drop", count=1)
    with emulator_client(emulator, http_retry_max=0) as client:
        before = uuids(client)  # the snapshot, before the listing starts failing
        fault(emulator, method="GET", path=KEYS_PATH, kind="status", status=503)
        with pytest.raises(errors.ServerError) as caught:
            create_once("maybe", client, before, policy=RetryPolicy(max_retries=0))
    assert "may exist now" in str(caught.value)
    assert "adopt_uuid" in str(caught.value)


# --- transport and decoding failures (a transport seam: no server needed) ----------------------


def failing_then(
    failures: list[Exception], answer: Callable[[httpx.Request], httpx.Response]
) -> httpx.MockTransport:
    pending = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        if pending:
            raise pending.pop(0)
        return answer(request)

    return httpx.MockTransport(handler)


def empty_listing(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"api_key_infos": [], "links": {}, "meta": {"total": 0}})


@pytest.mark.parametrize(
    "error",
    [
        httpx.CloseError("closed"),
        httpx.LocalProtocolError("bad state"),
        httpx.ProxyError("proxy refused"),
        httpx.UnsupportedProtocol("no"),
    ],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize("failures", [1, 3])
def test_reads_retry_the_whole_transport_error_family(error: Exception, failures: int) -> None:
    transport = failing_then([error] * failures, empty_listing)
    waits: list[float] = []
    with GenAIClient(
        "tok", api_endpoint="http://api.test", transport=transport, sleep=waits.append
    ) as client:
        assert client.list_keys() == []
    assert len(waits) == failures


def test_transport_errors_beyond_the_budget_stay_typed() -> None:
    transport = failing_then([httpx.CloseError("closed")] * 9, empty_listing)
    with GenAIClient(
        "tok", api_endpoint="http://api.test", transport=transport, sleep=lambda _s: None
    ) as client:
        with pytest.raises(errors.TransportError, match=f"GET {KEYS_PATH}"):
            client.list_keys()


def answering(status: int, body: bytes, **headers: str) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _r: httpx.Response(status, content=body, headers=headers))


@pytest.mark.parametrize(
    ("call", "body", "headers"),
    [
        (lambda c: c.rename_key(SOME_UUID, "n"), b'{"unexpected": 1}', {}),
        (lambda c: c.regenerate_key(SOME_UUID), b"not json", {}),
        (lambda c: c.rename_key(SOME_UUID, "n"), b'{"api_key_info": {"name": 5}}', {}),
        (lambda c: c.list_keys(), b'{"api_key_infos": [{"name": "no uuid"}]}', {}),
        (lambda c: c.list_models(), b"garbage", {"content-encoding": "gzip"}),
    ],
    ids=["no-key-info", "not-json", "wrong-types", "listing-item", "undecodable"],
)
def test_unreadable_answers_are_typed_errors_naming_the_operation(call, body, headers) -> None:
    with GenAIClient(
        "tok",
        api_endpoint="http://api.test",
        transport=answering(200, body, **headers),
        sleep=lambda _s: None,
    ) as client:
        with pytest.raises(errors.UnexpectedResponseError) as caught:
            call(client)
    assert caught.value.path.startswith("/v2/gen-ai/models")
    assert "unexpected body" in str(caught.value)


def test_a_delete_that_succeeded_with_an_unexpected_body_succeeds() -> None:
    transport = answering(200, gzip.compress(b"{}"), **{"content-encoding": "gzip"})
    with GenAIClient("tok", api_endpoint="http://api.test", transport=transport) as client:
        assert client.delete_key(SOME_UUID) is None
    with GenAIClient("tok", api_endpoint="http://api.test", transport=answering(200, b"")) as c:
        assert c.delete_key(SOME_UUID) is None


# --- the emulator: seeds, time zones, signals ---------------------------------------------------


def test_emulators_draw_a_fresh_fault_seed_and_replay_a_given_one() -> None:
    def fault_stream(seed: int | None) -> tuple[int, list[int]]:
        with Emulator(seed=seed) as emu:
            fault(emu, method="GET", path=KEYS_PATH, kind="status", status=500, probability=0.5)
            with emulator_client(emu, http_retry_max=0) as client:
                statuses = []
                for _ in range(30):
                    try:
                        client.list_keys()
                        statuses.append(200)
                    except errors.ServerError:
                        statuses.append(500)
            assert control(emu, "GET", "stats")["seed"] == emu.state.seed
            return emu.state.seed, statuses

    seeds = {fault_stream(None)[0] for _ in range(3)}
    assert len(seeds) == 3
    first, second = fault_stream(12345), fault_stream(12345)
    assert first == second
    assert 0 < first[1].count(500) < 30


def test_inference_model_times_are_utc_whatever_the_local_time_zone() -> None:
    script = (
        "import httpx, time\n"
        "from do_genai_model_keys.emulator import Emulator\n"
        "with Emulator() as emu:\n"
        "    m = httpx.get(emu.url + '/v1/models',"
        " headers={'Authorization': 'Bearer ' + emu.token}).json()['data']\n"
        "    print({x['id']: x['created'] for x in m})\n"
    )
    seen = {}
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "TZ": zone},
            capture_output=True,
            text=True,
            check=True,
        )
        seen[zone] = done.stdout
    assert seen["UTC"] == seen["America/New_York"] == seen["Asia/Kolkata"]
    with Emulator() as emu:
        answer = httpx.get(
            emu.url + INFERENCE_MODELS_PATH, headers={"Authorization": f"Bearer {emu.token}"}
        ).json()["data"]
        made = {
            m["id"]: timegm(strptime(m["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
            for m in emu.state.models
        }
    assert answer
    assert all(item["created"] == made[item["id"]] for item in answer)


def test_the_cli_stops_on_sigint_even_when_started_with_sigint_ignored() -> None:
    """A background job of a non-interactive shell inherits SIGINT as ignored (how CI and
    scripts start it); the emulator must still stop on Ctrl-C."""
    # The shell ignores SIGINT and execs the emulator, which inherits that. (A preexec_fn would
    # run Python in the forked child of a process with gRPC threads: unsafe, and it failed.)
    emulator = (
        f"exec {shlex.quote(sys.executable)} -m do_genai_model_keys.emulator --port 0 --token t"
    )
    process = subprocess.Popen(
        ["sh", "-c", f"trap '' INT; {emulator}"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("listening on http://127.0.0.1:")
        assert process.stdout.readline().startswith("fault seed: ")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        ("Server disconnected.", "renaming 'k': Server disconnected. Run it again"),
        ("HTTP 503", "renaming 'k': HTTP 503. Run it again"),
    ],
)
def test_advice_follows_the_cause_with_one_full_stop(cause: str, expected: str) -> None:
    assert str(errors.GenAIError(cause).within("renaming 'k'", "Run it again")) == expected


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for the emulator to finish a write it received earlier (bounded)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_create_the_server_does_after_the_client_gave_up_is_not_made_twice(
    emulator: Emulator,
) -> None:
    """The first POST reaches the server, which makes the key only after the client's
    deadline: the check right after finds nothing, so it looks again after the grace, finds
    the late key, and sends no second POST (which made a second key with a live secret)."""
    fault(emulator, method="POST", path=KEYS_PATH, kind="latency", latency_ms=800, count=1)
    graces: list[float] = []

    def wait(seconds: float) -> None:  # the grace lasts until the late create is done
        if seconds == LATE_WRITE_GRACE:
            graces.append(seconds)
            _until(lambda: len(emulator.state.keys) == 1)

    with emulator_client(emulator, http_retry_max=2, timeout=0.2, deadline=0.2) as client:
        key = KeyStore(client, sleep=wait).create("late")
    assert graces == [LATE_WRITE_GRACE]
    assert api_requests(emulator, CREATE) == 1
    assert list(emulator.state.keys) == [key.uuid]
    assert key.secret_key is not None
    expect(emulator.state.secret_is_live(key.secret_key.get_secret_value()), True, "the secret")


def _count_regenerates_done(emulator: Emulator) -> list[str]:
    """Note each regenerate the emulator finishes (its UUID), so that a test's grace can last
    until every regenerate the server received is done, however late load makes it."""
    done: list[str] = []
    regenerate = emulator.state.regenerate_key

    def counted(key_uuid: str):  # type: ignore[no-untyped-def]
        try:
            return regenerate(key_uuid)
        finally:
            done.append(key_uuid)

    emulator.state.regenerate_key = counted  # type: ignore[method-assign]
    return done


def test_a_regenerate_the_server_does_late_does_not_leave_a_dead_secret(
    emulator: Emulator,
) -> None:
    """The first regenerate times out at the client and is done later by the server, after the
    retry's: that kills the secret the retry returned. After the grace the secret is tried,
    found refused, and the key regenerated again, so the secret returned works."""
    made = emulator.state.create_key("k")
    fault(emulator, method="PUT", path=REGENERATE_PATH, kind="latency", latency_ms=800, count=1)
    done = _count_regenerates_done(emulator)

    def wait(seconds: float) -> None:  # the grace lasts until every received regenerate is done
        if seconds == LATE_WRITE_GRACE:
            _until(lambda: len(done) >= api_requests(emulator, REGENERATE))

    # The store's client gives up on a regenerate after 0.2 s; the checks have their own client
    # with the usual deadline, so that on a loaded machine a check that could not answer in
    # 0.2 s is not taken for "cannot tell" (which hands the secret out unproven). Spare retries:
    # an attempt the load slows past 0.2 s is one more late attempt, which the rounds absorb.
    with (
        emulator_client(emulator, http_retry_max=4, timeout=0.2, deadline=0.2) as client,
        emulator_client(emulator) as checking,
    ):
        checks = SecretChecker(checking)  # beside the store: it confirms the secret it got
        key = KeyStore(client, secret_refused=checks.refused, sleep=wait).regenerate(made.uuid)
    # Late, retried, and once more; on a loaded machine a retry may time out as well, which is
    # one more late attempt that the rounds absorb the same way.
    assert api_requests(emulator, REGENERATE) >= 3
    _until(lambda: len(done) >= api_requests(emulator, REGENERATE))
    assert key.secret_key is not None
    expect(emulator.state.secret_is_live(key.secret_key.get_secret_value()), True, "the secret")


def test_a_second_late_regenerate_after_the_grace_is_caught_in_the_next_round(
    emulator: Emulator,
) -> None:
    """Two attempts given up on, the second done by the server much later than the first: the
    grace covers the first, whose kill is caught and regenerated over; the second then kills
    the next round's secret too (what a loaded two-core machine did once). Every round after a
    given-up attempt tries its secret, so the secret returned works."""
    made = emulator.state.create_key("k")
    fault(emulator, method="PUT", path=REGENERATE_PATH, kind="latency", latency_ms=800, count=1)
    fault(emulator, method="PUT", path=REGENERATE_PATH, kind="latency", latency_ms=2500, count=1)
    done = _count_regenerates_done(emulator)
    graces: list[float] = []

    def wait(seconds: float) -> None:
        if seconds != LATE_WRITE_GRACE:
            return
        graces.append(seconds)
        if len(graces) == 1:  # the first grace ends when the first late attempt is done
            _until(lambda: len(done) >= 2)
        else:  # later ones when every received attempt is
            _until(lambda: len(done) >= api_requests(emulator, REGENERATE))

    # As above: the store's client gives up after 0.2 s, the checks' has the usual deadline.
    with (
        emulator_client(emulator, http_retry_max=4, timeout=0.2, deadline=0.2) as client,
        emulator_client(emulator) as checking,
    ):
        checks = SecretChecker(checking)
        key = KeyStore(client, secret_refused=checks.refused, sleep=wait).regenerate(made.uuid)
    _until(lambda: len(done) >= api_requests(emulator, REGENERATE))
    assert len(graces) >= 2
    assert key.secret_key is not None
    expect(emulator.state.secret_is_live(key.secret_key.get_secret_value()), True, "the secret")
