"""A provider process ends as soon as the engine that started it is gone.

When `pulumi up` is killed (SIGKILL, a CI job cancelled, a laptop lid), the engine cannot stop
the dynamic provider it started: the process is re-parented and goes on with the calls it was
serving, and with whatever the engine had already queued. One such process deleted two keys
that `recover` had just written into the state. So the provider process notes its parent when
`configure` runs, and:
- a watcher thread ends the process within `POLL_SECONDS` of the parent's death;
- every request checks first (`ensure_attached`), so none is sent after it.

Nothing is installed outside a provider process (a program, a script using `GenAIClient`):
`ensure_attached` is then a no-op.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

POLL_SECONDS = 0.2
ORPHANED_EXIT = 70
"""The exit status of a process that outlived its engine (EX_SOFTWARE)."""

_parent: int | None = None
_lock = threading.Lock()


def install(poll: float = POLL_SECONDS) -> bool:
    """Watch the parent of this process from now on; True when watching (now or before)."""
    global _parent
    with _lock:
        if _parent is not None:
            return True
        parent = os.getppid()
        if parent <= 1:  # already an orphan, or started by init: there is no engine to watch
            return False
        _parent = parent
    threading.Thread(
        target=_watch, args=(parent, poll), name="do-genai-lifeline", daemon=True
    ).start()
    return True


def ensure_attached() -> None:
    """End this process at once when the engine that started it is gone."""
    if _parent is not None and os.getppid() != _parent:
        _leave()


def _watch(parent: int, poll: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll)
    _leave()


def _leave() -> None:
    # The engine read our standard error: with it gone, the write fails (a broken pipe), and
    # nothing may stand between this process and its end.
    with contextlib.suppress(Exception):
        print(
            "do-genai-model-keys: the Pulumi engine that started this provider is gone; "
            "stopping without another request",
            file=sys.stderr,
            flush=True,
        )
    os._exit(ORPHANED_EXIT)
