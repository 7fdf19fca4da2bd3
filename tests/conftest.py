"""Shared fixtures: the real Pulumi engine, the emulator and stacks on a temporary file backend.

End-to-end tests are never skipped for lack of an engine: a missing engine fails them with the
command that installs it.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.api.config import ClientSettings
from do_genai_model_keys.emulator import Emulator
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's DigitalOcean settings."""
    for name in list(os.environ):
        if name.startswith("DIGITALOCEAN_") or name == "DO_GENAI_NOW":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _unwrap_pulumi_pickler() -> Iterator[None]:
    """Undo the Pulumi SDK's pickler patch after each test.

    `pulumi.dynamic`'s `serialize_provider` wraps `pickle._Pickler._batch_setitems` in a sorting
    wrapper on every call and never restores it; inline programs serialize providers in this
    process, so over a whole run the wrappers nest about a thousand deep and the next dict
    pickled exceeds the recursion limit (which test meets it depends on the test order)."""
    original = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    yield
    pickle._Pickler._batch_setitems = original  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    """The directory of the Pulumi CLI built or found by scripts/install-pulumi.sh."""
    script = ROOT / "scripts" / "install-pulumi.sh"
    done = subprocess.run(
        ["bash", str(script), sys.executable], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            "the Pulumi engine is missing and could not be installed; run "
            f"`bash scripts/install-pulumi.sh` and read its output:\n{done.stderr[-3000:]}"
        )
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator that still allows creating keys through the API, for the create path."""
    with Emulator(allow_create=True) as emu:
        yield emu


def emulator_client(emu: Emulator, **overrides: object) -> GenAIClient:
    """A client for `emu` that records waits instead of sleeping."""
    settings = ClientSettings(
        token=SecretStr(emu.token),
        api_endpoint=emu.url,
        inference_endpoint=emu.url,
        **overrides,  # type: ignore[arg-type]
    )
    return GenAIClient(settings=settings, sleep=lambda _seconds: None)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[GenAIClient]:
    with emulator_client(emulator) as c:
        yield c


HTTP = httpx.Client(timeout=30)
"""One connection pool for the tests' own calls to emulators: a one-off `httpx.get` builds a
TLS context each time (~45 ms), a pooled call costs about 1 ms."""
atexit.register(HTTP.close)


def control(emu: Emulator, method: str, path: str, body: object | None = None) -> dict:
    """Call the emulator's control API."""
    response = HTTP.request(method, f"{emu.url}/_emulator/{path}", json=body or {})
    response.raise_for_status()
    return response.json()


def api_requests(emu: Emulator, key: str) -> int:
    return int(control(emu, "GET", "stats")["requests"].get(key, 0))


@pytest.fixture
def backend(tmp_path: Path, engine_bin: Path) -> Callable[..., object]:
    """Make a `LocalBackend` on a temporary directory, with extra engine environment."""
    from support.backend import LocalBackend

    def make(**env: str) -> LocalBackend:
        support = str(ROOT / "tests")
        extra = {"PYTHONPATH": os.pathsep.join([support, os.environ.get("PYTHONPATH", "")]), **env}
        return LocalBackend(root=tmp_path / "pulumi", engine_bin=engine_bin, env=extra)

    return make


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- material for the leak scan (tests/test_zz_leak_scan.py) ---------------------------------

LEAK_MATERIAL: set[str] = set()
"""Every token and model-key secret any emulator of this session knew (16+ characters)."""
TEST_OUTPUT: list[tuple[str, str]] = []
"""Each test's captured output and failure text, by test id."""
LEAK_DIR_ENV = "DO_GENAI_LEAK_DIR"
"""Where every test process also writes that material (`scripts/test.sh` sets it): the suite
runs on parallel workers, and the leak scan runs afterwards, in a process of its own."""


def _leak_file(kind: str) -> Path | None:
    folder = os.environ.get(LEAK_DIR_ENV)
    if not folder:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(folder) / kind / f"{worker}-{os.getpid()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _append(kind: str, record: object) -> None:
    path = _leak_file(kind)
    if path is not None:
        with path.open("a") as out:
            out.write(json.dumps(record) + "\n")


def remember_emulator_secrets(emu: Emulator) -> None:
    state = emu.state
    material = {*state.tokens, *state.retired_secrets, *(k.secret for k in state.keys.values())}
    kept = sorted(m for m in material if len(m) >= 16)
    LEAK_MATERIAL.update(kept)
    _append("material", kept)


@pytest.fixture(scope="session", autouse=True)
def _record_emulator_secrets() -> Iterator[None]:
    original = Emulator.stop

    def stop(self: Emulator) -> None:
        remember_emulator_secrets(self)
        original(self)

    Emulator.stop = stop  # type: ignore[method-assign]
    yield
    Emulator.stop = original  # type: ignore[method-assign]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The leak scan looks at what every other test left behind, so it runs last, whatever
    order pytest-randomly chose for the rest."""
    items.sort(key=lambda item: item.path.name == "test_zz_leak_scan.py")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    text = "\n".join([report.longreprtext, report.capstdout, report.capstderr, report.caplog])
    TEST_OUTPUT.append((report.nodeid, text))
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # workers' reports reach the controller
        _append("output", [report.nodeid, text])
