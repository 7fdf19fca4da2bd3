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
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from .client import GenAIClient
from .models import ApiKeyInfo

log = logging.getLogger("provider.recovery")

KEY_TYPE = "pulumi-python:dynamic/genai:ModelAccessKey"


@dataclass
class RecoveryReport:
    """What `recover_pending_creates` did, by resource URN."""

    adopted: dict[str, str] = field(default_factory=dict)
    """URN -> UUID of keys the server had made, now in the state."""
    dropped: list[str] = field(default_factory=list)
    """URNs whose create never reached the server."""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    """URN -> candidate UUIDs, left pending for a person to decide."""


def settle(
    deployment: dict[str, Any], server_keys: list[ApiKeyInfo]
) -> tuple[dict[str, Any], RecoveryReport]:
    """The deployment with every decidable pending key create settled (pure)."""
    resources = list(deployment.get("resources") or [])
    held = {r.get("id") for r in resources if r.get("type") == KEY_TYPE}
    claimed: set[str] = set()
    report = RecoveryReport()
    remaining = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        if operation.get("type") != "creating" or resource.get("type") != KEY_TYPE:
            remaining.append(operation)
            continue
        urn = resource["urn"]
        name = (resource.get("inputs") or {}).get("name")
        candidates = [k for k in server_keys if k.name == name and k.uuid not in held | claimed]
        if not candidates:
            report.dropped.append(urn)
        elif len(candidates) == 1:
            key = candidates[0]
            claimed.add(key.uuid)
            resources.append(_recovered_resource(resource, key))
            report.adopted[urn] = key.uuid
        else:
            remaining.append(operation)
            report.ambiguous[urn] = [k.uuid for k in candidates]
    settled = {**deployment, "resources": resources, "pending_operations": remaining}
    return settled, report


def _recovered_resource(pending: dict[str, Any], key: ApiKeyInfo) -> dict[str, Any]:
    inputs = dict(pending.get("inputs") or {})
    outputs = {
        **inputs,
        "uuid": key.uuid,
        "name": key.name,
        "created_at": key.created_at or "",
        "created_by": key.created_by or "",
        "secret_key": "",  # lost with the interrupted answer; the next up regenerates it
        "rotated_at": "",
        "secret_version": inputs.get("secret_version", 1),
    }
    return {**pending, "id": key.uuid, "inputs": inputs, "outputs": outputs}


def restore_truncated_checkpoint(checkpoint: Path) -> bool:
    """Put back the file backend's previous checkpoint when a kill truncated the current one.

    A killed engine may die while writing `<stack>.json`; Pulumi then says "failed to load
    checkpoint". The file backend keeps the checkpoint before that write as `<stack>.json.bak`.
    It is safe to return to: the engine records a pending create before it sends the create, so
    the write that was cut short never reached DigitalOcean. Returns True when it restored.
    """
    try:
        json.loads(checkpoint.read_text())
        return False
    except (OSError, ValueError):
        pass
    backup = checkpoint.with_name(checkpoint.name + ".bak")
    json.loads(backup.read_text())  # raises if the backup is unusable too: a person must look
    shutil.copyfile(checkpoint, checkpoint.with_name(checkpoint.name + ".truncated"))
    shutil.copyfile(backup, checkpoint)
    log.warning("restored %s from %s (the current one was truncated)", checkpoint, backup.name)
    return True


def recover_pending_creates(
    stack: auto.Stack, client: GenAIClient, *, break_lock: bool = False
) -> RecoveryReport:
    """Settle the stack's pending key creates against the server; see the module docstring.

    A killed engine also leaves its lock on the stack. `break_lock=True` removes it first
    (`pulumi cancel`): say so only when you know no other `pulumi` runs on this stack.
    """
    if break_lock:
        stack.cancel()
    exported = stack.export_stack()
    deployment = dict(exported.deployment or {})
    if not deployment.get("pending_operations"):
        return RecoveryReport()
    settled, report = settle(deployment, client.list_keys())
    stack.import_stack(auto.Deployment(version=exported.version, deployment=settled))
    for urn, uuid in report.adopted.items():
        log.warning("recovered %s as key %s; the next up regenerates its secret", urn, uuid)
    for urn, uuids in report.ambiguous.items():
        log.warning("left %s pending: several keys could be it (%s)", urn, ", ".join(uuids))
    return report
