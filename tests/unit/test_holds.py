"""The run's holds, as two provider processes of one run see them: one folder of the run, two
`RunHolds` on it (one per process). Their folder is named by the engine, found the same way by
every provider it started, and removed once that engine is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from do_genai_model_keys.api.errors import KeyLookupError
from do_genai_model_keys.keys.holds import RunHolds, run_folder

UUID = "3f2b6a4e-1111-4222-8333-444455556666"
DEFAULT = "urn:pulumi:dev::p::do-genai:index:ModelAccessKey::web"
EXPLICIT = "urn:pulumi:dev::p::do-genai:index:ModelAccessKey::frontend"


def test_a_key_taken_in_one_process_is_refused_in_another(tmp_path: Path) -> None:
    first, second = RunHolds(tmp_path), RunHolds(tmp_path)
    first.hold(UUID, DEFAULT, "the resource 'web'")
    first.hold(UUID, DEFAULT, "the resource 'web'")  # its own again: fine
    with pytest.raises(KeyLookupError) as refused:
        second.hold(UUID, EXPLICIT, "the resource 'frontend'")
    assert "'web'" in str(refused.value)
    assert "'frontend'" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)


def test_a_delete_spares_a_key_another_process_holds(tmp_path: Path) -> None:
    deleting, holding = RunHolds(tmp_path), RunHolds(tmp_path)
    holding.hold(UUID, EXPLICIT, "the resource 'frontend'")
    holding.stored(UUID, EXPLICIT, "new-secret")
    assert deleting.taken_from(UUID, DEFAULT, "old-secret") == "the resource 'frontend'"
    # A replacement of the same resource that took the same key: its old state is spared too.
    assert deleting.taken_from(UUID, EXPLICIT, "old-secret") == "the resource 'frontend'"
    assert deleting.taken_from(UUID, EXPLICIT, "new-secret") is None
    assert deleting.taken_from("another-uuid", DEFAULT, "old-secret") is None


def test_no_secret_is_written_to_the_folder(tmp_path: Path) -> None:
    holds = RunHolds(tmp_path)
    holds.hold(UUID, DEFAULT, "the resource 'web'")
    holds.stored(UUID, DEFAULT, "sk-do-the-secret-itself")
    assert "sk-do-the-secret-itself" not in (tmp_path / UUID).read_text()


def test_outside_an_engine_the_holds_stay_in_memory(tmp_path: Path) -> None:
    assert run_folder(["pytest", "-q"], root=tmp_path) is None
    assert not any(tmp_path.iterdir())


def test_every_provider_of_an_engine_finds_its_folder_and_gone_engines_are_swept(
    tmp_path: Path,
) -> None:
    """Two children of this process (as two providers of one engine) name the same folder; the
    folder of an engine that is gone is removed."""
    gone = tmp_path / "999999999-1"
    gone.mkdir(parents=True)
    probe = (
        "import sys; from pathlib import Path; from do_genai_model_keys.keys.holds import "
        "run_folder; print(run_folder(['x', '127.0.0.1:4242'], root=Path(sys.argv[1])))"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(found) == 1
    [folder] = found
    assert Path(folder).name.startswith(f"{os.getpid()}-")
    assert Path(folder).is_dir()
    assert not gone.exists()
