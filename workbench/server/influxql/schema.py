"""The read-only catalog view the InfluxQL engine needs (:class:`SchemaSource`) and an in-memory one.

The server's catalog implements :class:`SchemaSource`; the rewrite stage reads it to expand
``*`` and regexes, tell tags from fields and resolve databases, and ``show.py`` answers the
metadata statements from it. Tag values are not part of the protocol: they are answered by
SQL over the measurement's table. :class:`DictSchema` backs the tests and the differential
harness.

Column kinds are ``"tag"``, ``"time"``, ``"float"``, ``"integer"``, ``"uinteger"``, ``"string"``
and ``"boolean"``.

>>> s = DictSchema({"db": {"cpu": {"host": "tag", "time": "time", "usage": "float"}}})
>>> s.measurements("db"), s.columns("db", "cpu")["usage"], s.columns("db", "mem")
(['cpu'], 'float', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

COLUMN_KINDS = ("tag", "time", "float", "integer", "uinteger", "string", "boolean")
FIELD_KINDS = ("float", "integer", "uinteger", "string", "boolean")
NUMERIC_KINDS = ("float", "integer", "uinteger")


class SchemaSource(Protocol):
    """What the engine reads from the catalog; every method is cheap and side-effect free."""

    def database_names(self) -> list[str]:
        """Non-deleted databases in catalog (creation) order."""
        ...

    def all_databases(self) -> list[tuple[str, bool]]:
        """Every database with its deleted flag, including soft-deleted ones and ``_internal``."""
        ...

    def database_exists(self, db: str) -> bool: ...

    def retention_period_ns(self, db: str) -> int | None:
        """The database's retention period, None for infinite."""
        ...

    def measurements(self, db: str) -> list[str]:
        """The database's tables, sorted by name."""
        ...

    def columns(self, db: str, measurement: str) -> dict[str, str] | None:
        """Column name → kind (see the module docstring), or None if the measurement does not exist."""
        ...


class DictSchema:
    """An in-memory :class:`SchemaSource`: ``{db: {measurement: {column: kind}}}``.

    ``deleted`` names soft-deleted databases (listed only by :meth:`all_databases`);
    ``retention`` maps a database to its retention period in ns.
    """

    def __init__(
        self,
        databases: Mapping[str, Mapping[str, Mapping[str, str]]],
        *,
        deleted: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
        retention: Mapping[str, int] | None = None,
    ):
        for tables in [*databases.values(), *(deleted or {}).values()]:
            for table, cols in tables.items():
                bad = {k for k in cols.values() if k not in COLUMN_KINDS}
                if bad:
                    raise ValueError(f"unknown column kind(s) {sorted(bad)} in {table}")
        self._dbs = {db: {m: dict(c) for m, c in t.items()} for db, t in databases.items()}
        self._deleted = list(deleted or {})
        self._retention = dict(retention or {})

    def database_names(self) -> list[str]:
        return list(self._dbs)

    def all_databases(self) -> list[tuple[str, bool]]:
        return [(db, False) for db in self._dbs] + [(db, True) for db in self._deleted]

    def database_exists(self, db: str) -> bool:
        return db in self._dbs

    def retention_period_ns(self, db: str) -> int | None:
        return self._retention.get(db)

    def measurements(self, db: str) -> list[str]:
        return sorted(self._dbs.get(db, {}))

    def columns(self, db: str, measurement: str) -> dict[str, str] | None:
        cols = self._dbs.get(db, {}).get(measurement)
        return None if cols is None else dict(cols)
