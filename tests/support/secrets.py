"""Comparing secrets in tests without ever printing one.

pytest explains a failed `assert a == b` or `assert s not in text` by printing both sides, so a
failing test would show the secret (and the leak scan would rightly flag its output). These
helpers are not rewritten by pytest: they fail with a message that names what was compared and
shows short digests only, and they hide their own frames (`__tracebackhide__`), whose arguments
pytest would otherwise print."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    """A short fingerprint that tells secrets apart without revealing them."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


def same_secret(actual: str, expected: str, what: str) -> None:
    __tracebackhide__ = True  # pytest would show the arguments: the secrets
    if actual != expected:
        raise AssertionError(f"{what}: {digest(actual)} is not {digest(expected)}")


def different_secrets(first: str, second: str, what: str) -> None:
    __tracebackhide__ = True  # pytest would show the arguments: the secrets
    if first == second:
        raise AssertionError(f"{what}: both are {digest(first)}")


def secret_absent(secret: str, text: str, where: str) -> None:
    __tracebackhide__ = True  # pytest would show the arguments: the secrets
    if secret and secret in text:
        raise AssertionError(f"the secret {digest(secret)} appears in {where}")


def expect(actual: object, expected: object, what: str) -> None:
    """`actual == expected` for a value computed from a secret (a status, a verdict): on failure
    the message shows the two values and `what`, never the secret the call was given."""
    __tracebackhide__ = True
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")
