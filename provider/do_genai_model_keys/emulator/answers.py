"""What the emulator's routes return: an answer, or an error in DigitalOcean's shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None


class ApiError(Exception):
    """Raised by a route to answer an error in DigitalOcean's shape."""

    def __init__(self, status: int, error_id: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}
