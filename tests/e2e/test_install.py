"""The package as a user gets it: built as a registry ships it, installed into a project's own
virtualenv beside the newest Pulumi SDK, and run with the `pulumi` CLI from a project folder
outside this repository that has a `provider.py` and a `provider/` folder of its own.

A platform team already has `pulumi` (and other providers) in its environment: installing this
package must not downgrade it. The project's virtualenv takes the newest `pulumi` first, then the
wheel; the installer then also brings the newest httpx, pydantic and tenacity our ranges allow,
so the runs below exercise those too. Nothing of this checkout's virtualenv is on the project's
path: the program and the dynamic provider must run in the project's own interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from support.builds import made_once, run
from support.cli import Cli
from support.emulators import inference_status
from support.secrets import expect, secret_absent

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]

SMOKE = """
import json
from do_genai_model_keys import GenAIClient, ModelAccessKey, RotatingModelAccessKey, get_models
from do_genai_model_keys.emulator import Emulator
with Emulator(allow_create=True) as emu, GenAIClient(emu.token, api_endpoint=emu.url) as client:
    key = client.create_key("installed")
    models = client.list_models()
    made = {"key": key.name, "models": len(models), "secret": key.secret_key is not None}
    print(json.dumps(made))
"""

PULUMI_VERSION = "from importlib.metadata import version; print(version('pulumi'))"

MARKER = (
    "import os, sys; f = os.environ.get('DO_GENAI_TEST_INTERPRETERS'); "
    "f and open(f, 'a').write(sys.executable + ' ' "
    "+ ' '.join(sys.orig_argv[1:4]).replace(chr(10), ' ') + chr(10))\n"
)
"""A .pth line in the project's virtualenv: every interpreter it starts writes down its path and
how it was started, so the test sees which interpreter served the dynamic provider."""

MAIN = """
import provider  # the project's own module: REGION
import pulumi
from program import program  # the quickstart's, as shipped in examples/quickstart

program()
pulumi.export("region", provider.REGION)
"""


UV = Path(sys.prefix) / "bin" / "uv"
"""The installer the checkout's bootstrap uses: it builds and installs as `python -m build` and
pip do (an isolated build, the wheel from the sdist; the newest versions the ranges allow, the
installed ones kept when they fit), in a fraction of their CPU time."""


def build_dist(out: Path) -> None:
    """An sdist and a wheel built in isolation (the wheel from the sdist), checked by
    twine. Built from a copy, so the build leaves nothing in the checkout; the copy goes
    afterwards (its test files hold test tokens, which the leak scan would rightly flag)."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "source"
        shutil.copytree(
            ROOT,
            source,
            ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "*_cache"),
        )
        run(UV, "build", "--quiet", "--out-dir", out, source)
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(out.glob("do_genai*")))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made_once(tmp_path_factory, "dist", build_dist)


@pytest.fixture(scope="module")
def project_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project virtualenv: the newest pulumi, then our wheel, and nothing else."""

    def make(folder: Path) -> None:
        home = folder / "venv"
        venv.create(home, with_pip=False)
        python = home / "bin" / "python"
        install = (UV, "pip", "install", "--quiet", "--python", python)
        # DO_GENAI_TEST_PULUMI=pulumi==3.139.0 tries the oldest SDK the package supports, once.
        run(*install, os.environ.get("DO_GENAI_TEST_PULUMI") or "pulumi")
        newest = run(python, "-c", PULUMI_VERSION).strip()
        [wheel] = dist.glob("do_genai_model_keys-*.whl")
        run(*install, wheel)
        after = run(python, "-c", PULUMI_VERSION).strip()
        assert after == newest, f"installing the wheel changed pulumi {newest} to {after}"
        site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        (Path(site.strip()) / "zz_interpreter_marker.pth").write_text(MARKER)
        print(f"project virtualenv: pulumi {newest} and {wheel.name}")

    return made_once(tmp_path_factory, "user-venv", make) / "venv"


def test_the_wheel_holds_the_product_only(dist: Path) -> None:
    [wheel] = dist.glob("do_genai_model_keys-*.whl")
    [sdist] = dist.glob("do_genai_model_keys-*.tar.gz")
    assert sdist.name == wheel.name.split("-py3")[0] + ".tar.gz"  # one version, from pyproject
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"do_genai_model_keys", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "do_genai_model_keys/py.typed" in names
    assert "do_genai_model_keys/emulator/__main__.py" in names  # for users' own tests
    assert "do_genai_model_keys/plugin/schema.json" in names  # the plugin carries its schema
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "pulumi-resource-do-genai = do_genai_model_keys.plugin.__main__:main" in scripts
    assert not [n for n in names if "language_host" in n or n.startswith(("tests/", "provider/"))]


def test_the_wheel_keeps_the_newest_pulumi_and_imports(project_venv: Path, tmp_path: Path) -> None:
    # Out of the source tree, so that the installed package is the one imported.
    python = project_venv / "bin" / "python"
    result = json.loads(run(python, "-c", SMOKE, cwd=tmp_path).strip().splitlines()[-1])
    assert result == {"key": "installed", "models": 60, "secret": True}
    plugin = project_venv / "bin" / "pulumi-resource-do-genai"
    schema = json.loads(run(str(plugin), "schema", cwd=tmp_path))
    assert schema["name"] == "do-genai"
    assert "do-genai:index:ModelAccessKey" in schema["resources"]


def user_project(root: Path, venv_home: Path) -> Path:
    """The quickstart as a user lays it out in a project of their own, with files named like
    our package used to be."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "quickstart" / "program.py", root / "program.py")
    (root / "Pulumi.yaml").write_text(
        f"name: user-keys\nruntime:\n  name: python\n  options:\n    virtualenv: {venv_home}\n"
    )
    (root / "__main__.py").write_text(textwrap.dedent(MAIN))
    (root / "provider.py").write_text('REGION = "nyc3"\n')
    (root / "provider").mkdir()
    (root / "provider" / "__init__.py").write_text('REGION = "nyc3"\n')
    return root


def test_a_users_project_with_its_own_provider_module_runs_through_the_cli(
    project_venv: Path, engine_bin: Path, tmp_path: Path
) -> None:
    interpreters = tmp_path / "interpreters"
    # Nothing of this checkout on PATH: only the engine and the machine's own tools.
    path = os.pathsep.join(
        [str(engine_bin)]
        + [p for p in os.environ.get("PATH", "").split(os.pathsep) if sys.prefix not in p]
    )
    cli = Cli(
        engine_bin=engine_bin,
        work=tmp_path / "cli",
        env={"PATH": path, "DO_GENAI_TEST_INTERPRETERS": str(interpreters)},
    )
    project = user_project(tmp_path / "user-project", project_venv)
    with Emulator() as emu:  # DigitalOcean today: keys come from the control panel
        panel = emu.state.create_key("quickstart-web")
        cli.configure(project, emu)

        up = cli.run(project, "up", "--yes")
        assert "+ 2 created" in up.stdout, up.stdout
        outputs = json.loads(cli.run(project, "stack", "output", "--json").stdout)
        assert outputs["web_key_secret"] == "[secret]"
        assert outputs["region"] == "nyc3"
        shown = json.loads(cli.run(project, "stack", "output", "--json", "--show-secrets").stdout)
        secret = shown["web_key_secret"]
        expect(inference_status(emu, secret), 200, "inference_status")
        assert [k.uuid for k in emu.state.keys.values()] == [panel.uuid] == [shown["web_key_uuid"]]
        secret_absent(secret, cli.state_text(), "cli.state_text()")

        # A rename: in place, through the dynamic provider in the project's interpreter.
        cli.run(project, "config", "set", "keyName", "quickstart-renamed")
        renamed = cli.run(project, "up", "--yes")
        assert "~ 1 updated" in renamed.stdout, renamed.stdout
        assert [k.name for k in emu.state.keys.values()] == ["quickstart-renamed"]

        # A provider error with the newest SDK (which sends whole tracebacks for errors that
        # are not ours): the key was deleted in the control panel, then renamed in the stack.
        emu.state.delete_key(panel.uuid)
        cli.run(project, "config", "set", "keyName", "quickstart-third")
        gone = cli.run(project, "up", "--yes", check=False)
        output = gone.stdout + gone.stderr
        assert gone.returncode != 0
        assert "Traceback (most recent call last)" not in output, output
        reported = output.split("Diagnostics:", 1)[1]
        assert reported.count(f"updating model access key 'quickstart-third' ({panel.uuid})") == 1
        assert "run `pulumi refresh` to drop it from the state" in reported

        # An endpoint that is down: the program's data source names the endpoint and setting.
        cli.run(project, "config", "set", "digitalocean:apiEndpoint", "http://127.0.0.1:9")
        cli.run(project, "config", "set", "digitalocean:httpRetryMax", "0")
        down = cli.run(project, "up", "--yes", check=False)
        output = down.stdout + down.stderr
        assert down.returncode != 0
        assert "Traceback (most recent call last)" not in output, output
        reported = output.split("Diagnostics:", 1)[1]
        assert reported.count("could not connect to http://127.0.0.1:9") == 1, output
        assert "digitalocean:apiEndpoint or DIGITALOCEAN_API_URL" in reported
        assert "concurrent" not in reported, output  # only the user's own frames, if any
        cli.run(project, "config", "set", "digitalocean:apiEndpoint", emu.url)

        # As the error said: refresh drops the deleted key; a new panel key is adopted.
        cli.run(project, "refresh", "--yes")
        third = emu.state.create_key("quickstart-third")
        cli.run(project, "up", "--yes")
        assert [k.uuid for k in emu.state.keys.values()] == [third.uuid]

        cli.destroy_adopted(project)
        assert emu.state.keys == {}

    served = interpreters.read_text().splitlines()
    # the launcher beside the engine runs the SDK's `pulumi.dynamic` server (see install-pulumi.sh)
    dynamic = [line for line in served if 'run_module("pulumi.dynamic"' in line]
    assert dynamic, served
    assert all(line.startswith(str(project_venv / "bin" / "python")) for line in dynamic), served
    programs = [line for line in served if "runner.py" in line]
    assert programs, served
    assert all(line.startswith(str(project_venv / "bin" / "python")) for line in programs)
