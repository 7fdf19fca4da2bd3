"""The emulator's seeded model catalogue: sixty models shaped like DigitalOcean's.

Deterministic (no randomness, fixed dates) so that tests and paging are repeatable. Every model
carries all 29 properties the API documents (pricing per million tokens, endpoints, modalities,
settings, ...). Each entry keeps two private fields the real API does not show but filters on:
`_usecases` and `_public`. The inference API (`/v1/models`) lists the active models served
serverless, chat and not (embeddings, rerankers, image generation), as users meet it.
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
    ("flux-1-schnell", "FLUX.1 [schnell]", "DIGITALOCEAN", ("SERVERLESS",), True, 512, 12),
    (
        "bge-reranker-v2-m3",
        "BGE Reranker v2 M3",
        "DIGITALOCEAN",
        ("KNOWLEDGEBASE",),
        True,
        8192,
        0.6,
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
# id -> (input, output) US dollars per million tokens; an image model prices per image instead.
_PRICES: dict[str, tuple[float, float]] = {
    "llama3.3-70b-instruct": (0.65, 0.65),
    "llama3-8b-instruct": (0.198, 0.198),
    "mistral-nemo-instruct-2407": (0.3, 0.3),
    "deepseek-r1-distill-llama-70b": (0.99, 0.99),
    "gpt-oss-120b": (0.1, 0.7),
    "gpt-oss-20b": (0.05, 0.45),
    "qwen3-32b": (0.25, 0.55),
    "gte-large-en-v1.5": (0.09, 0.0),
    "flux-1-schnell": (0.0, 0.0),
    "bge-reranker-v2-m3": (0.02, 0.0),
    "llama-guard-3-8b": (0.2, 0.2),
    "anthropic-claude-3.5-haiku": (0.8, 4.0),
    "anthropic-claude-3.7-sonnet": (3.0, 15.0),
    "anthropic-claude-sonnet-4": (3.0, 15.0),
    "anthropic-claude-opus-4": (15.0, 75.0),
    "openai-gpt-4o": (2.5, 10.0),
    "openai-gpt-4o-mini": (0.15, 0.6),
    "openai-o3-mini": (1.1, 4.4),
    "openai-gpt-4.1": (2.0, 8.0),
    "openai-gpt-5": (1.25, 10.0),
}
_IMAGE_PRICE = 0.003
_TYPES = {
    "gte-large-en-v1.5": "embedding",
    "flux-1-schnell": "image",
    "bge-reranker-v2-m3": "rerank",
}
"""The model types that are not chat; a reasoning family is `reasoning`."""
_ENDPOINTS = {
    "chat": "/v1/chat/completions",
    "reasoning": "/v1/chat/completions",
    "embedding": "/v1/embeddings",
    "rerank": "/v1/rerank",
    "image": "/v1/images/generations",
}
CHAT_KINDS = ("chat", "reasoning")
"""Model types `/v1/chat/completions` serves; the others have endpoints of their own."""
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
            kind = _TYPES.get(model_id, "reasoning" if "REASONING" in usecases else "chat")
            family_uuid = str(uuid.uuid5(_NAMESPACE, model_id))
            models.append(
                {
                    "uuid": str(uuid.uuid5(_NAMESPACE, full_id)),
                    "id": full_id,
                    "name": name if step == 0 else f"{name} v{major}.{minor}",
                    "description": f"{name}, served by DigitalOcean ({kind}).",
                    "provider": f"MODEL_PROVIDER_{provider}",
                    "is_foundational": provider == "DIGITALOCEAN",
                    "context_window": str(window),
                    "parameter_count": float(params),
                    "capabilities": _capabilities(usecases),
                    "lifecycle_status": _LIFECYCLE[step],
                    "type": kind,
                    "model_availability": _availability(usecases, kind),
                    "modalities": _modalities(kind),
                    "pricing": _pricing(model_id, kind, provider),
                    "endpoints": [{"endpoint": _ENDPOINTS[kind], "capabilities": [kind]}],
                    "reasoning_efforts": ["low", "medium", "high"] if kind == "reasoning" else [],
                    "thinking": provider == "ANTHROPIC" and kind == "reasoning",
                    "settings": _settings(kind),
                    "agreement": {
                        "uuid": str(uuid.uuid5(_NAMESPACE, provider)),
                        "name": f"{provider.title()} model terms",
                        "description": f"Terms of use of {provider.title()} models",
                        "url": f"https://www.digitalocean.com/legal/{provider.lower()}-terms",
                    },
                    "benchmark_score": {},
                    "kb_default_chunk_size": 512 if kind == "embedding" else 0,
                    "kb_max_chunk_size": 8192 if kind == "embedding" else 0,
                    "kb_min_chunk_size": 100 if kind == "embedding" else 0,
                    "parent_uuid": "" if step == 0 else family_uuid,
                    "url": "",
                    "created_at": f"2025-{1 + step * 4:02d}-{day:02d}T00:00:00Z",
                    "updated_at": f"2026-0{1 + step}-{day:02d}T00:00:00Z",
                    "upload_complete": True,
                    "version": {"major": major, "minor": minor, "patch": patch},
                    "_usecases": [f"MODEL_USECASE_{u}" for u in usecases],
                    "_public": public,
                }
            )
    return models


def _availability(usecases: tuple[str, ...], kind: str) -> str:
    """Serverless for the serverless families and every model that is not for chat."""
    return "serverless" if "SERVERLESS" in usecases or kind not in CHAT_KINDS else "dedicated"


def _modalities(kind: str) -> dict[str, list[str]]:
    if kind == "image":
        return {"input": ["text"], "output": ["image"]}
    if kind in ("embedding", "rerank"):
        return {"input": ["text"], "output": ["embedding" if kind == "embedding" else "score"]}
    return {"input": ["text"], "output": ["text"]}


def _pricing(model_id: str, kind: str, provider: str) -> dict[str, float]:
    """Every documented price field: the model's own, 0 where it has none."""
    fields = (
        "cache_read_input_price_per_million",
        "cache_write_1h_input_price_per_million",
        "cache_write_5m_input_price_per_million",
        "image_cache_read_input_price_per_million",
        "image_input_price_per_million",
        "image_output_price_per_million",
        "input_cache_read",
        "input_price_per_million",
        "output_price_per_million",
        "price_per_audio",
        "price_per_image",
        "price_per_megapixel",
        "price_per_second",
        "price_per_thousand_characters",
        "price_per_video",
        "reasoning_price_per_million",
        "text_cache_read_input_price_per_million",
        "text_input_price_per_million",
        "text_output_price_per_million",
    )
    pricing = dict.fromkeys(fields, 0.0)
    given, taken = _PRICES[model_id]
    pricing.update(
        input_price_per_million=given,
        output_price_per_million=taken,
        text_input_price_per_million=given,
        text_output_price_per_million=taken,
    )
    if kind == "reasoning":
        pricing["reasoning_price_per_million"] = taken
    if provider == "ANTHROPIC":
        pricing["cache_read_input_price_per_million"] = round(given / 10, 4)
    if kind == "image":
        pricing["price_per_image"] = _IMAGE_PRICE
    return pricing


def _settings(kind: str) -> list[dict[str, Any]]:
    if kind not in ("chat", "reasoning"):
        return []
    return [
        {
            "name": "temperature",
            "type": "number",
            "min": 0.0,
            "max": 2.0,
            "step": 0.1,
            "default_value": 0.7,
            "default_string": "",
            "options": [],
        },
        {
            "name": "max_tokens",
            "type": "integer",
            "min": 1.0,
            "max": 16384.0,
            "step": 1.0,
            "default_value": 1024.0,
            "default_string": "",
            "options": [],
        },
    ]


def _capabilities(usecases: tuple[str, ...]) -> list[str]:
    if "KNOWLEDGEBASE" in usecases:
        return ["vectorization"]
    return ["inference", "reasoning"] if "REASONING" in usecases else ["inference"]


def public_view(model: dict[str, Any]) -> dict[str, Any]:
    """The model as the API shows it: without the private filter fields."""
    return {k: v for k, v in model.items() if not k.startswith("_")}


def max_output_tokens(model: dict[str, Any]) -> int:
    """What `/v1/models` reports as a model's longest answer: 0 for models that answer no text."""
    if model["type"] not in CHAT_KINDS:
        return 0
    return min(int(model["context_window"]), 16384 if model["type"] == "chat" else 65536)
