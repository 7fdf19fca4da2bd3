"""MkDocs hook: the plugin's reference page, written at build time from its schema, so it can
never fall behind the schema the SDKs are generated from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parent.parent / "provider/do_genai_model_keys/plugin/schema.json"
MARKER = "<!-- schema -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(json.loads(SCHEMA.read_text())))


def render(schema: dict[str, Any]) -> str:
    parts = [
        f"Package `{schema['name']}` {schema['version']}; the engine downloads the plugin "
        f"from `{schema.get('pluginDownloadURL', '')}`."
    ]
    provider = schema.get("provider", {})
    parts += [
        "## Settings (the provider's inputs, stack config `do-genai:*`)",
        table(provider.get("inputProperties", {}), provider.get("requiredInputs", [])),
    ]
    for token, resource in schema.get("resources", {}).items():
        kind = "component" if resource.get("isComponent") else "resource"
        given = (resource.get("inputProperties", {}), resource.get("requiredInputs", []))
        parts += entry(
            f"`{token}` ({kind})",
            resource,
            ("Inputs", *given),
            ("Outputs", resource.get("properties", {})),
        )
    for token, function in schema.get("functions", {}).items():
        inputs, outputs = function.get("inputs", {}), function.get("outputs", {})
        given = (inputs.get("properties", {}), inputs.get("required", []))
        parts += entry(
            f"`{token}` (function)",
            function,
            ("Arguments", *given),
            ("Result", outputs.get("properties", {})),
        )
    return "\n\n".join(parts) + "\n"


def entry(
    title: str,
    spec: dict[str, Any],
    given: tuple[str, dict[str, Any], list[str]],
    answered: tuple[str, dict[str, Any]],
) -> list[str]:
    """A resource's or function's section: its description, what it takes, what it gives."""
    (given_title, given_props, required), (answered_title, answered_props) = given, answered
    return [
        f"## {title}",
        clean(spec.get("description", "")),
        f"### {given_title}",
        table(given_props, required),
        f"### {answered_title}",
        table(answered_props, []),
    ]


def table(properties: dict[str, Any], required: list[str]) -> str:
    if not properties:
        return "None."
    rows = ["| name | type | description |", "|---|---|---|"]
    for name, spec in properties.items():
        mark = " (required)" if name in required else ""
        rows.append(f"| `{name}`{mark} | {kind(spec)} | {cell(spec.get('description', ''))} |")
    return "\n".join(rows)


def kind(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return "`" + spec["$ref"].rpartition("/")[2] + "`"
    if spec.get("type") == "array":
        return f"list of {kind(spec.get('items', {}))}"
    if spec.get("type") == "object":
        return f"map of {kind(spec.get('additionalProperties', {'type': 'any'}))}"
    return spec.get("type", "any")


def clean(text: str) -> str:
    return text.replace("{{% examples %}}", "").replace("{{% /examples %}}", "").strip()


def cell(text: str) -> str:
    return " ".join(clean(text).split()).replace("|", "\\|")
