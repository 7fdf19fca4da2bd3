"""Benchmarks: every figure beside its floor or its peer, measured in the same run.

    bash scripts/bench.sh            # or: .venv/bin/python benchmarks/run.py [--quick]

1. refresh of N keys through the real engine: listing requests against ceil(N/200), wall time
   against do-nothing resources with a key's state and without (benchmarks/noop.py);
2. the model catalogue: `get_models` against pydo's `genai.list_models` over every page;
3. `pulumi up` of 50 keys with 50 ms of latency per request, against the same floors;
4. import cost of `provider` against `pulumi` alone (`python -X importtime`);
5. peak memory of the provider process during the largest refresh;
6. at 150 ms a call: create, rotate and refresh of 50 and 500 keys, through the dynamic
   resources and through the provider plugin, against each door's do-nothing resources and a
   pydo script, sequential and on 4 threads (benchmarks/latency.py).

Writes benchmarks/results.md (tables, min/median/max over repeats), benchmarks/results.json
(every figure) and benchmarks/benchmarks.png (wall time against N). The emulator runs on a
thread of this process; keys for the refresh benchmark are seeded into it and into the stack
state by `stack import` (creating 5,000 keys through `up` would measure creation, not refresh).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from pulumi import automation as auto

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the Automation API harness of the tests

import latency  # noqa: E402  # benchmarks/ was just put on the path
from do_genai_model_keys import GenAIClient, ModelAccessKey  # noqa: E402
from do_genai_model_keys.dynamic import KEY_TYPE, data_sources  # noqa: E402
from do_genai_model_keys.emulator import Emulator  # noqa: E402
from noop import Noop, ShapedNoop  # noqa: E402  # benchmarks/ was just put on the path
from support.backend import LocalBackend, find_engine_bin  # noqa: E402
from support.stacks import import_copies, seed_keys  # noqa: E402

NOOP_TYPE = f"pulumi-python:{Noop._resource_type_name}"
SHAPED_TYPE = f"pulumi-python:{ShapedNoop._resource_type_name}"
LIST_KEYS = "GET /v2/gen-ai/models/api_keys"


def spread(values: list[float]) -> str:
    """min / median / max, compactly."""
    if len(values) == 1:
        return f"{values[0]:.3g}"
    return f"{min(values):.3g} / {statistics.median(values):.3g} / {max(values):.3g}"


def api_stats(emu: Emulator) -> dict[str, int]:
    return dict(httpx.get(f"{emu.url}/_emulator/stats").json()["requests"])


def reset_stats(emu: Emulator) -> None:
    httpx.post(f"{emu.url}/_emulator/stats/reset", json={})


def config_for(emu: Emulator) -> dict[str, str | tuple[str, bool]]:
    return {
        "digitalocean:token": (emu.token, True),
        "digitalocean:apiEndpoint": emu.url,
        "digitalocean:inferenceEndpoint": emu.url,
    }


class ProviderMemory:
    """Samples the resident memory of `pulumi.dynamic` processes until stopped; keeps the peak."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProviderMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    if b"pulumi.dynamic" not in (proc / "cmdline").read_bytes():
                        continue
                    status = (proc / "status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith(("VmHWM:", "VmRSS:")):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            time.sleep(0.05)


# --- 1 and 5: refresh ---------------------------------------------------------------------


def seeded_refresh_stack(backend: LocalBackend, emu: Emulator, n: int) -> auto.Stack:
    """A stack whose state holds `n` keys that exist in the emulator."""

    def one_key() -> None:
        ModelAccessKey("k0", name="bench-0")

    stack = backend.stack(f"refresh{n}", "bench", one_key, config=config_for(emu))
    stack.up()
    emu.state.reset()
    seed_keys(stack, emu, n, "bench")
    return stack


def seeded_noop_stack(backend: LocalBackend, n: int) -> auto.Stack:
    """The engine's floor: a state of `n` do-nothing resources, refreshed the same way."""

    def one() -> None:
        Noop("n0", value="v0")

    stack = backend.stack(f"noop-refresh{n}", "bench", one)
    stack.up()

    def noop_copy(template: dict[str, Any], prefix: str, i: int) -> dict[str, Any]:
        return {**template, "urn": f"{prefix}::n{i}", "id": f"noop-v{i}"}

    import_copies(stack, NOOP_TYPE, noop_copy, n)
    return stack


def seeded_shaped_stack(backend: LocalBackend, keys: list[dict[str, Any]]) -> auto.Stack:
    """The floor with a key's state: as many `ShapedNoop`s, each holding one key's exact state."""
    inputs = {k: v for k, v in keys[0]["inputs"].items() if k != "__provider"}

    def one() -> None:
        ShapedNoop("s0", inputs)

    stack = backend.stack(f"shaped-refresh{len(keys)}", "bench", one)
    stack.up()

    def shaped_copy(template: dict[str, Any], prefix: str, i: int) -> dict[str, Any]:
        provider = template["inputs"]["__provider"]
        key = keys[i]
        return {
            **template,
            "urn": f"{prefix}::s{i}",
            "id": key["id"],
            "inputs": {**key["inputs"], "__provider": provider},
            "outputs": {**key["outputs"], "__provider": provider},
        }

    import_copies(stack, SHAPED_TYPE, shaped_copy, len(keys))
    return stack


def timed_refreshes(stack: auto.Stack, repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        stack.refresh()
        seconds.append(time.perf_counter() - started)
    return seconds


def bench_refresh(
    backend: LocalBackend, emu: Emulator, sizes: list[int], repeats: int
) -> list[dict[str, Any]]:
    """Refresh N keys and both floors of N, taking turns each repeat so that a slow moment of
    the machine falls on all three alike."""
    rows = []
    for n in sizes:
        stack = seeded_refresh_stack(backend, emu, n)
        state = stack.export_stack().deployment or {}
        shaped = seeded_shaped_stack(
            backend, [r for r in state["resources"] if r["type"] == KEY_TYPE]
        )
        noop = seeded_noop_stack(backend, n)
        seconds, listings, peak_kib = [], [], 0
        shaped_seconds, floor_seconds = [], []
        for _ in range(repeats):
            reset_stats(emu)
            with ProviderMemory() as memory:
                seconds += timed_refreshes(stack, 1)
            peak_kib = max(peak_kib, memory.peak_kib)
            listings.append(api_stats(emu).get(LIST_KEYS, 0))
            shaped_seconds += timed_refreshes(shaped, 1)
            floor_seconds += timed_refreshes(noop, 1)
        for done in (stack, shaped, noop):
            done.workspace.remove_stack("bench", force=True)
        emu.state.reset()
        rows.append(
            {
                "n": n,
                "seconds": seconds,
                "shaped_seconds": shaped_seconds,
                "floor_seconds": floor_seconds,
                "listings": listings,
                "floor": math.ceil(n / 200),
                "peak_kib": peak_kib,
            }
        )
        print(
            f"refresh {n}: {spread(seconds)} s, shaped {spread(shaped_seconds)} s, "
            f"do-nothing {spread(floor_seconds)} s, {listings} listings",
            flush=True,
        )
    return rows


# --- 2: the model catalogue ---------------------------------------------------------------


def bench_models(emu: Emulator, repeats: int) -> dict[str, list[float]]:
    import pydo

    ours_s: list[float] = []
    ours_req: list[float] = []
    pydo_s: list[float] = []
    pydo_req: list[float] = []
    for _ in range(repeats):
        data_sources.clear_cache()
        reset_stats(emu)
        started = time.perf_counter()
        with GenAIClient(emu.token, api_endpoint=emu.url) as client:
            count = len(data_sources.get_models(client=client).models)
        ours_s.append(time.perf_counter() - started)
        ours_req.append(sum(api_stats(emu).values()))

        reset_stats(emu)
        started = time.perf_counter()
        peer = pydo.Client(token=emu.token, endpoint=emu.url)
        page, seen = 1, 0
        while True:
            answer = peer.genai.list_models(page=page, enforce_https=False)
            seen += len(answer["models"])
            if page >= int(answer["meta"]["pages"]):
                break
            page += 1
        pydo_s.append(time.perf_counter() - started)
        pydo_req.append(sum(api_stats(emu).values()))
        assert seen == count
    return {"ours_s": ours_s, "ours_req": ours_req, "pydo_s": pydo_s, "pydo_req": pydo_req}


# --- 3: pulumi up of 50 keys with latency --------------------------------------------------


def bench_up(
    backend: LocalBackend, emu: Emulator, repeats: int, count: int = 50, latency_s: float = 0.05
) -> dict[str, list[float]]:
    """`up` of `count` keys, each create one API call of `latency_s`, beside two floors:
    do-nothing resources, and do-nothing resources with a key's state that wait as long as one
    call (the floor of any provider that makes one call per key, four at a time)."""

    def keys_program() -> None:
        for i in range(count):
            ModelAccessKey(f"k{i}", name=f"up-{i}")

    def noop_program() -> None:
        for i in range(count):
            Noop(f"n{i}", value=f"v{i}")

    def shaped_program() -> None:
        for i in range(count):
            inputs = {"name": f"up-{i}", "adopt_existing": False, "regenerate_on_adopt": True}
            ShapedNoop(f"s{i}", {**inputs, "secret_version": 1, "wait_s": latency_s})

    results: dict[str, list[float]] = {"keys_s": [], "noop_s": [], "shaped_s": [], "requests": []}
    keys = backend.stack(f"up{count}", "bench", keys_program, config=config_for(emu))
    floors = {
        "noop_s": backend.stack(f"noop{count}", "bench", noop_program),
        "shaped_s": backend.stack(f"shaped{count}", "bench", shaped_program),
    }
    rule = {"kind": "latency", "latency_ms": round(latency_s * 1000)}
    httpx.post(f"{emu.url}/_emulator/faults", json=rule)
    for _ in range(repeats):
        reset_stats(emu)
        started = time.perf_counter()
        keys.up()
        results["keys_s"].append(time.perf_counter() - started)
        results["requests"].append(sum(api_stats(emu).values()))
        keys.destroy()
        for label, floor in floors.items():
            started = time.perf_counter()
            floor.up()
            results[label].append(time.perf_counter() - started)
            floor.destroy()
    httpx.request("DELETE", f"{emu.url}/_emulator/faults", json={})
    print(
        f"up {count}: keys {spread(results['keys_s'])} s, shaped {spread(results['shaped_s'])} s,"
        f" do-nothing {spread(results['noop_s'])} s",
        flush=True,
    )
    return results


# --- 4: import cost -----------------------------------------------------------------------


PROGRAM_IMPORTS = """
import time
started = time.perf_counter()
import pulumi
sdk = time.perf_counter()
from do_genai_model_keys import ModelAccessKey
print(sdk - started, time.perf_counter() - sdk)
"""


def bench_imports(repeats: int) -> dict[str, list[float]]:
    """What a program that declares keys imports, split into the SDK's part and ours.

    A program needs `pulumi` (which loads `pulumi.dynamic` too); `ours_ms` is what loading
    `ModelAccessKey` adds on top, timed in the same fresh process.
    """
    figures: dict[str, list[float]] = {"pulumi_ms": [], "ours_ms": [], "program_ms": []}
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", PROGRAM_IMPORTS], capture_output=True, text=True, check=True
        )
        sdk, ours = (float(part) * 1000 for part in done.stdout.split())
        figures["pulumi_ms"].append(sdk)
        figures["ours_ms"].append(ours)
        figures["program_ms"].append(sdk + ours)
    return figures


# --- the report ---------------------------------------------------------------------------


def ratio(a: list[float], b: list[float]) -> str:
    return f"{statistics.median(a) / statistics.median(b):.2f}x"


def row(label: str, measured: str, reference: str, times: str) -> str:
    return f"| {label} | {measured} | {reference} | {times} |"


def against(label: str, measured: list[float], reference: list[float], named: str = "") -> str:
    """A row of a measurement beside its floor or peer (`named` introduces the peer's figure)."""
    return row(label, spread(measured), f"{named}{spread(reference)}", ratio(measured, reference))


def engine_version() -> str:
    """What the engine the benchmarks run says of itself (`pulumi version`)."""
    done = subprocess.run(
        [str(find_engine_bin() / "pulumi"), "version"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def write_report(raw: dict[str, Any], out: Path) -> str:
    refresh, models, up, imports = raw["refresh"], raw["models"], raw["up"], raw["imports"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {raw['measured']} on {os.cpu_count()} "
        f"cores, Python {sys.version.split()[0]}, pulumi SDK {raw.get('sdk', 'not recorded')}, "
        f"engine {raw.get('engine', 'not recorded')}; the emulator runs on a thread of the "
        "benchmark process. Figures "
        "are min / median / max over the repeats; each stands beside its floor or peer from the "
        "same run. Regenerate with `bash scripts/bench.sh`.",
        "",
        "Two floors: *do-nothing* resources (one input, one output) are the engine's own cost per "
        "resource; *shaped do-nothing* resources carry exactly a key's state (the same inputs and "
        "outputs, the secret as a Pulumi secret) and do nothing with it. Ours against the shaped "
        "floor is the cost of our code; the shaped floor against the do-nothing one is what the "
        "engine and the SDK spend carrying a key's state.",
        "",
        row("benchmark", "measured", "floor or peer", "ratio"),
        "|---|---|---|---|",
    ]
    for r in refresh:
        lines += [
            row(
                f"refresh {r['n']} keys: listing requests",
                spread(r["listings"]),
                f"ceil(N/200) = {r['floor']}",
                f"{statistics.median(r['listings']) / r['floor']:.2f}x",
            ),
            against(
                f"refresh {r['n']} keys: wall time (s)",
                r["seconds"],
                r["shaped_seconds"],
                f"{r['n']} shaped do-nothing: ",
            ),
            against(
                f"refresh {r['n']}: a key's state, shaped floor (s)",
                r["shaped_seconds"],
                r["floor_seconds"],
                f"{r['n']} do-nothing: ",
            ),
        ]
    lines += [
        against(
            "`pulumi up` of 50 keys, 50 ms a call: wall time (s)",
            up["keys_s"],
            up["shaped_s"],
            "50 shaped do-nothing waiting 50 ms: ",
        ),
        against(
            "`pulumi up` of 50: shaped floor waiting 50 ms (s)",
            up["shaped_s"],
            up["noop_s"],
            "50 do-nothing: ",
        ),
        row("`pulumi up` of 50 keys: API requests", spread(up["requests"]), "50", "—"),
        against(
            "model catalogue, every page: requests (ours vs pydo `genai.list_models`)",
            models["ours_req"],
            models["pydo_req"],
        ),
        against(
            "model catalogue, every page: wall time (s)",
            models["ours_s"],
            models["pydo_s"],
        ),
        against(
            "import cost (ms): `import pulumi` then "
            "`from do_genai_model_keys import ModelAccessKey`",
            imports["program_ms"],
            imports["pulumi_ms"],
            "`import pulumi` in the same process: ",
        ),
        row(
            "import cost (ms): what `ModelAccessKey` adds",
            spread(imports["ours_ms"]),
            "—",
            "—",
        ),
        row(
            f"provider process peak memory, {refresh[-1]['n']}-key refresh (MiB)",
            f"{refresh[-1]['peak_kib'] / 1024:.0f}",
            "—",
            "—",
        ),
        "",
        *latency_section(raw["latency"], raw["latency_ms"]),
        *notes(refresh, up),
    ]
    text = "\n".join(lines)
    out.write_text(text)
    return text


def latency_section(results: dict[Any, Any], latency_ms: int) -> list[str]:
    """The realistic-latency table, both doors against their floors and the scripts, and the
    plugin's goal (within 1.5x of pydo four at a time at 50 keys) said as met or not."""
    if not results:
        return []
    lines = [
        f"## At {latency_ms} ms a call",
        "",
        f"Every API call waits {latency_ms} ms in the emulator, about what a CI runner sees to "
        "DigitalOcean. *create*: `pulumi up` of N keys; *rotate*: `pulumi up` after raising every "
        "`secret_version` (each new secret is then proved with one `GET /v1/models`); "
        "*refresh*: `pulumi refresh` (each stored secret checked once). *dynamic*: the Python "
        "dynamic resources; *plugin*: `pulumi-resource-do-genai` through its generated Python "
        "SDK. Each door's floor is N do-nothing resources of the same kind shaped like keys "
        "(`benchmarks/noop.py`, `benchmarks/noop_plugin.py`): the engine's own cost. *pydo* is a "
        "script making the same control-plane calls one after another, *pydo x4* the same on "
        "a thread pool of 4; *pydo x4 proving* also proves each new secret, as both doors do. "
        "The rate-limit floor is what DigitalOcean's 250 control-plane calls a minute would "
        "cost at least (the emulator runs without limits here). One run each; requests in "
        "brackets, the inference API's secret checks included.",
        "",
        latency.table(results),
        "",
    ]
    parallel = 4 * (os.cpu_count() or 1)  # the engine's default `--parallel`
    small = min(int(n) for n in results)
    for n, by_peer in results.items():
        plugin, x4 = by_peer["plugin"]["create"]["s"], by_peer["script x4"]["create"]["s"]
        floor = by_peer["plugin floor"]["create"]["s"]
        verdict = ""
        if int(n) == 50:
            goal = 1.5 * x4
            verdict = (
                f" The goal, the plugin within 1.5x of pydo x4 ({goal:.2f} s), is "
                f"{'met' if plugin <= goal else 'not met'}: {plugin / x4:.2f}x."
            )
        lines.append(
            f"- N={n}: the plugin creates {n} keys in {plugin} s, the dynamic resources in "
            f"{by_peer['ours']['create']['s']} s, pydo x4 in {x4} s and pydo alone in "
            f"{by_peer['script']['create']['s']} s; the engine alone takes {floor} s for {n} "
            f"do-nothing plugin resources.{verdict}"
        )
    lines += [
        "- How many calls run at once: the dynamic resources serve 4 (the SDK's dynamic "
        "provider has a gRPC pool of 4 threads, whatever `--parallel` says); the plugin serves "
        "as many as the engine sends, and the engine sends `--parallel` at a time, 4 per core "
        f"by default ({parallel} on this machine). So {small} creates cost the plugin about "
        f"{math.ceil(small / parallel)} round trips where pydo x4 makes "
        f"{math.ceil(small / 4)}; what keeps the plugin behind pydo x4 is the engine's own "
        "floor (its bookkeeping of every resource; pydo keeps no state), the plugin process "
        "starting (the SDK, httpx, pydantic) and the account's one listing before the creates.",
        "- A rotation makes two calls a key (the regenerate and the proof of the new secret); "
        "*pydo x4 proving* makes the same calls, 4 at a time where the plugin is sent "
        f"{parallel}.",
        "- Where the rate-limit floor is above a figure, that figure is possible "
        "only against an emulator without limits, whatever the client: at DigitalOcean the "
        "251st control-plane call in a minute is answered 429, and both doors then wait as "
        "the answer says and pace the account to 250 a minute (`api/retry.py`).",
        "- A refresh costs ceil(N/200) listings whatever N, plus one check of each stored "
        "secret (pydo makes only the listings and checks no secret).",
        "",
    ]
    return lines


def notes(refresh: list[dict[str, Any]], up: dict[str, list[float]]) -> list[str]:
    """Where each figure stands against its floors, from this run's numbers."""
    large = refresh[-1]
    ours, shaped, bare = (
        statistics.median(large[k]) for k in ("seconds", "shaped_seconds", "floor_seconds")
    )
    keys_up, shaped_up, bare_up = (
        statistics.median(up[k]) for k in ("keys_s", "shaped_s", "noop_s")
    )
    return [
        "## Notes",
        "",
        "- Refresh listings sit on the floor ceil(N/200) at every size: the reads of one "
        "operation share one listing (provider/do_genai_model_keys/keys/listing.py).",
        f"- Refresh of {large['n']} keys: {ours:.1f} s = {bare:.1f} s the engine's floor + "
        f"{shaped - bare:.1f} s the engine and the SDK carrying each key's state + "
        f"{ours - shaped:.1f} s our code: the provider process importing httpx and pydantic "
        "once, the listing, each read and diff, and one check of each stored secret "
        "(`GET /v1/models` on the inference API, four at a time: the dynamic provider's pool; "
        "`verifySecrets: false` leaves them out). The state part is outside our code: a key's "
        "secret is a Pulumi secret that the engine decrypts and encrypts on every refresh, and "
        "each of the ten properties is (de)serialized by the engine and the SDK per resource.",
        f"- `pulumi up` of 50 keys: {keys_up:.2f} s against {shaped_up:.2f} s for do-nothing "
        f"resources that wait as long as one call, and {bare_up:.2f} s for do-nothing resources "
        f"that wait for nothing. 50 calls of 50 ms four at a time are {50 * 0.05 / 4:.2f} s of "
        "waiting that no provider making one call per key avoids. The rest of ours over the "
        "shaped floor is the provider process loading httpx and pydantic and listing the keys "
        "once: one POST per key plus that listing (the creates' snapshot, see "
        "provider/do_genai_model_keys/keys/creates.py).",
        "- The catalogue: one request per 200 models against pydo's default pages of 20; pydo "
        "also builds an azure-core pipeline per client.",
        "- Imports, timed in one fresh process each: a program that declares keys loads the "
        "Pulumi SDK (with its dynamic-provider module) and our resource classes, nothing "
        "more; httpx, pydantic and tenacity load in the provider process, or when a data "
        "source runs.",
        "",
    ]


def plot(raw: dict[str, Any], out: Path) -> None:
    """Wall time against N: refresh against both floors, and each latency step against peers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    refresh, lat = raw["refresh"], raw["latency"]
    panels = 1 + (len(latency.STEPS) if lat else 0)
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 4))
    axes = list(axes) if panels > 1 else [axes]
    sizes = [r["n"] for r in refresh]
    for key, style, label in (
        ("seconds", "o-", "ours (model access keys)"),
        ("shaped_seconds", "^--", "shaped do-nothing"),
        ("floor_seconds", "s--", "do-nothing"),
    ):
        axes[0].plot(sizes, [statistics.median(r[key]) for r in refresh], style, label=label)
    axes[0].set(xscale="log", yscale="log", xlabel="N", ylabel="seconds", title="refresh")
    axes[0].legend(fontsize=8)
    ns = sorted(int(n) for n in lat)
    for ax, step in zip(axes[1:], latency.STEPS, strict=True):
        styles = ("o-", "s--", "x:", "d-.", "^-", "v--")
        for peer, style in zip(latency.PEERS, styles, strict=True):
            values = [lat[n if n in lat else str(n)][peer][step]["s"] for n in ns]
            label = {"ours": "dynamic", "floor": "dynamic floor"}.get(peer, peer)
            ax.plot(ns, values, style, label=label.replace("script", "pydo"))
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="N",
            title=f"{step} at {raw['latency_ms']} ms a call",
        )
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.minorticks_off()
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite results.md and the plot from results.json",
    )
    args = parser.parse_args(argv)
    sizes = [100, 1000] if args.quick else [100, 1000, 5000]
    latency_sizes = [20, 50] if args.quick else [50, 500]
    repeats = 2 if args.quick else 3

    if args.report_only:
        saved: dict[str, Any] = json.loads((HERE / "results.json").read_text())
        print(write_report(saved, HERE / "results.md"))
        plot(saved, HERE / "benchmarks.png")
        return 0
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    raw: dict[str, Any] = {"measured": measured, "latency_ms": args.latency_ms}
    raw |= {"sdk": version("pulumi"), "engine": engine_version()}
    with (
        tempfile.TemporaryDirectory(prefix="genai-bench-") as work,  # stacks of ~300 MB
        Emulator(allow_create=True, rate_limits=False) as emu,
    ):
        # The backend finds our plugin and the do-nothing one too.
        backend = latency.plugin_backend(Path(work))
        raw["imports"] = bench_imports(5)
        raw["models"] = bench_models(emu, 5)
        raw["up"] = bench_up(backend, emu, repeats)
        raw["refresh"] = bench_refresh(backend, emu, sizes, repeats)
        raw["latency"] = latency.bench_latency(backend, emu, latency_sizes, args.latency_ms)
    (HERE / "results.json").write_text(json.dumps(raw, indent=1) + "\n")
    text = write_report(raw, HERE / "results.md")
    plot(raw, HERE / "benchmarks.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
