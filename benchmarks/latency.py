"""Realistic latency: ours against do-nothing resources and the script a user would write.

    .venv/bin/python benchmarks/latency.py [--sizes 50 500] [--latency-ms 150]

Every API call waits `--latency-ms` in the emulator (about what a CI runner sees to
DigitalOcean). For N keys it times three steps: create N keys, rotate all of them, refresh.
- ours: `pulumi up` of N `ModelAccessKey`s, `pulumi up` after raising every `secret_version`,
  `pulumi refresh` (the real engine, Automation API, file backend);
- floor: the same three steps on N do-nothing dynamic resources that carry a key's inputs and
  outputs and update in place (the engine's own cost);
- script: pydo's calls one after another, as a user's script would make them (create N,
  regenerate N, list every page);
- script x4: the same calls on a thread pool of 4, the dynamic provider's concurrency;
- script x4 proving: the rotation on 4 threads again, each new secret then proved with one
  `GET /v1/models` as both doors prove it (#32): the like-for-like peer of a rotation;
- plugin: the same three steps through the provider plugin (`pulumi-resource-do-genai`, the
  generated Python SDK), which serves as many calls at once as the engine sends;
- plugin floor: N do-nothing resources of a do-nothing plugin (`noop_plugin.py`) on the same
  SDK server.
Prints a table with requests and wall time; `benchmarks/run.py` runs it too and puts the table
into benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from pulumi import automation as auto

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the Automation API harness of the tests

from do_genai_model_keys import ModelAccessKey  # noqa: E402
from do_genai_model_keys.emulator import Emulator  # noqa: E402
from noop import ShapedNoop  # noqa: E402  # benchmarks/ was just put on the path
from noop_plugin import TYPE as NOOP_PLUGIN_TYPE  # noqa: E402
from support.backend import LocalBackend, find_engine_bin  # noqa: E402

KEYS = "/v2/gen-ai/models/api_keys"
STEPS = ("create", "rotate", "refresh")
PEERS = ("ours", "floor", "script", "script x4", "plugin", "plugin floor")
PROVED = "script x4 proving"
"""Rotation only: the script x4 that also proves each new secret, as ours does."""
RATE_PER_MINUTE = 250
"""DigitalOcean's control-plane limit: N calls cannot take less than (N - 250) / 250 minutes
once N is over a minute's worth (the first minute's 250 go at once)."""


def requests_made(emu: Emulator) -> tuple[int, int]:
    """All requests, and those of the control plane (`/v2/`, under its 250 a minute; the
    inference API's `/v1/` secret checks count against a limit of their own)."""
    counts = httpx.get(f"{emu.url}/_emulator/stats").json()["requests"]
    control = sum(n for route, n in counts.items() if route.split(" ", 1)[-1].startswith("/v2/"))
    return int(sum(counts.values())), int(control)


def reset(emu: Emulator) -> None:
    httpx.post(f"{emu.url}/_emulator/stats/reset", json={})


def timed(emu: Emulator, step: Callable[[], object]) -> dict[str, float]:
    reset(emu)
    started = time.perf_counter()
    step()
    seconds = round(time.perf_counter() - started, 2)
    made, control = requests_made(emu)
    return {"s": seconds, "requests": made, "control_requests": control}


def three_steps(
    emu: Emulator, stack: auto.Stack, version: dict[str, int]
) -> dict[str, dict[str, float]]:
    """Create, rotate (the program reads `version`, raised to 2 between) and refresh, timed;
    then destroy the stack."""
    figures = {"create": timed(emu, stack.up)}
    version["v"] = 2
    figures["rotate"] = timed(emu, stack.up)
    figures["refresh"] = timed(emu, stack.refresh)
    stack.destroy()
    return figures


def ours(backend: LocalBackend, emu: Emulator, n: int) -> dict[str, dict[str, float]]:
    version = {"v": 1}

    def program() -> None:
        for i in range(n):
            ModelAccessKey(f"k{i}", name=f"lat-{i}", secret_version=version["v"])

    config = {
        "digitalocean:token": (emu.token, True),
        "digitalocean:apiEndpoint": emu.url,
        "digitalocean:inferenceEndpoint": emu.url,
    }
    stack = backend.stack(f"lat{n}", "bench", program, config=config)  # type: ignore[arg-type]
    return three_steps(emu, stack, version)


def floor(backend: LocalBackend, emu: Emulator, n: int) -> dict[str, dict[str, float]]:
    """The same steps on do-nothing resources shaped like keys, which update in place."""
    version = {"v": 1}

    def program() -> None:
        for i in range(n):
            inputs = {"name": f"lat-{i}", "adopt_existing": False, "regenerate_on_adopt": True}
            ShapedNoop(f"s{i}", {**inputs, "secret_version": version["v"]})

    return three_steps(emu, backend.stack(f"noop{n}", "bench", program), version)


def plugin(backend: LocalBackend, emu: Emulator, n: int) -> dict[str, dict[str, float]]:
    """The same steps through the provider plugin and its generated Python SDK."""
    import pulumi_do_genai as genai

    version = {"v": 1}

    def program() -> None:
        for i in range(n):
            genai.ModelAccessKey(f"p{i}", name=f"plug-{i}", secret_version=version["v"])

    config = {
        "do-genai:token": (emu.token, True),
        "do-genai:apiEndpoint": emu.url,
        "do-genai:secretReadyWait": "5",
    }
    stack = backend.stack(f"plug{n}", "bench", program, config=config)  # type: ignore[arg-type]
    return three_steps(emu, stack, version)


def plugin_floor(backend: LocalBackend, emu: Emulator, n: int) -> dict[str, dict[str, float]]:
    """The same steps on a do-nothing plugin's resources (the engine's floor for a plugin)."""
    import pulumi

    version = {"v": 1}

    def program() -> None:
        for i in range(n):
            inputs = {"name": f"noop-{i}", "secretVersion": version["v"]}
            pulumi.CustomResource(NOOP_PLUGIN_TYPE, f"n{i}", inputs)

    return three_steps(emu, backend.stack(f"noopplug{n}", "bench", program), version)


def pydo_per_thread(emu: Emulator) -> Callable[[], Any]:
    """The calling thread's own pydo client: a script on a thread pool makes one per thread."""
    import pydo

    local = threading.local()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = pydo.Client(token=emu.token, endpoint=emu.url)
        return local.client

    return client


def script(emu: Emulator, n: int, workers: int) -> dict[str, dict[str, float]]:
    """What a user would write without us: pydo's calls, on `workers` threads (a client each)."""
    from azure.core.rest import HttpRequest

    client = pydo_per_thread(emu)

    def genai() -> Any:
        return client().genai

    def create(i: int) -> str:
        # pydo's `create_model_api_key` takes only a 410 for success (creation was retired), so
        # the same POST goes through pydo's own pipeline.
        request = HttpRequest("POST", f"{emu.url}{KEYS}", json={"name": f"script-{i}"})
        answer = client().send_request(request, enforce_https=False)
        answer.raise_for_status()
        return str(answer.json()["api_key_info"]["uuid"])

    def regenerate(uuid: str) -> None:
        genai().regenerate_model_api_key(uuid, enforce_https=False)

    def list_all() -> int:
        page, seen = 1, 0
        while True:
            body = genai().list_model_api_keys(page=page, per_page=200, enforce_https=False)
            seen += len(body["api_key_infos"])
            if not body.get("links", {}).get("pages", {}).get("next"):
                return seen
            page += 1

    with ThreadPoolExecutor(max_workers=workers) as pool:
        uuids: list[str] = []
        figures = {"create": timed(emu, lambda: uuids.extend(pool.map(create, range(n))))}
        figures["rotate"] = timed(emu, lambda: list(pool.map(regenerate, uuids)))
        figures["refresh"] = timed(emu, list_all)
        list(pool.map(lambda u: genai().delete_model_api_key(u, enforce_https=False), uuids))
    return figures


def proved_rotation(emu: Emulator, n: int, workers: int = 4) -> dict[str, dict[str, float]]:
    """A rotation as a careful script would make it: regenerate each key with pydo, then prove
    the new secret with one inference call (`GET /v1/models`), `workers` keys at a time. Only
    the rotation is timed; the keys are made and deleted around it."""
    client = pydo_per_thread(emu)
    made = [emu.state.create_key(f"proved-{i}").uuid for i in range(n)]

    def rotate(http: httpx.Client, uuid: str) -> None:
        body = client().genai.regenerate_model_api_key(uuid, enforce_https=False)
        secret = body["api_key_info"]["secret_key"]
        proof = http.get("/v1/models", headers={"Authorization": f"Bearer {secret}"})
        proof.raise_for_status()

    try:
        with (
            httpx.Client(base_url=emu.url) as http,  # an httpx client is shared by threads
            ThreadPoolExecutor(max_workers=workers) as pool,
        ):
            return {"rotate": timed(emu, lambda: list(pool.map(rotate, [http] * n, made)))}
    finally:
        for uuid in made:
            emu.state.delete_key(uuid)


def bench_latency(
    backend: LocalBackend, emu: Emulator, sizes: list[int], latency_ms: int
) -> dict[int, dict[str, dict[str, dict[str, float]]]]:
    """Every step for every N, for ours, the floor and both scripts, at `latency_ms` a call."""
    results: dict[int, dict[str, Any]] = {}
    rule = {"kind": "latency", "latency_ms": latency_ms, "path": "*"}
    for n in sizes:
        httpx.post(f"{emu.url}/_emulator/faults", json=rule)
        results[n] = {
            "ours": ours(backend, emu, n),
            "floor": floor(backend, emu, n),
            "script": script(emu, n, workers=1),
            "script x4": script(emu, n, workers=4),
            PROVED: proved_rotation(emu, n),
            "plugin": plugin(backend, emu, n),
            "plugin floor": plugin_floor(backend, emu, n),
        }
        httpx.request("DELETE", f"{emu.url}/_emulator/faults", json={})
        print(f"latency {latency_ms} ms, N={n}: {json.dumps(results[n])}", flush=True)
    return results


def table(results: dict[Any, dict[str, dict[str, dict[str, float]]]]) -> str:
    """Markdown: a row per N and step, seconds (requests) per peer, ours against the floor."""
    lines = [
        "| N | step | dynamic s (requests) | dynamic floor s | plugin s (requests) "
        "| plugin floor s | pydo s | pydo x4 s | pydo x4 proving s | rate-limit floor s "
        "| plugin / pydo x4 | plugin / its floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, by_peer in results.items():
        for step in STEPS:
            o, f, s1, s4, p, pf = (by_peer[peer][step] for peer in PEERS)
            proved = by_peer.get(PROVED, {}).get(step)
            calls = p["requests"]
            control = p.get("control_requests", calls)
            limit = max(0.0, (control - RATE_PER_MINUTE) / RATE_PER_MINUTE * 60)
            lines.append(
                f"| {n} | {step} | {o['s']} ({o['requests']}) | {f['s']} | "
                f"{p['s']} ({calls}) | {pf['s']} | {s1['s']} | {s4['s']} | "
                f"{proved['s'] if proved else '—'} | {limit:.0f} | "
                f"{p['s'] / max(s4['s'], 0.01):.2f}x | {p['s'] / max(pf['s'], 0.01):.2f}x |"
            )
    return "\n".join(lines)


def plugin_backend(work: Path) -> LocalBackend:
    """A backend whose engine finds both plugins on PATH: ours (the venv's console script)
    and the do-nothing one."""
    import os

    from noop_plugin import launcher

    tools = work / "plugins"
    tools.mkdir()
    launcher(tools)
    engine = find_engine_bin()
    bins = [engine, tools, Path(sys.prefix) / "bin"]
    path = os.pathsep.join([*map(str, bins), os.environ["PATH"]])
    env = {"PYTHONPATH": str(HERE), "PATH": path}
    return LocalBackend(root=work / "state", engine_bin=engine, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--latency-ms", type=int, default=150)
    args = parser.parse_args(argv)
    with (
        Emulator(allow_create=True, rate_limits=False) as emu,
        tempfile.TemporaryDirectory() as work,
    ):
        backend = plugin_backend(Path(work))
        results = bench_latency(backend, emu, args.sizes, args.latency_ms)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
