"""What every client method shares: construction, the default database, JSON calls, SQL helpers.

``Client`` (``_client.py``) is assembled from this base and one mixin per endpoint family
(``_catalog.py``, ``_engine.py``, ``_admin.py``). The base holds the :class:`ClientConfig`
and the ``_transport.Transport``; mixins call ``_call`` for JSON/REST endpoints and
``_query_table`` / ``_sql`` for anything answered by a query (``system.*`` tables, cache
functions, listings), so each request is built in one way only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

import httpx
import polars as pl
import pyarrow as pa

from workbench.client import _results
from workbench.client._config import (
    DEFAULT_AUTH_SCHEME,
    DEFAULT_BACKOFF,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_WRITE_BATCH_BYTES,
    ClientConfig,
    load_profiles,
)
from workbench.client._exceptions import ConfigError
from workbench.client._flight import FlightQueries
from workbench.client._transport import TimeoutArg, Transport
from workbench.protocol import routes
from workbench.protocol.durations import format_duration, parse_duration
from workbench.protocol.formats import QueryFormat
from workbench.protocol.sql_text import sql_string

__all__: list[str] = []

ParamValue = str | int | float | bool | None | dt.datetime | dt.date
Params = Mapping[str, ParamValue]

INTERNAL_DATABASE = "_internal"
"""Where InfluxDB 3 keeps server-wide system tables (tokens, plugin files, nodes)."""

_QUERY_ROUTES = {"sql": routes.QUERY_SQL, "influxql": routes.QUERY_INFLUXQL}


def _param_value(name: str, value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(
        f"query parameter ${name} has type {type(value).__name__}; use str, int, float, bool, None, datetime or date"
    )


def query_params(params: Params | None) -> dict[str, Any] | None:
    """Parameters for ``$name`` placeholders as JSON values (datetimes as RFC 3339, naive = UTC)."""
    if params is None:
        return None
    return {str(k): _param_value(str(k), v) for k, v in params.items()}


def duration_text(value: str | dt.timedelta, what: str) -> str:
    """A humantime duration for the server: strings are checked, timedeltas converted."""
    if isinstance(value, dt.timedelta):
        ns = round(value.total_seconds() * 1e9)
        if ns <= 0:
            raise ValueError(f"{what} must be positive, got {value}")
        return format_duration(ns)
    parse_duration(value)  # raises DurationError (a ValueError) naming the bad text
    return value


def seconds(value: int | float | dt.timedelta, what: str) -> int:
    """Whole seconds for the server's ``ttl`` / ``max_age`` / ``expiry_secs`` fields."""
    secs = value.total_seconds() if isinstance(value, dt.timedelta) else value
    if secs <= 0 or int(secs) != secs:
        raise ValueError(f"{what} must be a positive whole number of seconds, got {value!r}")
    return int(secs)


def timestamp_text(value: str | dt.datetime) -> str:
    """``now``/``never``/``default`` or an RFC 3339 time for ``hard_delete_at`` (naive = UTC)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value


def pop_transport_options(options: dict[str, Any]) -> dict[str, Any]:
    """Take ``transport=`` / ``http_client=`` out of ``options``: they go to the Transport, the rest to ClientConfig."""
    return {k: options.pop(k) for k in ("transport", "http_client") if k in options}


def flag(value: bool) -> str:
    return "true" if value else "false"


def flight_ticket(body: dict[str, Any], language: str) -> dict[str, Any]:
    """InfluxDB 3's Flight ticket for the query an HTTP query ``body`` describes."""
    ticket = {"database": body.get("db") or "", "sql_query": body["q"], "query_type": language}
    if "params" in body:
        ticket["params"] = body["params"]
    return ticket


class BaseClient:
    """Connection state and the request helpers every endpoint family uses."""

    def __init__(
        self,
        host: str,
        token: str | None = None,
        database: str | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        auth_scheme: str = DEFAULT_AUTH_SCHEME,
        gzip_threshold: int | None = None,
        write_batch_bytes: int = DEFAULT_WRITE_BATCH_BYTES,
        verify: bool = True,
        query_transport: str = "http",
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ):
        config = ClientConfig(
            host=host,
            token=token,
            database=database,
            timeout=timeout,
            read_timeout=read_timeout,
            retries=retries,
            backoff=backoff,
            auth_scheme=auth_scheme,
            gzip_threshold=gzip_threshold,
            write_batch_bytes=write_batch_bytes,
            verify=verify,
            query_transport=query_transport,
        )
        self._init(config, transport=transport, http_client=http_client)

    def _init(self, config: ClientConfig, **transport_options: Any) -> None:
        self.config = config
        self._transport = Transport(config, **transport_options)
        self._flight = FlightQueries(config) if config.query_transport == "flight" else None

    @classmethod
    def from_config(
        cls,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ):
        """A client for an existing :class:`ClientConfig`."""
        client = cls.__new__(cls)
        client._init(config, transport=transport, http_client=http_client)
        return client

    @classmethod
    def from_env(cls, **overrides: Any):
        """A client configured from ``INFLUX_HOST``, ``INFLUX_TOKEN`` and ``INFLUX_DATABASE``."""
        transport_options = pop_transport_options(overrides)
        return cls.from_config(ClientConfig.from_env(**overrides), **transport_options)

    @classmethod
    def from_profile(cls, name: str | None = None, *, path: str | os.PathLike | None = None, **overrides: Any):
        """A client for a remote profile of the profiles file (``name=None``: its default profile).

        Embedded profiles need the launcher: use :func:`workbench.client.connect` for those.
        """
        profiles, default = load_profiles(path)
        chosen = name or default
        if chosen is None:
            raise ConfigError("no profile named and the profiles file sets no default")
        if chosen not in profiles:
            raise ConfigError(f"unknown profile {chosen!r} (have: {sorted(profiles)})")
        profile = profiles[chosen]
        if profile.embedded:
            raise ConfigError(f"profile {chosen!r} is embedded: use workbench.connect(profile={chosen!r})")
        transport_options = pop_transport_options(overrides)
        return cls.from_config(profile.config(**overrides), **transport_options)

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def database(self) -> str | None:
        """The database used when a method is not given ``database=``."""
        return self.config.database

    def close(self) -> None:
        """Close the connection pool (a client passed ``http_client=`` leaves that one open)."""
        self._transport.close()
        if self._flight is not None:
            self._flight.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.host} database={self.database!r}>"

    # -- helpers shared by the endpoint families ------------------------------------------------

    def _db(self, database: str | None) -> str:
        db = database or self.config.database
        if not db:
            raise ConfigError(
                "no database given: pass database=... or give the client a default "
                "(Client(..., database=...) or INFLUX_DATABASE)"
            )
        return db

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = False,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        return self._transport.request(
            operation, method, path, json=json, params=params, idempotent=idempotent, timeout=timeout
        )

    def _query_body(
        self, q: str, database: str | None, params: Params | None, fmt: QueryFormat, language: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"q": q, "format": fmt.value}
        db = self._db(database) if language == "sql" else (database or self.config.database)
        if db:
            body["db"] = db
        bound = query_params(params)
        if bound:
            body["params"] = bound
        return body

    def _query_route(self, language: str) -> str:
        try:
            return _QUERY_ROUTES[language]
        except KeyError:
            raise ValueError(f"language must be 'sql' or 'influxql', got {language!r}") from None

    def _query_table(
        self,
        operation: str,
        q: str,
        database: str | None,
        params: Params | None,
        *,
        language: str = "sql",
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> pa.Table:
        """Run a query as ``format=parquet`` (or over Flight); the Arrow table as sent (``_results``
        normalizes it)."""
        body = self._query_body(q, database, params, QueryFormat.PARQUET, language)
        if self._flight is not None:
            return self._flight.table(operation, flight_ticket(body, language), timeout)
        response = self._call(
            operation, "POST", self._query_route(language), json=body, idempotent=True, timeout=timeout
        )
        return _results.read_parquet(response.content, response.headers.get("Content-Type"))

    def _sql(self, operation: str, q: str, database: str | None = None) -> pl.DataFrame:
        return _results.arrow_to_polars(self._query_table(operation, q, database, None))

    def _table_names(self, operation: str, schema: str, database: str | None) -> list[str]:
        """The sorted table names of one schema (``iox``: user tables, ``system``) of a database."""
        df = self._sql(
            operation,
            "SELECT table_name FROM information_schema.tables "
            f"WHERE table_schema = {sql_string(schema)} ORDER BY table_name",
            database,
        )
        return df["table_name"].to_list() if df.height else []
