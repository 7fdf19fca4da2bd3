"""`Account` on its own: a masked repr, settings of its own, and clear errors."""

from __future__ import annotations

import pulumi
import pytest
from do_genai_model_keys import Account
from do_genai_model_keys.api.config import DEFAULT_API_ENDPOINT
from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider


def test_the_repr_never_shows_the_token() -> None:
    account = Account(token="dop_v1_secret-token-value", api_endpoint="https://api.example")
    assert "secret-token-value" not in repr(account)
    assert "api.example" in repr(account)


def test_its_settings_are_its_own_not_the_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGITALOCEAN_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DIGITALOCEAN_HTTP_RETRY_MAX", "9")
    settings = Account(token="t0ken", http_retry_wait_max=2.0).settings()
    assert settings.api_endpoint == DEFAULT_API_ENDPOINT
    assert settings.http_retry_max == 4
    assert settings.http_retry_wait_max == 2.0


def test_a_data_source_called_now_needs_a_known_token() -> None:
    with pytest.raises(TypeError, match="_output"):
        Account(token=pulumi.Output.from_input("t")).settings()


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ({"api_endpoint": "https://api.example"}, "Account(token=..., ...)"),
        ({"token": "t", "api_endpoint": "api.example"}, "http(s) URL"),
        ({"token": "t", "http_retry_max": "many"}, "whole number"),
    ],
)
def test_an_unusable_account_is_a_check_failure_naming_it(account: dict, message: str) -> None:
    failures = ModelAccessKeyProvider().check({}, {"name": "k", "account": account}).failures
    [failure] = failures
    assert failure.property == "account"
    assert message in failure.reason


def test_whole_numbers_arrive_as_floats_and_are_fine() -> None:
    """Pulumi hands every number to a provider as a float: 8 comes as 8.0."""
    account = {"token": "t", "http_retry_max": 8.0, "api_endpoint": "https://api.example"}
    assert ModelAccessKeyProvider().check({}, {"name": "k", "account": account}).failures == []


def test_a_change_of_account_updates_in_place_and_never_replaces() -> None:
    """A replacement would adopt the same key and the engine would then delete it: a new
    token or a new endpoint is an update, which checks the key is there first."""
    provider = ModelAccessKeyProvider()
    old = {"token": "old", "api_endpoint": "https://team-a.example"}
    olds = {**provider.check({}, {"name": "k", "account": old}).inputs, "uuid": "u"}
    new_token = provider.check({}, {"name": "k", "account": {**old, "token": "new"}}).inputs
    elsewhere = {**old, "api_endpoint": "https://team-b.example"}
    moved = provider.check({}, {"name": "k", "account": elsewhere}).inputs
    for news in (new_token, moved):
        diff = provider.diff("u", olds, news)
        assert (diff.changes, diff.replaces) == (True, [])


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("https://team-a.example", "https://team-a.example/"),
        ("https://team-a.example", "HTTPS://Team-A.example:443"),
        (None, "https://api.digitalocean.com"),
        (None, "https://api.digitalocean.com/"),
        ("http://127.0.0.1:8080", "http://localhost:8080/"),
    ],
)
def test_an_endpoint_spelled_another_way_is_no_change_at_all(before, after) -> None:
    """A trailing slash deleted an adopted key (replace, adopt the same UUID, delete 'the old
    one'): now the same account, however spelled, is no change."""
    provider = ModelAccessKeyProvider()

    def account(endpoint: str | None) -> dict:
        return {"token": "t"} | ({"api_endpoint": endpoint} if endpoint else {})

    checked = provider.check({}, {"name": "k", "account": account(before)}).inputs
    olds = {**checked, "uuid": "u", "secret_key": "sk-do-kept"}
    news = provider.check({}, {"name": "k", "account": account(after)}).inputs
    diff = provider.diff("u", olds, news)
    assert (diff.changes, diff.replaces) == (False, [])
