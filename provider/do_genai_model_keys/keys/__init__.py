"""The key rules (internal): what a model access key means, above the API client.

`store.KeyStore` (adopt, create exactly once, rename, regenerate, find, delete), the shared
listing per account (`listing`), the create ledger (`creates`) and the live-secret checks
(`secret_checks`). Imports nothing of Pulumi.
"""

from .store import KeyStore

__all__ = ["KeyStore"]
