"""An in-process server stand-in for the InfluxQL result tests: Arrow tables with the storage
conventions (dictionary tags, typed fields, ``timestamp[ns]``), a DataFusion session and the
catalog view, plus ``query()`` helpers returning v1 JSON and InfluxDB 3 tables."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa
import pytest
from datafusion import SessionContext

from workbench.server.influxql import engine, v1_body
from workbench.server.influxql.result import StatementResult
from workbench.server.influxql.schema import DictSchema

S = 10**9
DICT = pa.dictionary(pa.int32(), pa.utf8())


def tag(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.utf8()).dictionary_encode().cast(DICT)


def times(seconds: list[float]) -> pa.Array:
    return pa.array([int(s * S) for s in seconds], pa.timestamp("ns"))


def tables() -> dict[str, pa.Table]:
    """cpu: hosts a, b, c (c has no region), two fields with gaps; mem: unsigned and booleans;
    single: one series with no ties."""
    cpu = pa.table(
        {
            "host": tag(["a", "b", "a", "b", "a", "b", "c"]),
            "i": pa.array([10, 20, None, None, 7, None, None], pa.int64()),
            "region": tag(["us", "us", "us", "eu", "us", "us", None]),
            "s": pa.array(["x", None, None, "y", None, None, None]),
            "time": times([10, 10, 20, 20, 30, 40, 40]),
            "v": pa.array([1.0, 5.0, 3.0, 2.0, None, 5.0, 4.0]),
        }
    )
    mem = pa.table(
        {
            "active": pa.array([True, False, None, True]),
            "host": tag(["a", "a", "b", "b"]),
            "time": times([0, 60, 0, 60]),
            "total": pa.array([2**63 + 5, 10, 7, 9], pa.uint64()),
        }
    )
    single = pa.table({"time": times([0, 15, 30, 45, 60, 75]), "v": [1.0, 4.0, 2.0, 8.0, 6.5, 10.0]})
    return {"cpu": cpu, "mem": mem, "single": single}


KINDS = {
    "cpu": {"host": "tag", "i": "integer", "region": "tag", "s": "string", "time": "time", "v": "float"},
    "mem": {"active": "boolean", "host": "tag", "time": "time", "total": "uinteger"},
    "single": {"time": "time", "v": "float"},
}


@dataclass
class Server:
    ctx: SessionContext
    schema: DictSchema
    now_ns: int = 3600 * S

    def run_sql(self, sql: str, params: dict | None) -> pa.Table:
        return self.ctx.sql(sql).to_arrow_table()

    def results(self, q: str, **kw) -> list[StatementResult]:
        kw.setdefault("database", "db")
        plans = engine.plan(q, schema=self.schema, now_ns=self.now_ns, **kw)
        return [engine.execute(p, self.run_sql) for p in plans]

    def v1(self, q: str, *, epoch: str | None = None, **kw) -> list[dict]:
        """``results`` of the v1 JSON body."""
        return json.loads(v1_body.render_json(self.results(q, **kw), epoch=epoch))["results"]

    def series(self, q: str, **kw) -> list[dict]:
        (result,) = self.v1(q, **kw)
        assert "error" not in result, result["error"]
        return result.get("series", [])

    def values(self, q: str, **kw) -> list[list]:
        (s,) = self.series(q, **kw)
        return s["values"]

    def error(self, q: str, **kw) -> tuple[int, str]:
        (r,) = self.results(q, **kw)
        assert r.error is not None, "expected an error"
        return r.error.status, r.error.wire_message()


@pytest.fixture(scope="session")
def server() -> Server:
    ctx = SessionContext()
    for name, table in tables().items():
        ctx.register_record_batches(name, [table.to_batches()])
    schema = DictSchema({"db": KINDS, "other": {}}, deleted={"old": {}}, retention={"db": 7 * 86400 * S})
    return Server(ctx, schema)
