"""`ModelAccessKey`: a DigitalOcean GenAI model access key as a Pulumi dynamic resource.

The provider class lives here and says its module is `do_genai_model_keys.resources` (a stable
module that re-exports it), so dill pickles it by reference to that one name: the `__provider`
string in the state stays the same across edits, moves and upgrades of this package. The
instance holds nothing at all; credentials arrive in `configure` and live in the provider
process's runtime (`runtime.py`: per account a client, a key store with its one listing, and the
secret checks), which this module loads only when a provider method runs, so a program that
declares keys stays light. `diff`
compares the real inputs only, `update` and `read` carry the one-time secret forward, and
`secret_key` is always a Pulumi secret.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from ..api.contract import CREATE_RETIRED_ON
from ..api.errors import (
    DeletionProtectedError,
    GenAIError,
    KeyLookupError,
    NotFoundError,
    SecretNotReadyError,
    is_ambiguous,
)
from ..api.times import format_time, now, parse_time
from . import KEY_TYPE, key_inputs
from .account import Account, identity
from .key_inputs import INPUTS, ModelAccessKeyArgs
from .key_outputs import (
    ADOPTED,
    CREATED,
    EMERGENCIES,
    IMPORTED,
    OUTPUT_ONLY,
    ROTATION,
    KeyOutputs,
    deletion_protected,
    origin_of,
    secret_version,
)

if TYPE_CHECKING:  # the provider process loads these; a program declaring keys does not
    from ..api.models import ApiKeyInfo
    from ..keys.secret_checks import SecretChecker
    from ..keys.store import KeyStore


log = logging.getLogger("do_genai_model_keys.secrets")


def _holder() -> str:
    """Who takes a key in the call being served: its resource's URN, which the engine names
    for every call; "" for provider methods called by hand (tests), which take no hold."""
    from . import diagnostics

    return diagnostics.served_urn()


def _label(holder: str, name: Any) -> str:
    """How a message names a holder: its resource (from the URN) and its key's name."""
    return f"the resource {holder.rpartition('::')[2]!r} (model access key {name!r})"


def _hold(uuid: str, holder: str, name: Any) -> None:
    """`holder` takes the key `uuid` for this run, in every provider process of the run."""
    from ..keys.holds import run_holds

    if holder:
        run_holds().hold(uuid, holder, _label(holder, name))


def _stored(uuid: str, holder: str, secret: str) -> None:
    from ..keys.holds import run_holds

    if holder:
        run_holds().stored(uuid, holder, secret)


def _keys(props: Mapping[str, Any]) -> KeyStore:
    """The key store of the key's account (`account`, else the stack's config); loaded here,
    never in a program."""
    from .runtime import runtime

    return runtime().account(dict(props.get("account") or {})).store


def _checks(props: Mapping[str, Any]) -> SecretChecker:
    """The secret checks of the key's account, beside its store."""
    from .runtime import runtime

    return runtime().account(dict(props.get("account") or {})).checks


def _secret(key: ApiKeyInfo) -> str:
    return key.secret_key.get_secret_value() if key.secret_key else ""


# --- validation ---------------------------------------------------------------------------


def check_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[CheckFailure]:
    """Every problem with the inputs, each naming its field and the fix."""
    return [CheckFailure(field, reason) for field, reason in key_inputs.problems(olds, news)]


# --- the provider -------------------------------------------------------------------------


class ModelAccessKeyProvider(ResourceProvider):
    """CRUD for model access keys; the instance carries no state, so it pickles to a constant."""

    # Every state pickles this class by reference to this path (see `do_genai_model_keys/
    # resources.py`): the class may live anywhere, its pickled name never moves.
    __module__ = "do_genai_model_keys.resources"
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        from ..api import lifeline
        from . import diagnostics
        from .runtime import configure_runtime

        lifeline.install()  # a killed engine leaves no provider of ours acting on its own
        diagnostics.install()
        # The SDK's Config offers no way to list its keys; a typo is found only with them.
        keys = getattr(req.config, "_props", None) or {}
        # Called by an engine: checks ask DigitalOcean what `up` would meet (`_preflight`).
        configure_runtime(req.config.get, list(keys)).preflight = True

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        previewing = news.get(PREVIEWING) is True
        rotating = news.get(ROTATING)
        transient = (PREVIEWING, ROTATING, EMERGENCIES, ROTATION)
        news = {k: v for k, v in news.items() if k not in transient}
        inputs = {**news, **key_inputs.with_defaults(news)}
        failures = [_as_rotation(f, rotating, olds) for f in check_inputs(olds, inputs)]
        if isinstance(rotating, Mapping):
            _pace(olds, inputs, rotating, failures)
        if not failures:
            _preflight(olds, inputs, previewing=previewing)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = key_inputs.changed(olds, news)
        replaces = []
        adopt_uuid = news.get("adopt_uuid")
        if "adopt_uuid" in changed and adopt_uuid not in (None, "", olds.get("uuid")):
            replaces.append("adopt_uuid")
        # A change of account never replaces: a replacement would adopt the same key and the
        # engine would then delete "the old one", which is that key (`update` moves it).
        due = rotation_due(olds, news) or secret_missing(olds, news)
        if due:
            _say_why_regenerating(olds, news)
        elif news.get(IMPORTING) and secret_missing(olds, {**news, IMPORTING: False}):
            _warn(
                f"model access key {news.get('name')!r} ({olds.get('uuid')}) is held without "
                "its secret (the control panel showed it once): the next `pulumi up` "
                "regenerates it. Set regenerate_on_adopt=false to keep it without a secret"
            )
        from . import diagnostics

        diagnostics.note_diff([*changed, *(["secret_key"] if due else [])], replaces)
        return DiffResult(
            changes=bool(changed) or due,
            replaces=replaces,
            stables=["uuid", "created_at", "created_by"],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        name = props["name"]
        keys = _keys(props)
        holder = _holder()  # the one resource that may hold what this call finds
        adopting = bool(props.get("adopt_uuid") or props.get("adopt_existing"))
        doing = "adopting" if adopting else "creating"
        try:
            if adopting:
                key = keys.adopt(
                    uuid=props.get("adopt_uuid"),
                    name=name,
                    rename=bool(name),
                    regenerate=props.get("regenerate_on_adopt", True) is not False,
                    claim=lambda found: _hold(found.uuid, holder, name),
                )
            else:
                key = keys.create(name)
                _hold(key.uuid, holder, name)
        except GenAIError as error:
            raise error.within(f"{doing} model access key {name!r}") from error
        secret = _secret(key)
        _stored(key.uuid, holder, secret)
        if adopting:  # adoption regenerates: confirmed like every regenerate (a create is not)
            _ready(props, name, key.uuid, secret, failing=False)
        rotated = format_time(now()) if secret else ""
        origin = ADOPTED if adopting else CREATED
        outputs = KeyOutputs.of(key, props, secret=secret, rotated_at=rotated, origin=origin)
        return CreateResult(key.uuid, outputs.state(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        keys = _keys(news)
        holder = _holder()
        outputs = dataclasses.replace(KeyOutputs.held(olds), secret_version=secret_version(news))
        regenerating = False
        try:
            _confirm_in_new_account(keys, id_, olds, news)
            if news["name"] != olds.get("name"):
                keys.rename(id_, news["name"])
                outputs = dataclasses.replace(outputs, name=news["name"])
            if regenerates(olds, news):
                _hold(id_, holder, news["name"])  # before the regenerate: one holder a run
                regenerating = True
                secret = _secret(keys.regenerate(id_))
                _stored(id_, holder, secret)
                _ready(news, news["name"], id_, secret, failing=not is_emergency(olds, news))
                outputs = outputs.issued(secret, format_time(now()))
        except NotFoundError as error:
            raise error.within(
                f"updating model access key {news['name']!r} ({id_})",
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
                f"updating model access key {news['name']!r} ({id_})", advice
            ) from error
        return UpdateResult(outputs.state(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        keys = _keys(props)
        try:
            key = keys.find(id_)
        except GenAIError as error:
            raise error.within(f"reading model access key {props.get('name')!r} ({id_})") from error
        if key is None:
            return ReadResult(None, {})
        outputs = KeyOutputs.held(props).described(key)
        secret = outputs.secret_key
        checked = secret and keys.client.settings.verify_secrets
        if checked and not _secret_still_works(_checks(props), key.name, id_, secret):
            outputs = dataclasses.replace(outputs, secret_key="")  # drift: `up` regenerates it
        return ReadResult(id_, outputs.state(props))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        from ..keys.holds import run_holds

        secret, deleting = str(props.get("secret_key") or ""), _holder()
        holder = run_holds().taken_from(id_, deleting, secret) if deleting else None
        if holder is not None:
            # The backstop: a key another resource of this very run created or adopted (a
            # resource renamed without an alias, a replacement that adopted the same key) is
            # that resource's now; deleting it would lose it (creates answer 410).
            _warn(
                f"model access key {props.get('name')!r} ({id_}) was not deleted: {holder} "
                "took it over in this run; only the old entry leaves the state"
            )
            return
        if deletion_protected(props):
            raise DeletionProtectedError(_protected_message(id_, props))
        try:
            _keys(props).delete(id_)
        except NotFoundError:
            pass  # already gone: that is what delete wants
        except GenAIError as error:
            raise error.within(
                f"deleting model access key {props.get('name')!r} ({id_})"
            ) from error


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


PREVIEWING = "__previewing"
"""A transient input: the program says whether it runs for a preview (`check` drops it)."""
ROTATING = "__rotating"
"""A transient input of a `RotatingModelAccessKey`'s key: `{"component", "slot", "rotation"}`,
so a check failure can name what the user wrote (`check` drops it)."""


IMPORTING = "__importing"
"""A transient input of the plugin's diff while a key is imported: its unknown secret is the
next `up`'s to regenerate, not a change that would fail the import."""


def _pace(
    olds: Mapping[str, Any],
    news: dict[str, Any],
    rotating: Mapping[str, Any],
    failures: list[CheckFailure],
) -> None:
    """A rotating key's regenerate, paced for the apps, recorded in `news` (the rotation and
    emergency counts its state keeps). Refused: a rotation that moves by more than one (it
    would regenerate the active slot too), and one that would kill the previous secret sooner
    than `floor_hours` after it stopped being active (naming when the next may run). An
    emergency rotation is waived and says what it kills."""
    emergencies, rotation = int(rotating.get("emergency") or 0), _whole(rotating)
    news[EMERGENCIES], news[ROTATION] = emergencies, rotation
    old, new = olds.get("secret_version"), news.get("secret_version")
    if not olds or not key_inputs.is_whole(old) or not key_inputs.is_whole(new):
        return
    component, slot = rotating.get("component"), rotating.get("slot")
    before = int(olds.get(EMERGENCIES) or 0)
    if emergencies != before:
        if emergencies < before or new <= old:
            failures.append(
                CheckFailure(
                    "secret_version",
                    f"emergency_rotations of RotatingModelAccessKey {component!r} went from "
                    f"{before} to {emergencies} with rotation {rotation}: raise "
                    "emergency_rotations by one, and leave rotation as it is, to regenerate both "
                    "slots at once",
                )
            )
            return
        _warn(
            f"EMERGENCY rotation of RotatingModelAccessKey {component!r}: slot {slot}'s secret "
            "is regenerated now, whatever min_rotation_interval_hours says; apps still sending "
            "it fail until they read the new active_secret_key"
        )
        return
    if new <= old:
        return
    was = olds.get(ROTATION)
    if key_inputs.is_whole(was) and key_inputs.is_whole(rotation) and rotation - was > 1:
        failures.append(
            CheckFailure(
                "secret_version",
                f"rotation of RotatingModelAccessKey {component!r} moves from {int(was)} to "
                f"{rotation} at once: that would regenerate the active slot too, killing the "
                "secret apps use now. Raise it one at a time (a rotation_anchor/rotate_after_days "
                "schedule that missed periods: set rotation so that it moves by one), or raise "
                "emergency_rotations to regenerate both slots on purpose",
            )
        )
        return
    _floor(olds, rotating, failures, component, slot, before)


def _floor(
    olds: Mapping[str, Any],
    rotating: Mapping[str, Any],
    failures: list[CheckFailure],
    component: Any,
    slot: Any,
    emergencies: int,
) -> None:
    """The previous secret keeps working `floor_hours` after it stopped being active."""
    since, floor = rotating.get("previous_active_since"), rotating.get("floor_hours") or 0
    was_active = slot == "a" or int(olds["secret_version"]) - emergencies >= 2
    if not floor or not was_active or not isinstance(since, str) or not since:
        return  # never active, no floor, or not known until `up`
    until = parse_time(since) + timedelta(hours=float(floor))
    if now() < until:
        failures.append(
            CheckFailure(
                "secret_version",
                f"rotation of RotatingModelAccessKey {component!r} to {_whole(rotating)} "
                f"is too soon: it regenerates slot {slot}, whose secret apps were told to keep "
                f"(previous_secret_key) for min_rotation_interval_hours={float(floor):g} after it "
                f"stopped being active at {since}. The next rotation may run from "
                f"{format_time(until)}; for a leaked key, raise emergency_rotations instead",
            )
        )


def _whole(rotating: Mapping[str, Any]) -> Any:
    """The rotation number as the user wrote it (numbers reach the provider as floats)."""
    rotation = rotating.get("rotation")
    return int(rotation) if key_inputs.is_whole(rotation) else rotation


def _as_rotation(failure: CheckFailure, rotating: Any, olds: Mapping[str, Any]) -> CheckFailure:
    """A `secret_version` that went down, said of the rotating key's `rotation`, which the
    user wrote (the slot's `secret_version` is derived from it)."""
    if failure.property != "secret_version" or not isinstance(rotating, Mapping):
        return failure
    old = olds.get("secret_version")
    if not key_inputs.is_whole(old):
        return failure
    # Slot a's version is 1 + r // 2 + e, slot b's 1 + (r + 1) // 2 + e (e: the emergency
    # rotations): the least r behind the old one.
    base = int(old) - int(rotating.get("emergency") or 0)
    least = 2 * (base - 1) - (1 if rotating.get("slot") == "b" else 0)
    return CheckFailure(
        "secret_version",
        f"rotation of RotatingModelAccessKey {rotating.get('component')!r} went down to "
        f"{_whole(rotating)}, below the rotation its keys are at ({least} or more): a "
        "rotation cannot be undone (the secrets it replaced are dead); set rotation back to at "
        "least that, or raise it to rotate again",
    )


def _preflight(olds: Mapping[str, Any], news: Mapping[str, Any], *, previewing: bool) -> None:
    """What `up` would meet, found before it: the account's token is missing or refused, or the
    key to adopt is not there. Costs the account's one shared listing (a preview lists once per
    account, and `up` creates from the same listing) and writes nothing. Whether the account may
    still create keys (DigitalOcean answers 410 since June 2026) only a create can tell: a
    preview of a key to create says so, and `up` meets the 410 itself."""
    from .runtime import current_runtime

    current = current_runtime()
    if current is None or not current.preflight:
        return  # the provider's methods called by hand (tests), not by an engine
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
            _warn(
                f"model access key {name!r} is to be created through the API: a preview cannot "
                f"tell whether this account still may (DigitalOcean answers 410 since "
                f"{CREATE_RETIRED_ON}; only a create asks, and a preview writes nothing). If "
                "`up` is refused, make the key in the control panel and adopt it"
            )
    except GenAIError as error:
        raise error.within(f"checking model access key {name!r}") from error


def _confirm_in_new_account(
    keys: KeyStore, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> None:
    """When the key's account changed (another token, another endpoint), the key must be in
    the new account's listing before anything is done there; else nothing is done at all."""
    if identity(olds.get("account")) == identity(news.get("account")):
        return
    if keys.find(id_) is not None:
        return
    before, after = _endpoint(olds), _endpoint(news)
    where = (
        f"the account at {after} (it was at {before})"
        if before != after
        else f"the account its new token belongs to, at {after}"
    )
    raise KeyLookupError(
        f"the key {id_} is not in {where}: a token or endpoint of another team? Nothing was "
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


def _warn(message: str) -> None:
    """A warning on the key being served (the provider's log when it cannot be attached)."""
    from . import diagnostics

    if not diagnostics.warn_on_resource(message):
        log.warning("%s", message)


def _say_why_regenerating(olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
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
    _warn(f"model access key {name!r} ({olds.get('uuid')}): `pulumi up` regenerates it: {why}")


def _ready(props: Mapping[str, Any], name: str, uuid: str, secret: str, *, failing: bool) -> None:
    """A secret just issued, confirmed with the inference API before it is handed out
    (`SecretChecker.confirm`, up to `digitalocean:secretReadyWait`). A definite refusal fails
    a regenerate (`failing`: the update keeps the outputs it had); a create, an adoption or an
    emergency rotation, whose old secret must not come back, says so loudly instead. A secret
    that cannot be checked from here is handed out with a warning (none when the checks are
    turned off: that was the user's choice)."""
    from ..keys.secret_checks import CHECKS_OFF, Readiness

    if not secret:
        return
    wait = _keys(props).client.settings.secret_ready_wait
    checks = _checks(props)
    confirmed = checks.confirm(secret, wait)
    if confirmed.readiness is Readiness.CONFIRMED or confirmed.reason == CHECKS_OFF:
        return
    if confirmed.readiness is Readiness.UNVERIFIED:
        if checks.first_unverified(confirmed.reason):
            _warn(
                f"model access key {name!r} ({uuid}): its new secret is handed out unverified: "
                f"{confirmed.reason}"
            )
        return
    refusal = (
        f"the new secret of model access key {name!r} ({uuid}) is not taken by DigitalOcean's "
        f"inference API: {confirmed.reason}"
    )
    if not failing:
        _warn(f"{refusal}. It is stored all the same; `pulumi refresh` checks it again.")
        return
    raise SecretNotReadyError(
        f"{refusal}. It was not handed out: the stack keeps the outputs it had, but this key's "
        "old secret was already replaced at DigitalOcean and no longer works (for a "
        "RotatingModelAccessKey's usual rotation that is previous_secret_key; "
        "active_secret_key still works). Run `pulumi up` again to regenerate once more; if it "
        "is refused again, check digitalocean:inferenceEndpoint (it must be DigitalOcean's), or "
        "raise digitalocean:secretReadyWait if the inference edge learns new secrets slowly"
    )


def _secret_still_works(checks: SecretChecker, name: str, uuid: str, secret: str) -> bool:
    """False only when DigitalOcean definitely refuses the stored secret; says why either way."""
    from ..keys.secret_checks import Verdict

    check = checks.check(secret)
    if check.verdict is Verdict.DEAD:
        _warn(
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


def is_emergency(state: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update's regenerate is an emergency rotation: the new inputs' emergency count
    is above the one the key's state holds. A state written before the counts were kept holds
    none: its regenerate is a usual one, whose new secret must be proved (the safe side)."""
    stored = state.get(EMERGENCIES)
    if not key_inputs.is_whole(stored) or not key_inputs.is_whole(news.get(EMERGENCIES)):
        return False
    return int(news[EMERGENCIES]) > int(stored)


def rotation_due(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """True when `rotate_after_days` has passed since the secret was last issued."""
    days = news.get("rotate_after_days")
    if days is None or key_inputs.days_problem(days):
        return False
    issued = olds.get("rotated_at") or olds.get("created_at")
    if not issued:
        return True
    return now() >= parse_time(str(issued)) + timedelta(days=float(days))


def secret_missing(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """True when the state holds no secret for a key that should have one.

    That happens after an interrupted run whose pending create was recovered (the create's
    answer, with the secret, never reached the state), when `regenerate_on_adopt` is turned
    on for a key adopted without it, and on the `up` after a `pulumi import` (the control panel
    showed the secret once). Regenerating is the only way to learn a secret again; the import
    itself (`IMPORTING`) regenerates nothing.
    """
    wanted = news.get("regenerate_on_adopt")
    if news.get(IMPORTING):
        return False
    return bool(olds.get("uuid")) and not olds.get("secret_key") and wanted is not False


def regenerates(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update with these inputs issues a new secret (what `update` decides)."""
    raised = key_inputs.is_whole(news.get("secret_version")) and secret_version(
        news
    ) > secret_version(olds)
    return raised or rotation_due(olds, news) or secret_missing(olds, news)


def preflight_create(props: Mapping[str, Any]) -> None:
    """A preview's check of a key to create or adopt: what `up` would meet (see `_preflight`)."""
    _preflight({}, props, previewing=True)


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


def read_for_import(uuid: str) -> dict[str, Any]:
    """The state of a key made elsewhere (`pulumi import`): its metadata, no secret (the
    control panel showed it once), `secret_version` 1. The next `up` regenerates it unless the
    program says `regenerate_on_adopt=False`."""
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
    _hold(key.uuid, _holder(), key.name)  # one resource of the run imports it
    inputs = {**key_inputs.DEFAULTS, "name": key.name}
    return KeyOutputs.of(key, inputs, secret="", rotated_at="", origin=IMPORTED).state(inputs)


# --- the resource -------------------------------------------------------------------------


class ModelAccessKey(Resource, module="genai", name="ModelAccessKey"):
    """A DigitalOcean GenAI model access key. `secret_key` is always a Pulumi secret."""

    uuid: pulumi.Output[str]
    """The key's UUID; never changes, not even when the secret is regenerated."""
    name: pulumi.Output[str]
    """The key's name as DigitalOcean has it."""
    secret_key: pulumi.Output[str]
    """The bearer secret for the inference API (a Pulumi secret); empty for an adopted key
    that was not regenerated."""
    created_at: pulumi.Output[str]
    """When the key was made (RFC 3339)."""
    created_by: pulumi.Output[str]
    """The id of the DigitalOcean user who made it."""
    rotated_at: pulumi.Output[str]
    """When the stack last received a new secret (RFC 3339)."""
    secret_version: pulumi.Output[int]
    """The `secret_version` the current secret was issued for."""
    origin: pulumi.Output[str]
    """How the stack came to hold the key: "created", "adopted" or "imported"."""

    def __init__(
        self,
        resource_name: str,
        args: ModelAccessKeyArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        rotating: Mapping[str, Any] | None = None,
        **inputs: Any,
    ) -> None:
        """Inputs come as `args`, as keyword arguments (the fields of `ModelAccessKeyArgs`), or
        both (keywords win). `rotating` is set by `RotatingModelAccessKey` for its two keys, so
        that their errors name its `rotation`."""
        try:
            if args is None:
                args = ModelAccessKeyArgs(**inputs)
            elif inputs:
                args = dataclasses.replace(args, **inputs)
        except TypeError as error:
            raise TypeError(
                f"ModelAccessKey {resource_name!r}: {error}; the inputs are "
                f"{', '.join(INPUTS)} (name is required)"
            ) from None
        if args.regenerate_on_adopt is False and (args.adopt_uuid or args.adopt_existing):
            pulumi.log.warn(
                f"ModelAccessKey {resource_name!r}: regenerate_on_adopt=False leaves secret_key "
                "empty, because DigitalOcean shows a secret only when it is issued; set it to "
                "True (or raise secret_version later) to get a working secret in the stack"
            )
        props: dict[str, Any] = {f.name: getattr(args, f.name) for f in dataclasses.fields(args)}
        if isinstance(args.account, Account):
            props["account"] = args.account.as_input()
        elif args.account is not None:  # a map given by hand: its token is a secret all the same
            props["account"] = pulumi.Output.secret(args.account)
        props.update(dict.fromkeys(OUTPUT_ONLY))
        # Whether this is a preview: `check` reads it and drops it, so no state holds it.
        props[PREVIEWING] = pulumi.runtime.is_dry_run()
        if rotating is not None:
            props[ROTATING] = dict(rotating)
        # Forced, as pulumi-random forces it for RandomPassword: users cannot forget it.
        secrecy = pulumi.ResourceOptions(additional_secret_outputs=["secret_key", "account"])
        super().__init__(
            ModelAccessKeyProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secrecy),
        )


if f"pulumi-python:{ModelAccessKey._resource_type_name}" != KEY_TYPE:  # pragma: no cover
    raise ImportError(f"ModelAccessKey's type is not {KEY_TYPE}: every state would lose its keys")
