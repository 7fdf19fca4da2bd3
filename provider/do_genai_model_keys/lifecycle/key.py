"""A model access key's whole life, once, for both doors: check, plan, create, update, read,
delete, the preview of a create and the import, with typed results.

The dynamic resources (`dynamic/resources.py`) and the provider plugin (`plugin/provider.py`)
translate between their engine's calls and these operations and decide nothing themselves.
What a door knows and the lifecycle needs comes as arguments: the resource that takes the key
and where warnings go (`Call`), whether the program runs for a preview, the rotating pair's
slot (`rules.Rotating`), whether the engine is importing. What comes back is a record: a
check's inputs and problems (each naming its field), a plan's changed properties and whether it
regenerates, a key's state (`outputs.KeyOutputs.state`). No Pulumi here: the package's import
picture test loads this module in a fresh interpreter without it.

The account's client, key store and secret checks are the process's runtime (`runtime.py`),
loaded only when an operation runs; the run's holds (`keys/holds.py`) make one resource the
holder of a key across every provider process of the run.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..api.contract import CREATE_RETIRED_ON
from ..api.errors import (
    DeletionProtectedError,
    GenAIError,
    KeyLookupError,
    NotFoundError,
    SecretNotReadyError,
    is_ambiguous,
)
from ..api.times import format_time, now
from . import inputs as key_inputs
from .accounts import identity
from .outputs import (
    ADOPTED,
    CREATED,
    IMPORTED,
    ROTATION_COUNTS,
    KeyOutputs,
    deletion_protected,
    origin_of,
    secret_version,
)
from .rules import (
    Problem,
    Rotating,
    as_rotation,
    is_emergency,
    pace,
    regenerates,
    rotation_due,
    secret_missing,
)

if TYPE_CHECKING:  # the provider process loads these when an operation runs
    from ..api.models import ApiKeyInfo
    from ..keys.secret_checks import SecretChecker
    from ..keys.store import KeyStore


log = logging.getLogger("do_genai_model_keys.secrets")

STABLES = ("uuid", "created_at", "created_by")
"""Outputs no update changes: a plan shows them as they are."""


class Notices(Protocol):
    """Where an operation's warnings go: each door shows them on the resource being served."""

    def warn(self, message: str) -> None: ...


class Logged:
    """Warnings to the provider's log: calls made by hand (tests, tools), with no engine."""

    def warn(self, message: str) -> None:
        log.warning("%s", message)


@dataclass(frozen=True)
class Call:
    """Who an operation is for: `holder` is the resource that takes the key for the run (its
    URN; "" takes no hold, as for calls by hand), `notices` where its warnings go."""

    holder: str = ""
    notices: Notices = field(default_factory=Logged)

    def warn(self, message: str) -> None:
        self.notices.warn(message)


@dataclass(frozen=True)
class Checked:
    """A check's answer: the inputs with their defaults (and a rotating slot's counts), and
    every problem, each naming its field."""

    inputs: dict[str, Any]
    problems: list[Problem]


@dataclass(frozen=True)
class Plan:
    """A diff's answer: the properties the update changes (`secret_key` when it regenerates),
    those that replace the key, and whether the secret is regenerated."""

    changed: list[str]
    replaces: list[str]
    regenerates: bool

    @property
    def changes(self) -> bool:
        return bool(self.changed) or bool(self.replaces)


@dataclass(frozen=True)
class Created:
    uuid: str
    state: dict[str, Any]


# --- the account -------------------------------------------------------------------------------


def _keys(props: Mapping[str, Any]) -> KeyStore:
    """The key store of the key's account (`account`, else the stack's config)."""
    from .runtime import runtime

    return runtime().account(dict(props.get("account") or {})).store


def _checks(props: Mapping[str, Any]) -> SecretChecker:
    """The secret checks of the key's account, beside its store."""
    from .runtime import runtime

    return runtime().account(dict(props.get("account") or {})).checks


def _secret(key: ApiKeyInfo) -> str:
    return key.secret_key.get_secret_value() if key.secret_key else ""


def _label(holder: str, name: Any) -> str:
    """How a message names a holder: its resource (from the URN) and its key's name."""
    return f"the resource {holder.rpartition('::')[2]!r} (model access key {name!r})"


def _hold(call: Call, uuid: str, name: Any) -> None:
    """The call's resource takes the key `uuid` for this run, in every provider process."""
    from ..keys.holds import run_holds

    if call.holder:
        run_holds().hold(uuid, call.holder, _label(call.holder, name))


def _stored(call: Call, uuid: str, secret: str) -> None:
    from ..keys.holds import run_holds

    if call.holder:
        run_holds().stored(uuid, call.holder, secret)


# --- check and plan ---------------------------------------------------------------------------


def check(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    call: Call,
    *,
    slot: Rotating | None = None,
    previewing: bool = False,
) -> Checked:
    """The inputs with their defaults, and every problem with them (each naming its field and
    the fix); a rotating slot's regenerate paced for the apps; then, when all is well, what
    `up` would meet at DigitalOcean (`_preflight`)."""
    news = {k: v for k, v in news.items() if k not in ROTATION_COUNTS}
    inputs = {**news, **key_inputs.with_defaults(news)}
    problems = [
        as_rotation(Problem(f, reason), slot, olds)
        for f, reason in key_inputs.problems(olds, inputs)
    ]
    if slot is not None:
        inputs.update(slot.counts())
        pacing = pace(olds, inputs, slot, now())
        if pacing.problem is not None:
            problems.append(pacing.problem)
        elif pacing.warning:
            call.warn(pacing.warning)
    if not problems:
        _preflight(olds, inputs, call, previewing=previewing)
    return Checked(inputs, problems)


def plan(
    olds: Mapping[str, Any], news: Mapping[str, Any], call: Call, *, importing: bool = False
) -> Plan:
    """What an update would change. An `adopt_uuid` that names another key replaces; a change of
    account never does (a replacement would adopt the same key and the engine would then
    delete "the old one", which is that key: `update` moves it). While the engine imports a
    key (`importing`), its unknown secret is the next `up`'s to regenerate, said once."""
    changed = key_inputs.changed(olds, news)
    replaces = []
    adopt_uuid = news.get("adopt_uuid")
    if "adopt_uuid" in changed and adopt_uuid not in (None, "", olds.get("uuid")):
        replaces.append("adopt_uuid")
    due = rotation_due(olds, news, now()) or secret_missing(olds, news, importing=importing)
    if due:
        _say_why_regenerating(olds, news, call)
    elif importing and secret_missing(olds, news):
        call.warn(
            f"model access key {news.get('name')!r} ({olds.get('uuid')}) is held without "
            "its secret (the control panel showed it once): the next `pulumi up` "
            "regenerates it. Set regenerate_on_adopt=false to keep it without a secret"
        )
    updated = [
        name for name in [*changed, *(["secret_key"] if due else [])] if name not in replaces
    ]
    return Plan(updated, replaces, regenerates(olds, news, now(), importing=importing))


def regenerates_on_update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update with these inputs issues a new secret (a preview says so)."""
    return regenerates(olds, news, now())


def _say_why_regenerating(olds: Mapping[str, Any], news: Mapping[str, Any], call: Call) -> None:
    name = news.get("name") or olds.get("name")
    if secret_missing(olds, news):
        why = (
            "the state holds no working secret for it (it was imported with `pulumi import`, "
            "whose secret the control panel showed only once; or DigitalOcean refused the "
            "stored one at the last refresh; or its create was recovered after an interrupted "
            "run). Set regenerate_on_adopt=false to keep it without a secret"
        )
    else:
        issued = olds.get("rotated_at") or olds.get("created_at")
        why = (
            f"its secret was issued {issued}, longer ago than rotate_after_days="
            f"{news.get('rotate_after_days')}"
        )
    call.warn(f"model access key {name!r} ({olds.get('uuid')}): `pulumi up` regenerates it: {why}")


def _preflight(
    olds: Mapping[str, Any], news: Mapping[str, Any], call: Call, *, previewing: bool
) -> None:
    """What `up` would meet, found before it: the account's token is missing or refused, or the
    key to adopt is not there. Costs the account's one shared listing (a preview lists once per
    account, and `up` creates from the same listing) and writes nothing. Whether the account may
    still create keys (DigitalOcean answers 410 since June 2026) only a create can tell: a
    preview of a key to create says so, and `up` meets the 410 itself."""
    from .runtime import current_runtime

    current = current_runtime()
    if current is None or not current.preflight:
        return  # the operations called by hand (tests), not for an engine
    if key_inputs.is_unknown(news.get("account")) or key_inputs.is_unknown(news.get("name")):
        return  # not known until the program's outputs are: `up` checks it then
    name = news["name"]
    try:
        keys = _keys(news)
        keys.listing.by_uuid()
        if olds:
            return  # a key the stack holds already (check's olds are its old inputs)
        if news.get("adopt_uuid") or news.get("adopt_existing"):
            keys.to_adopt(uuid=news.get("adopt_uuid"), name=name, look_again=False)
        elif previewing:
            call.warn(
                f"model access key {name!r} is to be created through the API: a preview cannot "
                f"tell whether this account still may (DigitalOcean answers 410 since "
                f"{CREATE_RETIRED_ON}; only a create asks, and a preview writes nothing). If "
                "`up` is refused, make the key in the control panel and adopt it"
            )
    except GenAIError as error:
        raise error.within(f"checking model access key {name!r}") from error


def preview_create(props: Mapping[str, Any], call: Call) -> None:
    """A preview's check of a key to create or adopt: what `up` would meet (`_preflight`)."""
    _preflight({}, props, call, previewing=True)


# --- create, update, read, delete -------------------------------------------------------------


def create(props: Mapping[str, Any], call: Call) -> Created:
    """Adopt the key the inputs name (regenerating its secret unless told not to), or create
    one; the call's resource holds it for the run before anything is regenerated."""
    name = props["name"]
    keys = _keys(props)
    adopting = bool(props.get("adopt_uuid") or props.get("adopt_existing"))
    doing = "adopting" if adopting else "creating"
    try:
        if adopting:
            key = keys.adopt(
                uuid=props.get("adopt_uuid"),
                name=name,
                rename=bool(name),
                regenerate=props.get("regenerate_on_adopt", True) is not False,
                claim=lambda found: _hold(call, found.uuid, name),
            )
        else:
            key = keys.create(name)
            _hold(call, key.uuid, name)
    except GenAIError as error:
        raise error.within(f"{doing} model access key {name!r}") from error
    secret = _secret(key)
    _stored(call, key.uuid, secret)
    if adopting:  # adoption regenerates: confirmed like every regenerate (a create is not)
        _ready(props, call, key.uuid, secret, failing=False)
    rotated = format_time(now()) if secret else ""
    origin = ADOPTED if adopting else CREATED
    outputs = KeyOutputs.of(key, props, secret=secret, rotated_at=rotated, origin=origin)
    return Created(key.uuid, outputs.state(props))


def update(
    uuid: str, olds: Mapping[str, Any], news: Mapping[str, Any], call: Call
) -> dict[str, Any]:
    """Rename and regenerate in place; a new secret is proved before it is handed out."""
    keys = _keys(news)
    outputs = dataclasses.replace(KeyOutputs.held(olds), secret_version=secret_version(news))
    regenerating = False
    try:
        _confirm_in_new_account(keys, uuid, olds, news)
        if news["name"] != olds.get("name"):
            keys.rename(uuid, news["name"])
            outputs = dataclasses.replace(outputs, name=news["name"])
        if regenerates(olds, news, now()):
            _hold(call, uuid, news["name"])  # before the regenerate: one holder a run
            regenerating = True
            secret = _secret(keys.regenerate(uuid))
            _stored(call, uuid, secret)
            _ready(news, call, uuid, secret, failing=not is_emergency(olds, news))
            outputs = outputs.issued(secret, format_time(now()))
    except NotFoundError as error:
        raise error.within(
            f"updating model access key {news['name']!r} ({uuid})",
            "The key no longer exists on DigitalOcean: run `pulumi refresh` to drop it from "
            "the state, then `pulumi up` to recreate it",
        ) from error
    except GenAIError as error:
        advice = ""
        if regenerating and is_ambiguous(error):
            advice = (
                "The regenerate may have happened with its answer lost: the secret in the "
                "state has then stopped working. Run `pulumi up` again: it regenerates once "
                "more and stores a working secret"
            )
        raise error.within(
            f"updating model access key {news['name']!r} ({uuid})", advice
        ) from error
    return outputs.state(news)


def read(uuid: str, props: Mapping[str, Any], call: Call) -> dict[str, Any] | None:
    """The key as DigitalOcean has it now (None: it is not in the account), with its stored
    secret dropped when DigitalOcean definitely refuses it (drift: `up` regenerates it)."""
    keys = _keys(props)
    try:
        key = keys.find(uuid)
    except GenAIError as error:
        raise error.within(f"reading model access key {props.get('name')!r} ({uuid})") from error
    if key is None:
        return None
    outputs = KeyOutputs.held(props).described(key)
    secret = outputs.secret_key
    checked = secret and keys.client.settings.verify_secrets
    if checked and not _secret_still_works(_checks(props), call, key.name, uuid, secret):
        outputs = dataclasses.replace(outputs, secret_key="")
    return outputs.state(props)


def delete(uuid: str, props: Mapping[str, Any], call: Call) -> None:
    """Delete the key at DigitalOcean, unless another resource of the run holds it (only the
    old entry leaves the state) or it is protected (nothing is deleted)."""
    from ..keys.holds import run_holds

    secret = str(props.get("secret_key") or "")
    holder = run_holds().taken_from(uuid, call.holder, secret) if call.holder else None
    if holder is not None:
        # The backstop: a key another resource of this very run created or adopted (a
        # resource renamed without an alias, a replacement that adopted the same key) is
        # that resource's now; deleting it would lose it (creates answer 410).
        call.warn(
            f"model access key {props.get('name')!r} ({uuid}) was not deleted: {holder} "
            "took it over in this run; only the old entry leaves the state"
        )
        return
    if deletion_protected(props):
        raise DeletionProtectedError(_protected_message(uuid, props))
    try:
        _keys(props).delete(uuid)
    except NotFoundError:
        pass  # already gone: that is what delete wants
    except GenAIError as error:
        raise error.within(f"deleting model access key {props.get('name')!r} ({uuid})") from error


def _protected_message(uuid: str, state: Mapping[str, Any]) -> str:
    how = "adopted" if origin_of(state) == ADOPTED else "imported"
    if isinstance(state.get("deletion_protection"), bool):
        why = "deletion_protection is true"
    else:
        why = (
            f"it was {how}, not created by this stack, and only the control panel can make a "
            "key again (with a new UUID and secret)"
        )
    return (
        f"model access key {state.get('name')!r} ({uuid}) is protected from deletion: {why}. "
        "Nothing was deleted. To delete it at DigitalOcean, set deletion_protection to false "
        "on it, run `pulumi up`, then remove it or destroy the stack. To keep it at "
        "DigitalOcean and only drop it from the stack, give it the retain_on_delete resource "
        "option, or run `pulumi state delete '<its URN>'`"
    )


# --- import and accounts -----------------------------------------------------------------------


def import_key(uuid: str, call: Call) -> dict[str, Any]:
    """The state of a key made elsewhere (`pulumi import`): its metadata, no secret (the
    control panel showed it once), `secret_version` 1; the call's resource holds it. The next
    `up` regenerates it unless the program says `regenerate_on_adopt=False`."""
    try:
        key = _keys({}).find(uuid)
    except GenAIError as error:
        raise error.within(f"importing model access key {uuid}") from error
    if key is None:
        raise KeyLookupError(
            f"importing model access key {uuid}: no key with this UUID in the account the "
            "provider is configured with (its token and apiEndpoint). Check the UUID (the "
            "control panel's key list, or `python -m do_genai_model_keys keys`) and the account"
        )
    _hold(call, key.uuid, key.name)  # one resource of the run imports it
    inputs = {**key_inputs.DEFAULTS, "name": key.name}
    return KeyOutputs.of(key, inputs, secret="", rotated_at="", origin=IMPORTED).state(inputs)


def confirm_in_account(uuid: str, name: str) -> None:
    """The key `uuid` is in the account the stack's provider now points at, or nothing is done:
    after a change of token or endpoint, a key not found there is another account's, never
    gone (a refresh would drop it from the state and leave it live, with nobody managing it)."""
    if _keys({}).find(uuid) is not None:
        return
    raise KeyLookupError(
        f"model access key {name!r} ({uuid}) is not in the account the provider now points "
        "at: its token or endpoint changed since the key was made or taken (a token of another "
        "team?). Nothing was changed, deleted or dropped from the state. Put the old token or "
        "endpoint back; or, to move the key for real, remove it from this stack with `pulumi "
        "state delete` and import it with the provider of its own account"
    )


def _confirm_in_new_account(
    keys: KeyStore, uuid: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> None:
    """When the key's account changed (another token, another endpoint), the key must be in
    the new account's listing before anything is done there; else nothing is done at all."""
    if identity(olds.get("account")) == identity(news.get("account")):
        return
    if keys.find(uuid) is not None:
        return
    before, after = _endpoint(olds), _endpoint(news)
    where = (
        f"the account at {after} (it was at {before})"
        if before != after
        else f"the account its new token belongs to, at {after}"
    )
    raise KeyLookupError(
        f"the key {uuid} is not in {where}: a token or endpoint of another team? Nothing was "
        "changed or deleted. Put the old account back, or move the key for real: remove it "
        "from this stack with `pulumi state delete`, then adopt it in the other account "
        "(adopt_uuid)"
    )


def _endpoint(props: Mapping[str, Any]) -> str:
    """The API endpoint of a key's account, for messages (never its token)."""
    from .runtime import runtime

    account = props.get("account")
    if isinstance(account, Mapping) and account.get("token"):
        from ..api.config import settings_of

        return settings_of(dict(account)).api_endpoint
    return runtime().settings.api_endpoint


# --- the secret's proofs -----------------------------------------------------------------------


def _ready(props: Mapping[str, Any], call: Call, uuid: str, secret: str, *, failing: bool) -> None:
    """A secret just issued, confirmed with the inference API before it is handed out
    (`SecretChecker.confirm`, up to `digitalocean:secretReadyWait`). A definite refusal fails
    a regenerate (`failing`: the update keeps the outputs it had); a create, an adoption or an
    emergency rotation, whose old secret must not come back, says so loudly instead. A secret
    that cannot be checked from here is handed out with a warning (none when the checks are
    turned off: that was the user's choice)."""
    from ..keys.secret_checks import CHECKS_OFF, Readiness

    if not secret:
        return
    name = props["name"]
    wait = _keys(props).client.settings.secret_ready_wait
    checks = _checks(props)
    confirmed = checks.confirm(secret, wait)
    if confirmed.readiness is Readiness.CONFIRMED or confirmed.reason == CHECKS_OFF:
        return
    if confirmed.readiness is Readiness.UNVERIFIED:
        if checks.first_unverified(confirmed.reason):
            call.warn(
                f"model access key {name!r} ({uuid}): its new secret is handed out unverified: "
                f"{confirmed.reason}"
            )
        return
    refusal = (
        f"the new secret of model access key {name!r} ({uuid}) is not taken by DigitalOcean's "
        f"inference API: {confirmed.reason}"
    )
    if not failing:
        call.warn(f"{refusal}. It is stored all the same; `pulumi refresh` checks it again.")
        return
    raise SecretNotReadyError(
        f"{refusal}. It was not handed out: the stack keeps the outputs it had, but this key's "
        "old secret was already replaced at DigitalOcean and no longer works (for a "
        "RotatingModelAccessKey's usual rotation that is previous_secret_key; "
        "active_secret_key still works). Run `pulumi up` again to regenerate once more; if it "
        "is refused again, check digitalocean:inferenceEndpoint (it must be DigitalOcean's), or "
        "raise digitalocean:secretReadyWait if the inference edge learns new secrets slowly"
    )


def _secret_still_works(
    checks: SecretChecker, call: Call, name: str, uuid: str, secret: str
) -> bool:
    """False only when DigitalOcean definitely refuses the stored secret; says why either way."""
    from ..keys.secret_checks import Verdict

    check = checks.check(secret)
    if check.verdict is Verdict.DEAD:
        call.warn(
            f"model access key {name!r} ({uuid}): DigitalOcean no longer accepts the secret in "
            f"the state ({check.reason}). It was regenerated outside this stack: in the control "
            "panel, by another stack that adopted the same key, or by hand. Apps reading "
            "secret_key get 401 until `pulumi up` regenerates it and stores a working secret."
        )
        return False
    if check.verdict is Verdict.UNKNOWN and checks.first_unsure():
        log.warning(
            "could not check whether the stored secrets still work (%s); nothing was changed. "
            "Turn the checks off with digitalocean:verifySecrets=false if this endpoint cannot "
            "answer them.",
            check.reason,
        )
    return True
