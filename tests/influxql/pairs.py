"""Loader of ``tests/fixtures/influxql/*.sqlpairs``: InfluxQL → expected DataFusion SQL (or error).

Each entry is: optional ``#`` comment lines (``# params: {...}`` gives bind parameters), the
InfluxQL text (one or more lines), a line ``----``, then the expectation: for a SELECT a
``-- <kind>: <output columns>`` line and the SQL as ``format_sql`` prints it (several
statements — subqueries, several measurements, integral's points — are separated by a line
``;``), or ``error: <the message a client sees>``. Entries are separated by blank lines.
Run the tests with ``INFLUXQL_UPDATE_PAIRS=1`` to rewrite the expectations after a deliberate
change, then review the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.server.influxql import engine
from workbench.server.influxql.schema import DictSchema
from workbench.server.influxql.sqlexpr import format_sql

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "influxql"
UPDATE = os.environ.get("INFLUXQL_UPDATE_PAIRS") == "1"
NOW_NS = 1_704_070_800 * 10**9  # 2024-01-01T01:00:00Z

SCHEMA = DictSchema(
    {
        "db": {
            "cpu": {
                "cores": "integer",
                "host": "tag",
                "ok": "boolean",
                "region": "tag",
                "state": "string",
                "time": "time",
                "usage_system": "float",
                "usage_user": "float",
            },
            "disk": {"device": "tag", "host": "tag", "time": "time", "used_percent": "float"},
            "mem": {"free": "integer", "host": "tag", "time": "time", "total": "uinteger", "used": "integer"},
        }
    }
)


@dataclass(frozen=True)
class Pair:
    file: Path
    line: int
    comment: str
    influxql: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.file.stem}:{self.line}"

    @property
    def params(self) -> dict | None:
        """Bind parameters from a ``# params: {json}`` comment line."""
        for line in self.comment.splitlines():
            if line.startswith("params:"):
                return json.loads(line[len("params:") :])
        return None


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for start, block in _blocks(path.read_text()):
        lines = block.splitlines()
        comment = "\n".join(line[1:].strip() for line in lines if line.startswith("#"))
        body = [line for line in lines if not line.startswith("#")]
        split = body.index("----")
        pairs.append(Pair(path, start, comment, "\n".join(body[:split]), "\n".join(body[split + 1 :])))
    return pairs


def _blocks(text: str) -> list[tuple[int, str]]:
    out, current, start = [], [], 1
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            out.append((start, "\n".join(current)))
            current = []
    if current:
        out.append((start, "\n".join(current)))
    return out


def translate(influxql: str, params: dict | None = None) -> str:
    """What an entry's expectation must equal: for a SELECT a ``--`` line with the projection
    kind and the output columns, then the SQL (``-- no SQL`` when nothing is read)."""
    plans = engine.plan(influxql, database="db", schema=SCHEMA, now_ns=NOW_NS, params=params)
    if len(plans) == 1 and plans[0].error is not None:
        return f"error: {plans[0].error.wire_message()}"
    out = []
    for p in plans:
        if p.select is not None:
            names = ", ".join(["time", *(c.name for c in p.select.columns)])
            out.append(f"-- {p.select.query.kind}: {names}")
        out.append("\n;\n".join(format_sql(sql) for sql in p.sql) or "-- no SQL")
    return "\n".join(out)


def rewrite(path: Path) -> None:
    """Replace every expectation of ``path`` with the current translation."""
    out = []
    for pair in load_pairs(path):
        comment = "".join(f"# {line}\n" for line in pair.comment.splitlines())
        out.append(f"{comment}{pair.influxql}\n----\n{translate(pair.influxql, pair.params)}\n")
    path.write_text("\n".join(out))
