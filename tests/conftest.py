"""Shared fixtures: the real Pulumi engine, the emulator and stacks on a temporary file backend.

End-to-end tests are never skipped for lack of an engine: a missing engine fails them with the
command that installs it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from do_genai_model_keys import GenAIClient
from do_genai_model_keys.emulator import Emulator
from support.emulators import emulator_client
from support.leaks import TEST_OUTPUT, append_record, remember_emulator_secrets

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's DigitalOcean settings."""
    for name in list(os.environ):
        if name.startswith("DIGITALOCEAN_") or name == "DO_GENAI_NOW":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_runtime_left_behind() -> Iterator[None]:
    """Each test starts without the provider runtime an earlier test of its worker configured.

    A test that configures a provider (either door's) makes the process's runtime ask DigitalOcean
    what `up` would meet at every check; a later test of the same worker that calls a provider's
    `check` by hand would then send requests to whatever endpoint that runtime had, DigitalOcean's
    own included (it happened once, in a run whose order put the two together)."""
    yield
    from do_genai_model_keys.lifecycle.runtime import reset_runtime

    reset_runtime()


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


@pytest.fixture
def client(emulator: Emulator) -> Iterator[GenAIClient]:
    with emulator_client(emulator) as c:
        yield c


@pytest.fixture
def backend(tmp_path: Path, engine_bin: Path) -> Callable[..., object]:
    """Make a `LocalBackend` on a temporary directory, with extra engine environment."""
    from support.backend import LocalBackend

    def make(**env: str) -> LocalBackend:
        support = str(ROOT / "tests")
        extra = {"PYTHONPATH": os.pathsep.join([support, os.environ.get("PYTHONPATH", "")]), **env}
        return LocalBackend(root=tmp_path / "pulumi", engine_bin=engine_bin, env=extra)

    return make


@pytest.fixture(scope="session", autouse=True)
def _record_emulator_secrets() -> Iterator[None]:
    original = Emulator.stop

    def stop(self: Emulator) -> None:
        remember_emulator_secrets(self)
        original(self)

    Emulator.stop = stop  # type: ignore[method-assign]
    yield
    Emulator.stop = original  # type: ignore[method-assign]


HEAVY_MARKS = ("soak", "install", "e2e")
"""The marks of the tests that run the engine, longest first: they start before the quick ones,
so that no long test begins near the end while another worker has nothing left to take
(scripts/test.sh hands each worker one test at a time)."""


def _run_order(item: pytest.Item) -> tuple[bool, int]:
    heavy = [n for n, mark in enumerate(HEAVY_MARKS) if item.get_closest_marker(mark)]
    return item.path.name == "test_zz_leak_scan.py", min(heavy, default=len(HEAVY_MARKS))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The leak scan looks at what every other test left behind, so it runs last; the engine's
    tests run first. Within each group the order stays the one pytest-randomly chose."""
    items.sort(key=_run_order)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    text = "\n".join([report.longreprtext, report.capstdout, report.capstderr, report.caplog])
    TEST_OUTPUT.append((report.nodeid, text))
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # workers' reports reach the controller
        append_record("output", [report.nodeid, text])


# --- the provider plugin's tools (tests/plugin) -------------------------------------------


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-plugin-tools.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"the plugin's tools could not be built:\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The TypeScript test's packages (tests/plugin/nodejs, locked), installed once per lock
    outside the repository, as the engine is cached."""
    source = ROOT / "tests" / "plugin" / "nodejs"
    lock = (source / "package-lock.json").read_bytes()
    cache = Path(
        os.environ.get("PULUMI_ENGINE_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "do-genai-pulumi-engine"
    )
    home = cache / f"node-{hashlib.sha256(lock).hexdigest()[:12]}"
    if not (home / "node_modules" / ".package-lock.json").exists():
        work = Path(f"{home}.partial-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for name in ("package.json", "package-lock.json", ".npmrc"):
            shutil.copy2(source / name, work / name)
        done = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci of tests/plugin/nodejs failed:\n{done.stderr[-3000:]}")
        try:
            work.rename(home)
        except OSError:  # another worker finished first
            shutil.rmtree(work, ignore_errors=True)
    return home / "node_modules"
