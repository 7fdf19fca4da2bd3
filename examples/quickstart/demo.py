"""The README's demo: the quickstart stack against a local emulator, start to finish.

1. starts the emulator (`python -m provider.emulator`) on a free port;
2. runs `pulumi up` of the quickstart program through the Automation API (file backend);
3. shows the stack outputs with the secrets hidden;
4. proves a key works by listing the emulator's inference models and chatting with it;
5. destroys the stack and stops the emulator.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from program import program  # the folder was just put on the path

from provider import GenAIClient
from provider.stacks import LocalBackend, find_engine_bin


def start_emulator(token: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(  # noqa: S603  # our own module, fixed arguments
        [sys.executable, "-m", "provider.emulator", "--port", "0", "--token", token],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.startswith("listening on "):
        process.kill()
        raise SystemExit(f"the emulator did not start: {first!r}")
    return process, first.removeprefix("listening on ")


def step(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def main() -> int:
    token = "emu-demo-" + secrets.token_hex(16)
    emulator, url = start_emulator(token)
    workdir = Path(tempfile.mkdtemp(prefix="genai-quickstart-"))
    backend = LocalBackend(root=workdir, engine_bin=find_engine_bin())
    try:
        step(f"emulator listening on {url}")
        stack = backend.stack(
            "quickstart",
            "demo",
            program,
            config={
                "digitalocean:token": (token, True),
                "digitalocean:apiEndpoint": url,
                "digitalocean:inferenceEndpoint": url,
            },
        )
        step("pulumi up")
        stack.up(on_output=lambda line: print(line, flush=True))

        step("pulumi stack output (secrets stay hidden)")
        print(backend.cli("quickstart", "stack", "output", "--stack", "demo"), end="")

        step("calling the emulator's inference API with the new key")
        outputs = stack.outputs()
        secret = outputs["web_key_secret"].value
        with GenAIClient(token, api_endpoint=url, inference_endpoint=url) as client:
            models = client.list_inference_models(secret)
        key_uuid = outputs["web_key_uuid"].value
        print(f"key {key_uuid} may call {len(models)} models, e.g. {models[0].id}")
        answer = httpx.post(
            f"{url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {secret}"},
            json={"model": models[0].id, "messages": [{"role": "user", "content": "ping"}]},
        ).json()
        print("chat answer:", answer["choices"][0]["message"]["content"])

        step("pulumi destroy")
        stack.destroy(on_output=lambda line: print(line, flush=True))
        stack.workspace.remove_stack("demo")
        step("done: the demo cleaned up after itself")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        emulator.terminate()
        emulator.wait(timeout=10)
        if emulator.stdout is not None:
            emulator.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
