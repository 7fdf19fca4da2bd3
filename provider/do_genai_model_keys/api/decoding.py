"""Turning one HTTP answer into data or an error, without any HTTP.

`decode_response` takes the status, headers and body and returns the JSON data, the headers
and the next page's URL, or raises the error `errors.error_for_status` picks. Keeping it
pure lets the tests cover every shape of answer (absent links, numbers sent as strings, HTML
error pages from a proxy) without a server.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UnexpectedResponseError, error_for_status


@dataclass(frozen=True)
class RateLimit:
    """What an answer's rate-limit headers decide, read in this one place: how long to wait
    before another attempt, and the pace the limit allows (None where the headers do not say).
    A refused answer carries both on its error (`APIStatusError.retry_after`,
    `.allowed_per_second`); the pacer acts on them."""

    wait: float | None = None
    per_second: float | None = None


@dataclass(frozen=True)
class Decoded:
    data: dict[str, Any]
    headers: Mapping[str, str]
    next_url: str | None


def decode_response(
    *,
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    sent: Sequence[str] = (),
) -> Decoded:
    """Decode a 2xx answer, or raise the `APIStatusError` subclass for its status.

    A 2xx whose body is not a JSON object (an HTML page, an array, garbage) is an
    `UnexpectedResponseError`, never an empty result: reading it as "nothing there" would make
    a listing look empty and a refresh forget every key. Only a 204, or a delete (whose answer
    we do not need), may come without a body. `sent`: the credentials the request carried,
    never repeated from an error's text."""
    data = _json_object(body)
    if (
        200 <= status < 300
        and data is None
        and not (not body and (status == 204 or method == "DELETE"))
    ):
        kind = headers.get("content-type") or "no content type"
        raise UnexpectedResponseError(
            method, path, f"the body is not a JSON object ({kind}, {len(body)} bytes)"
        )
    data = data or {}
    if not 200 <= status < 300:
        limit = rate_limit_of(headers, now=now)
        raise error_for_status(
            status=status,
            method=method,
            path=path,
            body=data,
            headers=headers,
            retry_after=limit.wait,
            allowed_per_second=limit.per_second,
            sent=sent,
        )
    return Decoded(data=data, headers=headers, next_url=next_page_url(data))


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else."""
    if not body:
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _int_or_none(text: str | None) -> int | None:
    """A header's whole number; None when absent or not a finite number (`inf`, `1e999`)."""
    try:
        number = float(text) if text not in (None, "") else math.nan
    except (ValueError, TypeError):
        return None
    return int(number) if math.isfinite(number) else None


def rate_limit_of(headers: Mapping[str, str], *, now: float | None = None) -> RateLimit:
    """The wait and the pace one answer's headers ask for; odd figures read as not said."""
    return RateLimit(wait=retry_after_seconds(headers, now=now), per_second=_per_second(headers))


def _per_second(headers: Mapping[str, str]) -> float | None:
    """The pace the inference API's limit allows (`x-ratelimit-limit-requests`, a minute's
    requests); the control API does not say (its documented 250 a minute is the pacer's)."""
    try:
        per_minute = float(headers.get("x-ratelimit-limit-requests", ""))
    except ValueError:
        return None
    return per_minute / 60 if math.isfinite(per_minute) else None


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after` (seconds or an HTTP date), else `ratelimit-reset` (the
    control API), else the inference API's `x-ratelimit-reset-*`."""
    now = time.time() if now is None else now
    value = (headers.get("retry-after") or "").strip()
    if value:
        seconds: float | None
        try:
            seconds = float(value)
        except ValueError:
            seconds = _seconds_until(value, now)
        if seconds is not None and math.isfinite(seconds):
            return max(0.0, seconds)
    reset = _int_or_none(headers.get("ratelimit-reset"))
    remaining = _int_or_none(headers.get("ratelimit-remaining"))
    if reset is not None and remaining == 0:
        return max(0.0, reset - now)
    return _inference_reset_seconds(headers, now)


INFERENCE_BUCKETS = ("requests", "tokens-per-minute", "tokens-per-day")
"""The inference API's quota buckets, each with `x-ratelimit-{limit,remaining,reset}-<bucket>`."""


def _inference_reset_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until every spent inference bucket has room again: each `x-ratelimit-reset-*`
    is a Unix time, or 0 while that bucket has room (DigitalOcean's quota headers)."""
    resets = [_int_or_none(headers.get(f"x-ratelimit-reset-{b}")) for b in INFERENCE_BUCKETS]
    pending = [reset for reset in resets if reset]
    return max(0.0, max(pending) - now) if pending else None


def _seconds_until(http_date: str, now: float) -> float | None:
    """Seconds from now until an HTTP date; None for anything that is not one."""
    try:
        parsed = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp() - now


def next_page_url(data: Mapping[str, Any]) -> str | None:
    """The next page's URL from `links.pages.next`, else from `meta.page`/`meta.pages`.

    `meta` numbers may come as strings. The meta fallback returns only a page number marker
    (`?page=N`) that the caller resolves against the request it made.
    """
    links = data.get("links")
    pages = links.get("pages") if isinstance(links, dict) else None
    if isinstance(pages, dict) and isinstance(pages.get("next"), str) and pages["next"]:
        return str(pages["next"])
    meta = data.get("meta")
    if isinstance(meta, dict):
        page = _int_or_none(str(meta.get("page", "")))
        total_pages = _int_or_none(str(meta.get("pages", "")))
        if page is not None and total_pages is not None and page < total_pages:
            return f"?page={page + 1}"
    return None
