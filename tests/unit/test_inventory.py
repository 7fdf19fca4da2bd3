"""The key inventory's verdicts, table and JSON, from made-up accounts and stacks (no CLI)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from do_genai_model_keys.api.errors import GenAIError
from do_genai_model_keys.api.models import ApiKeyInfo
from do_genai_model_keys.commands.inventory import (
    Holding,
    InventoryError,
    Progress,
    exit_code,
    main,
    render_json,
    render_table,
    report,
    stack_holdings,
)
from do_genai_model_keys.doors import SECRET_SIGNATURE
from support.secrets import secret_absent

AT = datetime(2027, 1, 1, tzinfo=UTC)
SECRET = "sk-do-emu-never-to-be-printed"


def key(uuid: str, name: str) -> ApiKeyInfo:
    return ApiKeyInfo(uuid=uuid, name=name, created_at="2026-01-01T00:00:00Z")


def held(stack: str, rotated_at: str = "2026-12-20T00:00:00Z", state: str = "live") -> Holding:
    return Holding(stack, "web", rotated_at, SECRET, state)


def test_each_finding_is_flagged_and_only_conflicts_and_dead_secrets_fail() -> None:
    keys = [key("u1", "fine"), key("u2", "twice"), key("u3", "nobody"), key("u4", "dead")]
    holdings = {
        "u1": [held("org/a/dev")],
        "u2": [held("org/a/dev"), held("org/b/prod")],
        "u4": [held("org/c/dev", state="dead")],
        "u9": [held("org/d/dev", rotated_at="2026-01-01T00:00:00Z")],
    }
    reports = report(keys, holdings, max_age_days=90, at=AT)
    flags = {r.uuid: r.flags for r in reports}
    assert flags == {
        "u1": [],
        "u2": ["conflict"],
        "u3": ["unmanaged"],
        "u4": ["dead"],
        "u9": ["gone", "old"],
    }
    assert exit_code(reports) == 1
    assert exit_code([r for r in reports if r.uuid in ("u1", "u3", "u9")]) == 0


def test_the_table_and_the_json_name_the_stacks_and_never_a_secret() -> None:
    reports = report(
        [key("u2", "twice")],
        {"u2": [held("org/a/dev"), held("org/b/prod")]},
        max_age_days=None,
        at=AT,
    )
    table = render_table(reports)
    assert "org/a/dev (web)" in table
    assert "org/b/prod (web)" in table
    assert "1 keys: 1 conflict" in table
    data = json.loads(render_json(reports))
    assert data["exit_code"] == 1
    assert [h["stack"] for h in data["keys"][0]["holdings"]] == ["org/a/dev", "org/b/prod"]
    secret_absent(SECRET, table, "the table")
    secret_absent(SECRET, render_json(reports), "the JSON")
    secret_absent(SECRET, repr(reports), "the reports' repr")


def test_progress_is_a_line_every_tenth_off_a_terminal_and_silent_for_a_handful() -> None:
    stream = io.StringIO()
    progress = Progress(20, "stacks read", stream)
    for _ in range(20):
        progress.step()
    assert stream.getvalue().splitlines() == [f"{n}/20 stacks read" for n in range(2, 21, 2)]
    quiet = io.StringIO()
    small = Progress(3, "stacks read", quiet)
    for _ in range(3):
        small.step()
    assert quiet.getvalue() == ""


def test_two_resources_of_one_stack_on_one_key_are_a_conflict() -> None:
    reports = report(
        [key("u1", "web")],
        {"u1": [held("org/a/dev"), Holding("org/a/dev", "web-copy", "", "", "none")]},
        max_age_days=None,
        at=AT,
    )
    assert reports[0].flags == ["conflict"]
    assert exit_code(reports) == 1


def test_cells_escape_control_characters_so_no_name_can_forge_a_row() -> None:
    forged = "web\x1b[2K\r\nfake-key  u0  org/x/dev (web)  -  live"
    reports = report([key("u1", forged)], {"u1": [held("org/a/dev")]}, max_age_days=None, at=AT)
    table = render_table(reports)
    assert "\x1b" not in table
    assert "\\x1b[2K\\r\\n" in table
    assert len(table.splitlines()) == 3  # the header, the key, the summary


def test_a_conflict_says_how_to_let_go_without_deleting() -> None:
    a = Holding("org/a/dev", "web", "", urn="urn:pulumi:dev::a::t::web")
    b = Holding("org/b/dev", "web", "", urn="urn:pulumi:dev::b::t::web")
    [entry] = report([key("u1", "shared")], {"u1": [a, b]}, max_age_days=None, at=AT)
    assert "pulumi state delete 'urn:pulumi:dev::a::t::web' --stack org/a/dev" in entry.advice
    assert "not `destroy`" in entry.advice
    assert entry.advice in render_table([entry])
    assert json.loads(render_json([entry]))["keys"][0]["advice"] == entry.advice


def test_a_value_the_state_marks_secret_is_never_printed() -> None:
    revealed = {SECRET_SIGNATURE: "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"2027"'}
    export = {
        "deployment": {
            "resources": [
                {
                    "type": "pulumi-python:dynamic/genai:ModelAccessKey",
                    "id": "u1",
                    "urn": "urn:pulumi:dev::a::t::web",
                    "outputs": {"rotated_at": revealed, "secret_key": revealed},
                }
            ]
        }
    }
    [(uuid, holding)] = stack_holdings(
        lambda _args: json.dumps(export), "org/a/dev", with_secrets=True
    )
    assert (uuid, holding.rotated_at) == ("u1", "[secret]")


@pytest.mark.parametrize(
    "deployment",
    [
        {"resources": ["not-an-object"]},
        {"resources": {"a": 1}},
        {"resources": [{"type": "do-genai:index:ModelAccessKey", "id": "u", "outputs": []}]},
    ],
)
def test_an_export_of_an_odd_shape_is_unreadable_never_a_traceback(deployment: dict) -> None:
    with pytest.raises(InventoryError):
        stack_holdings(
            lambda _args: json.dumps({"deployment": deployment}), "org/a/dev", with_secrets=False
        )


@pytest.mark.parametrize("days", ["inf", "nan", "0", "-1", "1e9"])
def test_max_age_days_is_bounded(days: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--max-age-days", days])
    assert stopped.value.code == 2
    assert "--max-age-days" in capsys.readouterr().err


def test_the_inventorys_errors_are_genai_errors() -> None:
    assert issubclass(InventoryError, GenAIError)
