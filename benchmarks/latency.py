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
- script x4: the same calls on a thread pool of 4, the dynamic provider's concurrency.
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
from support.backend import LocalBackend, find_engine_bin  # noqa: E402

KEYS = "/v2/gen-ai/models/api_keys"
STEPS = ("create", "rotate", "refresh")
PEERS = ("ours", "floor", "script", "script x4")


def requests_made(emu: Emulator) -> int:
    return int(sum(httpx.get(f"{emu.url}/_emulator/stats").json()["requests"].values()))


def reset(emu: Emulator) -> None:
    httpx.post(f"{emu.url}/_emulator/stats/reset", json={})


def timed(emu: Emulator, step: Callable[[], object]) -> dict[str, float]:
    reset(emu)
    started = time.perf_counter()
    step()
    return {"s": round(time.perf_counter() - started, 2), "requests": requests_made(emu)}


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


def script(emu: Emulator, n: int, workers: int) -> dict[str, dict[str, float]]:
    """What a user would write without us: pydo's calls, on `workers` threads (a client each)."""
    import pydo
    from azure.core.rest import HttpRequest

    local = threading.local()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = pydo.Client(token=emu.token, endpoint=emu.url)
        return local.client

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
        }
        httpx.request("DELETE", f"{emu.url}/_emulator/faults", json={})
        print(f"latency {latency_ms} ms, N={n}: {json.dumps(results[n])}", flush=True)
    return results


def table(results: dict[Any, dict[str, dict[str, dict[str, float]]]]) -> str:
    """Markdown: a row per N and step, seconds (requests) per peer, ours against the floor."""
    lines = [
        "| N | step | ours s (requests) | do-nothing floor s | pydo s (requests) | pydo x4 s "
        "| ours / floor | ours / pydo x4 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, by_peer in results.items():
        for step in STEPS:
            o, f, s1, s4 = (by_peer[p][step] for p in PEERS)
            lines.append(
                f"| {n} | {step} | {o['s']} ({o['requests']}) | {f['s']} | "
                f"{s1['s']} ({s1['requests']}) | {s4['s']} | {o['s'] / max(f['s'], 0.01):.2f}x "
                f"| {o['s'] / max(s4['s'], 0.01):.2f}x |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--latency-ms", type=int, default=150)
    args = parser.parse_args(argv)
    with (
        Emulator(allow_create=True, rate_limits=False) as emu,
        tempfile.TemporaryDirectory() as work,
    ):
        backend = LocalBackend(
            root=Path(work), engine_bin=find_engine_bin(), env={"PYTHONPATH": str(HERE)}
        )
        results = bench_latency(backend, emu, args.sizes, args.latency_ms)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
