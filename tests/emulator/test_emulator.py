"""The emulator as a user meets it: the CLI, tokens, paging, limits, faults, persistence."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from do_genai_model_keys.api.contract import CREATE_RETIRED_MESSAGE as RETIRED_MESSAGE
from do_genai_model_keys.api.contract import INFERENCE_MODELS_PATH, KEYS_PATH
from do_genai_model_keys.emulator import Emulator, parse_token_spec
from support.emulators import HTTP, control, fault
from support.secrets import expect


def get(emu: Emulator, path: str, token: str | None = None, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or emu.token}"}
    return HTTP.get(emu.url + path, headers=headers, params=params)


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "do_genai_model_keys.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    rest = [process.stdout.readline().strip()] if "--token" not in args else []
    return process, first, rest


def test_cli_prints_its_address_first_makes_a_demo_token_and_stops_cleanly() -> None:
    process, first, rest = start_cli()
    try:
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.removeprefix("listening on ")
        token = rest[0].removeprefix("demo token: ")
        answer = httpx.get(f"{url}{KEYS_PATH}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=10) == 0
        finally:  # a failure here must not leave a running process for a later test to trip on
            if process.poll() is None:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


def test_cli_state_file_keeps_keys_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "emulator-state.json"
    token_args = ("--token", "tok-a", "--state-file", str(state), "--allow-create")
    for expected in (0, 1):
        process, first, _ = start_cli(*token_args)
        url = first.removeprefix("listening on ")
        headers = {"Authorization": "Bearer tok-a"}
        try:
            keys = httpx.get(f"{url}{KEYS_PATH}", headers=headers).json()["api_key_infos"]
            assert len(keys) == expected
            if expected == 0:
                httpx.post(f"{url}{KEYS_PATH}", headers=headers, json={"name": "kept"})
        finally:
            process.terminate()
            process.wait(timeout=10)
            assert process.stdout is not None
            process.stdout.close()
    assert "kept" in state.read_text()


def test_cli_takes_tokens_from_a_file_and_the_environment_out_of_ps(tmp_path: Path) -> None:
    """A token on the command line shows in `ps`; from a file or the environment it does not."""
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("# the CI's tokens\nfile-token\n\nfile-ro=genai:read\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "do_genai_model_keys.emulator",
            "--port",
            "0",
            "--token-file",
            tokens,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DO_GENAI_EMULATOR_TOKENS": "env-token  env-two"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("listening on ")
        assert process.stdout.readline().startswith("fault seed: ")  # no demo token made
        for token, status in [
            ("file-token", 200),
            ("file-ro", 200),
            ("env-token", 200),
            ("env-two", 200),
            ("other", 401),
        ]:
            answer = httpx.get(f"{url}{KEYS_PATH}", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == status, token
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"file-token" not in command_line
        assert b"env-token" not in command_line
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_token_specs() -> None:
    assert parse_token_spec("abc")[1] == {
        "genai:read",
        "genai:create",
        "genai:update",
        "genai:delete",
    }
    assert parse_token_spec("abc=genai:read")[1] == {"genai:read"}
    with pytest.raises(ValueError, match="unknown scopes"):
        parse_token_spec("abc=genai:fly")


def test_pages_carry_links_and_meta(emulator: Emulator) -> None:
    body = get(emulator, "/v2/gen-ai/models", page=2, per_page=25).json()
    assert body["meta"] == {"page": 2, "pages": 3, "total": 60}
    pages = body["links"]["pages"]
    assert set(pages) == {"first", "previous", "next", "last"}
    assert "page=3" in pages["next"]
    assert "per_page=25" in pages["next"]
    assert len(body["models"]) == 25


def test_default_page_is_20_and_the_most_is_200(emulator: Emulator) -> None:
    assert len(get(emulator, "/v2/gen-ai/models").json()["models"]) == 20
    body = get(emulator, "/v2/gen-ai/models", per_page=1000).json()
    assert len(body["models"]) == 60
    assert body["links"] == {}


def test_every_api_answer_has_rate_limit_headers(emulator: Emulator) -> None:
    for answer in (
        get(emulator, KEYS_PATH),
        get(emulator, KEYS_PATH, token="wrong"),
        get(emulator, "/v2/droplets"),
    ):
        for header in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            if answer.status_code != 501:
                assert header in answer.headers, (answer.status_code, header)


def test_per_minute_limit_answers_429_with_retry_after() -> None:
    with Emulator(per_minute_limit=3) as emu:
        codes = [get(emu, KEYS_PATH).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = get(emu, KEYS_PATH)
        assert limited.json()["id"] == "too_many_requests"
        assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_unemulated_documented_paths_answer_501_in_the_error_shape(emulator: Emulator) -> None:
    answer = get(emulator, "/v2/gen-ai/agents")
    assert answer.status_code == 501
    assert set(answer.json()) == {"id", "message", "request_id"}


def test_retired_create_answers_exactly_as_documented() -> None:
    with Emulator() as emu:  # DigitalOcean today: every create is refused
        answer = httpx.post(
            emu.url + KEYS_PATH,
            headers={"Authorization": f"Bearer {emu.token}"},
            json={"name": "x"},
        )
    assert answer.status_code == 410
    assert answer.json()["id"] == "gone"
    assert answer.json()["message"] == RETIRED_MESSAGE


def test_control_panel_keys_stats_and_reset(emulator: Emulator) -> None:
    made = control(emulator, "POST", "keys", {"name": "from-panel"})["api_key_info"]
    assert made["secret_key"]
    get(emulator, KEYS_PATH)
    get(emulator, KEYS_PATH)
    stats = control(emulator, "GET", "stats")
    assert stats["requests"] == {f"GET {KEYS_PATH}": 2}
    control(emulator, "POST", "stats/reset")
    assert control(emulator, "GET", "stats")["requests"] == {}
    control(emulator, "POST", "reset")
    assert get(emulator, KEYS_PATH).json()["api_key_infos"] == []


def test_faults_fire_by_count_and_by_probability(emulator: Emulator) -> None:
    """Through the control API on purpose, as a user's CI adds faults: this is the test of its
    fault routes taking and clearing rules (other tests add theirs with support's `fault`)."""
    control(
        emulator, "POST", "faults", {"kind": "status", "status": 503, "path": KEYS_PATH, "count": 2}
    )
    assert [get(emulator, KEYS_PATH).status_code for _ in range(3)] == [503, 503, 200]
    control(emulator, "DELETE", "faults")
    control(emulator, "POST", "faults", {"kind": "status", "status": 500, "probability": 0.5})
    codes = [get(emulator, KEYS_PATH).status_code for _ in range(200)]
    assert 60 < codes.count(500) < 140


def test_a_dropped_connection_gets_no_answer(emulator: Emulator) -> None:
    fault(emulator, kind="drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        get(emulator, KEYS_PATH)
    assert get(emulator, KEYS_PATH).status_code == 200


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ({"kind": "explode"}, "kind must be one of"),
        ({"kind": "status", "status": 999}, "status must be a whole number from 200 to 599"),
        ({"kind": "status", "status": "500"}, "status must be"),
        ({"kind": "status", "status": True}, "status must be"),
        ({"kind": "latency", "latency_ms": -5}, "latency_ms"),
        ({"kind": "latency", "latency_ms": 10**9}, "latency_ms"),
        ({"kind": "drop", "probability": "often"}, "probability"),
        ({"kind": "drop", "probability": 2}, "probability"),
        ({"kind": "drop", "count": -1}, "count"),
        ({"kind": "status", "headers": {"x": 1}}, "headers"),
        ({"kind": "status", "headers": {"x": "a\r\nInjected: 1"}}, "headers"),
        ({"kind": "body", "body": 5}, "body must be a string"),
        ({"kind": "drop", "unknown": 1}, "unknown field(s) unknown"),
    ],
)
def test_bad_fault_rules_are_refused(emulator: Emulator, rule: dict, named: str) -> None:
    answer = HTTP.post(f"{emulator.url}/_emulator/faults", json=rule)
    assert answer.status_code == 400
    assert named in answer.json()["message"]
    assert emulator.state.faults == []
    assert get(emulator, KEYS_PATH).status_code == 200


def test_a_body_fault_answers_exactly_that_body(emulator: Emulator) -> None:
    fault(emulator, kind="body", body="<html>x</html>", count=1)
    page = get(emulator, KEYS_PATH)
    assert (page.status_code, page.text) == (200, "<html>x</html>")
    assert page.headers["content-type"] == "text/html"
    assert "api_key_infos" in get(emulator, KEYS_PATH).json()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"content-type": "text/plain"}, 415),  # a cross-site form or fetch without preflight
        ({}, 415),
        ({"content-type": "application/json", "host": "evil.example"}, 403),  # DNS rebinding
        ({"content-type": "application/json", "host": "127.0.0.1.evil.example:80"}, 403),
    ],
)
def test_control_requests_a_web_page_could_forge_are_refused(
    emulator: Emulator, headers: dict[str, str], status: int
) -> None:
    answer = HTTP.post(f"{emulator.url}/_emulator/keys", content=b'{"name": "x"}', headers=headers)
    assert answer.status_code == status
    assert emulator.state.keys == {}
    ok = {"content-type": "application/json", "host": "localhost:1234"}
    made = HTTP.post(f"{emulator.url}/_emulator/keys", content=b'{"name": "x"}', headers=ok)
    assert made.status_code == 200


@pytest.mark.parametrize(
    ("length", "status"), [("abc", 400), ("-1", 400), (str(10**12), 413), ("1e3", 400)]
)
def test_a_malformed_or_huge_content_length_is_refused_at_once(
    emulator: Emulator, length: str, status: int
) -> None:
    host, port = emulator.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(
            f"POST {KEYS_PATH} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        answer = raw.recv(65536).decode()
    assert answer.startswith(f"HTTP/1.1 {status} ")
    assert get(emulator, KEYS_PATH).status_code == 200


def test_unknown_paths_are_counted_under_one_name(emulator: Emulator) -> None:
    for n in range(50):
        get(emulator, f"/v2/nothing/{n}")
    assert control(emulator, "GET", "stats")["requests"] == {"GET (no route)": 50}


def test_inference_accepts_live_key_secrets_only(emulator: Emulator) -> None:
    made = control(emulator, "POST", "keys", {"name": "k"})["api_key_info"]
    expect(get(emulator, INFERENCE_MODELS_PATH, token=made["secret_key"]).status_code, 200, "get")
    emulator.state.regenerate_key(made["uuid"])
    expect(get(emulator, INFERENCE_MODELS_PATH, token=made["secret_key"]).status_code, 401, "get")
    # Secrets show only in create and regenerate answers.
    listing = json.dumps(get(emulator, KEYS_PATH).json())
    assert "secret_key" not in listing


def test_chat_completion_is_deterministic(emulator: Emulator) -> None:
    made = control(emulator, "POST", "keys", {"name": "k"})["api_key_info"]
    model = get(emulator, INFERENCE_MODELS_PATH, token=made["secret_key"]).json()["data"][0]["id"]
    body = {"model": model, "messages": [{"role": "user", "content": "hello there"}]}
    headers = {"Authorization": f"Bearer {made['secret_key']}"}
    first = HTTP.post(f"{emulator.url}/v1/chat/completions", headers=headers, json=body).json()
    second = HTTP.post(f"{emulator.url}/v1/chat/completions", headers=headers, json=body).json()
    assert first["choices"][0]["message"]["content"] == second["choices"][0]["message"]["content"]
    assert "hello there" in first["choices"][0]["message"]["content"]
    assert first["usage"]["prompt_tokens"] == 2


def test_a_handler_failure_fails_the_test_that_met_it() -> None:
    emu = Emulator().start()
    emu.state.models.append({"broken": True})  # a model without the private filter fields
    assert get(emu, "/v2/gen-ai/models").status_code == 500
    with pytest.raises(RuntimeError, match="handlers failed"):
        emu.stop()


def test_page_count_matches_ceil(emulator: Emulator) -> None:
    for n in range(41):
        emulator.state.create_key(f"k{n}")
    assert get(emulator, KEYS_PATH).json()["meta"]["pages"] == math.ceil(41 / 20)


@pytest.mark.parametrize("method", ["OPTIONS", "HEAD", "TRACE"])
def test_every_method_gets_a_json_answer(method: str) -> None:
    with Emulator() as emu:
        answer = httpx.request(method, emu.url + KEYS_PATH, headers={"Authorization": "Bearer x"})
    assert answer.status_code in (401, 404, 405, 501)
    assert answer.headers["content-type"].startswith("application/json")
    if method != "HEAD":
        assert "id" in answer.json()


def test_a_chunked_body_is_read() -> None:
    with Emulator(allow_create=True) as emu:

        def chunks():
            yield b'{"name": '
            yield b'"chunked"}'

        answer = httpx.post(
            emu.url + KEYS_PATH,
            headers={"Authorization": f"Bearer {emu.token}", "Content-Type": "application/json"},
            content=chunks(),
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["api_key_info"]["name"] == "chunked"


def test_idle_connections_are_closed_so_they_cannot_hold_every_handler() -> None:
    from do_genai_model_keys.emulator import server

    assert server.EmulatorHandler.timeout == server.IDLE_SECONDS
    with Emulator() as emu:
        host, port = httpx.URL(emu.url).host, httpx.URL(emu.url).port
        idle = socket.create_connection((host, port or 80))
        idle.settimeout(server.IDLE_SECONDS + 5)
        assert idle.recv(1) == b""  # the emulator hung up on the silent client
        idle.close()


def test_junk_tokens_share_one_rate_record() -> None:
    with Emulator() as emu:
        for n in range(50):
            httpx.get(emu.url + KEYS_PATH, headers={"Authorization": f"Bearer junk-{n}"})
        assert len(emu.state._control) <= 1  # the bound is the subject


def test_a_fault_rule_with_an_unknown_field_names_the_fields_a_rule_has() -> None:
    with Emulator() as emu:
        answer = HTTP.post(f"{emu.url}/_emulator/faults", json={"kind": "drop", "sttaus": 500})
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert "sttaus" in message
    assert "status" in message
    assert "TypeError" not in message


def test_the_state_hands_out_copies_of_its_keys() -> None:
    with Emulator() as emu:
        made = emu.state.create_key("k")
        made.name = "changed by the caller"
        assert emu.state.keys[made.uuid].name == "k"
