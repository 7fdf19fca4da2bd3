"""A stand-in for a newer release of the package: same provider, different pickled form."""

from __future__ import annotations

from provider.resources import ModelAccessKeyProvider


class UpgradedModelAccessKeyProvider(ModelAccessKeyProvider):
    def __init__(self) -> None:
        super().__init__()
        self.release = "99.0.0"  # changes the pickled bytes, as a new version's would
