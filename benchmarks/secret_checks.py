"""What the live-secret checks cost a refresh, at a realistic latency and DigitalOcean's limits.

    .venv/bin/python benchmarks/secret_checks.py [--sizes 100 1000] [--latency-ms 150]
        [--blackholed]

For N keys in a stack (each with its live secret), `pulumi refresh` with the checks on (the
default: one `GET /v1/models` per stored secret, four at a time, within the inference API's
limit of 600 a minute) and off (`digitalocean:verifySecrets: false`). Every API call waits
`--latency-ms` in the emulator; the rate limits are on, as on DigitalOcean. Prints seconds and
requests by kind; the README's figures come from here. With `--blackholed`, the inference
endpoint is a socket on this machine that accepts connections and never answers: the checks
then cost one short attempt, after which the run's other checks are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from pulumi import automation as auto

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the Automation API harness of the tests

from do_genai_model_keys.emulator import Emulator  # noqa: E402
from support.backend import LocalBackend, find_engine_bin  # noqa: E402
from support.stacks import KeyStack  # noqa: E402

CHECKS = "GET /v1/models"
LISTINGS = "GET /v2/gen-ai/models/api_keys"


def refresh(emu: Emulator, keys: KeyStack, checks: bool) -> dict[str, float]:
    keys.set_env("DIGITALOCEAN_VERIFY_SECRETS", "true" if checks else "false")
    httpx.post(f"{emu.url}/_emulator/stats/reset", json={})
    started = time.perf_counter()
    result = keys.refresh()
    seconds = time.perf_counter() - started
    assert result.summary.result == "succeeded"
    stats = httpx.get(f"{emu.url}/_emulator/stats").json()
    requests = stats["requests"]
    return {
        "s": round(seconds, 1),
        "checks": requests.get(CHECKS, 0),
        "listings": requests.get(LISTINGS, 0),
        "refused_429": sum(stats["rate_limited"].values()),
    }


@contextlib.contextmanager
def blackhole() -> Iterator[str]:
    """An endpoint on this machine that takes connections and never answers."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(1024)
        yield f"http://127.0.0.1:{hole.getsockname()[1]}"


def bench(
    sizes: list[int], latency_ms: int, blackholed: bool = False
) -> dict[int, dict[str, dict[str, float]]]:
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        with (
            Emulator() as emu,
            tempfile.TemporaryDirectory() as work,
            blackhole() as hole,
        ):
            backend = LocalBackend(root=Path(work), engine_bin=find_engine_bin())
            keys = KeyStack(backend, emu, project=f"checks{n}")
            if blackholed:  # set before the first up: a refresh uses the last up's config
                keys.open({}).set_config("digitalocean:inferenceEndpoint", auto.ConfigValue(hole))
            keys.seed(n, "checked")
            rule = {"kind": "latency", "latency_ms": latency_ms, "path": "*"}
            httpx.post(f"{emu.url}/_emulator/faults", json=rule)
            results[n] = {"off": refresh(emu, keys, False), "on": refresh(emu, keys, True)}
        where = ", inference endpoint blackholed" if blackholed else ""
        print(f"N={n}, {latency_ms} ms a call{where}: {json.dumps(results[n])}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument(
        "--blackholed", action="store_true", help="an inference endpoint that never answers"
    )
    args = parser.parse_args(argv)
    results = bench(args.sizes, args.latency_ms, args.blackholed)
    print("| N | refresh, checks off | refresh, checks on | checks made | 429s met |")
    print("|---|---|---|---|---|")
    for n, by in results.items():
        print(
            f"| {n} | {by['off']['s']} s ({by['off']['listings']} listings) | {by['on']['s']} s "
            f"| {by['on']['checks']} | {by['on']['refused_429']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
