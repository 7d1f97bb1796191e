"""Catalog-aware rewrite: a parsed SELECT × :class:`SchemaSource` → :class:`~.ir.SelectQuery`.

Bind parameters are substituted, measurement regexes expanded (missing measurements dropped),
subqueries rewritten into virtual sources, ``*`` and ``/regex/`` fields expanded against the
union of the sources' columns (alphabetically, tags and fields together, as InfluxDB does),
column names defaulted and de-duplicated (``mean``, ``mean_1``), the WHERE clause split into a
time range and the rest, ``GROUP BY`` resolved per measurement and the projection classified.
``translate.py`` takes it from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from . import ast, functions, ir
from .errors import InfluxQLQueryError, InfluxQLUnsupported
from .schema import FIELD_KINDS, SchemaSource
from .timerange import split_time_range, zone

# When a field has different types in different measurements, the lowest wins (InfluxDB's order).
_KIND_ORDER = {k: i for i, k in enumerate(FIELD_KINDS)}


def compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise InfluxQLQueryError(f"invalid regular expression /{pattern}/: {e}") from e


def kind_of(ref: ast.VarRef, columns: Mapping[str, str]) -> str | None:
    """The kind a reference resolves to in a measurement, honouring ``::type`` casts."""
    kind = columns.get(ref.name)
    if kind == "time" or kind is None:
        return None
    cast = ref.cast
    if cast is None:
        return kind
    if cast == "tag":
        return kind if kind == "tag" else None
    if cast == "field":
        return kind if kind != "tag" else None
    if cast in ("float", "integer", "unsigned"):
        target = "uinteger" if cast == "unsigned" else cast
        return target if kind in ("float", "integer", "uinteger") else None
    return kind if kind == cast else None


def substitute_params(e: ast.Expr | None, params: Mapping[str, object]) -> ast.Expr | None:
    """Replace ``$name`` with literals from ``params`` (a string after =~ becomes a regex)."""
    if e is None:
        return None
    if isinstance(e, ast.BindParam):
        return _param_literal(e.name, params)
    if isinstance(e, ast.BinaryExpr):
        rhs = substitute_params(e.rhs, params)
        if e.op in ("=~", "!~") and isinstance(rhs, ast.StringLit):
            rhs = ast.RegexLit(rhs.value)
        return ast.BinaryExpr(e.op, substitute_params(e.lhs, params), rhs)
    if isinstance(e, ast.UnaryExpr):
        return ast.UnaryExpr(e.op, substitute_params(e.expr, params))
    if isinstance(e, ast.Call):
        return ast.Call(e.name, tuple(substitute_params(a, params) for a in e.args))
    return e


def _param_literal(name: str, params: Mapping[str, object]) -> ast.Expr:
    if name not in params:
        raise InfluxQLQueryError(
            f"Bind parameter '${name}' was referenced in the InfluxQL statement but its value is undefined"
        )
    value = params[name]
    if isinstance(value, bool):
        return ast.BoolLit(value)
    if isinstance(value, int):
        return ast.IntegerLit(value)
    if isinstance(value, float):
        return ast.FloatLit(value)
    if isinstance(value, str):
        return ast.StringLit(value)
    raise InfluxQLQueryError(f"Bind parameter '${name}' has an unsupported value: {value!r}")


class Rewriter:
    def __init__(self, schema: SchemaSource, db: str, now_ns: int, params: Mapping[str, object]):
        self.schema = schema
        self.db = db
        self.now_ns = now_ns
        self.params = params

    def select(self, stmt: ast.SelectStatement, outer_range: ir.TimeRange | None = None) -> ir.SelectQuery:
        if stmt.into is not None:
            raise InfluxQLUnsupported("SELECT INTO")
        if stmt.tz is not None:
            zone(stmt.tz)
        condition = substitute_params(stmt.condition, self.params)
        fields = tuple(ast.Field(substitute_params(f.expr, self.params), f.alias) for f in stmt.fields)
        time_range, condition = split_time_range(condition, now_ns=self.now_ns, tz=stmt.tz)
        if outer_range is not None:
            time_range = time_range.intersect(outer_range)

        interval, offset = None, 0
        times = [d for d in stmt.dimensions if isinstance(d, ast.TimeDimension)]
        if len(times) > 1:
            raise InfluxQLQueryError("multiple time dimensions not allowed")
        if times:
            interval = times[0].interval
            offset = self.now_ns % interval if times[0].offset_now else times[0].offset % interval
            if stmt.tz is not None:
                anchor = time_range.lower if time_range.lower is not None else self.now_ns
                offset = (offset - _zone_offset_ns(stmt.tz, anchor)) % interval

        sources = self.sources(stmt, time_range)
        if all(isinstance(f.expr, ast.VarRef) and f.expr.name.lower() == "time" for f in fields):
            raise InfluxQLQueryError("at least 1 non-time field must be queried")
        merged = _merged_columns(sources)
        fields = self.expand_fields(fields, sources, merged, stmt.dimensions)
        kind = functions.classify(fields, group_by_time=interval is not None, fill=stmt.fill)
        for f in fields:
            functions.check_arithmetic(f.expr, lambda r: kind_of(r, merged))
        out_fields = _name_fields(fields, merged)
        return ir.SelectQuery(
            db=self.db,
            sources=sources,
            fields=out_fields,
            kind=kind,
            condition=condition,
            time_range=time_range,
            interval=interval,
            offset=offset,
            fill=stmt.fill or ast.Fill(),
            order_desc=stmt.order_desc,
            limit=stmt.limit,
            offset_rows=stmt.offset,
            slimit=stmt.slimit,
            soffset=stmt.soffset,
            tz=stmt.tz,
            now_ns=self.now_ns,
        )

    # -- sources ---------------------------------------------------------------------------

    def sources(self, stmt: ast.SelectStatement, time_range: ir.TimeRange) -> tuple[ir.Source, ...]:
        found: dict[str, ir.Source] = {}
        names: list[str] | None = None  # the database's measurements, listed once per statement
        for src in stmt.sources:
            if isinstance(src, ast.SubQuery):
                inner = self.select(src.select, time_range)
                for inner_src in inner.sources:
                    columns = {"time": "time", **dict.fromkeys(inner_src.group_tags, "tag")}
                    columns.update({f.name: f.kind or "float" for f in inner.fields if f.kind != "tag"})
                    columns.update({f.name: "tag" for f in inner.fields if f.kind == "tag"})
                    tags = _group_tags(stmt.dimensions, columns)
                    found.setdefault(inner_src.name, ir.Source(inner_src.name, columns, tags, inner))
                continue
            if names is None:
                names = self.schema.measurements(self.db)
            if src.regex is not None:
                pattern = compile_regex(src.regex)
                matched = [n for n in names if pattern.search(n)]
            else:
                matched = [src.name] if src.name in names else []
            for name in matched:
                columns = self.schema.columns(self.db, name) or {}
                found.setdefault(name, ir.Source(name, columns, _group_tags(stmt.dimensions, columns)))
        return tuple(found[n] for n in sorted(found))

    # -- fields ----------------------------------------------------------------------------

    def expand_fields(
        self,
        fields: tuple[ast.Field, ...],
        sources: tuple[ir.Source, ...],
        merged: Mapping[str, str],
        dims: tuple[ast.Dimension, ...],
    ) -> tuple[ast.Field, ...]:
        """``merged``: the sources' columns, as ``_merged_columns`` unites them."""
        grouped = _grouped_tag_names(dims, sources)
        out: list[ast.Field] = []
        for f in fields:
            e = f.expr
            if isinstance(e, ast.Wildcard | ast.RegexLit):
                for name in sorted(merged):
                    kind = merged[name]
                    if kind == "tag" and name in grouped:
                        continue
                    if isinstance(e, ast.Wildcard):
                        if (e.kind == "tag" and kind != "tag") or (e.kind == "field" and kind == "tag"):
                            continue
                    elif not compile_regex(e.pattern).search(name):
                        continue
                    out.append(ast.Field(ast.VarRef(name)))
            elif isinstance(e, ast.Call) and _innermost_arg(e) is not None:
                out.extend(self.expand_call(f, merged))
            elif isinstance(e, ast.VarRef) and e.name.lower() == "time":
                continue
            else:
                _reject_nested_wildcards(e)
                out.append(f)
        return tuple(out)

    def expand_call(self, f: ast.Field, merged: Mapping[str, str]) -> list[ast.Field]:
        chain: list[ast.Call] = [f.expr]  # type: ignore[list-item]
        while isinstance(chain[-1].args[0], ast.Call):
            chain.append(chain[-1].args[0])
        target = chain[-1].args[0]
        if isinstance(target, ast.Wildcard) and target.kind == "tag":
            raise InfluxQLQueryError(f"unable to use tag as wildcard in {chain[-1].name}()")
        allowed = functions.wildcard_kinds(chain[-1].name)
        pattern = compile_regex(target.pattern) if isinstance(target, ast.RegexLit) else None
        prefix = functions.field_name(f)
        out = []
        for name in sorted(merged):
            if merged[name] not in allowed or (pattern is not None and not pattern.search(name)):
                continue
            e: ast.Expr = ast.VarRef(name)
            for call in reversed(chain):
                e = ast.Call(call.name, (e, *call.args[1:]))
            out.append(ast.Field(e, f"{prefix}_{name}" if f.alias is None else f"{f.alias}_{name}"))
        return out


def _innermost_arg(c: ast.Call) -> ast.Expr | None:
    """The wildcard or regex at the bottom of ``f(g(*))``, if there is one."""
    e: ast.Expr = c
    while isinstance(e, ast.Call) and e.args:
        e = e.args[0]
    return e if isinstance(e, ast.Wildcard | ast.RegexLit) and e is not c else None


def _reject_nested_wildcards(e: ast.Expr) -> None:
    if isinstance(e, ast.Wildcard | ast.RegexLit):
        raise InfluxQLQueryError("unsupported expression: contains a wildcard or regular expression")
    if isinstance(e, ast.BinaryExpr):
        _reject_nested_wildcards(e.lhs)
        _reject_nested_wildcards(e.rhs)
    elif isinstance(e, ast.UnaryExpr):
        _reject_nested_wildcards(e.expr)
    elif isinstance(e, ast.Call):
        for a in e.args[1:] if e.name in functions.MATH_ARITY else ():
            _reject_nested_wildcards(a)


def _merged_columns(sources: tuple[ir.Source, ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for src in sources:
        for name, kind in src.columns.items():
            if kind == "time":
                continue
            have = merged.get(name)
            if have is None or (have != "tag" and kind != "tag" and _KIND_ORDER[kind] < _KIND_ORDER[have]):
                merged[name] = kind
    return merged


def _group_tags(dims: tuple[ast.Dimension, ...], columns: Mapping[str, str]) -> tuple[str, ...]:
    """A measurement's GROUP BY tags: listed names (even unknown ones), ``*`` and regex matches."""
    tags: set[str] = set()
    for d in dims:
        if isinstance(d, ast.TagDimension):
            if columns.get(d.name) not in (None, "tag"):
                continue
            tags.add(d.name)
        elif isinstance(d, ast.WildcardDimension):
            tags.update(n for n, k in columns.items() if k == "tag")
        elif isinstance(d, ast.RegexDimension):
            pattern = compile_regex(d.pattern)
            tags.update(n for n, k in columns.items() if k == "tag" and pattern.search(n))
    return tuple(sorted(tags))


def _grouped_tag_names(dims: tuple[ast.Dimension, ...], sources: tuple[ir.Source, ...]) -> set[str]:
    names: set[str] = set()
    for src in sources:
        names.update(src.group_tags)
    names.update(d.name for d in dims if isinstance(d, ast.TagDimension))
    return names


def _name_fields(fields: tuple[ast.Field, ...], merged: Mapping[str, str]) -> tuple[ir.OutField, ...]:
    names = functions.unique_names([functions.field_name(f) for f in fields])
    return tuple(
        ir.OutField(name, f.expr, functions.infer_kind(f.expr, lambda r: kind_of(r, merged)))
        for name, f in zip(names, fields, strict=True)
    )


def _zone_offset_ns(tz: str, at_ns: int) -> int:
    when = datetime.fromtimestamp(at_ns / 1e9, tz=UTC).astimezone(zone(tz))
    offset = when.utcoffset()
    return int(offset.total_seconds()) * 10**9 if offset else 0
