"""Kept for programs written before the layout move: `from do_genai_model_keys.errors import
NotFoundError` still works. Every error class is also in `do_genai_model_keys` itself."""

from __future__ import annotations

from .api.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConnectionFailedError,
    CreationRetiredError,
    GenAIError,
    InvalidArgumentError,
    KeyLookupError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseLostError,
    SecretNotReadyError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    UnprocessableEntityError,
)

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectionFailedError",
    "CreationRetiredError",
    "GenAIError",
    "InvalidArgumentError",
    "KeyLookupError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseLostError",
    "SecretNotReadyError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
]
