"""A small app: takes the model access key from the stack output and asks a model a question.

    MODEL_ACCESS_KEY=$(pulumi stack output model_access_key --show-secrets) \
    INFERENCE_BASE_URL=https://inference.do-ai.run \
    python app.py "What is a model access key?"

It uses the OpenAI Python client with `base_url` at DigitalOcean's serverless inference API (or
the emulator), as DigitalOcean's inference guide shows.
"""

from __future__ import annotations

import os
import sys

from openai import OpenAI

DEFAULT_MODEL = "llama3.3-70b-instruct"


def ask(secret: str, base_url: str, question: str, model: str = DEFAULT_MODEL) -> str:
    client = OpenAI(api_key=secret, base_url=base_url.rstrip("/") + "/v1", max_retries=2)
    try:
        completion = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": question}]
        )
    finally:
        client.close()
    return completion.choices[0].message.content or ""


def main(argv: list[str]) -> int:
    secret = os.environ.get("MODEL_ACCESS_KEY")
    if not secret:
        print("set MODEL_ACCESS_KEY (pulumi stack output model_access_key --show-secrets)")
        return 2
    base_url = os.environ.get("INFERENCE_BASE_URL", "https://inference.do-ai.run")
    question = " ".join(argv) or "Say hello."
    print(ask(secret, base_url, question, os.environ.get("MODEL", DEFAULT_MODEL)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
