"""The GitOps pipeline as its CI runs it: `examples/gitops-rotation/pipeline.sh` in a git
repository, through the `pulumi` CLI, while the app-consumer app keeps asking a model questions.

The app re-reads the active secret the way the README tells apps to (`pulumi stack output
active_secret_key --show-secrets`, at least once per rotation; here every two seconds). The
two-key scheme keeps the previous secret valid for one rotation, so the goal is zero failed
requests across three rotations, and the secret from two rotations ago is refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from do_genai_model_keys.api.times import format_time, parse_time
from do_genai_model_keys.dynamic.rotation import DEFAULT_ANCHOR
from do_genai_model_keys.emulator import Emulator
from support import examples
from support.cli import Cli, copy_project
from support.emulators import inference_status
from support.secrets import expect, same_secret

pytestmark = pytest.mark.e2e

REREAD = 2.0
"""Seconds between the app's reads of the active secret (each read is a CLI run that derives
the passphrase's key, about 0.4 s of CPU: reading every second spent a third of a core)."""
SECRET_DELAY = 2.5
"""Seconds before the inference API takes a new secret: longer than the app's re-read, so an app
handed a secret before it works would fail."""
# Just past a period boundary, so one more month crosses exactly one (rotateAfterDays=30).
NOW = parse_time(DEFAULT_ANCHOR) + timedelta(days=300, hours=1)


@dataclass
class App:
    """The app-consumer app, asking questions all the time (about 6 a second) with the newest
    secret it has read."""

    emulator: Emulator
    read_secret: object
    secret: str = ""
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    reads: int = 0
    read_failures: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def serve(self) -> None:
        ask = examples.load("app-consumer", "app").ask
        while not self.stop.is_set():
            try:
                ask(self.secret, self.emulator.url, "Is the key still good?")
            except Exception as error:  # every failure is counted
                self.failures.append(f"{type(error).__name__}: {str(error)[:120]}")
            self.requests += 1
            # Within the account's inference limit (600 a minute in the emulator, as on
            # DigitalOcean a limit applies): a failure here is the rotation's, not the rate's.
            time.sleep(0.15)

    def read_again(self) -> None:
        """Wait until the app has read the secret again, with a read begun after this call."""
        wanted = self.reads + 2
        while self.reads < wanted and not self.stop.wait(0.05):
            pass

    def reread(self) -> None:
        while not self.stop.wait(REREAD):
            try:
                self.secret = self.read_secret()  # type: ignore[operator]
                self.reads += 1
            except AssertionError:  # the CLI may race a state write; keep the last secret
                self.read_failures += 1


COMMIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "CI",
    "GIT_AUTHOR_EMAIL": "ci@example.invalid",
    "GIT_COMMITTER_NAME": "CI",
    "GIT_COMMITTER_EMAIL": "ci@example.invalid",
}
"""What a CI job configures before `pipeline.sh rotate` commits (its header says so): the test
relies on no identity of the machine's."""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        env={**os.environ, **COMMIT_IDENTITY},
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_pipeline_rotates_three_times_and_on_schedule_with_zero_failed_requests(
    engine_bin: Path, tmp_path: Path
) -> None:
    repo = copy_project(tmp_path / "repo", "examples/gitops-rotation", "examples/app-consumer")
    (repo / ".gitignore").write_text(".venv\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The gitops stack")
    project = repo / "examples" / "gitops-rotation"
    pipeline = ("bash", str(project / "pipeline.sh"))

    # DigitalOcean today: keys come from the control panel; and (as an inference edge may) a
    # new secret works only a second after its regenerate: the rotation waits for it.
    with Emulator(secret_delay=SECRET_DELAY) as emu:
        slot_a = emu.state.create_key("gitops-app-a")
        slot_b = emu.state.create_key("gitops-app-b")
        cli = Cli(
            engine_bin=engine_bin,
            work=tmp_path / "cli",
            env={
                "DIGITALOCEAN_TOKEN": emu.token,
                "DIGITALOCEAN_API_URL": emu.url,  # for the key inventory of the nightly job
                "PYTHON": sys.executable,
                "DO_GENAI_NOW": format_time(NOW),
                **COMMIT_IDENTITY,
            },
        )
        cli.run(project, "stack", "init", "prod")
        for key, value in {
            "digitalocean:apiEndpoint": emu.url,
            "digitalocean:inferenceEndpoint": emu.url,
            "adoptUuids": f"{slot_a.uuid},{slot_b.uuid}",
            "rotateAfterDays": "30",
            "minRotationIntervalHours": "0",  # three rotations in a minute, on purpose
        }.items():
            cli.run(project, "config", "set", key, value)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "Configure the prod stack")

        def output(name: str) -> str:
            return cli.run(project, "stack", "output", name, "--show-secrets").stdout.strip()

        cli.script(project, *pipeline, "prepare")  # the virtualenv is there: nothing to do
        # What a pull request shows, with a read-only token as its workflow has.
        emu.state.tokens["preview-read-only-token"] = frozenset({"genai:read"})
        cli.env["DIGITALOCEAN_TOKEN"] = "preview-read-only-token"
        preview = cli.script(project, *pipeline, "preview")
        assert "to create" in preview.stdout
        cli.env["DIGITALOCEAN_TOKEN"] = emu.token
        cli.script(project, *pipeline, "on-merge")
        history = [output("active_secret_key")]
        app = App(emu, lambda: output("active_secret_key"), secret=history[0])
        workers = [threading.Thread(target=app.serve), threading.Thread(target=app.reread)]
        for worker in workers:
            worker.start()
        try:
            for n in range(1, 4):
                before = int(output("rotation"))
                cli.script(project, *pipeline, "rotate")
                assert f"(rotation {n})" in git(repo, "log", "-1", "--format=%s")
                assert git(repo, "status", "--porcelain").strip() == ""  # committed
                cli.script(project, *pipeline, "on-merge")
                assert int(output("rotation")) == before + 1
                history.append(output("active_secret_key"))
                same_secret(
                    output("previous_secret_key"), history[-2], "output('previous_secret_key')"
                )
                app.read_again()  # before the next rotation

            quiet = cli.script(project, *pipeline, "scheduled")
            assert "Updating" not in quiet.stdout  # before the period: nothing to do
            assert "gitops-app-a" in quiet.stdout  # then the key inventory: no findings
            assert "2 keys, no findings" in quiet.stdout
            same_secret(output("active_secret_key"), history[-1], "output('active_secret_key')")

            cli.env["DO_GENAI_NOW"] = format_time(NOW + timedelta(days=31))
            cli.script(project, *pipeline, "scheduled")
            history.append(output("active_secret_key"))
            assert history[-1] != history[-2]
            app.read_again()

            # A preview that fails (a revoked token) fails the job and applies nothing.
            cli.env["DIGITALOCEAN_TOKEN"] = "revoked-token-0000000000"
            broken = cli.script(project, *pipeline, "scheduled", check=False)
            cli.env["DIGITALOCEAN_TOKEN"] = emu.token
            assert broken.returncode != 0
            assert "Updating (prod)" not in broken.stdout
        finally:
            app.stop.set()
            for worker in workers:
                worker.join(timeout=60)

        figures = {
            "requests": app.requests,
            "failed": len(app.failures),
            "secret_reads": app.reads,
            "secret_read_failures": app.read_failures,
            "rotations": len(history) - 1,
        }
        print("pipeline figures:", json.dumps(figures))
        assert app.failures == []
        assert app.requests > 50
        assert inference_status(emu, history[-1]) == 200
        expect(
            inference_status(emu, history[-2]), 200, "inference_status"
        )  # the previous secret, for one more rotation
        for old in history[:-2]:
            assert inference_status(emu, old) == 401  # two or more rotations ago: refused
