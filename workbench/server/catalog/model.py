"""Catalog entities: databases, tables, columns, caches, triggers and tokens.

Plain dataclasses with ``to_dict``/``from_dict`` for the persisted catalog. Column types use
InfluxDB's names; ``ColumnType.arrow_type`` is the type queries see (tags are
``Dictionary(Int32, Utf8)``, time is ``Timestamp(Nanosecond, None)``); ``conform`` shapes a batch
to such a schema (the query tables and the last value cache use it).
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import TypeVar

import pyarrow as pa


class ColumnType(enum.Enum):
    TAG = "tag"
    TIME = "time"
    FLOAT = "float"
    INTEGER = "integer"
    UINTEGER = "uinteger"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def is_field(self) -> bool:
        return self not in (ColumnType.TAG, ColumnType.TIME)

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self]

    @classmethod
    def from_api_name(cls, name: str) -> ColumnType:
        """Field types of ``POST /api/v3/configure/table`` (``utf8``, ``int64`` ...)."""
        try:
            return _API_NAMES[name]
        except KeyError:
            raise ValueError(
                f"unknown field type {name!r}: expected one of utf8, int64, uint64, float64, bool"
            ) from None


TAG_ARROW_TYPE = pa.dictionary(pa.int32(), pa.string())
TIME_ARROW_TYPE = pa.timestamp("ns")

_ARROW = {
    ColumnType.TAG: TAG_ARROW_TYPE,
    ColumnType.TIME: TIME_ARROW_TYPE,
    ColumnType.FLOAT: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.UINTEGER: pa.uint64(),
    ColumnType.STRING: pa.string(),
    ColumnType.BOOLEAN: pa.bool_(),
}
_API_NAMES = {
    "utf8": ColumnType.STRING,
    "string": ColumnType.STRING,
    "int64": ColumnType.INTEGER,
    "uint64": ColumnType.UINTEGER,
    "float64": ColumnType.FLOAT,
    "bool": ColumnType.BOOLEAN,
    "boolean": ColumnType.BOOLEAN,
}


@dataclass
class ColumnDef:
    id: int
    name: str
    type: ColumnType

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "type": self.type.value}

    @classmethod
    def from_dict(cls, d: dict) -> ColumnDef:
        return cls(d["id"], d["name"], ColumnType(d["type"]))


@dataclass
class LastCacheDef:
    id: int
    name: str
    key_columns: list[str]
    value_columns: list[str] | None  # None: every non-key column, including ones added later
    count: int
    ttl_seconds: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> LastCacheDef:
        return cls(**d)


@dataclass
class DistinctCacheDef:
    id: int
    name: str
    columns: list[str]
    max_cardinality: int
    max_age_seconds: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> DistinctCacheDef:
        return cls(**d)


@dataclass
class TableDef:
    id: int
    name: str
    columns: dict[str, ColumnDef] = field(default_factory=dict)
    series_key: list[str] = field(default_factory=list)  # tag names, in the order first seen
    retention_ns: int | None = None
    deleted: bool = False
    hard_delete_at_ns: int | None = None
    next_column_id: int = 0
    cleared_through_wal_seq: int = 0  # data_only delete: WAL writes up to here are not replayed
    last_caches: dict[str, LastCacheDef] = field(default_factory=dict)
    distinct_caches: dict[str, DistinctCacheDef] = field(default_factory=dict)

    def add_column(self, name: str, type: ColumnType) -> ColumnDef:
        col = ColumnDef(self.next_column_id, name, type)
        self.next_column_id += 1
        self.columns[name] = col
        if type is ColumnType.TAG:
            self.series_key.append(name)
        return col

    def retention_cutoff(self, db_retention_ns: int | None, now_ns: int) -> int | None:
        """The oldest time a row may have at ``now_ns`` (the table's period, else the database's);
        None when neither has one. Older rows are invisible to queries and removed by the check."""
        period = self.retention_ns if self.retention_ns is not None else db_retention_ns
        return None if period is None else now_ns - period

    @property
    def field_and_tag_count(self) -> int:
        return sum(1 for c in self.columns.values() if c.type is not ColumnType.TIME)

    def arrow_schema(self) -> pa.Schema:
        """The schema queries see: every column, sorted by name (as InfluxDB's ``SELECT *``)."""
        return pa.schema(
            [pa.field(c.name, c.type.arrow_type) for c in sorted(self.columns.values(), key=lambda c: c.name)]
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "columns": [c.to_dict() for c in self.columns.values()],
            "series_key": list(self.series_key),
            "retention_ns": self.retention_ns,
            "deleted": self.deleted,
            "hard_delete_at_ns": self.hard_delete_at_ns,
            "next_column_id": self.next_column_id,
            "cleared_through_wal_seq": self.cleared_through_wal_seq,
            "last_caches": [c.to_dict() for c in self.last_caches.values()],
            "distinct_caches": [c.to_dict() for c in self.distinct_caches.values()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> TableDef:
        t = cls(d["id"], d["name"])
        t.columns = {c["name"]: ColumnDef.from_dict(c) for c in d["columns"]}
        t.series_key = list(d["series_key"])
        t.retention_ns = d.get("retention_ns")
        t.deleted = d.get("deleted", False)
        t.hard_delete_at_ns = d.get("hard_delete_at_ns")
        t.next_column_id = d["next_column_id"]
        t.cleared_through_wal_seq = d.get("cleared_through_wal_seq", 0)
        t.last_caches = {c["name"]: LastCacheDef.from_dict(c) for c in d.get("last_caches", [])}
        t.distinct_caches = {c["name"]: DistinctCacheDef.from_dict(c) for c in d.get("distinct_caches", [])}
        return t


@dataclass
class TriggerDef:
    name: str
    plugin_filename: str
    database: str
    specification: str
    arguments: dict[str, str] | None = None
    run_async: bool = False
    error_behavior: str = "log"  # log | retry | disable
    disabled: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TriggerDef:
        return cls(**d)


@dataclass
class DatabaseDef:
    id: int
    name: str
    tables: dict[str, TableDef] = field(default_factory=dict)
    retention_ns: int | None = None
    deleted: bool = False
    hard_delete_at_ns: int | None = None
    triggers: dict[str, TriggerDef] = field(default_factory=dict)

    def active_tables(self) -> list[TableDef]:
        return [t for t in self.tables.values() if not t.deleted]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "tables": [t.to_dict() for t in self.tables.values()],
            "retention_ns": self.retention_ns,
            "deleted": self.deleted,
            "hard_delete_at_ns": self.hard_delete_at_ns,
            "triggers": [t.to_dict() for t in self.triggers.values()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> DatabaseDef:
        db = cls(d["id"], d["name"])
        db.tables = {t["name"]: TableDef.from_dict(t) for t in d["tables"]}
        db.retention_ns = d.get("retention_ns")
        db.deleted = d.get("deleted", False)
        db.hard_delete_at_ns = d.get("hard_delete_at_ns")
        db.triggers = {t["name"]: TriggerDef.from_dict(t) for t in d.get("triggers", [])}
        return db


@dataclass
class TokenDef:
    id: int
    name: str
    hash: str  # hex SHA-512 of the whole "apiv3_..." token
    created_at_ms: int
    expiry_ms: int | None = None
    description: str | None = None
    created_by: int | None = None
    updated_at_ms: int | None = None
    updated_by: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TokenDef:
        return cls(**d)


Tabular = TypeVar("Tabular", pa.RecordBatch, pa.Table)


def conform(data: Tabular, schema: pa.Schema) -> Tabular:
    """``data`` with exactly ``schema``'s columns, in order (missing ones all null, types cast)."""
    if data.schema.equals(schema):
        return data
    names = set(data.schema.names)
    if names.issuperset(schema.names):  # a projection, often without a copy
        projected = data.select(schema.names)
        if projected.schema.equals(schema):
            return projected
    arrays = []
    for f in schema:
        if f.name in names:
            a = data.column(f.name)
            arrays.append(a if a.type == f.type else a.cast(f.type))
        else:
            arrays.append(pa.nulls(data.num_rows, f.type))
    return type(data).from_arrays(arrays, schema=schema)
