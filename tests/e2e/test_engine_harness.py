"""The real Pulumi engine drives a trivial dynamic resource through its whole life."""

from __future__ import annotations

import base64

import pulumi
import pytest
from pulumi import automation as auto


def auto_outputs(stack: auto.Stack) -> auto.OutputMap:
    """The outputs as the SDK's own workspace reads them (two `stack output` runs)."""
    return auto.LocalWorkspace.stack_outputs(stack.workspace, stack.name)  # type: ignore[arg-type]


pytestmark = pytest.mark.e2e


def test_up_preview_refresh_destroy_with_the_real_engine(backend) -> None:
    from support.echo import Echo

    def program() -> None:
        echo = Echo("hello", message="hi there")
        pulumi.export("length", echo.length)
        pulumi.export("hidden", pulumi.Output.secret({"word": "sesame", "n": [1, 2]}))
        pulumi.export("mixed", {"open": "yes", "closed": pulumi.Output.secret("no")})

    stack = backend().stack("harness", "dev", program)

    up = stack.up()
    assert up.summary.result == "succeeded"
    assert up.outputs["length"].value == 8
    # The harness reads outputs from one export: values and secrecy as `stack output` has them.
    outputs = {k: (v.value, v.secret) for k, v in up.outputs.items()}
    assert outputs == {
        "length": (8, False),
        "hidden": ({"word": "sesame", "n": [1, 2]}, True),
        "mixed": ({"open": "yes", "closed": "no"}, False),  # as `stack output` marks it
    }
    assert outputs == {k: (v.value, v.secret) for k, v in auto_outputs(stack).items()}

    preview = stack.preview()
    assert preview.change_summary.get("same") == 2  # the stack and the echo
    assert set(preview.change_summary) == {"same"}

    refresh = stack.refresh()
    assert refresh.summary.result == "succeeded"

    state = stack.export_stack().deployment
    echoes = [r for r in state["resources"] if r["type"] == "pulumi-python:dynamic/test:Echo"]
    assert len(echoes) == 1
    assert echoes[0]["id"] == "echo-hi there"
    assert echoes[0]["outputs"]["length"] == 8
    # Pickled by reference: the provider names its module instead of carrying its code.
    pickled = base64.b64decode(echoes[0]["inputs"]["__provider"])
    assert b"support.echo" in pickled
    assert b"CreateResult" not in pickled

    destroy = stack.destroy()
    assert destroy.summary.result == "succeeded"
    remaining = stack.export_stack().deployment.get("resources") or []
    assert [r for r in remaining if r["type"] != "pulumi:pulumi:Stack"] == []
