"""The plugin's provider: Pulumi's resource-provider calls, answered by the same core as the
dynamic resources.

Each call is translated by `wire` (names, secrets, unknowns) and handed to the dynamic
provider's own `check`, `diff`, `create`, `update`, `read` and `delete`, so every rule and
message is the one Python programs meet. What only a real provider has is here: the provider's
configuration is the account (an explicit provider instance is another account), secrets go
out as secrets, a preview is answered without touching DigitalOcean, `pulumi import` reads a key
made in the control panel, and calls run on a pool of threads as wide as the engine's
`--parallel`, paced per account by the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pulumi.provider.experimental import provider as wire_api
from pulumi.provider.experimental.property_value import PropertyValue

from ..api import errors
from ..api.config import (
    FIELDS,
    ClientSettings,
    check_transport_security,
    resolve_settings,
    whose,
)
from ..api.contract import CREATE_RETIRED_ON, KEYS_PATH
from ..api.errors import ConfigurationError, GenAIError, KeyLookupError
from ..doors import DEFAULT_PROVIDER_PREFIX, camel, snake
from ..lifecycle import key as lifecycle
from ..lifecycle.inputs import INPUTS, UNKNOWN
from ..lifecycle.outputs import OUTPUT_ONLY, ROTATION_COUNTS
from ..lifecycle.rules import Rotating
from ..lifecycle.runtime import runtime, use_settings
from ..seams.engine import engine_at, warn_on
from ..seams.plugin_server import PluginError
from . import PACKAGE, schema
from .wire import ROTATING, from_wire, spelled, to_wire

T = TypeVar("T")
log = logging.getLogger("do_genai_model_keys.secrets")

WORKERS = 64
"""Calls served at once; the engine's `--parallel` decides how many it sends, the client's
pacing and retries keep them within DigitalOcean's limits."""
IMPORT_TAKES_NO_CHANGE = frozenset(INPUTS) - {"name"}
"""Inputs that say how a key is taken (adopted, rotated later), not what it is: while a key is
imported, a program that sets them differently from the defaults is no mismatch."""
CONFIG = {camel(name): name for name in FIELDS}
"""The provider's settings by their schema name: `ClientSettings`'s, as stack config has them."""


class KeysProvider(wire_api.Provider):
    """`do-genai`: `ModelAccessKey` and the data-source functions, for one account."""

    def __init__(self, engine_address: str = "") -> None:
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="do-genai")
        self._engine = engine_at(engine_address)
        self._imported: set[str] = set()
        self._imported_lock = threading.Lock()
        self._refreshed_without_secret: set[str] = set()
        """Keys a refresh read whose state held no secret before it either (an import's): the
        refresh's diff that follows reports no change for it; the next `up` checks first."""
        self._settings: ClientSettings | None = None
        self._explicit = False
        """Whether this process serves an explicit `Provider` resource (its URN, seen by
        `check_config`), not the stack's default provider."""
        self._stack = ""
        """The stack this process serves (from the provider's URN), to read its config file."""

    def attach(self, address: str) -> None:
        """An engine attached to this plugin, started by hand: its warnings go there."""
        self._engine = engine_at(address)

    async def _run(self, call: Callable[[], T]) -> T:
        """`call` on a worker thread, our errors said as their message with the inputs spelled
        as this door spells them."""

        def served() -> T:
            with _spelled_errors():
                return call()

        return await asyncio.get_running_loop().run_in_executor(self._pool, served)

    def _call(self, urn: str) -> lifecycle.Call:
        """A call for the resource `urn`: it holds what it takes for the run, and its warnings
        are shown on it, in this door's spelling."""
        return lifecycle.Call(holder=urn, notices=_OnTheResource(self._engine, urn))

    # --- the package -----------------------------------------------------------------------

    async def get_schema(self, request: wire_api.GetSchemaRequest) -> wire_api.GetSchemaResponse:
        return wire_api.GetSchemaResponse(schema=schema.published_schema())

    async def check_config(self, request: wire_api.CheckRequest) -> wire_api.CheckResponse:
        news = request.new_inputs
        self._explicit = not request.urn.rpartition("::")[2].startswith(DEFAULT_PROVIDER_PREFIX)
        self._stack = request.urn.removeprefix("urn:pulumi:").partition("::")[0]
        failures = [
            wire_api.CheckFailure(name, problem) for name, problem in _config_problems(news)
        ]
        inputs = dict(news)
        if "token" in inputs:  # set without --secret, it is a secret all the same
            inputs["token"] = inputs["token"].with_secret(True)
        return wire_api.CheckResponse(inputs=inputs, failures=failures)

    async def diff_config(self, request: wire_api.DiffRequest) -> wire_api.DiffResponse:
        """A new token or endpoint changes the provider in place; each key then finds it is in
        another account (its state's `ACCOUNT` mark) and is checked there before anything is
        done, and never dropped from the state for not being found (as `Account` does for the
        dynamic door)."""
        olds, news = _config_of(request.old_state), _config_of(request.new_inputs)
        changed = sorted(camel(k) for k in {*olds, *news} if olds.get(k) != news.get(k))
        return wire_api.DiffResponse(changes=bool(changed), diffs=changed)

    async def configure(self, request: wire_api.ConfigureRequest) -> wire_api.ConfigureResponse:
        given = _config_of(request.args) or _config_from_variables(request.variables)
        if not self._explicit:
            _refuse_settings_without_twins(self._stack, given)
        settings = _settings(given, explicit=self._explicit)
        self._settings = settings
        use_settings(settings).preflight = True
        return wire_api.ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_outputs=False
        )

    # --- ModelAccessKey --------------------------------------------------------------------

    async def check(self, request: wire_api.CheckRequest) -> wire_api.CheckResponse:
        _resource(request.urn)
        with self._imported_lock:
            self._refreshed_without_secret.discard(request.urn)  # an `up`'s diff follows
        olds, news = from_wire(request.old_inputs), from_wire(request.new_inputs)
        hidden = {snake(k) for k, v in request.new_inputs.items() if v.contains_secret()}
        allowed = set(INPUTS) - set(schema.NOT_ON_THE_WIRE) | {ROTATING, *OUTPUT_ONLY}
        unknown = sorted(set(news) - allowed)
        rotating = news.pop(ROTATING, None)
        slot = None
        if isinstance(rotating, dict):  # a slot of a RotatingModelAccessKey (components.py)
            slot = Rotating.of({k: None if v == UNKNOWN else v for k, v in rotating.items()})
        call = self._call(request.urn)
        checked = await self._run(lambda: lifecycle.check(olds, news, call, slot=slot))
        failures = [
            wire_api.CheckFailure(camel(p.field), _reason(p.field, p.reason, hidden))
            for p in checked.problems
        ]
        failures += [
            wire_api.CheckFailure(camel(name), f"{camel(name)} is not an input of ModelAccessKey")
            for name in unknown
        ]
        inputs = {k: v for k, v in checked.inputs.items() if k in KEPT_INPUTS}
        return wire_api.CheckResponse(inputs=to_wire(inputs, secrets=hidden), failures=failures)

    async def diff(self, request: wire_api.DiffRequest) -> wire_api.DiffResponse:
        olds, news = from_wire(request.old_state), from_wire(request.new_inputs)
        with self._imported_lock:
            importing = request.urn in self._imported
            self._imported.discard(request.urn)
            refreshing = request.urn in self._refreshed_without_secret
            self._refreshed_without_secret.discard(request.urn)
        if importing:
            # The import's own check: the key is what the program says; how it is taken, and
            # its unknown secret, are the next `up`'s business (which regenerates it).
            _same_name_as_imported(request.resource_id, olds, news)
            news = {**news, **{k: olds.get(k) for k in IMPORT_TAKES_NO_CHANGE}}
        call = self._call(request.urn)
        # A refresh's diff: a secret the state never held is no drift, as during an import.
        taking = importing or refreshing
        plan = await self._run(lambda: lifecycle.plan(olds, news, call, importing=taking))
        changed = [camel(name) for name in plan.changed]
        replaces = [camel(name) for name in plan.replaces]
        detailed = {
            name: wire_api.PropertyDiff(wire_api.PropertyDiffKind.UPDATE, input_diff=True)
            for name in changed
        } | {
            name: wire_api.PropertyDiff(wire_api.PropertyDiffKind.UPDATE_REPLACE, input_diff=True)
            for name in replaces
        }
        return wire_api.DiffResponse(
            changes=plan.changes,
            replaces=replaces,
            stables=[camel(name) for name in lifecycle.STABLES],
            delete_before_replace=False,
            diffs=[*changed, *replaces],
            detailed_diff=detailed,
        )

    async def create(self, request: wire_api.CreateRequest) -> wire_api.CreateResponse:
        props = from_wire(request.properties)
        call = self._call(request.urn)
        if request.preview:
            await self._run(lambda: lifecycle.preview_create(props, call))
            unknown = dict.fromkeys(OUTPUT_ONLY, UNKNOWN)
            return wire_api.CreateResponse(properties=_state({**props, **unknown}))
        created = await self._run(lambda: lifecycle.create(props, call))
        return wire_api.CreateResponse(created.uuid, self._state(created.state))

    async def update(self, request: wire_api.UpdateRequest) -> wire_api.UpdateResponse:
        olds, news = from_wire(request.olds), from_wire(request.news)
        if request.preview:
            state = {**olds, **{k: news.get(k) for k in KEPT_INPUTS if k in news}}
            unknown = news.get("secret_version") == UNKNOWN
            if unknown or lifecycle.regenerates_on_update(olds, news):
                state |= {"secret_key": UNKNOWN, "rotated_at": UNKNOWN}
            return wire_api.UpdateResponse(self._state(state))
        call = self._call(request.urn)

        def update() -> dict[str, Any]:
            self._same_account(olds, request.resource_id)
            return lifecycle.update(request.resource_id, olds, news, call)

        return wire_api.UpdateResponse(self._state(await self._run(update)))

    async def read(self, request: wire_api.ReadRequest) -> wire_api.ReadResponse:
        props = from_wire(request.properties)
        call = self._call(request.urn)
        if not props:  # `pulumi import` and the `import` option: nothing known yet
            state = await self._run(lambda: lifecycle.import_key(request.resource_id, call))
            with self._imported_lock:
                self._imported.add(request.urn)
            inputs = {"name": state["name"], "secret_version": state["secret_version"]}
            return wire_api.ReadResponse(request.resource_id, self._state(state), to_wire(inputs))

        if not props.get("secret_key"):
            with self._imported_lock:
                self._refreshed_without_secret.add(request.urn)

        def read() -> dict[str, Any] | None:
            found = lifecycle.read(request.resource_id, props, call)
            if found is None:  # gone, unless the provider now points at another account
                self._gone_for_sure(props, request.resource_id)
            return found

        found = await self._run(read)
        if found is None:
            return wire_api.ReadResponse(None, {}, {})
        return wire_api.ReadResponse(request.resource_id, self._state(found), dict(request.inputs))

    async def delete(self, request: wire_api.DeleteRequest) -> None:
        props = from_wire(request.properties)
        call = self._call(request.urn)

        def delete() -> None:
            self._same_account(props, request.resource_id)
            lifecycle.delete(request.resource_id, props, call)

        await self._run(delete)

    def _state(self, props: Mapping[str, Any]) -> dict[str, PropertyValue]:
        """A key's state on the wire, marked with the account it lives in."""
        return _state({**props, ACCOUNT: _account_mark(self._account_settings())})

    def _same_account(self, state: Mapping[str, Any], uuid: str) -> None:
        """Nothing is done to, or dropped for, a key the provider now looks for in another
        account (a new token or endpoint) unless the key is there too."""
        mark = state.get(ACCOUNT)
        if mark and mark != _account_mark(self._account_settings()):
            lifecycle.confirm_in_account(uuid, str(state.get("name") or ""))

    def _gone_for_sure(self, state: Mapping[str, Any], uuid: str) -> None:
        """A key a refresh did not find is dropped from the state only when its state says it
        lives in the account the provider points at now; a state without the mark (a key moved
        by `move-to-plugin`) cannot say, so nothing is dropped and the error says what to do."""
        if state.get(ACCOUNT):
            self._same_account(state, uuid)
            return
        raise KeyLookupError(
            f"model access key {state.get('name')!r} ({uuid}) is not in the account the "
            "provider points at, and its state does not say which account it was taken in "
            "(it was moved by move-to-plugin before its first refresh here), so whether it was "
            "deleted or the token or endpoint changed cannot be told. Nothing was dropped from "
            "the state. If the token or endpoint changed, put them back and refresh; if the key "
            "was deleted at DigitalOcean, remove it with `pulumi state delete '<its URN>'`"
        )

    # --- the functions ---------------------------------------------------------------------

    async def invoke(self, request: wire_api.InvokeRequest) -> wire_api.InvokeResponse:
        name = request.tok.rpartition(":")[2]
        answer = schema.FUNCTIONS.get(name)
        if answer is None:
            raise ValueError(
                f"unknown function {request.tok}: the package has {list(schema.FUNCTIONS)}"
            )
        args = from_wire(request.args)
        secret = any(value.contains_secret() for value in request.args.values())
        result = await self._run(lambda: answer(**args, client=runtime().keys.client))
        return wire_api.InvokeResponse(return_value=_result(result, secret=secret))

    def _account_settings(self) -> ClientSettings:
        return self._settings if self._settings is not None else _settings({})


def _refuse_settings_without_twins(stack: str, given: Mapping[str, Any]) -> None:
    """A stack that sets a `digitalocean:*` setting (the dynamic resources' namespace) without
    its `do-genai:*` twin would have the plugin serve it with the default: DigitalOcean's own
    endpoint, the environment's token. Refused, naming the twin. The engine hands a provider
    only its own namespace, so the stack's config file (`Pulumi.<stack>.yaml` in the project
    folder, where the engine starts the plugin) is read for the keys; none there, no check."""
    import yaml

    path = Path.cwd() / f"Pulumi.{stack}.yaml"
    try:
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return
    untwinned = sorted(
        key.partition(":")[2]
        for key in config
        if isinstance(key, str)
        and key.startswith("digitalocean:")
        and CONFIG.get(key.partition(":")[2]) not in (None, *given)
    )
    if untwinned:
        twins = ", ".join(f"{PACKAGE}:{name}" for name in untwinned)
        raise ConfigurationError(
            f"the stack sets {', '.join(f'digitalocean:{n}' for n in untwinned)}, which only "
            f"the dynamic resources read; the {PACKAGE} plugin reads {twins}, which the stack "
            "does not set, so it would use the default (for an endpoint: DigitalOcean's own, "
            "with your token). Set each twin to the same value: `pulumi config set "
            f"{PACKAGE}:<name> <value>` (with --secret for the token). Nothing was sent"
        )


def _same_name_as_imported(uuid: str, key: Mapping[str, Any], program: Mapping[str, Any]) -> None:
    """An import takes a key as it is: a program that names it otherwise would rename it in
    the same `up` (the engine imports, then updates), so the import fails, naming both."""
    wanted, found = program.get("name"), key.get("name")
    if wanted in (None, UNKNOWN) or wanted == found:
        return
    raise KeyLookupError(
        f"importing model access key {uuid}: the program names it {wanted!r}, but the key is "
        f"named {found!r} at DigitalOcean. An import takes a key as it is: set name to "
        f"{found!r} in the program (and rename it in a later `up` if you want), or import "
        "another key. Nothing was changed"
    )


def _resource(urn: str) -> None:
    kind = urn.split("::")[-2] if urn.count("::") >= 2 else ""
    if kind and kind.rpartition("$")[2] != schema.KEY_TOKEN:
        raise ValueError(f"unknown resource type {kind}: the package has {schema.KEY_TOKEN}")


ACCOUNT = "__account"
"""A key's state notes which account it lives in (a digest of its token and endpoints, never
the token): a key the provider no longer finds after its token or endpoint changed is another
account's, not gone."""
KEPT_INPUTS = (*INPUTS, *ROTATION_COUNTS)
"""What a key's state keeps of its inputs: the declared ones, and for a rotating key's slot the
emergency and rotation counts its pacing is measured against (the core's own names)."""


def _state(props: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """A key's state on the wire: its inputs and outputs, `secretKey` always a secret."""
    names = {*KEPT_INPUTS, *OUTPUT_ONLY, ACCOUNT} - set(schema.NOT_ON_THE_WIRE)
    return to_wire(props, secrets=schema.SECRET_OUTPUTS, keep=names)


def _account_mark(settings: ClientSettings) -> str:
    return hashlib.sha256("|".join(whose(settings)).encode()).hexdigest()[:24]


def _reason(field: str, reason: str, hidden: set[str]) -> str:
    """A check failure as this door spells it; for an input given as a secret, without the
    value the core's message quotes."""
    if field in hidden:
        return f"{camel(field)} is not valid (its value is a secret, so it is not shown here)"
    return spelled(reason, INPUTS)


def _config_of(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """The provider's settings given as its inputs (camelCase), by `ClientSettings` name."""
    given = from_wire({k: v for k, v in props.items() if k in CONFIG and k != "version"})
    return {k: v for k, v in given.items() if v not in (None, "")}


def _config_from_variables(variables: Mapping[str, str]) -> dict[str, Any]:
    """Older engines send the configuration as `do-genai:config:<key>` variables."""
    found = {}
    for key, value in variables.items():
        name = key.rpartition(":")[2]
        if name in CONFIG and value != "":
            found[CONFIG[name]] = json.loads(value) if value[:1] in "[{" else value
    return found


def _config_problems(news: Mapping[str, PropertyValue]) -> Iterator[tuple[str, str]]:
    import difflib

    for key in news:
        if key in CONFIG or key == "version":
            continue
        nearest = difflib.get_close_matches(key, list(CONFIG), n=1, cutoff=0.6)
        guess = f" (did you mean {nearest[0]}?)" if nearest else ""
        yield (
            key,
            (
                f"unknown setting {key}{guess}: nothing reads it, so its value would be ignored "
                "and the defaults used (for an endpoint: DigitalOcean's own, with your token). "
                f"The settings are {', '.join(CONFIG)}"
            ),
        )
    try:
        _settings(_config_of(news), check_only=True)
    except ConfigurationError as error:
        said = str(error)
        named = re.search(r"argument (\w+)", said)
        field = named.group(1) if named else "token"
        yield camel(field), spelled(said.replace(f"argument {field}", camel(field)), FIELDS)


def _settings(
    given: Mapping[str, Any], *, check_only: bool = False, explicit: bool = False
) -> ClientSettings:
    """The account's settings: what the provider is given, then the environment, then the
    defaults (the dynamic door's order, with the provider's inputs for the stack config).

    An explicit provider that names an endpoint is an account of its own, as `Account` is in
    the dynamic door: the environment, meant for the stack's account, plays no part, and its
    token must be its own (`DIGITALOCEAN_TOKEN` would otherwise go to that endpoint)."""
    unknown = any(isinstance(v, str) and v == UNKNOWN for v in given.values())
    if unknown and check_only:
        return ClientSettings()
    own = explicit and any(given.get(k) for k in ("api_endpoint", "inference_endpoint"))
    if own and not given.get("token"):
        endpoint = given.get("api_endpoint") or given.get("inference_endpoint")
        raise ConfigurationError(
            f"this do-genai provider names the endpoint {endpoint} but no token: a provider "
            "that names an endpoint is an account of its own and never takes the environment's "
            "DIGITALOCEAN_TOKEN (meant for the stack's account). Give it its token: "
            "new Provider(name, {token: ..., apiEndpoint: ...})"
        )
    settings = resolve_settings(explicit=dict(given), environ={} if own else os.environ)
    check_transport_security(settings, os.environ)
    return settings


def _result(result: Any, *, secret: bool) -> dict[str, PropertyValue]:
    """A data source's record on the wire (camelCase field names; a free-form map, such as
    benchmark scores, keeps its own keys); all of it secret when an argument was."""
    return {
        camel(f.name): _record_value(getattr(result, f.name)).with_secret(secret)
        for f in dataclasses.fields(result)
    }


def _record_value(value: Any) -> PropertyValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return PropertyValue(
            {
                camel(f.name): _record_value(getattr(value, f.name))
                for f in dataclasses.fields(value)
            }
        )
    if isinstance(value, Mapping):
        return PropertyValue({str(k): _record_value(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([_record_value(item) for item in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


class _OnTheResource:
    """Warnings shown on the resource a call serves, in this door's spelling (the provider's
    log when the engine cannot take them)."""

    def __init__(self, engine: Any, urn: str) -> None:
        self._engine, self._urn = engine, urn

    def warn(self, message: str) -> None:
        said = spelled(message, INPUTS)
        if not warn_on(self._engine, self._urn, said):
            log.warning("%s", said)


ADOPT_HINT = (
    "DigitalOcean retired creating model access keys through the API (POST "
    f"{KEYS_PATH} answers 410 since {CREATE_RETIRED_ON}). Create the key in the control "
    "panel (GenAI > Model access keys), then adopt it: set adoptUuid to its UUID, or set name "
    "to its exact name and adoptExisting to true; for a RotatingModelAccessKey, make two keys "
    "and set adoptUuids to their two UUIDs. Adoption regenerates the secret so that the stack "
    "holds a working one."
)
"""The retired-create hint in every language's terms (the core's names Python's syntax)."""


@contextlib.contextmanager
def _spelled_errors() -> Iterator[None]:
    """Our errors with the inputs named as the schema names them."""
    try:
        yield
    except GenAIError as error:
        said = str(error).replace(errors.ADOPT_HINT, ADOPT_HINT)
        raise PluginError(spelled(said, INPUTS)) from None
