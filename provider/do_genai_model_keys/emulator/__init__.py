"""A local emulator of DigitalOcean's GenAI model-key API, a real HTTP server.

`python -m do_genai_model_keys.emulator` runs it from a shell; `Emulator` runs it on a thread
inside a test or a demo. Both serve the control plane (`/v2/gen-ai/...`), the inference paths
(`/v1/...`) and the control API (`/_emulator/...`) on one port.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import Any

from ..api.contract import ALL_SCOPES, CONTROL_PER_HOUR, CONTROL_PER_MINUTE
from .server import EmulatorHTTPServer
from .state import EmulatorState

__all__ = ["ALL_SCOPES", "Emulator", "EmulatorState", "parse_token_spec"]

log = logging.getLogger("do_genai_model_keys.emulator")


def parse_token_spec(spec: str) -> tuple[str, frozenset[str]]:
    """`TOKEN` (every genai scope) or `TOKEN=genai:read,genai:update` (just those)."""
    token, _, scopes = spec.partition("=")
    if not token:
        raise ValueError("a token spec needs a token before '='")
    if not scopes:
        return token, ALL_SCOPES
    chosen = frozenset(s.strip() for s in scopes.split(",") if s.strip())
    unknown = chosen - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}; known: {sorted(ALL_SCOPES)}")
    return token, chosen


def demo_token() -> str:
    return "emu-demo-" + secrets.token_hex(16)


class Emulator:
    """The emulator on a background thread: `with Emulator() as emu: emu.url, emu.token`.

    Like DigitalOcean today, it answers 410 to every key create; `allow_create=True` brings the
    create back (as older accounts had it). Rate limits are DigitalOcean's (see `limits.py`):
    `rate_limits=False` turns them off (benchmarks), `per_minute_limit` changes the control
    API's minute, and `rate_scale` shortens every window alike (a test meets a limit's end in
    seconds). `secret_delay` makes a new secret (a create's or a regenerate's) work only that
    many seconds later, as an inference edge still learning it would. Keys "made in the control
    panel" come from
    `emu.state.create_key(name)` or `POST /_emulator/keys`.

    On exit it raises if any request handler failed, so a bug in the emulator fails the test
    that met it instead of hiding in a log. Probabilistic faults draw from `seed`, a fresh one
    unless given (`state.seed`, logged at start and shown in `/_emulator/stats`); pass the
    same seed to replay a run's faults.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tokens: dict[str, frozenset[str]] | None = None,
        allow_create: bool = False,
        rate_limits: bool = True,
        per_minute_limit: int | None = CONTROL_PER_MINUTE,
        rate_scale: float = 1.0,
        state_file: Path | None = None,
        seed: int | None = None,
        verbose: bool = False,
        clock: Any = None,
        secret_delay: float = 0.0,
    ) -> None:
        if not tokens:
            tokens = {demo_token(): ALL_SCOPES}
        extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
        self.state = EmulatorState(
            tokens=tokens,
            retire_create=not allow_create,
            per_minute_limit=per_minute_limit if rate_limits else None,
            per_hour_limit=CONTROL_PER_HOUR if rate_limits else None,
            inference_limits=rate_limits,
            rate_scale=rate_scale,
            state_file=state_file,
            seed=seed,
            secret_delay=secret_delay,
            **extra,
        )
        self._server = EmulatorHTTPServer((host, port), self.state, verbose=verbose)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token(self) -> str:
        """The first token, which has every scope unless the caller said otherwise."""
        return next(iter(self.state.tokens))

    def start(self) -> Emulator:
        log.info("emulator at %s, fault seed %d", self.url, self.state.seed)
        # A short poll interval makes stop() quick (the default would add half a second).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="genai-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.state.handler_errors:
            raise RuntimeError(
                "the emulator's handlers failed:\n" + "\n".join(self.state.handler_errors)
            )

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
