"""`python -m do_genai_model_keys.emulator`: run the emulator until Ctrl-C.

Prints `listening on http://HOST:PORT` as its first line (tests and scripts read it to learn a
port chosen with `--port 0`), then, when it made one, the demo token, then the fault seed
(`--seed N` replays a run's probabilistic faults).

It stops cleanly on SIGINT and SIGTERM. Both handlers are installed explicitly: a process started
in the background by a non-interactive shell inherits SIGINT as *ignored*, and Python then
installs no KeyboardInterrupt handler of its own, so Ctrl-C from a script would do nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from ..api.contract import CONTROL_PER_HOUR, CONTROL_PER_MINUTE, CREATE_RETIRED_ON
from . import demo_token, parse_token_spec
from .server import EmulatorHTTPServer
from .state import EmulatorState


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m do_genai_model_keys.emulator",
        description="A local emulator of DigitalOcean's GenAI model-key and inference API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN[=SCOPES]",
        help="accept TOKEN with every genai scope, or just SCOPES (comma-separated); repeatable. "
        "It shows in `ps`: prefer --token-file or the environment variable "
        f"{TOKENS_ENV} (specs separated by spaces or lines)",
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help="read TOKEN[=SCOPES] specs from PATH, one a line (blank lines and # comments skipped)",
    )
    parser.add_argument("--state-file", type=Path, help="keep keys in this JSON file across runs")
    parser.add_argument(
        "--allow-create",
        action="store_true",
        help=f"let POST api_keys create keys, as before {CREATE_RETIRED_ON} (default: 410, like "
        "the API)",
    )
    parser.add_argument(
        "--rate-limit-per-minute",
        type=int,
        default=CONTROL_PER_MINUTE,
        metavar="N",
        help=f"control API: 429 beyond N requests a minute per token (default {CONTROL_PER_MINUTE}"
        f", DigitalOcean's; {CONTROL_PER_HOUR} an hour also applies)",
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="never answer 429 for rate (benchmarks); the headers still count",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed for probabilistic faults (default: random)"
    )
    parser.add_argument(
        "--secret-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a new secret (create, regenerate) works only this many seconds later (default 0)",
    )
    parser.add_argument("--verbose", action="store_true", help="log each request line")
    args = parser.parse_args(argv)

    try:
        specs = [*args.token, *_specs_from_file(args.token_file), *_specs_from_environment()]
        tokens = dict(parse_token_spec(spec) for spec in specs)
    except (OSError, ValueError) as error:
        parser.error(f"tokens: {error}")
    made_token = None
    if not tokens:
        made_token = demo_token()
        tokens = dict([parse_token_spec(made_token)])

    state = EmulatorState(
        tokens=tokens,
        retire_create=not args.allow_create,
        per_minute_limit=None if args.no_rate_limits else args.rate_limit_per_minute,
        per_hour_limit=None if args.no_rate_limits else CONTROL_PER_HOUR,
        inference_limits=not args.no_rate_limits,
        state_file=args.state_file,
        seed=args.seed,
        secret_delay=max(0.0, args.secret_delay),
    )
    server = EmulatorHTTPServer((args.host, args.port), state, verbose=args.verbose)

    def stop(_signum: int, _frame: object) -> None:
        # shutdown() waits for serve_forever() to return, so it must run on another thread than
        # the one serving. Raising from the handler instead is not safe: socketserver catches
        # exceptions raised while it dispatches a request and would carry on serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    # Installed before the first line is printed: whoever reads it may signal at once.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    host, port = server.server_address[:2]
    print(f"listening on http://{host!s}:{port}", flush=True)
    if made_token:
        print(f"demo token: {made_token}", flush=True)
    print(f"fault seed: {state.seed}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


TOKENS_ENV = "DO_GENAI_EMULATOR_TOKENS"


def _specs_from_file(path: Path | None) -> list[str]:
    """Token specs from a file, one a line: a token never shows in `ps` that way."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise OSError(f"--token-file {path}: {error.strerror or error}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _specs_from_environment() -> list[str]:
    return os.environ.get(TOKENS_ENV, "").split()


if __name__ == "__main__":
    sys.exit(main())
