"""Requests that end when their deadline says, leaving no thread or socket behind.

httpx's timeouts are per read, so a server that sends a byte just inside each one holds a
request for ever. The deadline of one request is enforced here instead: the request runs on the
caller's own thread, and a timer closes the very socket it is reading when the deadline passes,
so the read returns at once, the connection leaves the pool, and nothing is left running.
(Running the request on a helper thread and walking away, as before, left one thread and one
pooled socket per timed-out request: after about a hundred the pool was spent.)

To know which socket a thread is using, the pool's network backend is wrapped: every stream
notes itself as the current one of the thread that reads or writes it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpcore
import httpx

T = TypeVar("T")

_in_use: dict[int, httpcore.NetworkStream] = {}
"""The stream each thread last read or wrote, by thread id (dict updates are atomic)."""


class _NotedStream(httpcore.NetworkStream):
    """A stream that notes itself as its thread's current one on each read and write."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def _note(self) -> None:
        _in_use[threading.get_ident()] = self

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._note()
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._note()
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._note()
        return _NotedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)

    def abort(self) -> None:
        """Shut the socket down under whoever is reading it: the read returns at once."""
        sock = self._stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            # The plain socket's shutdown, under TLS too: no TLS goodbye to a stuck peer. One
            # already closed has nothing left to stop.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _NotingBackend(httpcore.NetworkBackend):
    """The default network backend, with streams that note their thread."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _NotedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - no unix sockets are configured
        return _NotedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - used only by httpcore retries
        self._backend.sleep(seconds)


def abortable_transport(ssl_context: ssl.SSLContext, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose requests `within_deadline` can stop by closing their socket."""
    transport = httpx.HTTPTransport(verify=ssl_context, limits=limits)
    # httpx takes no network backend, so its pool is rebuilt with ours, as httpx builds it.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_NotingBackend(),
    )
    return transport


class DeadlinePassed(Exception):
    """The request's deadline passed before its answer was complete."""


def within_deadline(seconds: float, work: Callable[[threading.Event], T]) -> T:
    """Run `work` on this thread; when `seconds` pass first, close the socket it is using and
    raise `DeadlinePassed`. `work` receives an event set at the deadline, to stop between reads
    of an answer that keeps arriving."""
    me = threading.get_ident()
    cancelled = threading.Event()
    lock = threading.Lock()
    finished = False

    def expire() -> None:
        with lock:
            if finished:
                return
            cancelled.set()
            stream = _in_use.get(me)
        if isinstance(stream, _NotedStream):
            stream.abort()

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.name = "do-genai-deadline"
    timer.start()
    try:
        result = work(cancelled)
    except Exception:
        if cancelled.is_set():
            raise DeadlinePassed from None
        raise
    finally:
        with lock:
            finished = True
        timer.cancel()
        timer.join()
        _in_use.pop(me, None)
    return result  # complete, even if the deadline passed just after: it still counts
