"""Where a client's settings come from: arguments, INFLUX_* variables, profiles files, the launcher."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from workbench import launcher
from workbench.client import Client, ClientConfig, ConfigError, connect, load_profiles
from workbench.client._config import DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT

FAKE = Path(__file__).with_name("fake_embedded_server.py")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in (
        "INFLUX_HOST",
        "INFLUX_TOKEN",
        "INFLUX_DATABASE",
        "INFLUX_AUTH_SCHEME",
        "INFLUX_GZIP_THRESHOLD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_PROFILES", str(tmp_path / "no-profiles.toml"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "embedded"))
    monkeypatch.setattr(launcher, "SERVER_COMMAND", (sys.executable, str(FAKE)))


def write_profiles(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_config_defaults_and_host_normalisation():
    config = ClientConfig("localhost:8181/")
    assert config.host == "http://localhost:8181"
    assert (config.timeout, config.read_timeout, config.retries) == (DEFAULT_TIMEOUT, DEFAULT_READ_TIMEOUT, 3)
    assert ClientConfig("https://x.example/influx").host == "https://x.example/influx"
    with pytest.raises(ConfigError):
        ClientConfig("ftp://x")
    with pytest.raises(ConfigError):
        ClientConfig(" ")
    with pytest.raises(ConfigError):
        ClientConfig("h:1", retries=-1)


def test_headers_and_repr_hide_nothing_but_the_token():
    config = ClientConfig("h:1", token="apiv3_secret", auth_scheme="Token")
    assert config.headers()["Authorization"] == "Token apiv3_secret"
    assert "apiv3_secret" not in repr(config)
    assert "Authorization" not in ClientConfig("h:1").headers()


def test_from_env_reads_the_official_variable_names():
    env = {
        "INFLUX_HOST": "http://10.0.0.1:8181",
        "INFLUX_TOKEN": "apiv3_t",
        "INFLUX_DATABASE": "sensors",
        "INFLUX_AUTH_SCHEME": "Token",
        "INFLUX_GZIP_THRESHOLD": "1000",
    }
    config = ClientConfig.from_env(env)
    assert (config.host, config.token, config.database) == ("http://10.0.0.1:8181", "apiv3_t", "sensors")
    assert (config.auth_scheme, config.gzip_threshold) == ("Token", 1000)
    assert ClientConfig.from_env(env, database="other").database == "other"
    with pytest.raises(ConfigError, match="INFLUX_HOST is not set"):
        ClientConfig.from_env({})
    with pytest.raises(ConfigError, match="INFLUX_GZIP_THRESHOLD"):
        ClientConfig.from_env({"INFLUX_HOST": "h:1", "INFLUX_GZIP_THRESHOLD": "big"})


def test_client_from_env(monkeypatch):
    monkeypatch.setenv("INFLUX_HOST", "h:1")
    monkeypatch.setenv("INFLUX_DATABASE", "d")
    client = Client.from_env(timeout=3)
    assert (client.host, client.database, client.config.timeout) == ("http://h:1", "d", 3)


PROFILES = """
default = "prod"

[profiles.prod]
host = "https://influx.example.com"
token_env = "PROD_TOKEN"
database = "metrics"
timeout = 30
retries = 1

[profiles.staging]
host = "staging:8181"
token = "apiv3_staging"

[profiles.local]
embedded = true
data_dir = "{data_dir}"
database = "lab"
"""


def test_profiles_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "apiv3_prod")
    path = write_profiles(tmp_path / "p.toml", PROFILES.format(data_dir=tmp_path / "local"))
    profiles, default = load_profiles(path)
    assert default == "prod" and sorted(profiles) == ["local", "prod", "staging"]
    prod = profiles["prod"].config()
    assert (prod.host, prod.token, prod.database, prod.timeout, prod.retries) == (
        "https://influx.example.com", "apiv3_prod", "metrics", 30, 1,
    )  # fmt: skip
    assert profiles["local"].embedded and profiles["local"].data_dir == str(tmp_path / "local")
    assert "apiv3_prod" not in repr(profiles["prod"])
    client = Client.from_profile(path=path)
    assert client.host == "https://influx.example.com"
    assert Client.from_profile("staging", path=path).config.token == "apiv3_staging"
    with pytest.raises(ConfigError, match="is embedded"):
        Client.from_profile("local", path=path)
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        Client.from_profile("nope", path=path)


def test_a_token_variable_is_read_when_its_profile_is_used(tmp_path, monkeypatch):
    path = write_profiles(tmp_path / "p.toml", PROFILES.format(data_dir=tmp_path / "local"))
    profiles, _ = load_profiles(path)  # PROD_TOKEN is unset: other profiles stay usable
    assert Client.from_profile("staging", path=path).config.token == "apiv3_staging"
    with pytest.raises(ConfigError, match=r"reads its token from \$PROD_TOKEN, which is unset"):
        Client.from_profile("prod", path=path)
    assert profiles["prod"].config(token="explicit").token == "explicit"


def test_a_missing_profiles_file_is_empty(tmp_path):
    assert load_profiles(tmp_path / "absent.toml") == ({}, None)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[profiles.a]\nhost = 'h'\nembedded = true\n", "exactly one of host"),
        ("[profiles.a]\ndatabase = 'd'\n", "exactly one of host"),
        ("[profiles.a]\nhost = 'h'\ncolour = 'red'\n", "unknown keys \\['colour'\\]"),
        ("default = 'b'\n[profiles.a]\nhost = 'h'\n", "default profile 'b' is not defined"),
        ("[profiles.a]\nhost = 'h'\ntoken = 't'\ntoken_env = 'T'\n", "both token and token_env"),
        ("profiles = 3\n", "must be a table"),
        ("[profiles\n", "cannot read profiles file"),
    ],
)
def test_bad_profiles_files_say_what_is_wrong(tmp_path, text, match):
    path = write_profiles(tmp_path / "p.toml", text)
    with pytest.raises(ConfigError, match=match):
        load_profiles(path)


def test_connect_precedence(tmp_path, monkeypatch):
    path = write_profiles(tmp_path / "p.toml", PROFILES.format(data_dir=tmp_path / "local"))
    monkeypatch.setenv("WORKBENCH_PROFILES", str(path))
    monkeypatch.setenv("PROD_TOKEN", "apiv3_prod")
    # 1. explicit host
    client = connect("explicit:1", token="t", database="d", timeout=2)
    assert (client.host, client.config.token, client.database, client.config.timeout) == (
        "http://explicit:1", "t", "d", 2,
    )  # fmt: skip
    # 1. explicit profile beats the environment
    monkeypatch.setenv("INFLUX_HOST", "envhost:1")
    assert connect(profile="staging").host == "http://staging:8181"
    # 2. the environment beats the default profile
    client = connect(database="override")
    assert (client.host, client.database) == ("http://envhost:1", "override")
    # 3. the default profile
    monkeypatch.delenv("INFLUX_HOST")
    client = connect()
    assert (client.host, client.database, client.config.token) == (
        "https://influx.example.com",
        "metrics",
        "apiv3_prod",
    )
    assert connect(token="apiv3_other").config.token == "apiv3_other"
    with pytest.raises(ConfigError, match="at most one"):
        connect("h:1", profile="prod")
    with pytest.raises(ConfigError, match="unknown profile"):
        connect(profile="nope")


def test_connect_starts_or_reuses_the_embedded_server(tmp_path):
    try:
        with connect() as client:
            server = launcher.find_running(tmp_path / "embedded")
            assert server is not None
            assert (client.host, client.config.token, client.database) == (server.url, server.token, "demo")
            assert client.health() is True
        with connect(database="other") as again:
            assert (again.host, again.database) == (client.host, "other")
            assert again.health()
        assert launcher.find_running(tmp_path / "embedded").pid == server.pid
    finally:
        launcher.find_running(tmp_path / "embedded").stop()


def test_connect_to_an_embedded_profile(tmp_path, monkeypatch):
    path = write_profiles(tmp_path / "p.toml", PROFILES.format(data_dir=tmp_path / "local"))
    try:
        with connect(profile="local", profiles_path=path, retries=0) as client:
            server = launcher.find_running(tmp_path / "local")
            assert (client.host, client.database, client.config.retries) == (server.url, "lab", 0)
            assert client.health()
    finally:
        launcher.find_running(tmp_path / "local").stop()


def test_connect_passes_a_transport_through(tmp_path):
    seen = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, text="OK"))
    assert connect("h:1", transport=transport).health()
    assert seen[0].url == "http://h:1/health"
