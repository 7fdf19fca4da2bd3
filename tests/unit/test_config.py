"""Settings: precedence, defaults and errors that name the setting and never the token."""

from __future__ import annotations

import pytest
from do_genai_model_keys.api.config import resolve_settings, settings_from_stack_config
from do_genai_model_keys.api.errors import ConfigurationError


def test_defaults() -> None:
    settings = resolve_settings(environ={})
    assert settings.api_endpoint == "https://api.digitalocean.com"
    assert settings.inference_endpoint == "https://inference.do-ai.run"
    assert (
        settings.http_retry_max,
        settings.http_retry_wait_min,
        settings.http_retry_wait_max,
    ) == (
        4,
        1.0,
        30.0,
    )
    assert settings.requests_per_second == 0
    assert settings.token is None


def test_precedence_argument_then_config_then_environment() -> None:
    env = {
        "DIGITALOCEAN_TOKEN": "env-token",
        "DIGITALOCEAN_API_URL": "http://env:1",
        "DIGITALOCEAN_HTTP_RETRY_MAX": "9",
    }
    config = {"digitalocean:token": "cfg-token", "digitalocean:apiEndpoint": "http://cfg:2"}
    settings = resolve_settings({"api_endpoint": "http://arg:3"}, config, env)
    assert settings.api_endpoint == "http://arg:3"
    assert settings.token is not None
    assert settings.token.get_secret_value() == "cfg-token"
    assert settings.http_retry_max == 9


def test_access_token_variable_is_the_fallback() -> None:
    settings = resolve_settings(environ={"DIGITALOCEAN_ACCESS_TOKEN": "second"})
    assert settings.token is not None
    assert settings.token.get_secret_value() == "second"
    both = resolve_settings(environ={"DIGITALOCEAN_ACCESS_TOKEN": "2", "DIGITALOCEAN_TOKEN": "1"})
    assert both.token is not None
    assert both.token.get_secret_value() == "1"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DIGITALOCEAN_HTTP_RETRY_MAX": "many"}, "DIGITALOCEAN_HTTP_RETRY_MAX"),
        ({"DIGITALOCEAN_HTTP_RETRY_MAX": "-1"}, "DIGITALOCEAN_HTTP_RETRY_MAX"),
        ({"DIGITALOCEAN_HTTP_RETRY_WAIT_MIN": "soon"}, "DIGITALOCEAN_HTTP_RETRY_WAIT_MIN"),
        ({"DIGITALOCEAN_HTTP_RETRY_WAIT_MAX": "nan"}, "DIGITALOCEAN_HTTP_RETRY_WAIT_MAX"),
        ({"DIGITALOCEAN_REQUESTS_PER_SECOND": "fast"}, "DIGITALOCEAN_REQUESTS_PER_SECOND"),
        ({"DIGITALOCEAN_API_URL": "api.digitalocean.com"}, "DIGITALOCEAN_API_URL"),
        ({"DIGITALOCEAN_API_URL": "ftp://x"}, "DIGITALOCEAN_API_URL"),
        (
            {"DIGITALOCEAN_HTTP_RETRY_WAIT_MIN": "10", "DIGITALOCEAN_HTTP_RETRY_WAIT_MAX": "2"},
            "httpRetryWaitMin",
        ),
    ],
)
def test_malformed_values_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        resolve_settings(environ={"DIGITALOCEAN_TOKEN": "tok-SECRET", **env})


def test_config_errors_name_the_config_key() -> None:
    with pytest.raises(ConfigurationError, match=r"config digitalocean:httpRetryMax"):
        resolve_settings(stack_config={"digitalocean:httpRetryMax": "x"}, environ={})


def test_missing_token_says_how_to_set_it() -> None:
    settings = resolve_settings(environ={})
    with pytest.raises(ConfigurationError, match=r"digitalocean:token.*DIGITALOCEAN_TOKEN"):
        settings.require_token()


def test_the_token_is_masked_in_repr() -> None:
    settings = resolve_settings(environ={"DIGITALOCEAN_TOKEN": "tok-SECRET"})
    assert "tok-SECRET" not in repr(settings)
    assert "tok-SECRET" not in str(settings)


@pytest.mark.parametrize(
    ("typo", "nearest"),
    [
        ("digitalocean:apiEndpiont", "digitalocean:apiEndpoint"),
        ("digitalocean:tokne", "digitalocean:token"),
        ("digitalocean:httpRetyMax", "digitalocean:httpRetryMax"),
        ("digitalocean:verifySecret", "digitalocean:verifySecrets"),
        ("digitalocean:APIENDPOINT", "digitalocean:apiEndpoint"),
    ],
)
def test_an_unknown_config_key_is_an_error_naming_the_nearest(typo: str, nearest: str) -> None:
    """A typo must never send the token to the default endpoint, DigitalOcean's own."""
    config = {typo: "http://127.0.0.1:9", "digitalocean:token": "secret-token-value"}
    with pytest.raises(ConfigurationError) as caught:
        settings_from_stack_config(config.get, config)
    assert typo in str(caught.value)
    assert f"did you mean {nearest}?" in str(caught.value)
    assert "secret-token-value" not in str(caught.value)


def test_the_official_providers_keys_and_other_namespaces_pass_quietly() -> None:
    config = {
        "digitalocean:token": "t",
        "digitalocean:spacesAccessId": "id",
        "digitalocean:spacesSecretKey": "key",
        "digitalocean:spacesEndpoint": "https://nyc3.digitaloceanspaces.com",
        "myproject:apiEndpiont": "anything",
        "aws:region": "eu-west-1",
    }
    assert settings_from_stack_config(config.get, config).token is not None


def test_the_provider_refuses_a_typo_before_sending_anything() -> None:
    from do_genai_model_keys.dynamic.resources import ModelAccessKeyProvider
    from do_genai_model_keys.lifecycle import runtime
    from pulumi.dynamic import Config, ConfigureRequest

    config = {"digitalocean:token": "t", "digitalocean:apiEndpiont": "http://127.0.0.1:9"}
    try:
        with pytest.raises(ConfigurationError, match="did you mean digitalocean:apiEndpoint"):
            ModelAccessKeyProvider().configure(ConfigureRequest(Config(config, "proj")))
    finally:
        runtime.reset_runtime()
