"""`python -m do_genai_model_keys keys`: every key of an account, and the stacks that manage it.

A security or platform team runs it against one DigitalOcean account (the token and endpoints
come from the environment, as for the provider) and one Pulumi backend (the one `pulumi` is
logged in to, or `--backend-url`). It lists the account's keys, reads every stack of the backend
as `pulumi stack export` gives it, and puts them together:

- `unmanaged`: no stack manages the key;
- `conflict`: two or more stacks manage it: each regenerate of one kills the other's secret;
- `dead`: with `--check-secrets`, a stack's secret is definitely refused by DigitalOcean;
- `old`: a stack issued its secret more than `--max-age-days` ago;
- `gone`: a stack holds a key the account no longer has.

A table for people, `--json` for CI. Exit 1 on a conflict or a dead secret (the two that break
apps), 0 otherwise; 2 for a usage error and 4 when the account or the backend cannot be read.
Secrets are read only with `--check-secrets` (the stacks' passphrase or secrets provider must
be available, as for `pulumi stack export --show-secrets`), kept in memory and never printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, TextIO

from .errors import GenAIError
from .models import ApiKeyInfo
from .times import now, parse_time

KEY_TYPE_SUFFIX = ":ModelAccessKey"
"""How a key resource's type ends in a state (`pulumi-python:dynamic/genai:ModelAccessKey`)."""
TROUBLE = 1
UNREADABLE = 4
DEAD = "dead"


@dataclass(frozen=True)
class Holding:
    """One stack's resource that manages a key."""

    stack: str
    resource: str
    """The resource's name in the program (the last part of its URN)."""
    rotated_at: str
    """When that stack last received a new secret for the key ("" when it holds none)."""
    secret: str = field(default="", repr=False, compare=False)
    """Only with --check-secrets; never printed."""
    secret_state: str = "not checked"  # noqa: S105  # a state's name, not a secret
    """live, dead, unknown (with why), none (the stack holds no secret) or not checked."""


@dataclass
class KeyReport:
    uuid: str
    name: str
    created_at: str
    on_account: bool
    holdings: list[Holding]
    flags: list[str]


# --- reading the backend -----------------------------------------------------------------------


Run = Callable[[Sequence[str]], str]
"""Runs `pulumi` with these arguments and returns its standard output."""


def pulumi_runner(pulumi: str, env: Mapping[str, str]) -> Run:
    def run(args: Sequence[str]) -> str:
        done = subprocess.run(  # noqa: S603  # our own fixed arguments, no shell
            [pulumi, *args, "--non-interactive"],
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise InventoryError(f"`pulumi {' '.join(args)}` failed: {last}")
        return done.stdout

    return run


class InventoryError(Exception):
    """The backend or the account could not be read."""


def backend_stacks(run: Run) -> list[str]:
    """Every stack of the backend, fully named (`organization/project/stack`)."""
    listed = _json(run(["stack", "ls", "--all", "--json"]), "pulumi stack ls")
    if not isinstance(listed, list):
        raise InventoryError("`pulumi stack ls --json` did not answer with a list of stacks")
    return sorted(str(s["name"]) for s in listed)


def stack_holdings(run: Run, stack: str, *, with_secrets: bool) -> list[tuple[str, Holding]]:
    """The keys a stack's state holds: (UUID, holding), one per resource."""
    args = ["stack", "export", "--stack", stack] + (["--show-secrets"] if with_secrets else [])
    exported = _json(run(args), f"pulumi stack export --stack {stack}")
    deployment = exported.get("deployment") if isinstance(exported, dict) else None
    if not isinstance(deployment, dict):
        raise InventoryError(f"the export of {stack} holds no deployment")
    held = []
    for resource in deployment.get("resources") or []:
        if not str(resource.get("type", "")).endswith(KEY_TYPE_SUFFIX) or not resource.get("id"):
            continue
        outputs = resource.get("outputs") or {}
        secret = _revealed(outputs.get("secret_key")) if with_secrets else ""
        holding = Holding(
            stack=stack,
            resource=str(resource.get("urn", "")).rsplit("::", 1)[-1],
            rotated_at=str(outputs.get("rotated_at") or ""),
            secret=secret or "",
        )
        if secret is None:
            unreadable = "unknown (unreadable secret)"
            holding = dataclasses.replace(holding, secret_state=unreadable)
        held.append((str(resource["id"]), holding))
    return held


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InventoryError(f"`{what}` did not answer with JSON") from None


def _revealed(value: Any) -> str | None:
    """A secret output of `stack export --show-secrets`: `{<signature>: ..., "plaintext":
    "<the value as JSON>"}`, or the value itself in a state that never marked it; None when
    it cannot be read (never "no secret")."""
    if isinstance(value, dict) and isinstance(value.get("plaintext"), str):
        try:
            value = json.loads(value["plaintext"])
        except ValueError:
            return None
    if value is None or isinstance(value, str):
        return value or ""
    return None


# --- putting it together (pure) ----------------------------------------------------------------


def report(
    keys: Sequence[ApiKeyInfo],
    holdings: Mapping[str, Sequence[Holding]],
    *,
    max_age_days: float | None,
    at: datetime,
) -> list[KeyReport]:
    """One report per key of the account, then one per key only stacks know of."""
    reports = [
        KeyReport(
            uuid=k.uuid,
            name=k.name,
            created_at=k.created_at or "",
            on_account=True,
            holdings=list(holdings.get(k.uuid, [])),
            flags=[],
        )
        for k in keys
    ]
    known = {k.uuid for k in keys}
    for uuid, held in sorted(holdings.items()):
        if uuid not in known:
            name = held[0].resource if held else ""
            reports.append(KeyReport(uuid, name, "", False, list(held), []))
    for entry in reports:
        entry.flags = _flags(entry, max_age_days, at)
    return reports


def _flags(entry: KeyReport, max_age_days: float | None, at: datetime) -> list[str]:
    flags = []
    if not entry.on_account:
        flags.append("gone")
    elif not entry.holdings:
        flags.append("unmanaged")
    if len(entry.holdings) > 1:  # two stacks, or two resources of one stack
        flags.append("conflict")
    if any(h.secret_state == DEAD for h in entry.holdings):
        flags.append("dead")
    if max_age_days is not None and any(
        h.rotated_at and parse_time(h.rotated_at) < at - timedelta(days=max_age_days)
        for h in entry.holdings
    ):
        flags.append("old")
    return flags


def exit_code(reports: Sequence[KeyReport]) -> int:
    troubled = any({"conflict", "dead"} & set(r.flags) for r in reports)
    return TROUBLE if troubled else 0


def render_table(reports: Sequence[KeyReport]) -> str:
    rows = [("KEY", "UUID", "MANAGED BY", "SECRET ISSUED", "SECRET", "FLAGS")]
    for entry in reports:
        lines = [
            (f"{h.stack} ({h.resource})", h.rotated_at or "-", h.secret_state)
            for h in entry.holdings
        ] or [("-", "-", "-")]
        for n, (managed_by, issued, secret_state) in enumerate(lines):
            first = n == 0
            rows.append(
                (
                    entry.name if first else "",
                    entry.uuid if first else "",
                    managed_by,
                    issued,
                    secret_state,
                    ",".join(entry.flags) if first else "",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    counts = {flag: sum(flag in r.flags for r in reports) for flag in FLAGS}
    summary = ", ".join(f"{n} {flag}" for flag, n in counts.items() if n)
    text.append(f"{len(reports)} keys" + (f": {summary}" if summary else ", no findings"))
    return "\n".join(line.rstrip() for line in text)


FLAGS = ("conflict", "dead", "gone", "unmanaged", "old")


def render_json(reports: Sequence[KeyReport]) -> str:
    data = []
    for entry in reports:
        item = asdict(entry)
        for held in item["holdings"]:
            held.pop("secret", None)
        data.append(item)
    return json.dumps({"keys": data, "exit_code": exit_code(reports)}, indent=2)


# --- the command ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """`python -m do_genai_model_keys keys`."""
    parser = argparse.ArgumentParser(
        prog="python -m do_genai_model_keys keys",
        description="Every model access key of the account (DIGITALOCEAN_TOKEN, ...) with the "
        "stacks of the Pulumi backend that manage it; exit 1 on a key two stacks manage or a "
        "dead secret.",
    )
    parser.add_argument("--backend-url", help="the Pulumi backend (default: the one logged in)")
    parser.add_argument(
        "--check-secrets",
        action="store_true",
        help="read the stacks' secrets (their passphrase must be set) and ask DigitalOcean "
        "whether each still works",
    )
    parser.add_argument(
        "--max-age-days", type=float, help="flag secrets a stack issued longer ago than this"
    )
    parser.add_argument("--json", action="store_true", help="JSON for CI instead of a table")
    parser.add_argument("--pulumi", default="pulumi", help="the pulumi CLI (default: on PATH)")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    if args.max_age_days is not None and not args.max_age_days > 0:
        parser.error("--max-age-days must be a number of days > 0")
    try:
        reports = _inventory(args)
    except (KeyError, TypeError, ValueError) as error:  # an answer of a shape we cannot read
        print(
            f"keys: an answer could not be read ({type(error).__name__}: {error})", file=sys.stderr
        )
        return UNREADABLE
    except (InventoryError, GenAIError) as error:
        print(f"keys: {error}", file=sys.stderr)
        return UNREADABLE
    print(render_json(reports) if args.json else render_table(reports), file=out)
    return exit_code(reports)


def _inventory(args: argparse.Namespace) -> list[KeyReport]:
    from .client import GenAIClient
    from .keys import KeyStore

    pulumi = shutil.which(args.pulumi)
    if pulumi is None:
        raise InventoryError(f"{args.pulumi!r} is not on PATH: install Pulumi or pass --pulumi")
    env = dict(os.environ)
    if args.backend_url:
        env["PULUMI_BACKEND_URL"] = args.backend_url
    run = pulumi_runner(pulumi, env)
    with GenAIClient() as client:
        keys = client.list_keys()
        stacks = backend_stacks(run)
        holdings: dict[str, list[Holding]] = {}
        progress = Progress(len(stacks), "stacks read")
        for stack in stacks:
            for uuid, held in stack_holdings(run, stack, with_secrets=args.check_secrets):
                holdings.setdefault(uuid, []).append(held)
            progress.step()
        if args.check_secrets:
            store = KeyStore(client)
            held_secrets = sum(1 for h in _all(holdings) if h.secret)
            checking = Progress(held_secrets, "secrets checked")
            for uuid, held_list in holdings.items():
                holdings[uuid] = [_checked(store, h, checking) for h in held_list]
    return report(keys, holdings, max_age_days=args.max_age_days, at=now())


def _all(holdings: Mapping[str, Sequence[Holding]]) -> list[Holding]:
    return [h for held in holdings.values() for h in held]


def _checked(store: Any, held: Holding, progress: Progress) -> Holding:
    from .secret_checks import Verdict

    if held.secret_state.startswith("unknown"):
        return held
    if not held.secret:
        return Holding(held.stack, held.resource, held.rotated_at, "", "none")
    check = store.check_secret(held.secret)
    progress.step()
    state = check.verdict.value
    if check.verdict is Verdict.UNKNOWN:
        state = f"unknown ({check.reason})"
    return Holding(held.stack, held.resource, held.rotated_at, "", state)


class Progress:
    """`N/M <what>` on standard error while a long run goes on: in place on a terminal, a line
    every tenth of the way otherwise; nothing for runs of a handful."""

    def __init__(self, total: int, what: str, stream: TextIO | None = None) -> None:
        self.total, self.what, self.done = total, what, 0
        self.stream = stream or sys.stderr
        self.every = max(1, total // 10)

    def step(self) -> None:
        self.done += 1
        if self.total < 5:
            return
        line = f"{self.done}/{self.total} {self.what}"
        if self.stream.isatty():
            end = "\n" if self.done == self.total else ""
            print(f"\r{line}", end=end, file=self.stream, flush=True)
        elif self.done % self.every == 0 or self.done == self.total:
            print(line, file=self.stream, flush=True)
