"""The outputs of a `ModelAccessKey`, declared once.

`KeyOutputs` is the state the engine keeps for a key beside its inputs. The provider writes it,
and only it, on create, update and read (`of`, `held`, `described`, `issued`); recovery writes
it for a key it finds after an interrupted run, and the benchmarks' shaped floor writes the same
record, so all of them carry exactly the same properties. Light on purpose (no pydantic): the
resource declares its output names from it in the program.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Protocol

from .inputs import INPUTS, is_whole

CREATED, ADOPTED, IMPORTED = "created", "adopted", "imported"
"""How a stack comes to hold a key (`KeyOutputs.origin`)."""


class KeyFacts(Protocol):
    """What DigitalOcean says about a key (`models.ApiKeyInfo` is one)."""

    @property
    def uuid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def created_at(self) -> str | None: ...
    @property
    def created_by(self) -> str | None: ...


@dataclass(frozen=True)
class KeyOutputs:
    """A key's outputs; `secret_key` is "" when the stack holds no secret for it."""

    uuid: str
    """The key's UUID at DigitalOcean (its ID in the state)."""
    name: str
    secret_key: str
    """The key's secret (a secret output); "" when the stack holds none, as after an import."""
    created_at: str
    """When DigitalOcean made the key (RFC 3339)."""
    created_by: str
    """The DigitalOcean user who made the key."""
    rotated_at: str
    """When the stack last received a new secret; "" when it holds none."""
    secret_version: int
    origin: str = ""
    """How the stack came to hold the key: "created" through the API, "adopted" or
    "imported" (made in the control panel, so protected from deletion unless told otherwise)."""

    @classmethod
    def of(
        cls,
        key: KeyFacts,
        inputs: Mapping[str, Any],
        *,
        secret: str,
        rotated_at: str,
        origin: str = CREATED,
    ) -> KeyOutputs:
        """The outputs of a key as DigitalOcean describes it, issued for `inputs`."""
        return cls(
            uuid=key.uuid,
            name=key.name or str(inputs.get("name") or ""),
            secret_key=secret,
            created_at=key.created_at or "",
            created_by=key.created_by or "",
            rotated_at=rotated_at,
            secret_version=secret_version(inputs),
            origin=origin,
        )

    @classmethod
    def held(cls, state: Mapping[str, Any]) -> KeyOutputs:
        """The outputs a key's stored state holds; one an earlier release wrote may lack some,
        which read as empty."""

        def text(name: str) -> str:
            return str(state.get(name) or "")

        return cls(
            uuid=text("uuid"),
            name=text("name"),
            secret_key=text("secret_key"),
            created_at=text("created_at"),
            created_by=text("created_by"),
            rotated_at=text("rotated_at"),
            secret_version=secret_version(state),
            origin=origin_of(state),
        )

    def described(self, key: KeyFacts) -> KeyOutputs:
        """These outputs with DigitalOcean's current metadata (a refresh): the secret and its
        history stay as the stack has them, since listings never carry a secret."""
        return dataclasses.replace(
            self,
            uuid=key.uuid,
            name=key.name,
            created_at=key.created_at or "",
            created_by=key.created_by or "",
        )

    def issued(self, secret: str, at: str) -> KeyOutputs:
        """These outputs with a new secret, issued at `at` (RFC 3339)."""
        return dataclasses.replace(self, secret_key=secret, rotated_at=at)

    def state(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """What the engine stores: the inputs, a rotating slot's counts, then these outputs.

        The counts are kept in the state because the next run's `update` compares its new
        counts with the stored outputs, never with the old inputs: kept only in the inputs,
        one emergency made every later rotation look like one (its secret unproven)."""
        counts = {name: inputs[name] for name in ROTATION_COUNTS if inputs.get(name) is not None}
        return {
            **{name: inputs.get(name) for name in INPUTS},
            **counts,
            **dataclasses.asdict(self),
        }


def origin_of(state: Mapping[str, Any]) -> str:
    """How the stack came to hold a stored key; a state written before `origin` was kept tells
    it by its adoption inputs (an import then reads as created: nothing else says otherwise)."""
    origin = state.get("origin")
    if origin in (CREATED, ADOPTED, IMPORTED):
        return str(origin)
    return ADOPTED if state.get("adopt_uuid") or state.get("adopt_existing") else CREATED


def deletion_protected(state: Mapping[str, Any]) -> bool:
    """Whether the key of this state may not be deleted: as `deletion_protection` says, and
    when it is unset, for a key the stack did not create (only the control panel makes one)."""
    chosen = state.get("deletion_protection")
    if isinstance(chosen, bool):
        return chosen
    return origin_of(state) != CREATED


EMERGENCIES = "__emergencies"
"""The emergency rotations a rotating key's secret has been through, kept in its state (inputs
the diff never compares): an emergency bump is told from a rotation by it."""
ROTATION = "__rotation"
"""The rotation number a rotating key's state is at: a move by more than one is refused."""
ROTATION_COUNTS = (EMERGENCIES, ROTATION)


OUTPUTS = tuple(f.name for f in fields(KeyOutputs))
OUTPUT_ONLY = tuple(name for name in OUTPUTS if name not in INPUTS)
"""The outputs that are not also inputs: unknown until the provider has run."""


def secret_version(props: Mapping[str, Any]) -> int:
    """The `secret_version` of inputs or outputs, 1 where it is not a whole number yet."""
    value = props.get("secret_version")
    return int(value) if is_whole(value) else 1
