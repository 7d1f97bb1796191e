"""Tokens, server information (health, ping, metrics) and ``system.*`` tables as frames.

Token routes and shapes follow ``reference/influxdb3-behavior.md`` 6.3 (the server answers with
the token secret once; :class:`TokenInfo` keeps it out of ``repr``); listing tokens is SQL over
``_internal``'s ``system.tokens``. ``/health``, ``/ping`` and ``/metrics`` are read with retries
(they are idempotent); ``/metrics`` is parsed by ``_metrics.parse_metrics``.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from workbench.client._base import INTERNAL_DATABASE, BaseClient, seconds
from workbench.client._metrics import parse_metrics
from workbench.client._types import PingInfo, TokenInfo
from workbench.protocol import routes
from workbench.protocol.sql_text import sql_identifier

__all__: list[str] = []

_SYSTEM_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AdminMixin(BaseClient):
    # -- tokens ---------------------------------------------------------------------------------

    def create_admin_token(self) -> TokenInfo:
        """Create the operator token ``_admin`` (works without a token, once per server)."""
        response = self._call("create_admin_token", "POST", routes.TOKEN_ADMIN)
        return TokenInfo.from_json(response.json())

    def regenerate_admin_token(self) -> TokenInfo:
        """Replace the operator token; the old one stops working (this client keeps using it)."""
        response = self._call("regenerate_admin_token", "POST", routes.TOKEN_ADMIN_REGENERATE)
        return TokenInfo.from_json(response.json())

    def create_named_admin_token(self, name: str, *, expiry: int | dt.timedelta | None = None) -> TokenInfo:
        """Create an admin token called ``name``; ``expiry`` in seconds (None: never expires)."""
        body: dict[str, object] = {"token_name": name}
        if expiry is not None:
            body["expiry_secs"] = seconds(expiry, "expiry")
        response = self._call("create_named_admin_token", "POST", routes.TOKEN_NAMED_ADMIN, json=body)
        return TokenInfo.from_json(response.json())

    def delete_token(self, name: str) -> None:
        """Delete a named token (the operator token ``_admin`` cannot be deleted)."""
        self._call("delete_token", "DELETE", routes.TOKEN, params={"token_name": name})

    def list_tokens(self) -> pl.DataFrame:
        """``system.tokens`` (in ``_internal``): id, name, hash, created_at, expiry, ..."""
        return self._sql("list_tokens", "SELECT * FROM system.tokens", INTERNAL_DATABASE)

    # -- server information ---------------------------------------------------------------------

    def health(self) -> bool:
        """True when ``/health`` answers 200 (anything else raises the mapped error)."""
        self._call("health", "GET", routes.HEALTH, idempotent=True)
        return True

    def ping(self) -> PingInfo:
        """``/ping``: product name, version, revision and process id of the server."""
        return PingInfo.from_response(self._call("ping", "GET", routes.PING, idempotent=True))

    def metrics(self) -> pl.DataFrame:
        """``/metrics`` parsed into a frame: name, labels (struct), value, type, help."""
        return parse_metrics(self._call("metrics", "GET", routes.METRICS, idempotent=True).text)

    def system_table(self, name: str, database: str | None = None) -> pl.DataFrame:
        """``SELECT * FROM system.<name>`` (``queries``, ``parquet_files``, ``processing_engine_logs``...)."""
        if not _SYSTEM_TABLE.match(name):
            raise ValueError(f"not a system table name: {name!r}")
        return self._sql("system_table", f"SELECT * FROM system.{sql_identifier(name)}", database)

    def list_system_tables(self, database: str | None = None) -> list[str]:
        """The names of the ``system`` schema's tables in a database."""
        return self._table_names("list_system_tables", "system", database)
