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
    from do_genai_model_keys.commands import recovery

    lookalike = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "pulumi.dynamic"], cwd=tmp_path
    )
    try:
        assert recovery.leftovers(tmp_path) == [(lookalike.pid, "the dynamic provider")]
        assert recovery.main(["--cwd", str(tmp_path), "--wait", "0.3"]) == recovery.BUSY
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
