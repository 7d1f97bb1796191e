"""Client configuration: named defaults, ``INFLUX_*`` environment variables, and profiles files.

A :class:`ClientConfig` is what a :class:`~workbench.client.Client` is built from. It comes from
explicit arguments, from the environment (:meth:`ClientConfig.from_env`, reading the variable
names the official ``influxdb3-python`` client uses), or from a named profile in a TOML file
(:func:`load_profiles`; ``~/.config/workbench/profiles.toml`` unless ``WORKBENCH_PROFILES``
names another file). ``connect()`` (in ``_connect.py``) decides which source wins.

Profiles file::

    default = "prod"                 # used by connect() when no host is given

    [profiles.prod]
    host = "https://influx.example.com"
    token_env = "PROD_INFLUX_TOKEN"  # or token = "apiv3_..." (keep the file 0600 then)
    database = "metrics"
    timeout = 30                     # seconds (connect/write/pool); queries use read_timeout
    read_timeout = 600

    [profiles.local]
    embedded = true                  # start (or reuse) the embedded server via workbench.launcher
    data_dir = "~/wb-data"           # optional; the launcher's per-user default otherwise
    database = "demo"
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from workbench import __version__
from workbench.client._exceptions import ConfigError

__all__ = ["ClientConfig", "Profile", "load_profiles"]

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed to connect, send a request body, or wait for a pooled connection."""
DEFAULT_READ_TIMEOUT = 300.0
"""Seconds allowed between bytes of a response (long queries need a generous value)."""
DEFAULT_RETRIES = 3
"""How many times an idempotent request is retried after a connection error or a 502/503/504."""
DEFAULT_BACKOFF = 0.25
"""Seconds before the first retry; doubled for each further retry, capped at MAX_BACKOFF."""
MAX_BACKOFF = 8.0
DEFAULT_WRITE_BATCH_BYTES = 8 * 1024 * 1024
"""Target size of one write request (InfluxDB 3 refuses bodies over 10 MiB by default)."""
DEFAULT_AUTH_SCHEME = "Bearer"
DEFAULT_PROFILES_PATH = "~/.config/workbench/profiles.toml"
EMBEDDED_DATABASE = "demo"
"""The database a client of the embedded server uses unless told otherwise (``make run``'s data)."""
QUERY_TRANSPORTS = ("http", "flight")

ENV_HOST = "INFLUX_HOST"
ENV_TOKEN = "INFLUX_TOKEN"
ENV_DATABASE = "INFLUX_DATABASE"
ENV_AUTH_SCHEME = "INFLUX_AUTH_SCHEME"
ENV_GZIP_THRESHOLD = "INFLUX_GZIP_THRESHOLD"
ENV_PROFILES = "WORKBENCH_PROFILES"


def normalize_host(host: str) -> str:
    """``127.0.0.1:8181`` → ``http://127.0.0.1:8181``; a trailing slash is dropped.

    >>> normalize_host("localhost:8181/"), normalize_host("https://x.example/influx")
    ('http://localhost:8181', 'https://x.example/influx')
    """
    host = host.strip()
    if not host:
        raise ConfigError("host must not be empty")
    if "://" not in host:
        host = "http://" + host
    url = httpx.URL(host)
    if url.scheme not in ("http", "https"):
        raise ConfigError(f"host must be an http:// or https:// URL, got {host!r}")
    return host.rstrip("/")


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client needs to reach one server; ``timeout=None`` disables timeouts."""

    host: str
    token: str | None = None
    database: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    read_timeout: float | None = DEFAULT_READ_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    auth_scheme: str = DEFAULT_AUTH_SCHEME
    gzip_threshold: int | None = None
    """Gzip write bodies of at least this many bytes (None: only when ``write(gzip=True)``)."""
    write_batch_bytes: int = DEFAULT_WRITE_BATCH_BYTES
    verify: bool = True
    query_transport: str = "http"
    """``http`` (results as Parquet over HTTP) or ``flight`` (Arrow Flight on the same port)."""

    def __post_init__(self):
        object.__setattr__(self, "host", normalize_host(self.host))
        if self.retries < 0:
            raise ConfigError(f"retries must be >= 0, got {self.retries}")
        if self.query_transport not in QUERY_TRANSPORTS:
            raise ConfigError(
                f"query_transport must be one of {', '.join(QUERY_TRANSPORTS)}, got {self.query_transport!r}"
            )
        if self.write_batch_bytes <= 0:
            raise ConfigError(f"write_batch_bytes must be positive, got {self.write_batch_bytes}")

    @property
    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, read=self.read_timeout)

    def headers(self) -> dict[str, str]:
        """Headers sent with every request (the token never appears in a URL or a message)."""
        headers = {"User-Agent": f"workbench-client/{__version__}"}
        if self.token:
            headers["Authorization"] = f"{self.auth_scheme} {self.token}"
        return headers

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if shown["token"]:
            shown["token"] = "***"
        return f"ClientConfig({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> ClientConfig:
        """Read ``INFLUX_HOST`` (required), ``INFLUX_TOKEN``, ``INFLUX_DATABASE``,
        ``INFLUX_AUTH_SCHEME`` and ``INFLUX_GZIP_THRESHOLD``; keyword overrides win."""
        env = os.environ if environ is None else environ
        host = overrides.pop("host", None) or env.get(ENV_HOST)
        if not host:
            raise ConfigError(f"{ENV_HOST} is not set (it names the server, e.g. http://127.0.0.1:8181)")
        values: dict = {"token": env.get(ENV_TOKEN) or None, "database": env.get(ENV_DATABASE) or None}
        if env.get(ENV_AUTH_SCHEME):
            values["auth_scheme"] = env[ENV_AUTH_SCHEME]
        threshold = env.get(ENV_GZIP_THRESHOLD)
        if threshold:
            try:
                values["gzip_threshold"] = int(threshold)
            except ValueError:
                raise ConfigError(f"{ENV_GZIP_THRESHOLD} must be a number of bytes, got {threshold!r}") from None
        values.update(overrides)
        return cls(host=host, **values)


@dataclass(frozen=True)
class Profile:
    """One ``[profiles.<name>]`` table: a remote server (``host``) or the embedded one."""

    name: str
    host: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    token_env: str | None = None
    """Environment variable holding the token, read when the profile is used."""
    database: str | None = None
    embedded: bool = False
    data_dir: str | None = None
    options: Mapping[str, object] = dataclasses.field(default_factory=dict)
    """Other ClientConfig settings given in the profile (timeout, retries, ...)."""

    def config(self, environ: Mapping[str, str] | None = None, **overrides) -> ClientConfig:
        """The ClientConfig of a remote profile (embedded profiles go through the launcher)."""
        if self.host is None:
            raise ConfigError(f"profile {self.name!r} is embedded: it has no host")
        token = self.token
        if "token" not in overrides and self.token_env is not None:
            token = (os.environ if environ is None else environ).get(self.token_env)
            if not token:
                raise ConfigError(f"profile {self.name!r} reads its token from ${self.token_env}, which is unset")
        values = {"token": token, "database": self.database, **self.options, **overrides}
        return ClientConfig(host=self.host, **values)


_PROFILE_KEYS = {"host", "token", "token_env", "database", "embedded", "data_dir"}
_OPTION_KEYS = {f.name for f in dataclasses.fields(ClientConfig)} - {"host", "token", "database"}


def profiles_path(path: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The profiles file: ``path``, else ``$WORKBENCH_PROFILES``, else the per-user default."""
    env = os.environ if environ is None else environ
    return Path(path or env.get(ENV_PROFILES) or DEFAULT_PROFILES_PATH).expanduser()


def load_profiles(
    path: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Profile], str | None]:
    """Parse a profiles file into ``({name: Profile}, default_name)``; a missing file is empty."""
    file = profiles_path(path, environ)
    if not file.exists():
        return {}, None
    try:
        doc = tomllib.loads(file.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read profiles file {file}: {exc}") from exc
    tables = doc.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{file}: 'profiles' must be a table of [profiles.<name>] tables")
    profiles = {name: _profile(file, name, table) for name, table in tables.items()}
    default = doc.get("default")
    if default is not None and default not in profiles:
        raise ConfigError(f"{file}: default profile {default!r} is not defined (have: {sorted(profiles)})")
    return profiles, default


def _profile(file: Path, name: str, table: object) -> Profile:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [profiles.{name}] must be a table")
    unknown = set(table) - _PROFILE_KEYS - _OPTION_KEYS
    if unknown:
        raise ConfigError(
            f"{file}: [profiles.{name}] has unknown keys {sorted(unknown)} "
            f"(known: {sorted(_PROFILE_KEYS | _OPTION_KEYS)})"
        )
    embedded = bool(table.get("embedded", False))
    if embedded == ("host" in table):
        raise ConfigError(f"{file}: [profiles.{name}] needs exactly one of host = '...' or embedded = true")
    if "token" in table and "token_env" in table:
        raise ConfigError(f"{file}: [profiles.{name}] sets both token and token_env")
    return Profile(
        name=name,
        host=table.get("host"),
        token=table.get("token"),
        token_env=table.get("token_env"),
        database=table.get("database"),
        embedded=embedded,
        data_dir=table.get("data_dir"),
        options={k: v for k, v in table.items() if k in _OPTION_KEYS},
    )
