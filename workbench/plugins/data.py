"""The data an offline run reads and writes: databases of Arrow tables, loaded and saved as snapshots.

A ``Dataset`` holds databases of tables. Each table has a ``TableSchema`` (tags, typed fields)
and its rows: Arrow tables from a snapshot plus the rows line protocol added (seed data, the WAL
input of a run, the plugin's accepted writes). ``arrow(db, table)`` gives the table as the
server's query engine sees it: columns sorted by name, tags ``dictionary<int32, utf8>``, fields
typed, ``time`` ``timestamp[ns]``.

Data flows in three ways:

* ``take_snapshot(client, database, out)`` copies tables of a live server (``workbench.client``)
  into a directory (``snapshot.json`` + one Parquet file per table); ``Dataset.load(dir)`` reads
  it back;
* ``Dataset.from_lp(text, database)`` / ``write_lp`` add line protocol, checked like a write;
* ``add_frame`` adds a Polars frame (turned into line protocol by the client's converter).

``sources`` records how the dataset was built (snapshot paths, inline line protocol), so a
golden run can rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.plugins.clock import FakeClock
from workbench.plugins.schema import TAG, TIME, TableSchema, check_lines
from workbench.protocol.durations import SECOND, parse_duration
from workbench.protocol.sql_text import sql_identifier

if TYPE_CHECKING:
    import polars as pl

    from workbench.client import Client

SNAPSHOT_FILE = "snapshot.json"
SNAPSHOT_FORMAT = "workbench-plugin-snapshot/1"
TAG_TYPE = pa.dictionary(pa.int32(), pa.string())
TIME_TYPE = pa.timestamp("ns")
FIELD_TYPES = {
    "float": pa.float64(),
    "integer": pa.int64(),
    "uinteger": pa.uint64(),
    "string": pa.string(),
    "boolean": pa.bool_(),
}
# information_schema.columns ``data_type`` → field kind (tags are ``Dictionary(Int32, Utf8)``)
_SQL_TYPES = {"Float64": "float", "Int64": "integer", "UInt64": "uinteger", "Utf8": "string", "Boolean": "boolean"}


def _arrow_type(kind: str) -> pa.DataType:
    if kind == TAG:
        return TAG_TYPE
    if kind == TIME:
        return TIME_TYPE
    return FIELD_TYPES[kind]


def _normalise(table: pa.Table, schema: TableSchema) -> pa.Table:
    """The columns of ``schema`` (sorted by name, server types); missing ones are nulls."""
    columns, fields = [], []
    for name in sorted([*schema.tags, *schema.fields, TIME]):
        kind = schema.kind(name) or TAG
        target = _arrow_type(kind)
        if name in table.column_names:
            col = table.column(name)
            if col.type != target:
                if kind == TAG and not pa.types.is_dictionary(col.type):
                    col = pc.dictionary_encode(pc.cast(col, pa.string()))
                col = pc.cast(col, target)
        else:
            col = pa.nulls(table.num_rows, target)
        columns.append(col)
        fields.append(pa.field(name, target, nullable=name != TIME))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _rows_table(rows: Sequence[dict[str, Any]], schema: TableSchema) -> pa.Table:
    names = sorted([*schema.tags, *schema.fields, TIME])
    kinds = {name: schema.kind(name) or TAG for name in names}
    arrays = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if kinds[name] == TAG:
            arrays[name] = pc.dictionary_encode(pa.array(values, pa.string())).cast(TAG_TYPE)
        elif kinds[name] == TIME:
            arrays[name] = pa.array(values, pa.int64()).cast(TIME_TYPE)
        else:
            arrays[name] = pa.array(values, FIELD_TYPES[kinds[name]])
    return _normalise(pa.table(arrays), schema)


class _Table:
    def __init__(self, schema: TableSchema):
        self.schema = schema
        self.parts: list[pa.Table] = []
        self.rows: list[dict[str, Any]] = []
        self._arrow: pa.Table | None = None

    def changed(self) -> None:
        self._arrow = None

    def arrow(self) -> pa.Table:
        if self._arrow is None:
            parts = [_normalise(p, self.schema) for p in self.parts]
            if self.rows:
                parts.append(_rows_table(self.rows, self.schema))
            self._arrow = pa.concat_tables(parts) if parts else _normalise(pa.table({}), self.schema)
        return self._arrow

    def copy(self) -> _Table:
        other = _Table(self.schema.copy())
        other.parts = list(self.parts)
        other.rows = list(self.rows)
        return other


class Dataset:
    """Databases of tables for offline runs (a run works on its own copy)."""

    def __init__(self) -> None:
        self._dbs: dict[str, dict[str, _Table]] = {}
        self.sources: list[dict[str, Any]] = []

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def from_lp(cls, text: str, database: str, *, now_ns: int | None = None) -> Dataset:
        """A dataset holding ``text`` (line protocol, nanosecond timestamps) in ``database``."""
        dataset = cls()
        dataset.add_lp(text, database, now_ns=now_ns)
        return dataset

    @classmethod
    def load(cls, path: str | Path) -> Dataset:
        """A snapshot directory written by ``take_snapshot`` (or ``save``)."""
        dataset = cls()
        dataset.add_snapshot(path)
        return dataset

    def add_snapshot(self, path: str | Path) -> None:
        root = Path(path)
        manifest = json.loads((root / SNAPSHOT_FILE).read_text())
        if manifest.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"{root / SNAPSHOT_FILE} is not a plugin-bench snapshot ({manifest.get('format')!r})")
        database = manifest["database"]
        for name, doc in manifest["tables"].items():
            table = self._table(database, name, TableSchema.from_json(name, doc))
            table.parts.append(pq.read_table(root / doc["file"]))
            table.changed()
        self.sources.append({"snapshot": str(root)})

    def add_lp(self, text: str, database: str, *, now_ns: int | None = None) -> None:
        """Add line protocol (checked like a write; lines without a timestamp get ``now_ns``, default now)."""
        now = FakeClock().now_ns() if now_ns is None else now_ns
        self.write_lp(database, text, now)
        self.sources.append({"lp": text, "database": database, "now_ns": now})

    def add_frame(self, frame: pl.DataFrame, database: str, measurement: str, **options: Any) -> None:
        """Add a Polars frame (``options``: ``tags=``, ``time=`` as for ``Client.write``)."""
        from workbench.client import to_line_protocol

        self.add_lp(to_line_protocol(frame, measurement, **options), database)

    def _table(self, database: str, name: str, schema: TableSchema | None = None) -> _Table:
        tables = self._dbs.setdefault(database, {})
        if name not in tables:
            tables[name] = _Table(schema or TableSchema(name))
        return tables[name]

    def copy(self) -> Dataset:
        other = Dataset()
        other._dbs = {db: {n: t.copy() for n, t in tables.items()} for db, tables in self._dbs.items()}
        other.sources = list(self.sources)
        return other

    # -- reading and writing --------------------------------------------------------------------

    def databases(self) -> list[str]:
        return sorted(self._dbs)

    def has_database(self, database: str) -> bool:
        return database in self._dbs

    def ensure_database(self, database: str) -> None:
        self._dbs.setdefault(database, {})

    def schema(self, database: str) -> dict[str, TableSchema]:
        return {name: t.schema for name, t in self._dbs.get(database, {}).items()}

    def tables(self, database: str) -> dict[str, pa.Table]:
        """Every table of ``database`` as the query engine sees it."""
        return {name: t.arrow() for name, t in self._dbs.get(database, {}).items()}

    def write_lp(self, database: str, text: str, now_ns: int) -> list[tuple[str, dict[str, Any]]]:
        """Check and apply a write (all-or-nothing); the rows it added. Raises ``WriteRejected``.

        Only the tables the write added rows to change (schema and cached Arrow table); the
        others keep theirs, so a later query does not rebuild them.
        """
        rows, after = check_lines(self.schema(database), text, now_ns)
        self.ensure_database(database)
        for name in dict.fromkeys(name for name, _ in rows):
            table = self._table(database, name, after[name])
            table.schema = after[name]
            table.changed()
        for name, row in rows:
            self._dbs[database][name].rows.append(row)
        return rows

    def save(self, path: str | Path, database: str) -> Path:
        """Write ``database`` as a snapshot directory (what ``Dataset.load`` reads)."""
        return _write_snapshot(Path(path), database, self.schema(database), self.tables(database), {})


def _write_snapshot(
    root: Path, database: str, schemas: Mapping[str, TableSchema], tables: Mapping[str, pa.Table], extra: dict
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": SNAPSHOT_FORMAT, "database": database, **extra, "tables": {}}
    for i, (name, schema) in enumerate(sorted(schemas.items())):
        file = f"table-{i:04d}.parquet"
        pq.write_table(tables[name], root / file)
        manifest["tables"][name] = {**schema.to_json(), "rows": tables[name].num_rows, "file": file}
    (root / SNAPSHOT_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return root


def take_snapshot(
    client: Client,
    database: str,
    out: str | Path,
    *,
    tables: Sequence[str] | None = None,
    since: str | None = "1h",
) -> Path:
    """Copy ``tables`` (default: all) of ``database`` on a live server into a snapshot directory.

    ``since`` (a duration such as ``1h``; None for everything) limits rows to recent ones. Tags
    are listed by name (``information_schema`` does not say the series-key order).
    """
    names = list(tables) if tables else client.list_tables(database)
    columns = client.query_sql(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'iox'",
        database=database,
    )
    schemas: dict[str, TableSchema] = {}
    for row in columns.iter_rows(named=True):
        if row["table_name"] not in names or row["column_name"] == TIME:
            continue
        schema = schemas.setdefault(row["table_name"], TableSchema(row["table_name"]))
        data_type = row["data_type"]
        if data_type.startswith("Dictionary"):
            schema.tags.append(row["column_name"])
        elif data_type in _SQL_TYPES:
            schema.fields[row["column_name"]] = _SQL_TYPES[data_type]
    missing = [n for n in names if n not in schemas]
    if missing:
        raise ValueError(f"no such table in {database}: {', '.join(missing)}")
    where = ""
    if since is not None:
        where = f" WHERE time >= now() - INTERVAL '{parse_duration(since) // SECOND} seconds'"
    data = {}
    for name, schema in schemas.items():
        schema.tags.sort()
        data[name] = _normalise(
            client.query_arrow(f"SELECT * FROM {sql_identifier(name)}{where}", database=database), schema
        )
    extra = {"host": client.host, "since": since}
    return _write_snapshot(Path(out), database, schemas, data, extra)
