"""Settling pending creates against the server's keys (pure), and not while the killed run
still has a process acting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.api.models import ApiKeyInfo
from do_genai_model_keys.commands.recovery import settle
from do_genai_model_keys.dynamic import KEY_TYPE


def pending(urn: str, name: str) -> dict:
    return {
        "type": "creating",
        "resource": {
            "urn": urn,
            "type": KEY_TYPE,
            "custom": True,
            "inputs": {"name": name, "secret_version": 1},
        },
    }


def test_each_pending_create_is_adopted_dropped_or_left() -> None:
    deployment = {
        "resources": [{"type": KEY_TYPE, "id": "held", "urn": "urn:held"}],
        "pending_operations": [
            pending("urn:made", "made"),
            pending("urn:never", "never"),
            pending("urn:twins", "twin"),
            pending("urn:held-name", "held-name"),
            {"type": "updating", "resource": {"urn": "urn:other", "type": "x"}},
        ],
    }
    server = [
        ApiKeyInfo(uuid="u-made", name="made", created_at="2026-01-01T00:00:00Z"),
        ApiKeyInfo(uuid="t1", name="twin"),
        ApiKeyInfo(uuid="t2", name="twin"),
        ApiKeyInfo(uuid="held", name="held-name"),  # already in the state: not a candidate
    ]
    settled, report = settle(deployment, server)
    assert report.adopted == {"urn:made": "u-made"}
    assert sorted(report.dropped) == ["urn:held-name", "urn:never"]
    assert report.ambiguous == {"urn:twins": ["t1", "t2"]}
    recovered = settled["resources"][-1]
    assert recovered["id"] == "u-made"
    assert recovered["outputs"]["secret_key"] == ""
    assert recovered["outputs"]["uuid"] == "u-made"
    assert [op["resource"]["urn"] for op in settled["pending_operations"]] == [
        "urn:twins",
        "urn:other",
    ]


def test_a_truncated_checkpoint_is_restored_from_the_backup(tmp_path) -> None:
    from do_genai_model_keys.commands.recovery import restore_truncated_checkpoint

    checkpoint = tmp_path / "dev.json"
    (tmp_path / "dev.json.bak").write_text('{"version": 3, "checkpoint": {}}')
    checkpoint.write_text('{"version": 3, "checkpoint": {"latest"')  # cut short by a kill
    assert restore_truncated_checkpoint(checkpoint) is True
    assert checkpoint.read_text() == '{"version": 3, "checkpoint": {}}'
    assert (tmp_path / "dev.json.truncated").read_text().endswith('"latest"')
    assert restore_truncated_checkpoint(checkpoint) is False  # a sound one is left alone


def test_a_truncated_attributes_file_is_set_aside(tmp_path) -> None:
    from do_genai_model_keys.commands.recovery import restore_truncated_checkpoint

    checkpoint = tmp_path / "dev.json"
    checkpoint.write_text('{"version": 3}')
    (tmp_path / "dev.json.attrs").write_text("")  # what a kill during the write leaves
    assert restore_truncated_checkpoint(checkpoint) is True
    assert not (tmp_path / "dev.json.attrs").exists()
    assert (tmp_path / "dev.json.attrs.truncated").exists()
    assert checkpoint.read_text() == '{"version": 3}'
    assert restore_truncated_checkpoint(checkpoint) is False  # nothing more to do


def test_a_pending_create_of_another_account_is_left_for_a_person() -> None:
    other = pending("urn:other", "made")
    other["resource"]["inputs"]["account"] = "[secret]"  # an Account(...) key
    deployment = {"resources": [], "pending_operations": [other]}
    settled, report = settle(deployment, [ApiKeyInfo(uuid="same-name", name="made")])
    assert report.other_account == ["urn:other"]
    assert report.adopted == {}
    assert settled["pending_operations"] == [other]


def test_recover_refuses_while_a_process_of_the_run_is_alive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A provider of the killed run still acting would undo what recover writes: recover
    names it, waits a little, and refuses (exit 4) without touching anything."""
    from do_genai_model_keys.commands import exits, recovery

    lookalike = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "pulumi.dynamic"], cwd=tmp_path
    )
    try:
        assert recovery.leftovers(tmp_path) == [(lookalike.pid, "the dynamic provider")]
        assert recovery.main(["--cwd", str(tmp_path), "--wait", "0.3"]) == exits.BUSY
        said = capsys.readouterr().err
        assert f"the dynamic provider (pid {lookalike.pid})" in said
        assert "nothing was changed" in said
    finally:
        lookalike.kill()
        lookalike.wait()
    assert recovery.leftovers(tmp_path) == []


def test_what_pulumi_said_is_told_once_without_the_automation_apis_dump() -> None:
    from do_genai_model_keys.commands.recovery import pulumi_said

    dump = (
        "\n code: 255\n stdout: \n stderr: error: the stack is currently locked by 1 lock(s). "
        "Either wait for the other process(es) to end or delete the lock file with `pulumi "
        "cancel`.\n  file:///x/.pulumi/locks/org/p/dev/1.json: created by root@host (pid 7)\n"
        "error: the stack is currently locked by 1 lock(s). Either wait for the other "
        "process(es) to end or delete the lock file with `pulumi cancel`.\n"
    )
    said = pulumi_said(dump)
    assert said.count("currently locked") == 1
    assert "code: 255" not in said
    assert pulumi_said("\n code: 1\n stdout: \n stderr: something broke\n") == "something broke"


PLUGIN_KEY = "do-genai:index:ModelAccessKey"
DEFAULT = "urn:pulumi:dev::p::pulumi:providers:do-genai::default_0_3_0::4b1f"
EXPLICIT = "urn:pulumi:dev::p::pulumi:providers:do-genai::prod::9c2e"


def plugin_pending(urn: str, name: str, provider: str = DEFAULT) -> dict:
    resource = {"urn": urn, "type": PLUGIN_KEY, "custom": True, "provider": provider}
    resource["inputs"] = {"name": name, "secretVersion": 1}
    return {"type": "creating", "resource": resource}


def test_a_plugin_keys_pending_create_is_settled_in_the_plugins_spelling() -> None:
    deployment = {
        "resources": [],
        "pending_operations": [
            plugin_pending("urn:made", "made"),
            plugin_pending("urn:elsewhere", "made", provider=EXPLICIT),
        ],
    }
    server = [ApiKeyInfo(uuid="u-made", name="made", created_at="2026-01-01T00:00:00Z")]
    settled, report = settle(deployment, {"plugin": server, "dynamic": None})
    assert report.adopted == {"urn:made": "u-made"}
    assert report.other_account == ["urn:elsewhere"]  # an explicit provider's account
    [recovered] = settled["resources"]
    assert recovered["outputs"]["uuid"] == "u-made"
    assert recovered["outputs"]["secretVersion"] == 1
    assert recovered["outputs"]["secretKey"] == ""  # the next up regenerates it
    assert "secret_key" not in recovered["outputs"]


class FakeStack:
    """What recover uses of an Automation API stack: export and import (which, like Pulumi's,
    drops every pending operation)."""

    def __init__(self, deployment: dict) -> None:
        self.deployment = deployment
        self.imported: list[dict] = []

    def export_stack(self):
        from pulumi import automation as auto

        return auto.Deployment(version=3, deployment=dict(self.deployment))

    def import_stack(self, state) -> None:
        self.imported.append({**state.deployment, "pending_operations": []})


class FakeClient:
    def __init__(self, keys: list[ApiKeyInfo]) -> None:
        self.keys = keys
        self.listings = 0

    def list_keys(self) -> list[ApiKeyInfo]:
        self.listings += 1
        return self.keys


def test_what_recover_did_not_settle_stays_pending(tmp_path: Path) -> None:
    """`pulumi stack import` drops every pending operation: with some left for a person, the
    settled state goes into the file backend's checkpoint itself, and they stay; on another
    backend nothing is written at all."""
    import json

    from do_genai_model_keys.commands.recovery import recover_pending_creates

    ambiguous = plugin_pending("urn:twins", "twin")
    deployment = {
        "resources": [],
        "pending_operations": [pending("urn:made", "made"), ambiguous],
    }
    keys = [ApiKeyInfo(uuid="u-made", name="made"), ApiKeyInfo(uuid="t1", name="twin")]
    keys.append(ApiKeyInfo(uuid="t2", name="twin"))
    client = FakeClient(keys)
    checkpoint = tmp_path / "dev.json"
    checkpoint.write_text(json.dumps({"version": 3, "checkpoint": {"latest": deployment}}))

    stack = FakeStack(deployment)
    report = recover_pending_creates(stack, client, checkpoint=checkpoint)  # type: ignore[arg-type]
    assert report.adopted == {"urn:made": "u-made"}
    assert stack.imported == []  # not through an import, which would drop `urn:twins`
    latest = json.loads(checkpoint.read_text())["checkpoint"]["latest"]
    assert [op["resource"]["urn"] for op in latest["pending_operations"]] == ["urn:twins"]
    assert [r["id"] for r in latest["resources"]] == ["u-made"]
    assert client.listings == 1  # both doors, one account: one listing

    elsewhere = FakeStack(deployment)
    report = recover_pending_creates(elsewhere, client)  # type: ignore[arg-type]
    assert report.unwritten
    assert elsewhere.imported == []
