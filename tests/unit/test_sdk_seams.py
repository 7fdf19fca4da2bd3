"""The Pulumi SDK's parts below its documented surface that the doors use, each with its target
checked (`do_genai_model_keys/seams/__init__.py`): in the SDK the tests run, and in a fresh
virtualenv with the oldest SDK each door supports, so an SDK that drops a hook's target fails
here, naming the hook, before any engine meets it."""

from __future__ import annotations

import json
import re
import sys
import venv
from importlib.metadata import version
from pathlib import Path

import pytest
from do_genai_model_keys.lifecycle.inputs import UNKNOWN
from do_genai_model_keys.seams import NEWEST, OLDEST, REACHES, missing
from support.builds import made_once, run

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"
CHECK = (
    "import json, sys; from do_genai_model_keys.seams import missing; "
    "print(json.dumps(missing(tuple(sys.argv[1:]))))"
)


def test_every_reach_has_its_target_in_the_sdk_the_tests_run() -> None:
    assert missing() == []
    assert version("pulumi") == NEWEST, "a new SDK: check the reaches, then raise NEWEST"
    assert {reach.door for reach in REACHES} == set(OLDEST)


def test_the_oldest_supported_sdk_is_the_packages_lower_bound() -> None:
    bound = re.search(r'"pulumi>=([\d.]+),', (ROOT / "pyproject.toml").read_text())
    assert bound is not None
    assert OLDEST["dynamic"] == f"{bound.group(1)}.0"


def test_the_lifecycles_copy_of_the_unknown_marker_is_the_sdks() -> None:
    from pulumi.runtime import rpc

    assert rpc.UNKNOWN == UNKNOWN


@pytest.mark.install
@pytest.mark.parametrize("door", sorted(OLDEST))
def test_each_doors_oldest_sdk_has_every_target_the_door_reaches(
    door: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The oldest SDK a door supports, installed alone in a fresh virtualenv (the package's own
    source on its path: no other dependency is needed to look)."""
    oldest = OLDEST[door]

    def make(folder: Path) -> None:
        venv.create(folder, with_pip=False)
        run(
            UV,
            "pip",
            "install",
            "--quiet",
            "--python",
            folder / "bin" / "python",
            f"pulumi=={oldest}",
        )

    home = made_once(tmp_path_factory, f"pulumi-{oldest}", make)
    python = home / "bin" / "python"
    assert (
        run(
            python, "-c", "import pulumi, importlib.metadata as m; print(m.version('pulumi'))"
        ).strip()
        == oldest
    )
    found = run(python, "-c", CHECK, door, cwd=ROOT / "provider")
    assert json.loads(found) == [], f"pulumi {oldest} lacks what the {door} door reaches for"
