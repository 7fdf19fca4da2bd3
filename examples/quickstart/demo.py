"""The README's demo: the root Pulumi.yaml, run with the `pulumi` CLI against a local emulator.

It follows what a user does on DigitalOcean today:
1. starts the emulator (`python -m do_genai_model_keys.emulator`), which, like DigitalOcean,
   refuses to create keys through the API;
2. makes the key "in the control panel" (the emulator's control API);
3. `pulumi stack init`, `pulumi config set --secret digitalocean:token ...`, `pulumi up`: the
   program adopts the key by name and regenerates its secret;
4. reads the secret with `pulumi stack output --show-secrets` and calls the inference API;
5. `pulumi destroy`, refused: the adopted key is protected, since only the control panel can
   make it again; `deletionProtection` set to false, `pulumi up`, then `pulumi destroy` and
   `pulumi stack rm`, and stops the emulator.

The stack lives on a file backend in a temporary folder; nothing touches Pulumi Cloud.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STACK = "demo"


def start_emulator(token: str) -> tuple[subprocess.Popen[str], str]:
    # The token goes by the environment, not the command line, where `ps` would show it.
    process = subprocess.Popen(  # our own module, fixed arguments
        [sys.executable, "-m", "do_genai_model_keys.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DO_GENAI_EMULATOR_TOKENS": token},
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.startswith("listening on "):
        process.kill()
        raise SystemExit(f"the emulator did not start: {first!r}")
    return process, first.removeprefix("listening on ")


def step(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def pulumi(env: dict[str, str], *args: str, capture: bool = False, fails: bool = False) -> str:
    """Run the `pulumi` CLI in the project root, as a user would; show its output (the value
    of a `config set --secret` is never shown, even a throwaway emulator's token). `fails`:
    the step is meant to be refused, and its output is returned."""
    shown = [*args[:-1], "[secret]"] if "--secret" in args else list(args)
    print(f"$ pulumi {' '.join(shown)}", flush=True)
    done = subprocess.run(  # noqa: S603  # the CLI a user runs, found on PATH
        ["pulumi", *args, "--non-interactive"],  # noqa: S607
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=capture or fails,
        check=False,
    )
    if fails:
        if done.returncode == 0:
            raise SystemExit(f"pulumi {args[0]} was meant to be refused, and was not")
        return done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"pulumi {args[0]} failed (exit {done.returncode}): {done.stderr or ''}")
    return done.stdout if capture else ""


def main() -> int:
    token = "emu-demo-" + secrets.token_hex(16)
    emulator, url = start_emulator(token)
    backend = Path(tempfile.mkdtemp(prefix="genai-quickstart-"))
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_hex(16),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_HOME": str(backend / "home"),
    }
    try:
        step(f"emulator listening on {url}; like DigitalOcean, it refuses API creates (410)")
        refused = httpx.post(
            f"{url}/v2/gen-ai/models/api_keys",
            headers={"Authorization": f"Bearer {token}"},
            json={"name": "quickstart-web"},
        )
        print(f"POST /v2/gen-ai/models/api_keys -> {refused.status_code} {refused.json()['id']}")

        step("make the key in the control panel (the emulator's stand-in for it)")
        print(
            f"$ curl -X POST {url}/_emulator/keys -H 'content-type: application/json' "
            """-d '{"name": "quickstart-web"}'"""
        )
        panel = httpx.post(f"{url}/_emulator/keys", json={"name": "quickstart-web"}).json()
        panel_secret = panel["api_key_info"]["secret_key"]
        print(f"made key {panel['api_key_info']['uuid']} (its secret was shown once, in the panel)")

        step("pulumi stack init, config, up: adopt the key and regenerate its secret")
        pulumi(env, "stack", "init", STACK)
        pulumi(env, "config", "set", "--secret", "digitalocean:token", token)
        pulumi(env, "config", "set", "digitalocean:apiEndpoint", url)
        pulumi(env, "config", "set", "digitalocean:inferenceEndpoint", url)
        pulumi(env, "up", "--yes")

        step("pulumi stack output (secrets stay hidden unless asked for)")
        pulumi(env, "stack", "output")
        secret = pulumi(
            env, "stack", "output", "web_key_secret", "--show-secrets", capture=True
        ).strip()

        step("an app calls the inference API with the secret from the stack output")
        auth = {"Authorization": f"Bearer {secret}"}
        models = httpx.get(f"{url}/v1/models", headers=auth).json()["data"]
        print(f"the key may call {len(models)} models, e.g. {models[0]['id']}")
        answer = httpx.post(
            f"{url}/v1/chat/completions",
            headers=auth,
            json={"model": models[0]["id"], "messages": [{"role": "user", "content": "ping"}]},
        ).json()
        print("chat answer:", answer["choices"][0]["message"]["content"])
        old = httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {panel_secret}"})
        print(f"the panel's original secret now gets {old.status_code}: adoption regenerated it")

        step("pulumi destroy: refused, the adopted key is protected (nobody can make it again)")
        said = pulumi(env, "destroy", "--yes", fails=True)
        reason = next(line for line in said.splitlines() if "protected from deletion" in line)
        print(reason.strip())
        kept = httpx.get(f"{url}/v1/models", headers=auth).status_code
        print(f"nothing was deleted: the stack's secret still gets {kept}")

        step("lift the protection with an `up`, then destroy and stack rm")
        pulumi(env, "config", "set", "deletionProtection", "false")
        pulumi(env, "up", "--yes")
        pulumi(env, "destroy", "--yes")
        pulumi(env, "stack", "rm", STACK, "--yes")
        step("done: the demo cleaned up after itself")
        return 0
    finally:
        shutil.rmtree(backend, ignore_errors=True)
        emulator.terminate()
        emulator.wait(timeout=10)
        if emulator.stdout is not None:
            emulator.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
