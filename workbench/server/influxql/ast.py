"""InfluxQL syntax tree: frozen dataclasses built by ``parser.py`` and rewritten by ``rewrite.py``.

Nodes are immutable and hashable, so the rewrite stage builds new trees with
:func:`dataclasses.replace`. :func:`render` prints an expression back as InfluxQL (used in
error messages and to name projection columns).

>>> render(BinaryExpr("+", VarRef("a"), BinaryExpr("*", IntegerLit(2), VarRef("b", "float"))))
'a + 2 * b::float'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .tokens import KEYWORDS

# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class VarRef:
    """A field or tag reference, optionally with a ``::type`` cast (float, integer, unsigned,
    string, boolean, field, tag)."""

    name: str
    cast: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """``*``, ``*::field`` or ``*::tag``."""

    kind: str | None = None


@dataclass(frozen=True)
class RegexLit:
    pattern: str


@dataclass(frozen=True)
class IntegerLit:
    value: int


@dataclass(frozen=True)
class FloatLit:
    value: float


@dataclass(frozen=True)
class StringLit:
    value: str


@dataclass(frozen=True)
class BoolLit:
    value: bool


@dataclass(frozen=True)
class DurationLit:
    ns: int


@dataclass(frozen=True)
class BindParam:
    name: str


@dataclass(frozen=True)
class Call:
    name: str  # lower-cased
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class BinaryExpr:
    """Arithmetic (``+ - * / % & | ^``), comparison (``= != <> < <= > >= =~ !~``) or ``AND``/``OR``."""

    op: str
    lhs: Expr
    rhs: Expr


@dataclass(frozen=True)
class UnaryExpr:
    op: str  # "-" or "+"
    expr: Expr


Expr = (
    VarRef
    | Wildcard
    | RegexLit
    | IntegerLit
    | FloatLit
    | StringLit
    | BoolLit
    | DurationLit
    | BindParam
    | Call
    | BinaryExpr
    | UnaryExpr
)

# ----------------------------------------------------------------------------- SELECT pieces


@dataclass(frozen=True)
class Field:
    expr: Expr
    alias: str | None = None


@dataclass(frozen=True)
class Measurement:
    """``[db.][rp.]name`` or ``[db.][rp.]/regex/``."""

    name: str | None = None
    regex: str | None = None
    db: str | None = None
    rp: str | None = None


@dataclass(frozen=True)
class SubQuery:
    select: SelectStatement


Source = Measurement | SubQuery


@dataclass(frozen=True)
class TimeDimension:
    interval: int  # ns
    offset: int = 0  # ns
    offset_now: bool = False  # GROUP BY time(1h, now())


@dataclass(frozen=True)
class TagDimension:
    name: str


@dataclass(frozen=True)
class RegexDimension:
    pattern: str


@dataclass(frozen=True)
class WildcardDimension:
    pass


Dimension = TimeDimension | TagDimension | RegexDimension | WildcardDimension


@dataclass(frozen=True)
class Fill:
    """``fill(null|none|previous|linear|<number>)``; ``kind`` is one of those words or ``value``."""

    kind: str = "null"
    value: int | float | None = None


@dataclass(frozen=True)
class SelectStatement:
    fields: tuple[Field, ...]
    sources: tuple[Source, ...]
    condition: Expr | None = None
    dimensions: tuple[Dimension, ...] = ()
    fill: Fill | None = None
    order_desc: bool = False
    limit: int | None = None
    offset: int | None = None
    slimit: int | None = None
    soffset: int | None = None
    tz: str | None = None
    into: str | None = None


# ----------------------------------------------------------------------------- other statements


@dataclass(frozen=True)
class ShowDatabases:
    pass


@dataclass(frozen=True)
class ShowRetentionPolicies:
    on: str | None = None


@dataclass(frozen=True)
class ShowMeasurements:
    on: str | None = None
    with_op: str | None = None  # "=", "!=", "=~", "!~"
    with_name: str | None = None
    with_regex: str | None = None
    condition: Expr | None = None
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class ShowTagKeys:
    on: str | None = None
    sources: tuple[Measurement, ...] = ()
    condition: Expr | None = None
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class ShowTagValues:
    key_op: str  # "=", "!=", "=~", "!~", "IN"
    keys: tuple[str, ...] = ()
    key_regex: str | None = None
    on: str | None = None
    sources: tuple[Measurement, ...] = ()
    condition: Expr | None = None
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class ShowFieldKeys:
    on: str | None = None
    sources: tuple[Measurement, ...] = ()
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class ShowSeries:
    on: str | None = None
    sources: tuple[Measurement, ...] = ()
    condition: Expr | None = None
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class Explain:
    statement: SelectStatement
    analyze: bool = False


@dataclass(frozen=True)
class Unsupported:
    """A statement InfluxQL has but this engine does not run (CREATE, DROP, GRANT ...)."""

    name: str


Statement = (
    SelectStatement
    | ShowDatabases
    | ShowRetentionPolicies
    | ShowMeasurements
    | ShowTagKeys
    | ShowTagValues
    | ShowFieldKeys
    | ShowSeries
    | Explain
    | Unsupported
)

# ----------------------------------------------------------------------------- rendering

_PRECEDENCE = {
    "OR": 1,
    "AND": 2,
    "=": 4,
    "!=": 4,
    "<>": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "=~": 4,
    "!~": 4,
}
_PRECEDENCE.update({"+": 5, "-": 5, "|": 5, "^": 5, "*": 6, "/": 6, "%": 6, "&": 6})


def quote_ident(name: str) -> str:
    """Quote an identifier when InfluxQL needs it.

    >>> quote_ident("cpu"), quote_ident("my field"), quote_ident("select")
    ('cpu', '"my field"', '"select"')
    """
    simple = name and (name[0].isalpha() or name[0] == "_") and name.isascii()
    simple = simple and all(c.isalnum() or c == "_" for c in name)
    if simple and name.upper() not in KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(e: Expr, types: Callable[[VarRef], str | None] | None = None) -> str:
    """InfluxQL text of an expression; ``types`` annotates references (``v::float``)."""
    if isinstance(e, VarRef):
        cast = (types(e) if types else None) or e.cast
        return quote_ident(e.name) + (f"::{cast}" if cast else "")
    if isinstance(e, Wildcard):
        return "*" + (f"::{e.kind}" if e.kind else "")
    if isinstance(e, RegexLit):
        return "/" + e.pattern.replace("/", "\\/") + "/"
    if isinstance(e, StringLit):
        return "'" + e.value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(e, BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, IntegerLit):
        return str(e.value)
    if isinstance(e, FloatLit):
        text = repr(e.value)  # InfluxQL has no exponent notation
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(e, DurationLit):
        return render_duration(e.ns)
    if isinstance(e, BindParam):
        return "$" + e.name
    if isinstance(e, Call):
        return f"{e.name}({', '.join(render(a, types) for a in e.args)})"
    if isinstance(e, UnaryExpr):
        return e.op + render(e.expr, types)
    if isinstance(e, BinaryExpr):
        prec = _PRECEDENCE[e.op]
        lhs, rhs = render(e.lhs, types), render(e.rhs, types)
        if isinstance(e.lhs, BinaryExpr) and _PRECEDENCE[e.lhs.op] < prec:
            lhs = f"({lhs})"
        if isinstance(e.rhs, BinaryExpr) and _PRECEDENCE[e.rhs.op] <= prec:
            rhs = f"({rhs})"
        return f"{lhs} {e.op} {rhs}"
    raise TypeError(f"not an expression: {e!r}")


def render_duration(ns: int) -> str:
    """Shortest InfluxQL duration literal for ``ns``.

    >>> render_duration(90 * 60 * 10**9), render_duration(1500), render_duration(0)
    ('90m', '1500ns', '0s')
    """
    if ns == 0:
        return "0s"
    for unit, size in (("w", 604_800 * 10**9), ("d", 86_400 * 10**9), ("h", 3_600 * 10**9)):
        if ns % size == 0:
            return f"{ns // size}{unit}"
    for unit, size in (("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6), ("u", 10**3)):
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"
