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
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

T = TypeVar("T")

_in_use: dict[int, httpcore.NetworkStream] = {}
"""The stream each thread last read or wrote, by thread id (dict updates are atomic)."""
_expired: set[int] = set()
"""Threads whose request's deadline passed: their next connect, read or write fails at once
(a deadline that passes while a request waits for its connection has no socket to close)."""


class _Expired(OSError):
    """The deadline passed before this read, write or connect."""


def _check_in() -> None:
    if threading.get_ident() in _expired:
        raise _Expired("the request's deadline passed")


class _NotedStream(httpcore.NetworkStream):
    """A stream that notes itself as its thread's current one on each read and write."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def _note(self) -> None:
        _check_in()
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
        _check_in()
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _NotedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - no unix sockets are configured
        return _NotedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - used only by httpcore retries
        self._backend.sleep(seconds)


def abortable_transport(
    ssl_context: ssl.SSLContext, limits: httpx.Limits, proxy: str | None = None
) -> httpx.HTTPTransport:
    """An httpx transport whose requests `within_deadline` can stop by closing their socket,
    through `proxy` (an http:// or https:// proxy URL) when one is given."""
    transport = httpx.HTTPTransport(verify=ssl_context, limits=limits)
    backend = _NotingBackend()
    # httpx takes no network backend, so its pool is rebuilt with ours, as httpx builds it.
    if proxy is None:
        transport._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
    else:
        url = httpx.URL(proxy)
        auth = (url.username, url.password) if url.username else None
        transport._pool = httpcore.HTTPProxy(
            proxy_url=str(url.copy_with(username=None, password=None)),
            proxy_auth=auth,
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
    return transport


def proxy_for(url: str) -> str | None:
    """The HTTP proxy the environment names for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
    with NO_PROXY), as httpx would use it: None when there is none, or it is not an http(s)
    proxy (those go through httpx's own transport)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


class DeadlinePassed(Exception):
    """The request's deadline passed before its answer was complete."""


class Watch:
    """What `within_deadline` hands its work: whether the deadline passed, and `done`, to say
    that the answer is read whole (so the deadline can no longer touch the connection, which
    goes back to the pool for another thread's request)."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._finished = False
        self._thread = threading.get_ident()

    def is_set(self) -> bool:
        return self._cancelled.is_set()

    def done(self) -> None:
        with self._lock:
            self._finished = True
            _in_use.pop(self._thread, None)

    def expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._cancelled.set()
            _expired.add(self._thread)
            stream = _in_use.pop(self._thread, None)
        if isinstance(stream, _NotedStream):
            stream.abort()

    def end(self) -> None:
        self.done()
        _expired.discard(self._thread)


def within_deadline(seconds: float, work: Callable[[Watch], T]) -> T:
    """Run `work` on this thread; when `seconds` pass first, close the socket it is using (or
    fail its next connect, read or write) and raise `DeadlinePassed`."""
    watch = Watch()
    timer = threading.Timer(seconds, watch.expire)
    timer.daemon = True
    timer.name = "do-genai-deadline"
    timer.start()
    try:
        return work(watch)
    except Exception:
        if watch.is_set():
            raise DeadlinePassed from None
        raise
    finally:
        timer.cancel()
        timer.join()
        watch.end()
