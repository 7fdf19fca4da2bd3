"""`ModelAccessKey`: a DigitalOcean GenAI model access key as a Pulumi dynamic resource.

The dynamic door: the provider class translates the dynamic provider's calls into the key's
lifecycle (`lifecycle/key.py`) and its answers into Pulumi's result types, and decides nothing
itself. It lives here and says its module is `do_genai_model_keys.resources` (a stable module
that re-exports it), so dill pickles it by reference to that one name: the `__provider` string
in the state stays the same across edits, moves and upgrades of this package. The instance
holds nothing at all; credentials arrive in `configure` and live in the provider process's
runtime (`lifecycle/runtime.py`), which this module loads only when a provider method runs, so a
program that declares keys stays light. `secret_key` is always a Pulumi secret.

What only a program knows reaches the provider in the inputs, as the dynamic door has no other
channel: whether it runs for a preview (`PREVIEWING`) and, for a slot of a
`RotatingModelAccessKey`, the pair's rotation (`ROTATING`); `check` takes both out before
anything is stored.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
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

from ..lifecycle.inputs import INPUTS, ModelAccessKeyArgs
from ..lifecycle.outputs import OUTPUT_ONLY
from . import KEY_TYPE
from .account import Account

if TYPE_CHECKING:  # the provider process loads the lifecycle; a program declaring keys does not
    from ..lifecycle.key import Call


log = logging.getLogger("do_genai_model_keys.secrets")

PREVIEWING = "__previewing"
"""A transient input: the program says whether it runs for a preview (`check` drops it)."""
ROTATING = "__rotating"
"""A transient input of a `RotatingModelAccessKey`'s key: `{"component", "slot", "rotation",
"emergency", "floor_hours", "previous_active_since"}` (`lifecycle.rules.Rotating`), so that its
regenerates are paced and a check failure names what the user wrote (`check` drops it)."""


class _OnTheResource:
    """Warnings shown on the key being served (the provider's log when they cannot be)."""

    def warn(self, message: str) -> None:
        from ..seams import dynamic_server

        if not dynamic_server.warn_on_resource(message):
            log.warning("%s", message)


def _call() -> Call:
    """The call being served: its resource (the engine names it for every call; "" for
    provider methods called by hand, which take no hold) and where its warnings go."""
    from ..lifecycle.key import Call
    from ..seams import dynamic_server

    return Call(holder=dynamic_server.served_urn(), notices=_OnTheResource())


def check_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[CheckFailure]:
    """Every problem with the inputs, each naming its field and the fix."""
    from ..lifecycle.inputs import problems

    return [CheckFailure(field, reason) for field, reason in problems(olds, news)]


# --- the provider -------------------------------------------------------------------------


class ModelAccessKeyProvider(ResourceProvider):
    """CRUD for model access keys; the instance carries no state, so it pickles to a constant."""

    # Every state pickles this class by reference to this path (see `do_genai_model_keys/
    # resources.py`): the class may live anywhere, its pickled name never moves.
    __module__ = "do_genai_model_keys.resources"
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        from ..api import lifeline
        from ..lifecycle.runtime import configure_runtime
        from ..seams import dynamic_server

        lifeline.install()  # a killed engine leaves no provider of ours acting on its own
        dynamic_server.install()
        # Called by an engine: checks ask DigitalOcean what `up` would meet (the preflight).
        keys = dynamic_server.config_keys(req.config)  # every key set: a typo is found with them
        configure_runtime(req.config.get, keys).preflight = True

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        from ..lifecycle import key
        from ..lifecycle.rules import Rotating

        previewing = news.get(PREVIEWING) is True
        rotating = news.get(ROTATING)
        slot = Rotating.of(rotating) if isinstance(rotating, Mapping) else None
        news = {k: v for k, v in news.items() if k not in (PREVIEWING, ROTATING)}
        checked = key.check(olds, news, _call(), slot=slot, previewing=previewing)
        failures = [CheckFailure(p.field, p.reason) for p in checked.problems]
        return CheckResult(checked.inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        from ..lifecycle import key
        from ..seams import dynamic_server

        plan = key.plan(olds, news, _call())
        dynamic_server.note_diff(plan.changed, plan.replaces)  # named in the engine's plan
        return DiffResult(
            changes=plan.changes,
            replaces=plan.replaces,
            stables=list(key.STABLES),
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        from ..lifecycle import key

        created = key.create(props, _call())
        return CreateResult(created.uuid, created.state)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from ..lifecycle import key

        return UpdateResult(key.update(id_, olds, news, _call()))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from ..lifecycle import key

        state = key.read(id_, props, _call())
        return ReadResult(None, {}) if state is None else ReadResult(id_, state)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        from ..lifecycle import key

        key.delete(id_, props, _call())


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
