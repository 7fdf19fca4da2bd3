"""`ModelAccessKey`: a DigitalOcean GenAI model access key as a Pulumi dynamic resource.

The provider class lives here, in an installed module, so dill pickles it by reference: the
`__provider` string in the state stays the same across edits and upgrades of this package. The
instance holds nothing at all; credentials arrive in `configure` and live in the provider
process's runtime (`runtime.py`, with the client and the shared key listing), which this module
loads only when a provider method runs, so a program that declares keys stays light. `diff`
compares the real inputs only, `update` and `read` carry the one-time secret forward, and
`secret_key` is always a Pulumi secret.
"""

from __future__ import annotations

import dataclasses
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

from . import key_inputs
from .errors import GenAIError, KeyLookupError, NotFoundError, describe, is_ambiguous
from .key_inputs import INPUTS, ModelAccessKeyArgs, is_whole
from .times import format_time, now, parse_time

if TYPE_CHECKING:  # the provider process loads these; a program declaring keys does not
    from .models import ApiKeyInfo
    from .runtime import ProviderRuntime


def _runtime() -> ProviderRuntime:
    """The provider process's client and listing; loaded here, never in a program."""
    from .runtime import runtime

    return runtime()


# --- validation ---------------------------------------------------------------------------


def check_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[CheckFailure]:
    """Every problem with the inputs, each naming its field and the fix."""
    return [CheckFailure(field, reason) for field, reason in key_inputs.problems(olds, news)]


# --- the provider -------------------------------------------------------------------------


class ModelAccessKeyProvider(ResourceProvider):
    """CRUD for model access keys; the instance carries no state, so it pickles to a constant."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        from . import diagnostics
        from .config import STACK_CONFIG_KEYS
        from .runtime import configure_runtime

        diagnostics.install()

        config = {key: req.config.get(key) for key in STACK_CONFIG_KEYS}
        configure_runtime({k: v for k, v in config.items() if v is not None})

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {**news, **key_inputs.with_defaults(news)}
        return CheckResult(inputs, check_inputs(olds, inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = key_inputs.changed(olds, news)
        replaces = []
        adopt_uuid = news.get("adopt_uuid")
        if "adopt_uuid" in changed and adopt_uuid not in (None, "", olds.get("uuid")):
            replaces.append("adopt_uuid")
        due = rotation_due(olds, news) or secret_missing(olds, news)
        return DiffResult(
            changes=bool(changed) or due,
            replaces=replaces,
            stables=["uuid", "created_at", "created_by"],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        name = props["name"]
        rt = _runtime()
        try:
            if props.get("adopt_uuid") or props.get("adopt_existing"):
                key, secret = self._adopt(rt, props)
            else:
                key = rt.client.create_key(name)
                secret = key.secret_key.get_secret_value() if key.secret_key else ""
        except GenAIError as error:
            raise error.within(f"creating model access key {name!r}") from error
        finally:
            rt.listing.invalidate()
        rotated = format_time(now()) if secret else ""
        return CreateResult(key.uuid, _outputs(props, key, secret=secret, rotated_at=rotated))

    def _adopt(self, rt: ProviderRuntime, props: Mapping[str, Any]) -> tuple[ApiKeyInfo, str]:
        keys = list(rt.listing.by_uuid().values())
        if props.get("adopt_uuid"):
            found = [k for k in keys if k.uuid == props["adopt_uuid"]]
            wanted = f"UUID {props['adopt_uuid']}"
        else:
            found = [k for k in keys if k.name == props["name"]]
            wanted = f"the name {props['name']!r}"
        if not found:
            raise KeyLookupError(
                f"no model access key has {wanted}; existing keys: {describe(keys)}. "
                "Check the value, or create the key in the control panel first"
            )
        if len(found) > 1:
            raise KeyLookupError(
                f"{len(found)} model access keys have {wanted}: {describe(found)}. Adopt one by "
                "UUID with adopt_uuid, or rename the others in the control panel"
            )
        key = found[0]
        if props.get("name") and key.name != props["name"]:
            key = rt.client.rename_key(key.uuid, props["name"])
        if not props.get("regenerate_on_adopt", True):
            return key, ""
        key = rt.client.regenerate_key(key.uuid)
        return key, key.secret_key.get_secret_value() if key.secret_key else ""

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        rt = _runtime()
        outs = {**olds, **{f: news.get(f) for f in INPUTS}}
        regenerating = False
        try:
            if news["name"] != olds.get("name"):
                rt.client.rename_key(id_, news["name"])
                outs["name"] = news["name"]
            if (
                _version(news) > _version(olds)
                or rotation_due(olds, news)
                or secret_missing(olds, news)
            ):
                regenerating = True
                key = rt.client.regenerate_key(id_)
                outs["secret_key"] = key.secret_key.get_secret_value() if key.secret_key else ""
                outs["rotated_at"] = format_time(now())
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
        finally:
            rt.listing.invalidate()
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            key = _runtime().listing.by_uuid().get(id_)
        except GenAIError as error:
            raise error.within(f"reading model access key {props.get('name')!r} ({id_})") from error
        if key is None:
            return ReadResult(None, {})
        outs = dict(props)
        outs.update(
            uuid=key.uuid, name=key.name, created_at=key.created_at, created_by=key.created_by
        )
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        rt = _runtime()
        try:
            rt.client.delete_key(id_)
        except NotFoundError:
            pass  # already gone: that is what delete wants
        except GenAIError as error:
            raise error.within(
                f"deleting model access key {props.get('name')!r} ({id_})"
            ) from error
        finally:
            rt.listing.invalidate()


def _version(props: Mapping[str, Any]) -> int:
    value = props.get("secret_version")
    return int(value) if is_whole(value) else 1


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
    answer, with the secret, never reached the state), or when `regenerate_on_adopt` is turned
    on for a key adopted without it. Regenerating is the only way to learn a secret again.
    """
    wanted = news.get("regenerate_on_adopt")
    return bool(olds.get("uuid")) and not olds.get("secret_key") and wanted is not False


def _outputs(
    props: Mapping[str, Any], key: ApiKeyInfo, *, secret: str, rotated_at: str
) -> dict[str, Any]:
    return {
        **{f: props.get(f) for f in INPUTS},
        "uuid": key.uuid,
        "name": key.name or props.get("name"),
        "secret_key": secret,
        "created_at": key.created_at or "",
        "created_by": key.created_by or "",
        "rotated_at": rotated_at,
        "secret_version": _version(props),
    }


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

    def __init__(
        self,
        resource_name: str,
        args: ModelAccessKeyArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **inputs: Any,
    ) -> None:
        """Inputs come as `args`, as keyword arguments (the fields of `ModelAccessKeyArgs`), or
        both (keywords win)."""
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
        props: dict[str, Any] = dataclasses.asdict(args)
        props.update(uuid=None, secret_key=None, created_at=None, created_by=None, rotated_at=None)
        # Forced, as pulumi-random forces it for RandomPassword: users cannot forget it.
        secrecy = pulumi.ResourceOptions(additional_secret_outputs=["secret_key"])
        super().__init__(
            ModelAccessKeyProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secrecy),
        )
