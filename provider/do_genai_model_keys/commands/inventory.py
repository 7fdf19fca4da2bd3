"""`python -m do_genai_model_keys keys`: every key of an account, and the stacks that manage it.

A security or platform team runs it against one DigitalOcean account (the token and endpoints
come from the environment, as for the provider) and one Pulumi backend (the one `pulumi` is
logged in to, or `--backend-url`). It lists the account's keys, reads every stack of the backend
as `pulumi stack export` gives it, and puts them together:

- `unmanaged`: no stack manages the key;
- `conflict`: two or more stacks manage it: each regenerate of one kills the other's secret;
- `dead`: with `--check-secrets`, a stack's secret is definitely refused by DigitalOcean;
- `old`: a stack issued its secret more than `--max-age-days` ago;
- `gone`: a stack holds a key the account no longer has;
- `elsewhere`: a stack holds the key in another account (`Account(...)`) that could not be read
  (its token is a secret: `--check-secrets` reads it).

Each key is looked for, and its secret checked, in the account its resource names: the keys of a
resource with `Account(...)` are listed with that account's own token and endpoints (one listing
per account), never taken for gone from this one.

A table for people, `--json` for CI. Exit 1 on a conflict or a dead secret (the two that break
apps), 0 otherwise; 2 for a usage error and 4 when the account, the backend or a stack cannot be
read (the stacks that could be read are still reported). Secrets are read only with
`--check-secrets` (the stacks' passphrase or secrets provider must be available, as for
`pulumi stack export --show-secrets`), kept in memory and never printed; a value a state marks
secret prints as `[secret]`; cells show control characters escaped.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from ..api.errors import GenAIError
from ..api.models import ApiKeyInfo
from ..api.times import now, parse_time
from ..doors import SECRET_SIGNATURE, door_of, own_account
from .backend import InventoryError as InventoryError  # where tests and programs import it
from .backend import Run, backend_env, find_pulumi, pulumi_runner, read_json
from .exits import OK, TROUBLE, UNREADABLE
from .terminal import printable

if TYPE_CHECKING:
    from ..api.client import GenAIClient
    from ..api.config import ClientSettings
    from ..keys.secret_checks import SecretChecker

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
    urn: str = ""
    """The resource's URN, for the advice on letting go of a key."""
    account: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    """The resource's own `Account` as its state has it (None: the stack's config; {}: one the
    export keeps secret)."""


@dataclass
class KeyReport:
    uuid: str
    name: str
    created_at: str
    on_account: bool | None
    """Whether the key's account has it (None: that account could not be read)."""
    holdings: list[Holding]
    flags: list[str]
    account: str = ""
    """The API endpoint of the key's account when it is not the one inventoried."""
    advice: str = ""


# --- reading the backend -----------------------------------------------------------------------


def backend_stacks(run: Run) -> list[str]:
    """Every stack of the backend, fully named (`organization/project/stack`)."""
    listed = _json(run(["stack", "ls", "--all", "--json"]), "pulumi stack ls")
    if not isinstance(listed, list):
        raise InventoryError("`pulumi stack ls --json` did not answer with a list of stacks")
    return sorted(str(s["name"]) for s in listed)


def stack_holdings(run: Run, stack: str, *, with_secrets: bool) -> list[tuple[str, Holding]]:
    """The keys a stack's state holds, through either door: (UUID, holding), one per
    resource."""
    args = ["stack", "export", "--stack", stack] + (["--show-secrets"] if with_secrets else [])
    exported = _json(run(args), f"pulumi stack export --stack {stack}")
    deployment = exported.get("deployment") if isinstance(exported, dict) else None
    resources = deployment.get("resources") if isinstance(deployment, dict) else None
    if not isinstance(deployment, dict) or not isinstance(resources or [], list):
        raise InventoryError(f"the export of {stack} holds no deployment with resources")
    if not all(isinstance(resource, dict) for resource in resources or []):
        raise InventoryError(f"the export of {stack} holds a resource that is not an object")
    by_urn = {str(r.get("urn")): r for r in resources or []}
    held = []
    for resource in resources or []:
        door = door_of(resource.get("type"))
        if door is None or resource.get("type") != door.key_type or not resource.get("id"):
            continue
        outputs, inputs = resource.get("outputs", {}), resource.get("inputs", {})
        if not isinstance(outputs, dict) or not isinstance(inputs, dict):
            raise InventoryError(f"the export of {stack} holds a key whose state is not an object")
        secret = _revealed(door.value(outputs, "secret_key")) if with_secrets else ""
        urn = _shown(resource.get("urn"))
        holding = Holding(
            stack=stack,
            resource=urn.rsplit("::", 1)[-1],
            rotated_at=_shown(door.value(outputs, "rotated_at")),
            secret=secret or "",
            urn=urn,
            account=_account_map(own_account(resource, by_urn)),
        )
        if secret is None:
            unreadable = "unknown (unreadable secret)"
            holding = dataclasses.replace(holding, secret_state=unreadable)
        held.append((str(resource["id"]), holding))
    return held


def _json(text: str, what: str) -> Any:
    return read_json(text, f"`{what}`")


def _shown(value: Any) -> str:
    """A state's value for printing: a value the state marks secret is `[secret]`, whatever
    `--show-secrets` revealed of it."""
    if isinstance(value, dict) and SECRET_SIGNATURE in value:
        return "[secret]"
    return "" if value is None else str(value)


def _account_map(account: Any) -> dict[str, Any] | None:
    """A key's own account (`doors.own_account`), each value read through its secret marker
    when the export revealed it (the token); None for the stack's config."""
    if account is None:
        return None
    return {k: (_revealed(v) if isinstance(v, dict) else v) for k, v in dict(account).items()}


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
    return _judged(reports, max_age_days, at)


def report_elsewhere(
    account: str,
    keys: Sequence[ApiKeyInfo] | None,
    holdings: Mapping[str, Sequence[Holding]],
    *,
    max_age_days: float | None,
    at: datetime,
) -> list[KeyReport]:
    """Reports for the keys stacks hold in another account (its API endpoint `account`),
    looked for in that account's `keys` (None: it could not be read, and nothing is judged)."""
    listed = {k.uuid: k for k in keys or []}
    reports = []
    for uuid, held in sorted(holdings.items()):
        found = listed.get(uuid)
        name = found.name if found else (held[0].resource if held else "")
        present = None if keys is None else found is not None
        created = (found.created_at or "") if found else ""
        reports.append(KeyReport(uuid, name, created, present, list(held), [], account))
    return _judged(reports, max_age_days, at)


def _judged(reports: list[KeyReport], max_age_days: float | None, at: datetime) -> list[KeyReport]:
    for entry in reports:
        entry.flags = _flags(entry, max_age_days, at)
        entry.advice = _advice(entry)
    return reports


def _advice(entry: KeyReport) -> str:
    """For a conflict: how each stack can let go of the key without deleting it (`destroy`
    would delete the key the other stacks use)."""
    if "conflict" not in entry.flags:
        return ""
    ways = "; ".join(
        f"pulumi state delete '{h.urn}' --stack {h.stack}" for h in entry.holdings if h.urn
    )
    return (
        "keep it in one stack; in each other one, forget it without deleting it (not "
        f"`destroy`, which deletes the key everyone uses): {ways}"
    )


def _flags(entry: KeyReport, max_age_days: float | None, at: datetime) -> list[str]:
    flags = []
    if entry.on_account is None:
        flags.append("elsewhere")
    elif not entry.on_account:
        flags.append("gone")
    elif not entry.holdings:
        flags.append("unmanaged")
    if len(entry.holdings) > 1:  # two stacks, or two resources of one stack
        flags.append("conflict")
    if any(h.secret_state == DEAD for h in entry.holdings):
        flags.append("dead")
    if max_age_days is not None and any(
        _older_than(h.rotated_at, at - timedelta(days=max_age_days)) for h in entry.holdings
    ):
        flags.append("old")
    return flags


def _older_than(rotated_at: str, limit: datetime) -> bool:
    """Whether a state's `rotated_at` is before `limit`; a value that is no time is not."""
    try:
        return bool(rotated_at) and parse_time(rotated_at) < limit
    except (ValueError, OverflowError):
        return False


def exit_code(reports: Sequence[KeyReport]) -> int:
    troubled = any({"conflict", "dead"} & set(r.flags) for r in reports)
    return TROUBLE if troubled else OK


def render_table(reports: Sequence[KeyReport]) -> str:
    rows = [("KEY", "UUID", "MANAGED BY", "SECRET ISSUED", "SECRET", "FLAGS")]
    for entry in reports:
        where = f" in {entry.account}" if entry.account else ""
        lines = [
            (f"{h.stack} ({h.resource}){where}", h.rotated_at or "-", h.secret_state)
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
    cells = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    counts = {flag: sum(flag in r.flags for r in reports) for flag in FLAGS}
    summary = ", ".join(f"{n} {flag}" for flag, n in counts.items() if n)
    text.append(f"{len(reports)} keys" + (f": {summary}" if summary else ", no findings"))
    text += [f"{printable(r.name)} ({r.uuid}): {printable(r.advice)}" for r in reports if r.advice]
    return "\n".join(line.rstrip() for line in text)


FLAGS = ("conflict", "dead", "gone", "elsewhere", "unmanaged", "old")


def render_json(reports: Sequence[KeyReport]) -> str:
    data = []
    for entry in reports:
        item = asdict(entry)
        for held in item["holdings"]:
            held.pop("secret", None)
            held.pop("account", None)
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
    if args.max_age_days is not None and not 0 < args.max_age_days <= MAX_AGE_DAYS:
        parser.error(f"--max-age-days must be a number of days > 0 and at most {MAX_AGE_DAYS:_}")
    unreadable: list[str] = []
    try:
        reports = _inventory(args, unreadable)
    except UNREADABLE_SHAPES as error:  # an answer of a shape we cannot read
        print(f"keys: an answer could not be read ({printable(_what(error))})", file=sys.stderr)
        return UNREADABLE
    except (InventoryError, GenAIError) as error:
        print(f"keys: {printable(str(error))}", file=sys.stderr)
        return UNREADABLE
    print(render_json(reports) if args.json else render_table(reports), file=out)
    for problem in unreadable:
        print(f"keys: {printable(problem)}", file=sys.stderr)
    return UNREADABLE if unreadable else exit_code(reports)


MAX_AGE_DAYS = 36_500
UNREADABLE_SHAPES = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    RecursionError,
)
"""What reading an answer of an unexpected shape raises (numbers too large for date arithmetic
and nesting too deep included): each is that stack's "could not be read", never a crash."""


def _what(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _inventory(args: argparse.Namespace, unreadable: list[str]) -> list[KeyReport]:
    """The reports; `unreadable` receives each stack that could not be read (the rest are)."""
    from ..api.client import GenAIClient
    from ..api.config import whose

    run = pulumi_runner(find_pulumi(args.pulumi), backend_env(args.backend_url))
    with GenAIClient() as client:
        keys = client.list_keys()
        stacks = backend_stacks(run)
        here = whose(client.settings)
        accounts: dict[Any, ClientSettings | str] = {here: client.settings}
        holdings: dict[Any, dict[str, list[Holding]]] = {}
        progress = Progress(len(stacks), "stacks read")
        for stack in stacks:
            try:
                found = stack_holdings(run, stack, with_secrets=args.check_secrets)
            except (InventoryError, *UNREADABLE_SHAPES) as error:
                text = str(error) if isinstance(error, InventoryError) else _what(error)
                unreadable.append(f"the stack {stack} could not be read: {text}")
                found = []
            for uuid, held in found:
                account = _account_of_holding(held, client.settings)
                group = whose(account) if not isinstance(account, str) else account
                accounts.setdefault(group, account)
                holdings.setdefault(group, {}).setdefault(uuid, []).append(held)
            progress.step()
        reports = _reports(client, here, keys, accounts, holdings, args)
    return reports


def _account_of_holding(held: Holding, here: ClientSettings) -> ClientSettings | str:
    """The settings of the account a holding's key lives in (`here` for the stack's config),
    or a label (its API endpoint) for one that cannot be read."""
    if held.account is None:
        return here  # the stack's config: taken to be this account, as before accounts
    account = dict(held.account)
    from ..api.config import DEFAULT_API_ENDPOINT, settings_of

    endpoint = str(account.get("api_endpoint") or DEFAULT_API_ENDPOINT)
    if not account.get("token"):
        return endpoint  # its token is a secret of the stack: --check-secrets reads it
    try:
        return settings_of(account)
    except GenAIError:
        return endpoint  # settings that cannot be used: the provider says why at its next run


def _reports(
    client: Any,
    here: Any,
    keys: Sequence[ApiKeyInfo],
    accounts: Mapping[Any, ClientSettings | str],
    holdings: Mapping[Any, Mapping[str, list[Holding]]],
    args: argparse.Namespace,
) -> list[KeyReport]:
    """Each account's keys listed (once) and checked with its own client."""
    from ..api.client import GenAIClient

    at = now()
    ours = _checked_all(client, holdings.get(here, {}), args)
    reports = report(keys, ours, max_age_days=args.max_age_days, at=at)
    for group, held in holdings.items():
        account = accounts[group]
        if group == here:
            continue
        if isinstance(account, str):
            reports += report_elsewhere(account, None, held, max_age_days=args.max_age_days, at=at)
            continue
        with GenAIClient(settings=account) as other:
            listed = other.list_keys()
            checked = _checked_all(other, held, args)
        endpoint = account.api_endpoint
        reports += report_elsewhere(
            endpoint, listed, checked, max_age_days=args.max_age_days, at=at
        )
    return reports


def _checked_all(
    client: GenAIClient, holdings: Mapping[str, list[Holding]], args: argparse.Namespace
) -> dict[str, list[Holding]]:
    """The holdings with their secrets checked in this client's account (--check-secrets)."""
    if not args.check_secrets:
        return dict(holdings)
    from ..keys.secret_checks import SecretChecker

    checks = SecretChecker(client)
    checking = Progress(sum(1 for h in _all(holdings) if h.secret), "secrets checked")
    return {uuid: [_checked(checks, h, checking) for h in held] for uuid, held in holdings.items()}


def _all(holdings: Mapping[str, Sequence[Holding]]) -> list[Holding]:
    return [h for held in holdings.values() for h in held]


def _checked(checks: SecretChecker, held: Holding, progress: Progress) -> Holding:
    from ..keys.secret_checks import Verdict

    if held.secret_state.startswith("unknown"):
        return held
    if not held.secret:
        return dataclasses.replace(held, secret="", secret_state="none")  # noqa: S106  # a state
    check = checks.check(held.secret)
    progress.step()
    state = check.verdict.value
    if check.verdict is Verdict.UNKNOWN:
        state = f"unknown ({check.reason})"
    return dataclasses.replace(held, secret="", secret_state=state)


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
