"""Which resource of a run holds which key, known to every provider process of that run.

One `pulumi up` runs one provider process per provider: the default one and each explicit
`Provider`, of either door. A hold kept in one process's memory is invisible to the others, and
then a key moved under an explicit provider was deleted by the default provider's process (which
never heard of the adoption), and two providers adopted one key, each killing the other's secret.
So holds live in a folder of the run, which every provider process of the run finds the same
way: the engine that started them is their parent process, and its process ID with its start
time names the folder (`run_folder`). A hold is one file per key, made at once with its content
(written aside, then hard-linked into place, which fails when the file exists), so two processes
taking one key cannot both win. Folders of engines that are gone are removed by the next run.

Where no engine can be found (a provider served by hand, a system without `/proc`) the holds
stay in the process's memory, as they did before.

A holder is a resource's URN, which the engine names in every call. No secret is written: a hold
notes a SHA-256 digest of the secret its holder stored, to tell a resource's own state from the
state of a replacement that took the same key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..api.errors import KeyLookupError

_ADDRESS = re.compile(r"^[\w.\-\[\]:]+:\d+$")


@dataclass(frozen=True)
class Hold:
    holder: str
    """The holding resource's URN."""
    label: str
    """How messages name the holder: its resource name and its key's name."""
    digest: str = ""
    """The SHA-256 of the secret the holder stored ("" until it stored one)."""


class RunHolds:
    """The keys held in this run: in `folder` when the run has one, else in memory."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        self._memory: dict[str, Hold] = {}

    def hold(self, uuid: str, holder: str, label: str) -> None:
        """`holder` takes `uuid`; another holder of the same run taking it too is refused
        before anything is changed (each would regenerate the other's secret away)."""
        mine = Hold(holder, label)
        with self._lock:
            held = self._claim(uuid, mine)
        if held.holder != holder:
            raise KeyLookupError(
                f"the key {uuid} is already held in this run by {held.label}; {label} takes it "
                "too, and each would regenerate the other's secret away. Nothing was changed. "
                "Keep the key in one resource only (share that resource's outputs), or take "
                "another key"
            )

    def stored(self, uuid: str, holder: str, secret: str) -> None:
        """The holder of `uuid` stored `secret` in its resource's state."""
        with self._lock:
            held = self._read(uuid)
            if held is None or held.holder != holder:
                return
            self._write(uuid, Hold(held.holder, held.label, _digest(secret)))

    def taken_from(self, uuid: str, holder: str, secret: str) -> str | None:
        """The label of the resource of this run that holds `uuid` instead of `holder`, whose
        state holds `secret`; None when nobody else does (its own key, to delete)."""
        with self._lock:
            held = self._read(uuid)
        if held is None:
            return None
        if held.holder == holder and (not held.digest or held.digest == _digest(secret)):
            return None  # its own key, as it stored it
        return held.label

    def _claim(self, uuid: str, mine: Hold) -> Hold:
        if self._folder is None:
            return self._memory.setdefault(uuid, mine)
        if _link_new(self._folder / uuid, json.dumps(asdict(mine))):
            return mine
        return self._read(uuid) or Hold("?", "another resource of this run")

    def _read(self, uuid: str) -> Hold | None:
        if self._folder is None:
            return self._memory.get(uuid)
        try:
            return Hold(**json.loads((self._folder / uuid).read_text()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError):
            return Hold("?", "another resource of this run")  # unreadable: held all the same

    def _write(self, uuid: str, hold: Hold) -> None:
        if self._folder is None:
            self._memory[uuid] = hold
            return
        handle, temp = tempfile.mkstemp(dir=self._folder, prefix=".hold-")
        with os.fdopen(handle, "w") as out:
            out.write(json.dumps(asdict(hold)))
        os.replace(temp, self._folder / uuid)


def _link_new(path: Path, content: str) -> bool:
    """Write `path` with `content` at once, unless it exists (False then)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".hold-")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(content)
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest() if secret else ""


# --- the run's folder ----------------------------------------------------------------------


def holds_root() -> Path:
    return Path(tempfile.gettempdir()) / f"do-genai-holds-{os.getuid()}"


def run_folder(argv: list[str] | None = None, root: Path | None = None) -> Path | None:
    """The folder of the run this process serves, made if needed; None outside an engine.

    A provider process is started by the engine with the engine's address as its last
    argument; the engine is its parent, and its process ID and start time name the run."""
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or not _ADDRESS.match(argv[-1]):
        return None
    engine = os.getppid()
    started = _start_time(engine)
    if started is None:
        return None
    root = root or holds_root()
    folder = root / f"{engine}-{started}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        if root.stat().st_uid != os.getuid():
            return None  # someone else's folder: keep the holds in memory
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    _sweep(root, keep=folder.name)
    return folder


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks after boot), which a reused PID does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _sweep(root: Path, keep: str) -> None:
    """Remove the folders of engines that are gone (no run of theirs can read them again)."""
    with contextlib.suppress(OSError):
        for folder in root.iterdir():
            pid, _, started = folder.name.partition("-")
            if folder.name == keep or not pid.isdigit():
                continue
            if _start_time(int(pid)) != started:
                shutil.rmtree(folder, ignore_errors=True)


_holds: RunHolds | None = None
_holds_lock = threading.Lock()


def run_holds() -> RunHolds:
    """This process's view of its run's holds (one per process)."""
    global _holds
    with _holds_lock:
        if _holds is None:
            _holds = RunHolds(run_folder())
        return _holds


def forget_holds() -> None:
    """Start afresh (tests: each test is a run of its own)."""
    global _holds
    with _holds_lock:
        _holds = None
