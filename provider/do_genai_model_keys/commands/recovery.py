"""Recover a stack after an interrupted `pulumi up`: no orphaned key, no lost secret.

When the engine dies in the middle of creating keys, the state keeps those creates as *pending
operations*: the engine asked for the key but never recorded the answer. The server may or may
not have made it. Pulumi's own `refresh --clear-pending-creates` forgets them, and the next `up`
would make a second key beside each one the server did make: orphans.

`recover_pending_creates` settles each pending create of a `ModelAccessKey` by listing the keys:
- exactly one key of that name exists that the state does not already hold: it is ours, and is
  written into the state with its UUID (and no secret: the answer carrying it was lost);
- none: the create never happened, and the pending operation is dropped;
- several: it cannot tell which, so it leaves the operation and says so.
The next `pulumi up` then regenerates the recovered keys (the resource regenerates a key whose
secret is missing) and creates the ones that never existed.

`python -m do_genai_model_keys recover` does all of it from a project folder, with the stack's own
`digitalocean:*` config (see `main`); the functions below are the same steps for scripts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from ..api.client import GenAIClient
from ..api.config import settings_from_stack_config
from ..api.errors import ConfigurationError, GenAIError
from ..api.models import ApiKeyInfo
from ..doors import DOORS, DYNAMIC, PACKAGE, PLUGIN, Door, explicit_provider
from ..lifecycle.outputs import KeyOutputs
from .backend import (
    CliStack,
    InventoryError,
    Run,
    backend_url,
    find_pulumi,
    pulumi_runner,
    selected_stack,
)
from .backend import pulumi_said as pulumi_said
from .exits import AMBIGUOUS, BUSY, OK, TROUBLE

log = logging.getLogger("do_genai_model_keys.recovery")


@dataclass
class RecoveryReport:
    """What `recover_pending_creates` did, by resource URN."""

    adopted: dict[str, str] = field(default_factory=dict)
    """URN -> UUID of keys the server had made, now in the state."""
    dropped: list[str] = field(default_factory=list)
    """URNs whose create never reached the server."""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    """URN -> candidate UUIDs, left pending for a person to decide."""
    other_account: list[str] = field(default_factory=list)
    """URNs of creates in an account other than the stack's, left pending: this listing cannot
    tell whether they happened."""
    unwritten: bool = False
    """Something was settled, but could not be written without dropping the operations left
    pending (a backend other than a file one): nothing was written."""


KEY_DOORS = {door.key_type: door for door in DOORS}
"""Each door by the type of its keys in a state; listings and clients go by the door's name."""


def settle(
    deployment: dict[str, Any],
    server_keys: list[ApiKeyInfo] | Mapping[str, list[ApiKeyInfo] | None],
) -> tuple[dict[str, Any], RecoveryReport]:
    """The deployment with every decidable pending key create settled (pure). `server_keys`:
    the keys of the stack's account, per door when the doors' config differs (None: that
    door's account could not be listed, so its creates stay pending)."""
    listings = (
        server_keys
        if isinstance(server_keys, Mapping)
        else {door.name: server_keys for door in DOORS}
    )
    resources = list(deployment.get("resources") or [])
    held = {r.get("id") for r in resources if r.get("type") in KEY_DOORS}
    claimed: set[str] = set()
    report = RecoveryReport()
    remaining = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        door = KEY_DOORS.get(resource.get("type", ""))
        if operation.get("type") != "creating" or door is None:
            remaining.append(operation)
            continue
        urn = resource["urn"]
        listed = listings.get(door.name)
        if _of_another_account(resource, door) or listed is None:
            # Made in another account (an Account(...) or an explicit provider), whose keys
            # this listing does not hold.
            remaining.append(operation)
            report.other_account.append(urn)
            continue
        name = (resource.get("inputs") or {}).get("name")
        candidates = [k for k in listed if k.name == name and k.uuid not in held | claimed]
        if not candidates:
            report.dropped.append(urn)
        elif len(candidates) == 1:
            key = candidates[0]
            claimed.add(key.uuid)
            resources.append(_recovered_resource(resource, key, door))
            report.adopted[urn] = key.uuid
        else:
            remaining.append(operation)
            report.ambiguous[urn] = [k.uuid for k in candidates]
    settled = {**deployment, "resources": resources, "pending_operations": remaining}
    return settled, report


def _of_another_account(resource: Mapping[str, Any], door: Door) -> bool:
    """Whether a pending key lives in an account other than the stack's own: the dynamic door
    says so with an `account` input, the plugin with an explicit provider (the default one's
    name starts with `default`)."""
    if door is DYNAMIC:
        return bool((resource.get("inputs") or {}).get("account"))
    return bool(explicit_provider(resource))


def _recovered_resource(pending: dict[str, Any], key: ApiKeyInfo, door: Door) -> dict[str, Any]:
    inputs = dict(pending.get("inputs") or {})
    core_inputs = door.core(inputs)
    # The secret was lost with the interrupted answer; the next up regenerates it.
    state = KeyOutputs.of(key, core_inputs, secret="", rotated_at="").state(core_inputs)
    if door is PLUGIN:  # the plugin's states hold no nulls
        state = door.spelled({k: v for k, v in state.items() if v is not None})
    return {**pending, "id": key.uuid, "inputs": inputs, "outputs": {**inputs, **state}}


def restore_truncated_checkpoint(checkpoint: Path) -> bool:
    """Put back the file backend's previous checkpoint when a kill truncated the current one.

    A killed engine may die while writing `<stack>.json`; Pulumi then says "failed to load
    checkpoint". The file backend keeps the checkpoint before that write as `<stack>.json.bak`.
    It is safe to return to: the engine records a pending create before it sends the create, so
    the write that was cut short never reached DigitalOcean. Returns True when it restored.
    """
    restored = _set_aside_truncated_attrs(checkpoint)
    try:
        json.loads(checkpoint.read_text())
        return restored
    except (OSError, ValueError):
        pass
    backup = checkpoint.with_name(checkpoint.name + ".bak")
    json.loads(backup.read_text())  # raises if the backup is unusable too: a person must look
    shutil.copyfile(checkpoint, checkpoint.with_name(checkpoint.name + ".truncated"))
    shutil.copyfile(backup, checkpoint)
    log.warning("restored %s from %s (the current one was truncated)", checkpoint, backup.name)
    return True


def _set_aside_truncated_attrs(checkpoint: Path) -> bool:
    """The file backend keeps each file's attributes in `<file>.attrs` (JSON); a kill can leave
    it empty, and Pulumi then says `failed to load checkpoint: EOF` although the checkpoint is
    whole. Without the sidecar the file reads with default attributes, so an unreadable one is
    moved aside (kept as `.attrs.truncated`)."""
    attrs = checkpoint.with_name(checkpoint.name + ".attrs")
    try:
        json.loads(attrs.read_text())
        return False
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        attrs.replace(attrs.with_name(attrs.name + ".truncated"))
        log.warning("set aside %s (cut short by the kill)", attrs.name)
        return True


class Stack(Protocol):
    """A stack as `recover` reads and writes it: the CLI's (`backend.CliStack`), or an
    Automation API `Stack` that a program hands over."""

    def export_stack(self) -> Any: ...
    def import_stack(self, state: Any) -> None: ...
    def cancel(self) -> None: ...
    def get_all_config(self) -> Mapping[str, Any]: ...


def recover_pending_creates(
    stack: Stack,
    clients: GenAIClient | Mapping[str, GenAIClient | None],
    *,
    break_lock: bool = False,
    checkpoint: Path | None = None,
) -> RecoveryReport:
    """Settle the stack's pending key creates against the server; see the module docstring.

    `clients`: the stack's account, one client, or one per door (`stack_clients`). What is
    settled is written back with `pulumi stack import` when no pending operation is left; else
    into the file backend's `checkpoint` itself, so the operations left for a person stay (an
    import would drop them); with neither, nothing is written and the report says so.

    A killed engine also leaves its lock on the stack. `break_lock=True` removes it first
    (`pulumi cancel`): say so only when you know no other `pulumi` runs on this stack.
    """
    if break_lock:
        stack.cancel()
    exported = stack.export_stack()
    deployment = dict(exported.deployment or {})
    if not deployment.get("pending_operations"):
        return RecoveryReport()
    settled, report = settle(deployment, _listings(deployment, clients))
    if not (report.adopted or report.dropped):
        return report  # nothing settled: nothing to write
    if settled["pending_operations"]:
        # `pulumi stack import` drops every pending operation: write the checkpoint itself,
        # keeping the ones left for a person, or write nothing at all.
        if checkpoint is None or not _write_checkpoint(checkpoint, settled):
            report.unwritten = True
            return report
    else:
        stack.import_stack(_Deployment(version=exported.version, deployment=settled))
    for urn, uuid in report.adopted.items():
        log.warning("recovered %s as key %s; the next up regenerates its secret", urn, uuid)
    for urn, uuids in report.ambiguous.items():
        log.warning("left %s pending: several keys could be it (%s)", urn, ", ".join(uuids))
    return report


@dataclass(frozen=True)
class _Deployment:
    """A state to import, as both kinds of `Stack` take it."""

    version: Any
    deployment: dict[str, Any]


def _listings(
    deployment: Mapping[str, Any], clients: GenAIClient | Mapping[str, GenAIClient | None]
) -> dict[str, list[ApiKeyInfo] | None]:
    """The keys of each door's account that has pending creates (one listing per account)."""
    if not isinstance(clients, Mapping):
        clients = {door.name: clients for door in DOORS}
    doors = {
        KEY_DOORS[op["resource"]["type"]].name
        for op in deployment.get("pending_operations") or []
        if isinstance(op, dict) and (op.get("resource") or {}).get("type") in KEY_DOORS
    }
    listed: dict[int, list[ApiKeyInfo]] = {}
    found: dict[str, list[ApiKeyInfo] | None] = {}
    for door in doors:
        client = clients.get(door)
        if client is None:
            found[door] = None
            continue
        if id(client) not in listed:
            listed[id(client)] = client.list_keys()
        found[door] = listed[id(client)]
    return found


def _write_checkpoint(checkpoint: Path, deployment: dict[str, Any]) -> bool:
    """Write `deployment` as the latest of a file backend's checkpoint; False when the file
    is not the plain JSON checkpoint this knows."""
    try:
        saved = json.loads(checkpoint.read_text())
        saved["checkpoint"]["latest"] = deployment
    except (OSError, ValueError, KeyError, TypeError):
        return False
    temp = checkpoint.with_name(checkpoint.name + ".recover")
    temp.write_text(json.dumps(saved, indent=4))
    temp.replace(checkpoint)
    return True


def stack_client(stack: Stack) -> GenAIClient:
    """A client with the stack's own `digitalocean:*` config (secrets decrypted), falling back
    to the environment like the provider does."""
    client = stack_clients(stack)[DYNAMIC.name]
    assert client is not None
    return client


def stack_clients(stack: Stack) -> dict[str, GenAIClient | None]:
    """A client per door, each with that door's own config namespace of the stack
    (`digitalocean:*` for the dynamic resources, `do-genai:*` for the plugin; secrets
    decrypted), falling back to the environment as each provider does. Doors whose config
    is the same share one client, so one listing."""
    config = {key: value.value for key, value in stack.get_all_config().items()}
    clients: dict[str, GenAIClient | None] = {}
    made: dict[Any, GenAIClient] = {}
    for door in DOORS:
        namespace = f"{door.config_namespace}:"
        own = {
            DYNAMIC.config_namespace + ":" + key.removeprefix(namespace): value
            for key, value in config.items()
            if key.startswith(namespace)
        }
        settings = settings_from_stack_config(own.get, own)
        if settings not in made:
            made[settings] = GenAIClient(settings=settings)
        clients[door.name] = made[settings]
    return clients


OURS = {
    "pulumi": "the Pulumi engine",
    "pulumi.dynamic": "the dynamic provider",
    "runner.py": "the program runner",
    "pulumi-language-python-exec": "the program runner",
    f"pulumi-resource-{PACKAGE}": "the do-genai provider plugin",
}
"""What a process of a run looks like on its command line (a word of it), and what it is."""


def leftovers(project: Path) -> list[tuple[int, str]]:
    """The processes of this machine that belong to a run of the project in `project`: an
    engine, a dynamic provider or a program runner whose working folder is that project's
    (Linux's /proc; elsewhere, none can be told)."""
    root = project.resolve()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cwd = (entry / "cwd").resolve(strict=True)
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(entry.name) == os.getpid() or not (cwd == root or root in cwd.parents):
            continue
        names = {Path(w.decode(errors="replace")).name for w in words if w}
        what = next((OURS[name] for name in OURS if name in names), None)
        if what is not None:
            found.append((int(entry.name), what))
    return sorted(found)


def wait_for_leftovers(project: Path, seconds: float) -> list[tuple[int, str]]:
    """Wait up to `seconds` for the project's left-over processes to end; those still alive.
    (A provider of ours ends within a second of its engine: see `api/lifeline.py`.)"""
    deadline = time.monotonic() + seconds
    while True:
        still = leftovers(project)
        if not still or time.monotonic() >= deadline:
            return still
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """`python -m do_genai_model_keys recover`: settle an interrupted `up` of a project's stack."""
    parser = argparse.ArgumentParser(
        prog="python -m do_genai_model_keys recover",
        description="Settle the key creates that an interrupted `pulumi up` left pending, with "
        "the stack's own config: keys the server made go into the state (the next `pulumi up` "
        "regenerates their secret), creates that never happened are dropped.",
    )
    parser.add_argument("--stack", help="the stack (default: the project's selected stack)")
    parser.add_argument("--cwd", default=".", help="the project folder (default: here)")
    parser.add_argument(
        "--break-lock",
        action="store_true",
        help="remove the killed engine's lock first (`pulumi cancel`); only when no other "
        "`pulumi` runs on this stack",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for a process of the killed run to end (default 10)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    still = wait_for_leftovers(Path(args.cwd), args.wait)
    if still:
        print(
            "recover: a process of this project is still running: "
            + "; ".join(f"{what} (pid {pid})" for pid, what in still)
            + ". Wait for it to end, or stop it (`kill PID`) if its `pulumi` is gone, then run "
            "this again; nothing was changed",
            file=sys.stderr,
        )
        return BUSY
    try:
        cwd = Path(args.cwd)
        run = pulumi_runner(find_pulumi(), dict(os.environ), cwd)
        name = args.stack or _selected_stack(run, cwd)
        stack = CliStack(run, name)
        checkpoint = _file_checkpoint(run, cwd, name)
        if checkpoint is not None and restore_truncated_checkpoint(checkpoint):
            print(f"restored the previous checkpoint of {name} (the last one was cut short)")
        clients = stack_clients(stack)
        try:
            report = recover_pending_creates(
                stack, clients, break_lock=args.break_lock, checkpoint=checkpoint
            )
        finally:
            for client in {id(c): c for c in clients.values() if c is not None}.values():
                client.close()
    except InventoryError as error:
        said = str(error).partition(" failed: ")[2] or str(error)
        locked = "locked" in said
        advice = (
            " It is the killed run's lock when no `pulumi` runs on this stack any more: run "
            "this again with --break-lock."
            if locked
            else ""
        )
        print(f"recover: pulumi said: {said}.{advice} Nothing was changed.", file=sys.stderr)
        return BUSY if locked else TROUBLE
    except GenAIError as error:
        print(f"recover: {error}", file=sys.stderr)
        return TROUBLE
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        print(
            "recover: the stack's state has a shape recover cannot read "
            f"({type(error).__name__}: {error}); nothing was changed. Look at it with "
            "`pulumi stack export`",
            file=sys.stderr,
        )
        return TROUBLE
    print(_summary(name, report))
    return AMBIGUOUS if report.ambiguous or report.other_account or report.unwritten else OK


def _selected_stack(run: Run, cwd: Path) -> str:
    try:
        return selected_stack(run)
    except InventoryError as error:  # pulumi's own words say why (none selected, no login)
        raise ConfigurationError(
            f"no stack is selected in {cwd} ({error}): name one with --stack"
        ) from None


def _file_checkpoint(run: Run, cwd: Path, stack: str) -> Path | None:
    """The stack's checkpoint file on a file backend (`file://DIR`, `file://~`), if that is the
    backend and the file is there (project-scoped layout, then the older flat one)."""
    url = urlsplit(backend_url(run))
    if url.scheme != "file":
        return None
    root = Path(unquote(url.netloc + url.path)).expanduser() / ".pulumi" / "stacks"
    name = stack.rsplit("/", 1)[-1]
    project = _project_name(cwd)
    for path in (root / project / f"{name}.json", root / f"{name}.json"):
        if path.exists():
            return path
    log.warning("no checkpoint file of %s under %s: not checking it for truncation", stack, root)
    return None


def _project_name(cwd: Path) -> str:
    """The project's name, from its Pulumi.yaml (or Pulumi.yml)."""
    import yaml

    for name in ("Pulumi.yaml", "Pulumi.yml"):
        if (cwd / name).exists():
            settings = yaml.safe_load((cwd / name).read_text()) or {}
            return str(settings.get("name") or "") if isinstance(settings, dict) else ""
    return ""


def _summary(stack: str, report: RecoveryReport) -> str:
    if not (report.adopted or report.dropped or report.ambiguous or report.other_account):
        return f"{stack}: no pending key creates; nothing to do"
    lines = [f"{stack}:"]
    lines += [f"  recovered {urn} as key {uuid}" for urn, uuid in report.adopted.items()]
    lines += [f"  dropped {urn} (its create never reached DigitalOcean)" for urn in report.dropped]
    lines += [
        f"  left {urn} pending: several keys could be it ({', '.join(uuids)}); delete the extra "
        "keys in the control panel and run this again"
        for urn, uuids in report.ambiguous.items()
    ]
    lines += [
        f"  left {urn} pending: its key belongs to another account (Account(...)); look for it "
        "in that team's control panel, adopt or delete it, then run "
        "`pulumi refresh --clear-pending-creates`"
        for urn in report.other_account
    ]
    if report.unwritten:
        lines.append(
            "  nothing was written: this backend takes a state only through `pulumi stack "
            "import`, which would drop the operations left pending. Settle those first, then "
            "run this again"
        )
    elif report.adopted or report.dropped:
        lines.append("run `pulumi up` now: it regenerates the recovered keys' secrets")
    return "\n".join(lines)
