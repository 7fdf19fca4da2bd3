"""Entry point for `pulumi up` in this folder (needs pulumi-language-python)."""

from program import program  # type: ignore[import-not-found]  # the program's own folder

program()
