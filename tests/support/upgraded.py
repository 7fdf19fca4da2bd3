"""A stand-in for a newer release of the package: same provider, different pickled form.

The pickled reference names this class instead of
`do_genai_model_keys.resources.ModelAccessKeyProvider`,
so the `__provider` bytes change as a new release's would. It carries no instance state: the
Pulumi SDK's `serialize_provider` wraps `pickle._Pickler._batch_setitems` once more on every
call and never unwraps it, so after about a thousand providers serialized in one process,
pickling any dict (such as an instance's state) exceeds the recursion limit.
"""

from __future__ import annotations

from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider


class UpgradedModelAccessKeyProvider(ModelAccessKeyProvider):
    pass
