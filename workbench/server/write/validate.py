"""Validate parsed line groups against the catalog and turn them into typed Arrow batches.

Input: a ``ParsedWrite`` (shape groups from ``lp_batch.parse_body``). For each group, in order of
first line, the table and its columns are checked (or planned for creation) the way InfluxDB 3's
validator checks each line: table (limit), tags, fields (type conflicts, column limit,
duplicates), then the timestamp (precision scaling, overflow). All lines of a group share their
columns, so a schema error applies to the whole group, while timestamp errors are per line.

Nothing touches the catalog until the whole request is checked: with ``accept_partial=False``
the first error aborts the request with no catalog change; otherwise the planned changes are
committed in one catalog transaction. Output: one ``WriteOp`` per table (rows in line order) and
the per-line errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from workbench.protocol.errors import WriteLineError, truncate_line
from workbench.protocol.line_protocol import ParsedLine, format_line
from workbench.protocol.precision import AUTO_MICROS_BELOW, AUTO_MILLIS_BELOW, AUTO_SECONDS_BELOW, Precision
from workbench.protocol.schema_rules import RESERVED_COLUMN_NAMES, reserved_column, type_conflict
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import TAG_ARROW_TYPE, TIME_ARROW_TYPE, ColumnType
from workbench.server.errors import BadRequest, LimitExceeded
from workbench.server.wal.format import WriteOp
from workbench.server.write.parsed import FieldKind, LineGroup, ParsedWrite

_KIND_TO_TYPE = {
    FieldKind.FLOAT: ColumnType.FLOAT,
    FieldKind.INTEGER: ColumnType.INTEGER,
    FieldKind.UINTEGER: ColumnType.UINTEGER,
    FieldKind.STRING: ColumnType.STRING,
    FieldKind.BOOLEAN: ColumnType.BOOLEAN,
}
_PRECISION_NAME = {
    Precision.AUTO: "Auto",
    Precision.SECOND: "Second",
    Precision.MILLISECOND: "Millisecond",
    Precision.MICROSECOND: "Microsecond",
    Precision.NANOSECOND: "Nanosecond",
    Precision.MINUTE: "Minute",
    Precision.HOUR: "Hour",
}
I64_MAX = 2**63 - 1


@dataclass
class ValidatedWrite:
    ops: list[WriteOp] = field(default_factory=list)
    errors: list[WriteLineError] = field(default_factory=list)
    line_count: int = 0
    field_count: int = 0
    limit_hit: bool = False  # some line was rejected by a schema limit (the write answers 422)


class AbortWrite(Exception):
    """``accept_partial=False``: the first bad line rejects the whole request."""

    def __init__(self, error: WriteLineError):
        super().__init__(error.error_message)
        self.error = error


def _group_line(group: LineGroup, i: int) -> str:
    """The canonical re-serialisation of one line of a group (InfluxDB's ``original_line``)."""
    fields = tuple(
        (k, kind.value, values[i].as_py())
        for k, kind, values in zip(group.field_keys, group.field_kinds, group.field_values, strict=True)
    )
    ts = group.timestamps[i].as_py()
    tags = tuple((k, v[i].as_py()) for k, v in zip(group.tag_keys, group.tag_values, strict=True))
    return truncate_line(format_line(ParsedLine(group.measurement, tags, fields, ts)))


class _Plan:
    """Catalog changes a write needs, checked against the limits but not applied yet."""

    def __init__(self, catalog: Catalog, db_name: str):
        self.catalog = catalog
        self.db = catalog.db(db_name)
        self.new_tables: dict[str, dict[str, ColumnType]] = {}
        self.new_columns: dict[str, dict[str, ColumnType]] = {}

    def column_type(self, table: str, column: str) -> ColumnType | None:
        if table in self.new_tables:
            return self.new_tables[table].get(column)
        existing = self.db.tables[table].columns.get(column) if self.db and table in self.db.tables else None
        if existing is not None:
            return existing.type
        return self.new_columns.get(table, {}).get(column)

    def table_exists(self, table: str) -> bool:
        return table in self.new_tables or bool(
            self.db and table in self.db.tables and not self.db.tables[table].deleted
        )

    def column_count(self, table: str) -> int:
        if table in self.new_tables:
            return sum(1 for t in self.new_tables[table].values() if t is not ColumnType.TIME)
        base = self.db.tables[table].field_and_tag_count if self.db and table in self.db.tables else 0
        return base + len(self.new_columns.get(table, {}))

    def check_group(self, group: LineGroup) -> None:
        """Plan the group's schema changes; raises ``BadRequest`` or ``LimitExceeded`` to reject it."""
        table = group.measurement
        staged: dict[str, ColumnType] = {}
        creating = not self.table_exists(table)
        if creating:
            self.catalog.check_table_limit(pending=len(self.new_tables))
        added = 0
        wanted = [(k, ColumnType.TAG) for k in group.tag_keys]
        wanted += [(k, _KIND_TO_TYPE[kind]) for k, kind in zip(group.field_keys, group.field_kinds, strict=True)]
        seen_fields: set[str] = set()
        for name, ctype in wanted:
            if ctype.is_field:
                if name in seen_fields:
                    raise BadRequest(f"invalid line protocol - multiple instances of '{name}' field found")
                seen_fields.add(name)
            if creating and name in RESERVED_COLUMN_NAMES:
                raise BadRequest(reserved_column(name))
            existing = staged.get(name) or self.column_type(table, name)
            if name == "time" and existing is None:
                existing = ColumnType.TIME
            if existing is not None:
                if existing is not ctype:
                    raise BadRequest(type_conflict(name, existing.value, ctype.value))
                continue
            self.catalog.check_column_limit(self.column_count(table) + added)
            staged[name] = ctype
            added += 1
        if creating:
            self.new_tables[table] = {"time": ColumnType.TIME, **staged}
        elif staged:
            self.new_columns.setdefault(table, {}).update(staged)

    def commit(self, db_name: str) -> None:
        if not self.new_tables and not self.new_columns:
            return
        with self.catalog.transaction():
            db = self.catalog.ensure_database(db_name)
            for name, cols in self.new_tables.items():
                table = db.tables.get(name)
                if table is None or table.deleted:
                    table = self.catalog.add_table(db, name)
                for cname, ctype in cols.items():
                    if cname not in table.columns:
                        self.catalog.add_column(table, cname, ctype)
            for tname, cols in self.new_columns.items():
                table = db.tables[tname]
                for cname, ctype in cols.items():
                    if cname not in table.columns:
                        self.catalog.add_column(table, cname, ctype)


def _timestamps(raw: pa.Array, precision: Precision, now_ns: int) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Raw timestamps → nanoseconds; missing ones become ``now`` (truncated to the precision)."""
    errors: list[tuple[int, str]] = []
    if precision is Precision.AUTO:
        absval = pc.abs_checked(raw.fill_null(0)) if raw.null_count < len(raw) else None
        if absval is None:
            mult = pa.repeat(1, len(raw)).cast(pa.int64())
        else:
            mult = pc.if_else(
                pc.less(absval, AUTO_SECONDS_BELOW),
                1_000_000_000,
                pc.if_else(
                    pc.less(absval, AUTO_MILLIS_BELOW),
                    1_000_000,
                    pc.if_else(pc.less(absval, AUTO_MICROS_BELOW), 1_000, 1),
                ),
            )
        default = now_ns
    else:
        mult = precision.nanos
        default = (now_ns // mult) * mult
    try:
        scaled = pc.multiply_checked(raw, mult)
    except pa.ArrowInvalid:
        # Some value overflows: find which, per line, the slow way (rare).
        values = raw.to_pylist()
        mults = mult.to_pylist() if isinstance(mult, pa.Array) else [mult] * len(values)
        out = []
        for i, (v, m) in enumerate(zip(values, mults, strict=True)):
            if v is not None and not -I64_MAX - 1 <= v * m <= I64_MAX:
                errors.append((i, f"timestamp, {v}, out of range for precision: {_PRECISION_NAME[precision]}"))
                out.append(0)
            else:
                out.append(None if v is None else v * m)
        scaled = pa.array(out, pa.int64())
    if scaled.null_count:
        scaled = scaled.fill_null(default)
    return scaled, errors


def _group_columns(group: LineGroup, keep: pa.Array | None, times: pa.Array) -> dict[str, pa.Array]:
    cols: dict[str, pa.Array] = {}
    for key, values in zip(group.tag_keys, group.tag_values, strict=True):
        cols[key] = values  # duplicate tag keys in a line: the last value wins
    for key, values in zip(group.field_keys, group.field_values, strict=True):
        cols[key] = values
    cols["time"] = times.cast(TIME_ARROW_TYPE)
    if keep is not None:
        cols = {k: v.filter(keep) for k, v in cols.items()}
    return cols


def validate(
    parsed: ParsedWrite, catalog: Catalog, db_name: str, *, precision: Precision, now_ns: int, accept_partial: bool
) -> ValidatedWrite:
    """Check ``parsed`` against the catalog, commit the schema changes it needs, build the ops.

    Raises ``AbortWrite`` (``accept_partial=False`` and some line is bad) and ``LimitExceeded``
    (the database would exceed the database limit).
    """
    result = ValidatedWrite(line_count=parsed.line_count)
    errors = list(parsed.errors)
    if errors and not accept_partial:
        raise AbortWrite(errors[0])
    if catalog.db(db_name) is None:
        with catalog.transaction():
            if catalog.db(db_name) is None:
                catalog.check_database_limit()
    plan = _Plan(catalog, db_name)
    accepted: list[tuple[LineGroup, pa.Array | None, pa.Array]] = []
    for group in parsed.groups:
        try:
            plan.check_group(group)
        except (BadRequest, LimitExceeded) as exc:
            result.limit_hit |= isinstance(exc, LimitExceeded)
            group_errors = [
                WriteLineError(exc.message, int(n), _group_line(group, i))
                for i, n in enumerate(group.line_numbers.to_pylist())
            ]
            if not accept_partial:
                raise AbortWrite(min([*group_errors, *errors], key=lambda e: e.line_number)) from None
            errors.extend(group_errors)
            continue
        times, ts_errors = _timestamps(group.timestamps, precision, now_ns)
        keep = None
        if ts_errors:
            line_numbers = group.line_numbers.to_pylist()
            bad = [WriteLineError(msg, line_numbers[i], _group_line(group, i)) for i, msg in ts_errors]
            if not accept_partial:
                raise AbortWrite(min([*bad, *errors], key=lambda e: e.line_number))
            errors.extend(bad)
            bad_idx = {i for i, _ in ts_errors}
            keep = pa.array([i not in bad_idx for i in range(len(group))])
        accepted.append((group, keep, times))
    plan.commit(db_name) if accepted else None
    if accepted:
        result.ops = _build_ops(catalog, db_name, accepted)
        result.field_count = sum(
            len(g.field_keys) * (len(g) if k is None else pc.sum(k).as_py()) for g, k, _ in accepted
        )
    result.errors = sorted(errors, key=lambda e: e.line_number)
    return result


def _build_ops(catalog: Catalog, db_name: str, accepted) -> list[WriteOp]:
    db = catalog.db(db_name)
    by_table: dict[str, list[tuple[pa.Array, dict[str, pa.Array]]]] = {}
    for group, keep, times in accepted:
        cols = _group_columns(group, keep, times)
        if len(cols["time"]) == 0:
            continue
        lines = group.line_numbers if keep is None else group.line_numbers.filter(keep)
        by_table.setdefault(group.measurement, []).append((lines, cols))
    ops = []
    for name, parts in by_table.items():
        table = db.tables[name]
        names = sorted({c for _, cols in parts for c in cols})
        schema = pa.schema([pa.field(c, table.columns[c].type.arrow_type) for c in names])
        batches = []
        for _, cols in parts:
            n = len(cols["time"])
            arrays = []
            for f in schema:
                arr = cols.get(f.name)
                if arr is None:
                    arrays.append(pa.nulls(n, f.type))
                elif f.type == TAG_ARROW_TYPE:
                    arrays.append(pc.dictionary_encode(arr).cast(TAG_ARROW_TYPE))
                else:
                    arrays.append(arr)
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        if len(batches) == 1:
            batch = batches[0]
        else:  # several shapes of one table: keep line order so the last write wins on duplicates
            order = pc.sort_indices(pa.concat_arrays([lines for lines, _ in parts]))
            batch = pa.Table.from_batches(batches).take(order).combine_chunks().to_batches()[0]
        tcol = batch.column("time")
        ops.append(WriteOp(db.id, db.name, table.id, table.name, batch, pc.min(tcol).value, pc.max(tcol).value))
    return ops
