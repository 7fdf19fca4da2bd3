"""The GitOps example's GitHub Actions workflows: actionlint and zizmor pass, every action is
pinned by commit, secrets come from the repository's store, and every step runs a command the
pipeline test runs too (so what CI runs is what the suite proved)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import ROOT

WORKFLOWS = sorted((ROOT / "examples" / "gitops-rotation" / "workflows").glob("*.yml"))
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
"""The project's own release workflow: the same checks, and the same command as the suite."""
PIPELINE = "bash examples/gitops-rotation/pipeline.sh"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def steps(workflow: Path) -> list[dict]:
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_there_are_the_three_workflows() -> None:
    assert [w.name for w in WORKFLOWS] == ["apply.yml", "nightly.yml", "preview.yml"]


def test_actionlint_passes() -> None:
    built = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-actionlint.sh")],
        capture_output=True,
        text=True,
        check=True,
    )
    actionlint = Path(built.stdout.strip()) / "actionlint"
    done = subprocess.run(
        [str(actionlint), "-no-color", *map(str, [*WORKFLOWS, RELEASE])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_passes() -> None:
    zizmor = Path(sys.executable).with_name("zizmor")
    done = subprocess.run(
        [str(zizmor), "--offline", "--persona=pedantic", *map(str, [*WORKFLOWS, RELEASE])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_the_release_workflow_builds_with_the_release_command_after_the_suite() -> None:
    runs = [step["run"] for step in steps(RELEASE) if "run" in step]
    assert runs.index("bash .ci/run") < runs.index("bash scripts/release.sh dist")
    assert any("gh release create" in run for run in runs)
    assert any("refs/tags/provider/sdk/go/" in run for run in runs)  # the Go module's tag
    for step in steps(RELEASE):
        assert "uses" not in step or PINNED.match(step["uses"]), step["uses"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_actions_are_pinned_and_secrets_come_from_the_store(workflow: Path) -> None:
    for step in steps(workflow):
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
    text = workflow.read_text()
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"):
        assert f"{name}: ${{{{ secrets.{name} }}}}" in text
    # A pull request's preview runs its own program: only a read-only (genai:read) token.
    token = "DIGITALOCEAN_READ_TOKEN" if workflow.name == "preview.yml" else "DIGITALOCEAN_TOKEN"
    assert f"DIGITALOCEAN_TOKEN: ${{{{ secrets.{token} }}}}" in text


def test_a_preview_never_holds_up_an_apply_or_the_nightly_rotation() -> None:
    groups = {w.name: yaml.safe_load(w.read_text())["concurrency"] for w in WORKFLOWS}
    assert groups["apply.yml"]["group"] == groups["nightly.yml"]["group"] == "keys-prod"
    assert groups["apply.yml"]["cancel-in-progress"] is False
    assert groups["preview.yml"]["group"] == (
        "keys-preview-${{ github.event.pull_request.number }}"
    )


def test_the_preview_environment_is_stated_as_one_to_protect() -> None:
    text = (ROOT / "examples" / "gitops-rotation" / "workflows" / "preview.yml").read_text()
    assert "REQUIRED: protect" in text
    assert "environment: prod-preview" in text


def test_every_step_runs_what_the_pipeline_test_runs() -> None:
    tested = set(
        re.findall(
            r'\*pipeline, "([a-z-]+)"',
            (ROOT / "tests" / "e2e" / "test_pipeline_e2e.py").read_text(),
        )
    )
    used = set()
    for workflow in WORKFLOWS:
        for step in steps(workflow):
            if "run" in step:
                command = step["run"].strip()
                assert command.startswith(PIPELINE + " "), command
                used.add(command.removeprefix(PIPELINE + " "))
    assert used == {"prepare", "preview", "on-merge", "scheduled"}
    assert used <= tested, used - tested


def test_the_nightly_job_sets_a_commit_identity() -> None:
    env = yaml.safe_load((WORKFLOWS[1]).read_text())["jobs"]["nightly"]["env"]
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        assert env[name]
