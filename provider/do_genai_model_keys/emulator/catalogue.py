"""The emulator's seeded model catalogue: a few dozen models shaped like DigitalOcean's.

Deterministic (no randomness, fixed dates) so that tests and paging are repeatable. Each entry
keeps two private fields the real API does not show but filters on: `_usecases` and `_public`.
"""

from __future__ import annotations

import uuid
from typing import Any

_NAMESPACE = uuid.UUID("6f1c1c4e-6f0e-4d4f-9a57-1f6c3f3b9a10")

# (id, display name, provider, usecases, public, context window, parameters in billions)
_FAMILIES: list[tuple[str, str, str, tuple[str, ...], bool, int, float]] = [
    (
        "llama3.3-70b-instruct",
        "Llama 3.3 Instruct (70B)",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS", "FINETUNED"),
        True,
        128000,
        70,
    ),
    (
        "llama3-8b-instruct",
        "Llama 3.1 Instruct (8B)",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS", "FINETUNED"),
        True,
        128000,
        8,
    ),
    (
        "mistral-nemo-instruct-2407",
        "Mistral NeMo",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS"),
        True,
        128000,
        12,
    ),
    (
        "deepseek-r1-distill-llama-70b",
        "DeepSeek R1 Distill Llama 70B",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        32000,
        70,
    ),
    (
        "gpt-oss-120b",
        "gpt-oss 120B",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        131072,
        120,
    ),
    (
        "gpt-oss-20b",
        "gpt-oss 20B",
        "DIGITALOCEAN",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        131072,
        20,
    ),
    ("qwen3-32b", "Qwen3 32B", "DIGITALOCEAN", ("AGENT", "SERVERLESS"), True, 40960, 32),
    ("gte-large-en-v1.5", "GTE Large EN v1.5", "DIGITALOCEAN", ("KNOWLEDGEBASE",), True, 8192, 0.4),
    ("all-mini-lm-l6-v2", "All MiniLM L6 v2", "DIGITALOCEAN", ("KNOWLEDGEBASE",), True, 512, 0.02),
    (
        "multi-qa-mpnet-base-dot-v1",
        "Multi QA MPNet base",
        "DIGITALOCEAN",
        ("KNOWLEDGEBASE",),
        True,
        512,
        0.1,
    ),
    ("llama-guard-3-8b", "Llama Guard 3 (8B)", "DIGITALOCEAN", ("GUARDRAIL",), False, 8192, 8),
    (
        "anthropic-claude-3.5-haiku",
        "Claude 3.5 Haiku",
        "ANTHROPIC",
        ("AGENT", "SERVERLESS"),
        True,
        200000,
        0,
    ),
    (
        "anthropic-claude-3.7-sonnet",
        "Claude 3.7 Sonnet",
        "ANTHROPIC",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        200000,
        0,
    ),
    (
        "anthropic-claude-sonnet-4",
        "Claude Sonnet 4",
        "ANTHROPIC",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        200000,
        0,
    ),
    (
        "anthropic-claude-opus-4",
        "Claude Opus 4",
        "ANTHROPIC",
        ("AGENT", "SERVERLESS", "REASONING"),
        True,
        200000,
        0,
    ),
    ("openai-gpt-4o", "GPT-4o", "OPENAI", ("AGENT", "SERVERLESS"), True, 128000, 0),
    ("openai-gpt-4o-mini", "GPT-4o mini", "OPENAI", ("AGENT", "SERVERLESS"), True, 128000, 0),
    ("openai-o3-mini", "o3-mini", "OPENAI", ("AGENT", "SERVERLESS", "REASONING"), True, 200000, 0),
    ("openai-gpt-4.1", "GPT-4.1", "OPENAI", ("AGENT", "SERVERLESS"), True, 1047576, 0),
    ("openai-gpt-5", "GPT-5", "OPENAI", ("AGENT", "SERVERLESS", "REASONING"), True, 400000, 0),
]
_VERSIONS = ((1, 0, 0), (1, 1, 0), (2, 0, 0))
_LIFECYCLE = ("active", "active", "deprecated")


def seeded_models() -> list[dict[str, Any]]:
    """Sixty models: every family in up to three versions, older ones deprecated."""
    models: list[dict[str, Any]] = []
    for index, (model_id, name, provider, usecases, public, window, params) in enumerate(_FAMILIES):
        for step, (major, minor, patch) in enumerate(_VERSIONS):
            suffix = "" if step == 0 else f"-v{major}.{minor}"
            full_id = model_id + suffix
            day = 1 + (index + 7 * step) % 28
            models.append(
                {
                    "uuid": str(uuid.uuid5(_NAMESPACE, full_id)),
                    "id": full_id,
                    "name": name if step == 0 else f"{name} v{major}.{minor}",
                    "provider": f"MODEL_PROVIDER_{provider}",
                    "is_foundational": provider == "DIGITALOCEAN",
                    "context_window": str(window),
                    "parameter_count": float(params),
                    "capabilities": _capabilities(usecases),
                    "lifecycle_status": _LIFECYCLE[step],
                    "type": "embedding" if "KNOWLEDGEBASE" in usecases else "chat",
                    "model_availability": "serverless" if "SERVERLESS" in usecases else "dedicated",
                    "modalities": {"input": ["text"], "output": ["text"]},
                    "created_at": f"2025-{1 + step * 4:02d}-{day:02d}T00:00:00Z",
                    "updated_at": f"2026-0{1 + step}-{day:02d}T00:00:00Z",
                    "upload_complete": True,
                    "version": {"major": major, "minor": minor, "patch": patch},
                    "_usecases": [f"MODEL_USECASE_{u}" for u in usecases],
                    "_public": public,
                }
            )
    return models


def _capabilities(usecases: tuple[str, ...]) -> list[str]:
    if "KNOWLEDGEBASE" in usecases:
        return ["vectorization"]
    return ["inference", "reasoning"] if "REASONING" in usecases else ["inference"]


def public_view(model: dict[str, Any]) -> dict[str, Any]:
    """The model as the API shows it: without the private filter fields."""
    return {k: v for k, v in model.items() if not k.startswith("_")}
