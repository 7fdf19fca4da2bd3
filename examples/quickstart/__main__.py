"""Entry point for `pulumi up` of the root Pulumi.yaml (needs pulumi-language-python)."""

from program import program  # type: ignore[import-not-found]  # the program's own folder

program()
