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
        parts += [
            f"## `{token}` ({kind})",
            clean(resource.get("description", "")),
            "### Inputs",
            table(resource.get("inputProperties", {}), resource.get("requiredInputs", [])),
            "### Outputs",
            table(resource.get("properties", {}), []),
        ]
    for token, function in schema.get("functions", {}).items():
        inputs = function.get("inputs", {})
        outputs = function.get("outputs", {})
        parts += [
            f"## `{token}` (function)",
            clean(function.get("description", "")),
            "### Arguments",
            table(inputs.get("properties", {}), inputs.get("required", [])),
            "### Result",
            table(outputs.get("properties", {}), []),
        ]
    return "\n\n".join(parts) + "\n"


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
