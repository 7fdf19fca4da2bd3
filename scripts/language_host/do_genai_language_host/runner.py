"""Run one Pulumi Python program against the engine, in the project's interpreter.

Started by the language host as `<python> -u runner.py --monitor M --engine E --project P
--stack S --root R --pwd D --dry-run true|false --parallel N [--organization O] PROGRAM`, with
the stack config in `PULUMI_CONFIG` (a JSON object) and the secret keys in
`PULUMI_CONFIG_SECRET_KEYS` (a JSON list). PROGRAM is a file or a directory with `__main__.py`.

Exit codes: 0 when the program finished; 32 when it failed and its error was already reported to
the engine (so the engine shows it once, without a second message); anything else means the
runner itself could not start the program, and what it printed explains why.

Only the standard library and the `pulumi` SDK are imported here: this file runs in whatever
virtualenv the project names, which need not contain this package.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import runpy
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPORTED = 32
"""The engine's convention: the program failed and has already reported why."""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="runner.py")
    for flag in ("monitor", "engine", "project", "stack", "root", "pwd", "organization"):
        parser.add_argument(f"--{flag}", default="")
    parser.add_argument("--dry-run", default="false")
    parser.add_argument("--parallel", type=int, default=0)
    parser.add_argument("program")
    return parser.parse_args(argv)


def configure_sdk(args: argparse.Namespace) -> None:
    """Point the SDK at the engine and hand it the stack config, as a Pulumi program expects."""
    from pulumi.runtime import set_all_config
    from pulumi.runtime.settings import Settings, configure

    wanted: dict[str, Any] = {
        "project": args.project,
        "stack": args.stack,
        "monitor": args.monitor,
        "engine": args.engine,
        "parallel": args.parallel,
        "dry_run": args.dry_run == "true",
        "organization": args.organization or None,
        "root_directory": args.root or None,  # only newer SDKs take it
    }
    accepted = inspect.signature(Settings).parameters
    configure(Settings(**{k: v for k, v in wanted.items() if k in accepted}))
    config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    secret_keys = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    set_all_config(config, secret_keys or None)


def user_traceback(error: BaseException, program: Path) -> str:
    """The error with only the frames of the user's own files (not runpy's, ours or the SDK's)."""
    installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(installed)  # the venv's packages and the stdlib
        and frame.filename != __file__
        and "runpy" not in frame.filename
    ]
    lines = traceback.format_list(frames) if frames else []
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    where = "".join(lines).rstrip()
    return f"{text}\n{where}" if where else f"{text} (in {program})"


def run(args: argparse.Namespace) -> int:
    import grpc
    from pulumi import log
    from pulumi.errors import RunError
    from pulumi.runtime import run_in_stack

    program = Path(args.program)
    if not program.is_absolute():
        program = Path(args.pwd or ".") / program
    if not program.exists():
        print(f"the program {program} does not exist: check `main` in Pulumi.yaml", file=sys.stderr)
        return 1
    sys.path.insert(0, str(program if program.is_dir() else program.parent))
    configure_sdk(args)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=max(args.parallel, 1) * 4))

    def program_body() -> None:
        runpy.run_path(str(program), run_name="__main__")

    try:
        loop.run_until_complete(run_in_stack(program_body))
    except RunError as error:
        log.error(str(error))
        return REPORTED
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.UNAVAILABLE:
            return 0  # the engine is shutting down after an error it reports itself
        log.error(f"lost the connection to the Pulumi engine: {error.details()}")
        return REPORTED
    except Exception as error:  # any program error is reported, once
        log.error(f"the program failed: {user_traceback(error, program)}")
        return REPORTED
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def exit_with_parent(status: int, before: Callable[[], None] = lambda: None) -> None:
    """End this process (after `before`) as soon as the one that started it is gone: a killed
    engine must leave no host, program or provider of ours acting on its own."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        before()
        os._exit(status)

    if parent > 1:
        threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def stop_quietly(_signum: int, _frame: object) -> None:
    """The engine cancels the program (Ctrl-C, or after a resource error it already reported):
    stop at once, without a KeyboardInterrupt traceback on the user's screen."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(REPORTED)


def forget_own_folder() -> None:
    """Started as a script, the runner has its own folder first on `sys.path`, where the host's
    modules live: a program's `import server` would load ours. The program sees only its own
    folder (added in `run`) and its interpreter's packages."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]


def main(argv: list[str]) -> int:
    exit_with_parent(REPORTED)
    forget_own_folder()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_quietly)
    args = parse(argv)
    if args.pwd:
        os.chdir(args.pwd)
    return run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
