"""The plugin's Pulumi package schema, made from the declarations the dynamic resources use.

Nothing here names an input, an output, a setting or a result field by hand: the resource's
inputs are `ModelAccessKeyArgs`'s fields, its outputs `KeyOutputs`'s, the provider's
configuration `ClientSettings`'s (with their environment variables), and each function's
arguments and result come from the Python data source's signature and result record. Each
property's description is the docstring its declaration carries. Adding an input is still one
field in `key_inputs.py`; `tests/plugin/test_sdks.py` keeps the checked-in
`schema.json` equal to what this makes.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import io
import itertools
import re
import tokenize
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

from ..api.config import ClientSettings
from ..doors import PLUGIN, camel
from ..lifecycle.inputs import ModelAccessKeyArgs
from ..lifecycle.outputs import OUTPUT_ONLY, KeyOutputs
from ..lookups import answers
from ..pair.component import OUTPUTS, RotatingPair
from . import PACKAGE

VERSION = metadata.version("do-genai-model-keys")
"""The release's one version, written once in pyproject.toml: the plugin, its schema and the
SDKs generated from it carry the wheel's version."""
REPOSITORY = "github.com/do-genai/do-genai-model-keys"
"""Where the project lives (pyproject.toml's [project.urls] name it too): its GitHub releases
hold the plugin, its tags the Go module."""
PLUGIN_DOWNLOAD_URL = f"github://api.{REPOSITORY}"
"""Where the engine downloads the plugin for a program that uses an SDK (the repository's GitHub
releases, whose assets are `pulumi-resource-do-genai-v<version>-<os>-<arch>.tar.gz`). A mirror
replaces it with the engine's PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES, no SDK change needed."""
KEY_TOKEN = PLUGIN.key_type
ROTATING_TOKEN = PLUGIN.pair_type
ROTATING_SECRETS = ("active_secret_key", "previous_secret_key")
NOT_ON_THE_WIRE = ("account",)
"""Inputs of the dynamic door only: in the plugin, the provider instance is the account."""
SECRET_OUTPUTS = ("secret_key",)
SECRET_CONFIG = ("token",)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "getModels": answers.get_models,
    "getModelAccessKeys": answers.get_model_access_keys,
    "getInferenceModels": answers.get_inference_models,
}
"""Each function of the package and the data source that answers it."""
SECRET_ARGUMENTS = ("api_key",)
GO_MODULE = f"{REPOSITORY}/provider/sdk/go"
"""The Go SDK's module path: its folder in the repository, so `go get <path>@v<version>` finds
it by the tag `provider/sdk/go/v<version>`, which the release workflow pushes."""
GO_IMPORT_PATH = f"{GO_MODULE}/dogenai"
"""The Go SDK's package."""


def _carried(*path: str) -> str:
    """A file of the plugin's folder that the wheel carries (`pyproject.toml`'s package data)."""
    from importlib.resources import files

    return files(__package__).joinpath(*path).read_text()


def _readme(language: str) -> str:
    """The SDK's README, from `plugin/readmes/<language>.md`."""
    return _carried("readmes", f"{language}.md")


@functools.cache
def published_schema() -> str:
    """The schema the wheel carries, `schema.json`, as the plugin serves it: read, not worked
    out from the source at run time (`tests/plugin/test_sdks.py` keeps it equal to
    `package_schema()`)."""
    return _carried("schema.json")


@functools.cache
def attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under a class's attributes (`x: int` then `\"\"\"...\"\"\"`).

    Read with the tokenizer from the module's source, never through `ast`: CPython 3.11 before
    3.11.8 keeps `ast.parse`'s depth count per interpreter, so a parse that meets another
    thread's (a traceback being formatted elsewhere parses its line) fails with "AST
    constructor recursion depth mismatch" (python/cpython#106905). `inspect.getsource` of a
    class parses its whole module with `ast`; of a module, it only reads the file.
    """
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        module = inspect.getmodule(klass)
        if klass is object or module is None or klass.__module__ == "builtins":
            continue
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        for line, after in itertools.pairwise(_body_statements(source, klass.__name__)):
            is_field = len(line) > 1 and line[0].type == tokenize.NAME and line[1].string == ":"
            if is_field and len(after) == 1 and after[0].type == tokenize.STRING:
                doc = inspect.cleandoc(_string_literal(after[0].string))
                docs[line[0].string] = " ".join(doc.split())
    return docs


def _string_literal(token: str) -> str:
    """The text of a plain or raw string literal as the tokenizer gives it (a docstring), read
    without evaluating anything."""
    prefix = len(token) - len(token.lstrip("rRuU"))
    body = token[prefix:]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    text = body[len(quote) : -len(quote)]
    if "r" in token[:prefix].lower():
        return text
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _body_statements(source: str, name: str) -> list[list[tokenize.TokenInfo]]:
    """The statements of class `name`'s own body (not its methods'), each as its tokens."""
    statements: list[list[tokenize.TokenInfo]] = []
    current = list[tokenize.TokenInfo]()
    depth, body = 0, -1  # body: the depth of the class's body, once its `class` line is met
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.INDENT:
            depth += 1
        elif token.type == tokenize.DEDENT:
            depth -= 1
            if depth < body:
                break  # the class ends
        elif token.type == tokenize.NEWLINE:
            if depth == body and current:
                statements.append(current)
            current = []
        elif token.type not in skipped:
            header = [t.string for t in current] == ["class"] and token.string == name
            if header and body < 0:
                body = depth + 1
            current.append(token)
    return statements


def argument_docs(function: Callable[..., Any]) -> dict[str, str]:
    """Each argument's description from the `Args:` section of a function's docstring (an
    entry `name: text`, its continuation lines indented further)."""
    docs: dict[str, list[str]] = {}
    current: list[str] | None = None
    section = inspect.getdoc(function) or ""
    _, found, section = section.partition("\nArgs:\n")
    for line in section.splitlines() if found else []:
        entry = re.fullmatch(r" {4}(\w+): (.*)", line)
        if entry:
            current = docs.setdefault(entry.group(1), [entry.group(2)])
        elif line.startswith(" " * 8) and current is not None:
            current.append(line.strip())
        else:
            break  # the section ends at the first line that is neither
    return {name: " ".join(words) for name, words in docs.items()}


def _described(spec: dict[str, Any], doc: str | None) -> dict[str, Any]:
    return {**spec, "description": doc} if doc else spec


class _Types:
    """Object types met while walking result records, by token."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, Any]] = {}

    def of(self, hint: Any, *, answer: bool = False) -> dict[str, Any]:
        """The schema type of a Python type hint; `answer`: it is part of what a function
        answers (every field of its records is always there), not of its arguments."""
        hint = _without_none(hint)
        origin = typing.get_origin(hint)
        if origin is typing.Annotated:
            return self.of(typing.get_args(hint)[0], answer=answer)
        if origin in (types.UnionType, typing.Union):
            # `Filter | Mapping`, `str | Sequence[str]`: the richest form is the declared one
            choices = typing.get_args(hint)
            chosen = next((c for c in choices if dataclasses.is_dataclass(c)), None)
            chosen = chosen or next((c for c in choices if _is_sequence(c)), choices[0])
            return self.of(chosen, answer=answer)
        if _is_sequence(hint):
            (item, *_) = typing.get_args(hint) or (Any,)
            return {"type": "array", "items": self.of(item, answer=answer)}
        if origin in (dict, Mapping) or hint in (dict, typing.Any):
            return {"$ref": "pulumi.json#/Any"}
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            return {"$ref": f"#/types/{self.object_type(hint, answer=answer)}"}
        simple = {bool: "boolean", int: "integer", float: "number", str: "string"}
        if hint in simple:
            return {"type": simple[hint]}
        return {"type": "string"}  # Literal aliases (a sort's direction) and SecretStr

    def object_type(self, cls: type, *, answer: bool) -> str:
        token = f"{PACKAGE}:index:{cls.__name__}"
        if token not in self.found:
            self.found[token] = {}  # a placeholder: records may nest themselves
            self.found[token] = {
                "type": "object",
                **({"description": _doc(cls)} if _doc(cls) else {}),
                "properties": self.properties(cls, answer=answer),
                "required": [camel(f.name) for f in dataclasses.fields(cls)]
                if answer
                else [
                    camel(f.name)
                    for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                ],
            }
        return token

    def properties(self, cls: Any, *, answer: bool = False) -> dict[str, Any]:
        hints = typing.get_type_hints(cls, include_extras=True)
        docs = attribute_docs(cls)
        return {
            camel(f.name): _described(self.of(hints[f.name], answer=answer), docs.get(f.name))
            for f in dataclasses.fields(cls)
            if not f.name.startswith("_")
        }


def _without_none(hint: Any) -> Any:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
        return functools.reduce(lambda a, b: a | b, rest)
    return hint


def _is_sequence(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    return origin in (tuple, list, Sequence) or hint in (tuple, list)


def _doc(item: Any) -> str:
    return " ".join((inspect.getdoc(item) or "").split("\n\n")[0].split())


def _input_type(annotation: str) -> dict[str, Any]:
    """The schema type of an input declared as `pulumi.Input[X] | None`."""
    found = re.search(r"Input\[(\w+)", annotation)
    simple = {"bool": "boolean", "int": "integer", "float": "number", "str": "string"}
    return {"type": simple[found.group(1) if found else "str"]}


def key_resource() -> dict[str, Any]:
    """`ModelAccessKey`: the inputs of `ModelAccessKeyArgs`, the outputs of `KeyOutputs`."""
    docs = {**attribute_docs(KeyOutputs), **attribute_docs(ModelAccessKeyArgs)}
    inputs = [f for f in dataclasses.fields(ModelAccessKeyArgs) if f.name not in NOT_ON_THE_WIRE]
    input_specs = {
        camel(f.name): _described(_input_type(str(f.type)), docs.get(f.name)) for f in inputs
    }
    hints = typing.get_type_hints(KeyOutputs)
    outputs = {
        camel(f.name): _described(
            {
                **_Types().of(hints[f.name]),
                **({"secret": True} if f.name in SECRET_OUTPUTS else {}),
            },
            docs.get(f.name),
        )
        for f in dataclasses.fields(KeyOutputs)
    }
    return {
        "description": (
            "A DigitalOcean GenAI model access key. `secretKey` is always a secret; an imported "
            "key's secret is unknown until the next `up` regenerates it."
        ),
        "inputProperties": input_specs,
        "requiredInputs": [camel(f.name) for f in inputs if f.default is dataclasses.MISSING],
        "properties": {**{k: v for k, v in input_specs.items() if k not in outputs}, **outputs},
        "required": [camel(name) for name in OUTPUT_ONLY] + ["name", "secretVersion"],
    }


def rotating_inputs() -> dict[str, str]:
    """The component's inputs: its constructor's parameter (Python name) -> the wire's name;
    not `account` (the provider is the account), `opts` or the plugin's own `_type`/`_key`."""
    skipped = {"self", "resource_name", "opts", *NOT_ON_THE_WIRE}
    return {
        name: camel(name)
        for name in inspect.signature(RotatingPair.__init__).parameters
        if name not in skipped and not name.startswith("_")
    }


def rotating_component() -> dict[str, Any]:
    """`RotatingModelAccessKey`: the inputs of its constructor, the outputs it declares."""
    hints = typing.get_type_hints(RotatingPair.__init__)
    docs = attribute_docs(RotatingPair)
    parameters = inspect.signature(RotatingPair.__init__).parameters
    described = argument_docs(RotatingPair.__init__)
    inputs = {
        wire: _described(_Types().of(hints[python]), described.get(python))
        for python, wire in rotating_inputs().items()
    }
    # The pair's own annotations, resolved in its module (its base classes' do not resolve).
    own = type("Own", (), {"__annotations__": RotatingPair.__annotations__})
    own.__module__ = RotatingPair.__module__
    declared = typing.get_type_hints(own)
    outputs = {
        camel(name): _described(
            {
                **_Types().of(typing.get_args(declared[name])[0]),
                **({"secret": True} if name in ROTATING_SECRETS else {}),
            },
            docs.get(name),
        )
        for name in OUTPUTS
    }
    return {
        "isComponent": True,
        "description": _doc(RotatingPair),
        "inputProperties": inputs,
        "requiredInputs": [
            wire
            for python, wire in rotating_inputs().items()
            if parameters[python].default is inspect.Parameter.empty
        ],
        "properties": outputs,
        "required": list(outputs),
    }


def config_properties() -> dict[str, Any]:
    """The provider's configuration: each `ClientSettings` field a stack may set, with the
    environment variables it falls back to."""
    hints = typing.get_type_hints(ClientSettings)
    docs = attribute_docs(ClientSettings)
    found = {}
    for f in dataclasses.fields(ClientSettings):
        if "config_key" not in f.metadata:
            continue
        spec = _Types().of(hints[f.name])
        if f.name in SECRET_CONFIG:
            spec["secret"] = True
        spec["defaultInfo"] = {"environment": list(f.metadata["env"])}
        default = f.default if f.default not in (None, "") else None
        doc = docs.get(f.name) or f"DigitalOcean's {f.name.replace('_', ' ')}"
        if default is not None:
            doc = f"{doc} (default {default})"
        found[camel(f.name)] = _described(spec, doc)
    return found


def function(token: str, answer: Callable[..., Any], all_types: _Types) -> dict[str, Any]:
    """A function from its data source: the arguments of its signature (not `client` or
    `account`: the provider instance is the account), the fields of its result record."""
    hints = typing.get_type_hints(answer)
    parameters = [
        p for p in inspect.signature(answer).parameters.values() if p.kind is not p.KEYWORD_ONLY
    ]
    inputs = {
        camel(p.name): {
            **all_types.of(hints[p.name]),
            **({"secret": True} if p.name in SECRET_ARGUMENTS else {}),
        }
        for p in parameters
    }
    result = hints["return"]
    return {
        "description": _doc(answer),
        "inputs": {
            "properties": inputs,
            "required": [camel(p.name) for p in parameters if p.default is inspect.Parameter.empty],
        },
        "outputs": {
            "properties": all_types.properties(result, answer=True),
            "required": [camel(f.name) for f in dataclasses.fields(result)],
        },
    }


@functools.cache
def package_schema() -> dict[str, Any]:
    """The whole package schema, as `pulumi package get-schema` prints it."""
    all_types = _Types()
    functions = {
        f"{PACKAGE}:index:{name}": function(name, answer, all_types)
        for name, answer in FUNCTIONS.items()
    }
    config = config_properties()
    return {
        "name": PACKAGE,
        "displayName": "DigitalOcean GenAI model access keys",
        "version": VERSION,
        "pluginDownloadURL": PLUGIN_DOWNLOAD_URL,
        "description": (
            "DigitalOcean GenAI model access keys as code: create, rename, rotate, adopt and "
            "import keys, and read the model catalogue, from every Pulumi language."
        ),
        "keywords": ["pulumi", "digitalocean", "genai", "category/cloud"],
        "license": "Apache-2.0",
        "meta": {"moduleFormat": "(.*)"},
        "config": {"variables": config},
        "provider": {
            "description": (
                "An account: its token and endpoints. An explicit provider instance manages "
                "keys in another account."
            ),
            "inputProperties": config,
            "properties": {k: v for k, v in config.items() if k != "token"},
        },
        "resources": {KEY_TOKEN: key_resource(), ROTATING_TOKEN: rotating_component()},
        "functions": functions,
        "types": dict(sorted(all_types.found.items())),
        "language": {
            "python": {
                "packageName": "pulumi_do_genai",
                "pyproject": {"enabled": True},
                "respectSchemaVersion": True,
                "readme": _readme("python"),
            },
            "nodejs": {
                "packageName": "pulumi-do-genai",
                "respectSchemaVersion": True,
                "readme": _readme("nodejs"),
            },
            "go": {
                "importBasePath": GO_IMPORT_PATH,
                "generateResourceContainerTypes": True,
                "respectSchemaVersion": True,
            },
            "csharp": {"rootNamespace": "DoGenAI", "respectSchemaVersion": True},
        },
    }
