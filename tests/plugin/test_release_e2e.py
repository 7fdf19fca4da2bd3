"""A release as users get it (`scripts/release.sh`), with no checkout and no Python: the engine
downloads the standalone plugin from a release server (here `dist/` served on 127.0.0.1, named
by the engine's own mirror setting) and a YAML project adopts a key, reads its secret and
destroys; `pulumi plugin install --file` takes the archive too."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from do_genai_model_keys.emulator import Emulator
from do_genai_model_keys.plugin.schema import GO_MODULE, PLUGIN_DOWNLOAD_URL, VERSION
from support.builds import made_once, run
from support.cli import ROOT, Cli
from support.emulators import inference_status
from support.plugin_projects import write
from support.secrets import secret_absent

pytestmark = pytest.mark.e2e

ARCHIVE = f"pulumi-resource-do-genai-v{VERSION}-linux-amd64.tar.gz"

PROGRAM = {  # as the README tells a YAML user: the version and where releases are
    "Pulumi.yaml": f"""
        name: keys-from-a-release
        runtime: yaml
        config:
          panelUuid:
            type: string
          pairA:
            type: string
          pairB:
            type: string
          rotation:
            type: integer
            default: 0
        resources:
          web:
            type: do-genai:index:ModelAccessKey
            properties:
              name: web
              adoptUuid: ${{panelUuid}}
              deletionProtection: false
            options:
              version: {VERSION}
              pluginDownloadURL: {PLUGIN_DOWNLOAD_URL}
          pair:
            type: do-genai:index:RotatingModelAccessKey
            properties:
              name: pair
              adoptUuids:
                - ${{pairA}}
                - ${{pairB}}
              rotation: ${{rotation}}
              minRotationIntervalHours: 0
              deletionProtection: false
            options:
              version: {VERSION}
              pluginDownloadURL: {PLUGIN_DOWNLOAD_URL}
        outputs:
          secret: ${{web.secretKey}}
          active: ${{pair.activeSecretKey}}
          previous: ${{pair.previousSecretKey}}
    """,
}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dist/` as `scripts/release.sh` builds it, once in the run."""

    def build(out: Path) -> None:
        run("bash", ROOT / "scripts" / "release.sh", out)

    return made_once(tmp_path_factory, "release", build)


class Server(http.server.ThreadingHTTPServer):
    asked: list[str]


@pytest.fixture
def release_server(release: Path) -> Iterator[Server]:
    """`dist/` over HTTP on 127.0.0.1, as a release server or a mirror answers the engine."""

    class Files(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            server.asked.append(self.path)

    handler = functools.partial(Files, directory=str(release))
    server = Server(("127.0.0.1", 0), handler)
    server.asked = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def outputs(cli: Cli, project: Path) -> dict[str, str]:
    shown = cli.run(project, "stack", "output", "--json", "--show-secrets").stdout
    return {name: str(value) for name, value in json.loads(shown).items()}


def bare_path(folder: Path, engine_bin: Path, tools_bin: Path) -> str:
    """A PATH with the engine and the YAML host only: no Python, no plugin."""
    folder.mkdir()
    for tool in (engine_bin / "pulumi", tools_bin / "pulumi-language-yaml"):
        (folder / tool.name).symlink_to(tool)
    assert shutil.which("python3", path=str(folder)) is None
    return str(folder)


def test_the_release_lists_every_artifact_with_its_checksum(release: Path) -> None:
    names = {line.split()[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert names == {
        f"do_genai_model_keys-{VERSION}-py3-none-any.whl",
        f"do_genai_model_keys-{VERSION}.tar.gz",
        f"pulumi_do_genai-{VERSION}-py3-none-any.whl",
        f"pulumi_do_genai-{VERSION}.tar.gz",
        f"pulumi-do-genai-{VERSION}.tgz",
        ARCHIVE,
        *(
            f"goproxy/{GO_MODULE}/@v/{name}"
            for name in ("list", *(f"v{VERSION}.{e}" for e in ("info", "mod", "zip")))
        ),
    }
    schema = json.loads((ROOT / "provider/do_genai_model_keys/plugin/schema.json").read_text())
    assert schema["pluginDownloadURL"] == PLUGIN_DOWNLOAD_URL


def test_a_yaml_project_gets_the_plugin_from_the_release_server_with_no_python(
    release_server: Server, engine_bin: Path, tools_bin: Path, tmp_path: Path
) -> None:
    port = release_server.server_address[1]
    cli = Cli(
        engine_bin=engine_bin,
        work=tmp_path / "cli",
        env={
            "PATH": bare_path(tmp_path / "bin", engine_bin, tools_bin),
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false",
            # The engine's mirror setting: the release location, served from here.
            "PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": f"^{PLUGIN_DOWNLOAD_URL}=http://127.0.0.1:{port}",
        },
    )
    with Emulator() as emu:
        panel = emu.state.create_key("web")
        pair = [emu.state.create_key(f"pair-{slot}") for slot in "ab"]
        project = write(tmp_path / "yaml", PROGRAM)
        cli.run(project, "stack", "init", "dev")
        cli.run(project, "config", "set", "--secret", "do-genai:token", emu.token)
        cli.run(project, "config", "set", "do-genai:apiEndpoint", emu.url)
        cli.run(project, "config", "set", "do-genai:secretReadyWait", "5")
        cli.run(project, "config", "set", "panelUuid", panel.uuid)
        cli.run(project, "config", "set", "pairA", pair[0].uuid)
        cli.run(project, "config", "set", "pairB", pair[1].uuid)
        up = cli.run(project, "up", "--yes", "--skip-preview")
        assert f"/{ARCHIVE}" in release_server.asked
        assert (cli.work / "home" / "plugins" / f"resource-do-genai-v{VERSION}").is_dir()
        first = outputs(cli, project)
        assert inference_status(emu, first["secret"]) == 200
        secret_absent(first["secret"], up.stdout + up.stderr + cli.state_text(), "the state")

        cli.run(project, "config", "set", "rotation", "1")  # the pair rotates its standby
        cli.run(project, "up", "--yes", "--skip-preview")
        rotated = outputs(cli, project)
        assert rotated["previous"] == first["active"]  # apps holding it keep working
        assert inference_status(emu, rotated["previous"]) == 200
        assert inference_status(emu, rotated["active"]) == 200
        assert rotated["active"] != first["active"]
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys


def test_the_archive_installs_with_pulumi_plugin_install(
    release: Path, engine_bin: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PULUMI_HOME": str(tmp_path / "home")}
    pulumi = [str(engine_bin / "pulumi"), "plugin"]
    archive = str(release / ARCHIVE)
    install = [*pulumi, "install", "resource", "do-genai", VERSION, "--file", archive]
    subprocess.run(install, env=env, check=True, capture_output=True)
    listed = subprocess.run([*pulumi, "ls", "--json"], env=env, check=True, capture_output=True)
    [plugin] = json.loads(listed.stdout)
    assert (plugin["name"], plugin["kind"], plugin["version"]) == ("do-genai", "resource", VERSION)


TYPESCRIPT_PROGRAM = """\
// A TypeScript team's program, run inline by the Automation API: a panel key adopted, a pair
// rotated, the secrets handed on. Usage: node program.js < '{"action": "up", "config": {...}}'
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as genai from "pulumi-do-genai";

async function main(): Promise<void> {
  const request = JSON.parse(require("fs").readFileSync(0, "utf8"));  // stdin: it holds a token
  const program = async () => {
    const config = new pulumi.Config();
    const web = new genai.ModelAccessKey("web", {
      name: "web",
      adoptUuid: config.require("panelUuid"),
      deletionProtection: false,
    });
    const pair = new genai.RotatingModelAccessKey("pair", {
      name: "pair",
      adoptUuids: [config.require("pairA"), config.require("pairB")],
      rotation: config.getNumber("rotation") ?? 0,
      minRotationIntervalHours: 0,
      deletionProtection: false,
    });
    const secrets = { active: pair.activeSecretKey, previous: pair.previousSecretKey };
    return { secret: web.secretKey, ...secrets };
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "dev", projectName: "ts-team", program },
    { workDir: process.cwd() },
  );
  for (const [key, value] of Object.entries(request.config ?? {})) {
    await stack.setConfig(key, { value: String(value), secret: key.endsWith(":token") });
  }
  let outputs: Record<string, unknown> = {};
  if (request.action === "up") {
    await stack.up();
    for (const [name, output] of Object.entries(await stack.outputs())) {
      outputs[name] = output.value;
    }
  } else {
    await stack.destroy();
  }
  process.stdout.write(JSON.stringify(outputs) + "\\n");
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\\n`);
  process.exit(1);
});
"""


def test_a_typescript_team_installs_the_sdk_tarball_and_the_engine_gets_the_plugin(
    release: Path,
    release_server: Server,
    node_modules: Path,
    engine_bin: Path,
    tmp_path: Path,
) -> None:
    """The Node SDK from the release's npm tarball, installed with npm into a project of its
    own, a TypeScript program compiled against its types; the engine downloads the plugin the
    SDK names. Run as an inline Automation API program, where the official Node language host
    cannot be installed (the suite's locked packages are in npm's cache: the install resolves
    from there first)."""
    folder = tmp_path / "ts-team"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "ts-team", "private": true}\n')
    shutil.copy2(ROOT / "tests" / "plugin" / "nodejs" / ".npmrc", folder / ".npmrc")
    (folder / "program.ts").write_text(TYPESCRIPT_PROGRAM)
    (folder / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "target": "es2020",
                    "module": "commonjs",
                    "skipLibCheck": True,  # the packages' own .d.ts, as most projects set
                }
            }
        )
    )
    locked = {
        name: json.loads((node_modules / name / "package.json").read_text())["version"]
        for name in ("@pulumi/pulumi", "@types/node")
    }
    tarball = release / f"pulumi-do-genai-{VERSION}.tgz"
    install = ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--silent"]
    run(*install, tarball, *(f"{name}@{version}" for name, version in locked.items()), cwd=folder)
    run("node", node_modules / "typescript" / "bin" / "tsc", "-p", folder)  # type-checks too
    try:
        bare = tmp_path / "bin"
        bare.mkdir()
        for tool in (engine_bin / "pulumi", Path(shutil.which("node") or "node")):
            (bare / tool.name).symlink_to(tool)
        assert shutil.which("python3", path=str(bare)) is None
        port = release_server.server_address[1]
        override = f"^{PLUGIN_DOWNLOAD_URL}=http://127.0.0.1:{port}"
        cli = Cli(
            engine_bin=engine_bin,
            work=tmp_path / "cli",
            env={
                "PATH": str(bare),
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false",
                "PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": override,
            },
        )

        def program(**request: object) -> dict[str, str]:
            done = cli.script(folder, "node", "program.js", stdin=json.dumps(request))
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))

        with Emulator() as emu:
            panel = emu.state.create_key("web")
            pair = [emu.state.create_key(f"pair-{slot}") for slot in "ab"]
            config = {
                "do-genai:token": emu.token,
                "do-genai:apiEndpoint": emu.url,
                "do-genai:secretReadyWait": "5",
                "panelUuid": panel.uuid,
                "pairA": pair[0].uuid,
                "pairB": pair[1].uuid,
            }
            first = program(action="up", config=config)
            assert f"/{ARCHIVE}" in release_server.asked
            assert inference_status(emu, first["secret"]) == 200
            rotated = program(action="up", config={"rotation": 1})
            assert rotated["previous"] == first["active"]
            assert inference_status(emu, rotated["previous"]) == 200
            assert inference_status(emu, rotated["active"]) == 200
            program(action="destroy")
            assert not emu.state.keys
    finally:
        shutil.rmtree(folder / "node_modules", ignore_errors=True)  # installed packages


PYTHON_PROGRAM = {
    "Pulumi.yaml": """
        name: keys-from-the-python-sdk
        runtime:
          name: python
          options:
            virtualenv: venv
    """,
    "__main__.py": """
        import pulumi
        import pulumi_do_genai as genai

        web = genai.ModelAccessKey("web", name="web")
        pulumi.export("secret", web.secret_key)
    """,
}


def test_a_python_team_installs_the_sdk_wheel_and_the_engine_gets_the_plugin(
    release: Path, release_server: Server, engine_bin: Path, tmp_path: Path
) -> None:
    """The Python SDK from the release's wheel in the project's own virtualenv (with the newest
    `pulumi` it allows); no folder on PATH holds the plugin, so the engine downloads it."""
    project = write(tmp_path / "python-team", PYTHON_PROGRAM)
    uv = Path(sys.prefix) / "bin" / "uv"
    run(uv, "venv", "--quiet", "--python", sys.executable, project / "venv")
    wheel = release / f"pulumi_do_genai-{VERSION}-py3-none-any.whl"
    run(uv, "pip", "install", "--quiet", "--python", project / "venv" / "bin" / "python", wheel)
    path = os.pathsep.join(
        [str(engine_bin), *(p for p in os.environ["PATH"].split(os.pathsep) if sys.prefix not in p)]
    )
    assert shutil.which("pulumi-resource-do-genai", path=path) is None
    port = release_server.server_address[1]
    cli = Cli(
        engine_bin=engine_bin,
        work=tmp_path / "cli",
        env={
            "PATH": path,
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false",
            "PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": f"^{PLUGIN_DOWNLOAD_URL}=http://127.0.0.1:{port}",
        },
    )
    with Emulator(allow_create=True) as emu:
        cli.run(project, "stack", "init", "dev")
        cli.run(project, "config", "set", "--secret", "do-genai:token", emu.token)
        cli.run(project, "config", "set", "do-genai:apiEndpoint", emu.url)
        cli.run(project, "up", "--yes", "--skip-preview")
        assert f"/{ARCHIVE}" in release_server.asked
        shown = cli.run(project, "stack", "output", "secret", "--show-secrets").stdout.strip()
        assert inference_status(emu, shown) == 200
        cli.run(project, "destroy", "--yes", "--skip-preview")
        assert not emu.state.keys


def test_a_go_team_requires_the_sdk_by_its_module_path_with_no_replace(
    release_server: Server, tmp_path: Path
) -> None:
    """Go: a program's go.mod requires the SDK at its module path and the release's version,
    with no `replace` line; the module comes from the release's `goproxy` folder served as a
    module proxy on 127.0.0.1 (as the public proxy serves the release's tag), the Pulumi Go SDK
    from the machine's usual proxy (its modules and build cache kept beside the engine, keyed
    by the engine's version)."""
    engine = next(
        line.split(": ")[1]
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.startswith("# engine: ")
    )
    program = tmp_path / "keys-in-go"
    program.mkdir()
    shutil.copy2(ROOT / "tests" / "plugin" / "golang" / "main.go", program / "main.go")
    (program / "go.mod").write_text(
        "module example.com/keys-in-go\n\ngo 1.24\n\n"
        f"require (\n\t{GO_MODULE} v{VERSION}\n"
        f"\tgithub.com/pulumi/pulumi/sdk/v3 v{engine}\n)\n"
    )
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    go_cache = cache / "do-genai-pulumi-engine" / f"go-sdk-v{engine}"
    owner = GO_MODULE.split("/")[:2]  # this release's module, never one cached by an earlier run
    for cached in (go_cache / "mod" / Path(*owner), go_cache / "mod/cache/download" / Path(*owner)):
        shutil.rmtree(cached, ignore_errors=True)
    usual = subprocess.run(["go", "env", "GOPROXY"], capture_output=True, text=True, check=True)
    port = release_server.server_address[1]
    env = {
        **os.environ,
        "GOMODCACHE": str(go_cache / "mod"),
        "GOCACHE": str(go_cache / "build"),
        "GOFLAGS": "-mod=mod -modcacherw",
        "GOPROXY": f"http://127.0.0.1:{port}/goproxy,{usual.stdout.strip()}",
        "GONOSUMDB": "/".join(owner),  # not in the public checksum database until published
        "CGO_ENABLED": "0",
    }
    for command in (["go", "mod", "tidy"], ["go", "vet", "./..."], ["go", "build", "-o", "keys"]):
        done = subprocess.run(command, cwd=program, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    assert (program / "keys").stat().st_size > 0
    assert f"/goproxy/{GO_MODULE}/@v/v{VERSION}.zip" in release_server.asked
    assert "replace" not in (program / "go.mod").read_text()
