"""The two sides of the differential harness, both answering v1 ``/query`` requests.

:class:`InfluxDB1` starts a private ``influxd`` (InfluxDB 1.6.7) on loopback with a temp data
dir and config (every listener pinned to 127.0.0.1, free ports, no reporting), loads the line
protocol and is stopped by PID. Our side is pluggable: :class:`InProcess` runs the engine
directly (``plan`` + ``execute`` + ``v1_body`` over a DataFusion session holding the Arrow
tables), :class:`OverHTTP` talks to a running server's ``/query`` (loading data through
``/api/v3/write_lp``) once the server's endpoint exists.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO

from datafusion import SessionContext

from workbench.server.influxql import engine, v1_body
from workbench.server.influxql.schema import DictSchema

from . import dataset


def influxd_path() -> str | None:
    return shutil.which("influxd")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
    host = urllib.parse.urlsplit(url).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"loopback targets only, not {url}")
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


class InfluxDB1:
    """A throwaway influxd; use as a context manager."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="influxql-diff-"))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.log: IO[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> InfluxDB1:
        d = self.dir
        conf = d / "influxdb.conf"
        conf.write_text(
            f"""reporting-enabled = false
bind-address = "127.0.0.1:{_free_port()}"
[meta]
  dir = "{d}/meta"
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
  pprof-enabled = false
[ifql]
  enabled = false
  bind-address = "127.0.0.1:{_free_port()}"
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
"""
        )
        self.log = open(d / "influxd.log", "wb")  # closed by stop()
        cmd = ["influxd", "run", "-config", str(conf)]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"influxd exited: {(d / 'influxd.log').read_text()[-500:]}")
            try:
                if _http("GET", f"{self.url}/ping")[0] == 204:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("influxd did not answer /ping within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def load(self, points: list[dataset.Point]) -> None:
        q = urllib.parse.urlencode({"q": f"CREATE DATABASE {dataset.DATABASE}"})
        _http("POST", f"{self.url}/query?{q}")
        status, body, _ = _http(
            "POST",
            f"{self.url}/write?db={dataset.DATABASE}&precision=ns",
            dataset.to_line_protocol(points).encode(),
        )
        if status != 204:
            raise RuntimeError(f"influxd rejected the dataset: {status} {body[:300]!r}")

    def query(self, q: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
        args = {"db": dataset.DATABASE, "q": q, **(params or {})}
        status, body, _ = _http("GET", f"{self.url}/query?{urllib.parse.urlencode(args)}")
        return status, body


class InProcess:
    """Our engine in this process over DataFusion: what the server's ``/query`` will run."""

    name = "in-process"

    def __init__(self) -> None:
        self.ctx = SessionContext()
        self.schema = DictSchema({})

    def load(self, points: list[dataset.Point]) -> None:
        for name, table in dataset.to_arrow(points).items():
            self.ctx.register_record_batches(name, [table.to_batches()])
        self.schema = DictSchema({dataset.DATABASE: dataset.schema_of(points)})

    def run_sql(self, sql: str, params: dict | None) -> object:
        return self.ctx.sql(sql).to_arrow_table()

    def query(self, q: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
        params = params or {}
        bind = json.loads(params["params"]) if "params" in params else None
        plans = engine.plan(q, database=dataset.DATABASE, schema=self.schema, now_ns=time.time_ns(), params=bind)
        results = [engine.execute(p, self.run_sql) for p in plans]
        epoch = params.get("epoch")
        if params.get("chunked") == "true":
            size = int(params.get("chunk_size", v1_body.DEFAULT_CHUNK_SIZE))
            return 200, b"".join(v1_body.render_chunks(results, epoch=epoch, chunk_size=size))
        return 200, v1_body.render_json(results, epoch=epoch, pretty=params.get("pretty") == "true")


class OverHTTP:
    """A running workbench server (loopback only): data through ``/api/v3/write_lp``, queries
    through v1 ``/query``. ``token`` is sent as a bearer token when the server needs one."""

    name = "http"

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def load(self, points: list[dataset.Point]) -> None:
        body = dataset.to_line_protocol(points).encode()
        url = f"{self.url}/api/v3/write_lp?db={dataset.DATABASE}&precision=nanosecond"
        status, text, _ = _http("POST", url, body, self.headers)
        if status not in (200, 204):
            raise RuntimeError(f"the server rejected the dataset: {status} {text[:300]!r}")

    def query(self, q: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
        args = {"db": dataset.DATABASE, "q": q, **(params or {})}
        status, body, _ = _http("GET", f"{self.url}/query?{urllib.parse.urlencode(args)}", headers=self.headers)
        return status, body
