"""The docs: the site builds with `mkdocs build --strict` (a broken link or anchor fails it), and
every code snippet of the README and `docs/` still works as far as it can be checked without an
account: Python compiles and imports only what the package has; TypeScript type-checks against
the plugin's Node SDK; YAML parses and names the schema's types, properties and real resource
options; shell parses, and names only real commands, scripts and settings."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from do_genai_model_keys.__main__ import COMMANDS
from do_genai_model_keys.api.config import FIELDS
from do_genai_model_keys.doors import camel
from support.cli import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SCHEMA = json.loads((ROOT / "provider/do_genai_model_keys/plugin/schema.json").read_text())
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
RESOURCE_OPTIONS = {
    "version", "pluginDownloadURL", "provider", "import", "protect", "retainOnDelete",
    "dependsOn", "parent", "aliases", "ignoreChanges", "deleteBeforeReplace",
}  # fmt: skip
"""The resource options a YAML program may give (Pulumi YAML's names)."""
OURS = ("do_genai_model_keys", "pulumi_do_genai")


@dataclass(frozen=True)
class Snippet:
    page: Path
    language: str
    code: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}: {self.language} {self.code[:60]!r}"


def snippets(language: str) -> list[Snippet]:
    return [
        Snippet(page, lang, code)
        for page in PAGES
        for lang, code in FENCE.findall(page.read_text())
        if lang == language
    ]


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    plugin_page = (tmp_path / "site" / "reference" / "plugin" / "index.html").read_text()
    assert "secretVersion" in plugin_page  # made from the schema at build time


def test_every_page_has_snippets_of_each_kind_checked_here() -> None:
    assert {s.language for page in PAGES for s in snippets_of(page)} <= {
        "python", "typescript", "yaml", "bash", "text", "json",
    }  # fmt: skip
    assert len(snippets("python")) >= 5
    assert len(snippets("typescript")) >= 2


def snippets_of(page: Path) -> list[Snippet]:
    return [Snippet(page, lang, code) for lang, code in FENCE.findall(page.read_text())]


FROM_IMPORT = re.compile(
    r"^from ((?:do_genai_model_keys|pulumi_do_genai)[\w.]*) import ([^#\n]+)", re.M
)


@pytest.mark.parametrize("snippet", snippets("python"), ids=str)
def test_a_python_snippet_compiles_and_imports_what_exists(snippet: Snippet) -> None:
    # compile() from text, never `ast` objects: CPython 3.11.7 refuses to build those in a
    # worker that has caught a RecursionError before (the hostile-export tests do).
    compile(snippet.code, str(snippet.page), "exec")
    for module_name, names in FROM_IMPORT.findall(snippet.code):
        module = importlib.import_module(module_name)
        wanted = [n.strip().split(" as ")[0] for n in names.strip("() ").split(",") if n.strip()]
        missing = [name for name in wanted if not hasattr(module, name)]
        assert not missing, f"{snippet}: {module_name} has no {missing}"


def test_the_typescript_snippets_type_check_against_the_node_sdk(
    node_modules: Path, tmp_path: Path
) -> None:
    sdk = ROOT / "provider" / "sdk" / "nodejs"
    files = []
    for n, snippet in enumerate(snippets("typescript")):
        path = tmp_path / f"snippet{n}.ts"
        path.write_text(snippet.code)
        files.append(path.name)
    modules = str(node_modules)
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "es2020",
            "module": "commonjs",
            "moduleResolution": "node",
            "skipLibCheck": True,
            "baseUrl": ".",
            "typeRoots": [f"{modules}/@types"],
            "paths": {
                "pulumi-do-genai": [str(sdk / "index.ts")],
                "@pulumi/pulumi": [f"{modules}/@pulumi/pulumi"],
                "@pulumi/pulumi/*": [f"{modules}/@pulumi/pulumi/*"],
            },
        },
        "files": files,
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    tsc = node_modules / "typescript" / "bin" / "tsc"
    done = subprocess.run(
        ["node", str(tsc), "-p", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("snippet", snippets("yaml"), ids=str)
def test_a_yaml_snippet_names_the_schemas_types_properties_and_real_options(
    snippet: Snippet,
) -> None:
    document = yaml.safe_load(snippet.code)
    for name, resource in (document.get("resources") or {}).items():
        token = resource["type"]
        if not token.startswith("do-genai:"):
            continue
        spec = SCHEMA["resources"].get(token) or (
            SCHEMA["provider"] if token == "pulumi:providers:do-genai" else None
        )
        assert spec is not None, f"{snippet}: {name} has type {token}, not in the schema"
        unknown = set(resource.get("properties") or {}) - set(spec["inputProperties"])
        assert not unknown, f"{snippet}: {name} sets {unknown}, not inputs of {token}"
        assert set(resource.get("options") or {}) <= RESOURCE_OPTIONS, snippet


SETTING = re.compile(r"config (?:set|get|rm) (?:--secret )?(do-genai|digitalocean):(\w+)")
MODULE_COMMAND = re.compile(r"python -m do_genai_model_keys (\S+)")
SCRIPT = re.compile(r"\b(scripts/[\w./-]+\.sh)")


@pytest.mark.parametrize("snippet", snippets("bash"), ids=str)
def test_a_shell_snippet_parses_and_names_real_commands_scripts_and_settings(
    snippet: Snippet,
) -> None:
    done = subprocess.run(["bash", "-n"], input=snippet.code, capture_output=True, text=True)
    assert done.returncode == 0, f"{snippet}: {done.stderr}"
    settings = {camel(name) for name in FIELDS}
    for namespace, name in SETTING.findall(snippet.code):
        assert name in settings or (namespace == "digitalocean" and name in _program_config()), (
            f"{snippet}: {namespace}:{name} is no setting"
        )
    for command in MODULE_COMMAND.findall(snippet.code):
        assert command.startswith(("-", "<")) or command in COMMANDS, f"{snippet}: {command}"
    for script in SCRIPT.findall(snippet.code):
        assert (ROOT / script).is_file(), f"{snippet}: {script} does not exist"


def _program_config() -> set[str]:
    """Settings pulumi-digitalocean (not this package) reads, which examples may set too."""
    return {"token"}
