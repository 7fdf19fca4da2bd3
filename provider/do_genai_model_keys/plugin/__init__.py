"""The provider plugin: the second door to the same core, for every Pulumi language.

`pulumi-resource-do-genai` (a console script of the wheel) serves Pulumi's gRPC resource
provider protocol through the SDK's `pulumi.provider.experimental` server. Its schema
(`schema.py`) is made from the declarations the dynamic resources use, and each call is
translated (`wire.py`) and handed to the same provider logic (`dynamic.resources`), so no key
rule, input check or message is written twice. An explicit provider instance is an account.
"""

from ..doors import PACKAGE

__all__ = ["PACKAGE"]
