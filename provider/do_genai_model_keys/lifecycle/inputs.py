"""The inputs of a `ModelAccessKey`, declared once.

`ModelAccessKeyArgs` is the single declaration: each field gives the input's name, type, default
and docstring, and its metadata gives how it is validated (`check`) and compared (`normal`).
The resource's keyword arguments, the defaults filled in by the provider's `check`, the
validation, the comparison in `diff` and the inputs repeated in the outputs all follow from it,
so adding an input is one field here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeGuard

from ..api.contract import MAX_NAME_LENGTH, is_key_uuid

if TYPE_CHECKING:  # the annotations only: the lifecycle loads without Pulumi
    import pulumi

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi.runtime.rpc.UNKNOWN, during preview


def is_unknown(value: Any) -> bool:
    """Whether a value holds something the engine does not know yet (during a preview): the
    SDK hands a provider's `check` and `diff` an `Unknown`, or the wire's marker string, also
    inside a map (an `Account` whose token is another resource's output)."""
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    return _is_sdk_unknown(value) or (isinstance(value, str) and value == UNKNOWN)


def _is_sdk_unknown(value: Any) -> bool:
    """The SDK's `pulumi.output.Unknown`, known by its class without importing Pulumi (a
    process that never loaded the SDK holds none)."""
    kind = type(value)
    return kind.__name__ == "Unknown" and kind.__module__ == "pulumi.output"


Check = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], str | None]
"""(value, all new inputs, old outputs) -> what is wrong and the fix (the message goes on after
the input's name), or None."""


def is_whole(value: Any) -> TypeGuard[int | float]:
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, float) and value.is_integer()


def _check_name(name: Any, _news: Mapping[str, Any], _olds: Mapping[str, Any]) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "is required and must not be empty or only whitespace"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long; the most is {MAX_NAME_LENGTH}"
    return None


def _check_version(version: Any, _news: Mapping[str, Any], olds: Mapping[str, Any]) -> str | None:
    if isinstance(version, bool) or not is_whole(version):
        return f"must be a whole number >= 1, got {version!r}"
    if int(version) < 1:
        return f"must be >= 1, got {int(version)}"
    old = olds.get("secret_version")
    if is_whole(old) and int(version) < int(old):
        return (
            f"was {int(old)} and cannot go down to {int(version)}: a secret "
            f"cannot be un-rotated; keep {int(old)} or raise it to rotate again"
        )
    return None


MAX_ROTATE_AFTER_DAYS = 36_500
"""A hundred years: the longest rotation period (longer ones overflow date arithmetic)."""


def days_problem(days: Any) -> str | None:
    """What is wrong with a `rotate_after_days` value (None: nothing, or not set)."""
    if days is None:
        return None
    number = not isinstance(days, bool) and isinstance(days, int | float)
    if number and 0 < days <= MAX_ROTATE_AFTER_DAYS:  # also refuses NaN
        return None
    return f"must be a number of days > 0 and at most {MAX_ROTATE_AFTER_DAYS:_}, got {days!r}"


def _check_days(days: Any, _news: Mapping[str, Any], _olds: Mapping[str, Any]) -> str | None:
    return days_problem(days)


def _check_adopt_uuid(uuid: Any, news: Mapping[str, Any], _olds: Mapping[str, Any]) -> str | None:
    if uuid in (None, ""):
        return None
    if not is_key_uuid(uuid):
        return f"must be a key UUID like 3f2b...-..., got {uuid!r}"
    if news.get("adopt_existing") is True:
        return (
            "cannot be set together with adopt_existing: set either adopt_uuid (adopt by UUID) "
            "or adopt_existing (adopt by name), not both"
        )
    return None


def _check_account(account: Any, _news: Mapping[str, Any], _olds: Mapping[str, Any]) -> str | None:
    if account is None:
        return None
    if not isinstance(account, Mapping) or not account.get("token"):
        return "must come from Account(token=..., ...): a map with the account's token"
    from ..api.config import settings_of
    from ..api.errors import ConfigurationError

    try:
        settings_of(dict(account))
    except ConfigurationError as error:
        return f"is not usable: {error}"
    return None


def _check_flag(value: Any, _news: Mapping[str, Any], _olds: Mapping[str, Any]) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {value!r}"


def _check_optional_flag(
    value: Any, _news: Mapping[str, Any], _olds: Mapping[str, Any]
) -> str | None:
    return None if value is None or isinstance(value, bool) else _check_flag(value, _news, _olds)


def _version_number(value: Any) -> Any:
    return int(value) if is_whole(value) else value


def _input(
    default: Any = MISSING,
    *,
    check: Check,
    normal: Callable[[Any], Any] = lambda value: value,
    identity: Callable[[Any], Any] | None = None,
) -> Any:
    """One input's declaration: `normal` gives its canonical value (kept in the inputs),
    `identity` what `changed` compares (default: the canonical value)."""
    return field(
        default=default,
        metadata={"check": check, "normal": normal, "identity": identity or normal},
    )


def _account_identity(account: Any) -> Any:
    from .accounts import identity

    return identity(account)


@dataclass
class ModelAccessKeyArgs:
    """The inputs of a `ModelAccessKey` (see the module docstring: declared here only)."""

    name: pulumi.Input[str] = _input(check=_check_name)
    """The key's name in DigitalOcean; changing it renames the key in place."""
    secret_version: pulumi.Input[int] = _input(1, check=_check_version, normal=_version_number)
    """Raise it to regenerate the secret in place (same UUID); it may never go down."""
    rotate_after_days: pulumi.Input[float] | None = _input(None, check=_check_days)
    """Regenerate once the secret is older than this many days (checked on each preview/up)."""
    adopt_uuid: pulumi.Input[str] | None = _input(
        None, check=_check_adopt_uuid, normal=lambda value: value or None
    )
    """Adopt the existing key with this UUID instead of creating one."""
    adopt_existing: pulumi.Input[bool] = _input(False, check=_check_flag)
    """Adopt the one existing key whose name is exactly `name` instead of creating one."""
    regenerate_on_adopt: pulumi.Input[bool] = _input(True, check=_check_flag)
    """Regenerate an adopted key so the stack holds a working secret (default true)."""
    account: pulumi.Input[Mapping[str, Any]] | None = _input(
        None, check=_check_account, identity=_account_identity
    )
    """The DigitalOcean account of the key (`Account(...).as_input()`, which the resource does
    for you); None: the stack's config. A new token updates the key in place."""
    deletion_protection: pulumi.Input[bool] | None = _input(None, check=_check_optional_flag)
    """Refuse to delete the key at DigitalOcean (destroy, or the resource leaving the program).
    Unset: on for a key the stack adopted or imported, which only the control panel can make
    again, off for one it created. Set it to false and `up` before deleting an adopted key."""


INPUTS = tuple(f.name for f in fields(ModelAccessKeyArgs))
DEFAULTS = {f.name: f.default for f in fields(ModelAccessKeyArgs) if f.default is not MISSING}


def with_defaults(news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs with every unset one at its default, and numbers in their canonical form."""
    inputs = {**DEFAULTS, **{k: v for k, v in news.items() if v is not None}}
    for spec in fields(ModelAccessKeyArgs):
        if inputs.get(spec.name) is not None and not is_unknown(inputs[spec.name]):
            inputs[spec.name] = spec.metadata["normal"](inputs[spec.name])
    return inputs


def problems(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, reason) for every invalid input; inputs unknown during preview are skipped."""
    news = with_defaults(news)
    found = []
    for spec in fields(ModelAccessKeyArgs):
        value = news.get(spec.name)
        if is_unknown(value):
            continue
        reason = spec.metadata["check"](value, news, olds)
        if reason is not None:
            found.append((spec.name, f"{spec.name} {reason}"))
    return found


def changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The inputs whose value differs between the old outputs and the new inputs."""
    olds, news = with_defaults(olds), with_defaults(news)
    return [
        spec.name
        for spec in fields(ModelAccessKeyArgs)
        if spec.metadata["identity"](olds.get(spec.name))
        != spec.metadata["identity"](news.get(spec.name))
    ]
