"""Offline plugin runs: WAL, schedule and request calls against a ``Dataset``, with full traces.

``run_wal``, ``run_schedule`` and ``run_request`` call a plugin the way a trigger would, through
the shared runtime (``workbench.plugins.runtime``: the same ``influxdb3_local``, ``LineBuilder``,
loader, entry-point calls and error texts as the server), with the server replaced by:

* a copy of the ``Dataset`` (``data=``: a ``Dataset``, a snapshot directory, or nothing) that
  ``query()`` reads through DataFusion (``sql.py``) at the fake clock's time;
* writes checked against that dataset's schema (``schema.py``): ``write_sync*`` are checked
  and applied at once (raising as in production), buffered writes after the call returns
  (refusals are logged as the server logs them and reported as ``write`` errors); accepted
  writes are visible to later queries and later calls;
* a real ``CacheStore`` on the ``FakeClock`` (``clock.py``) with trigger namespaces, so entries
  and TTLs carry over from call to call and expire as simulated time passes;
* ``Network`` (``network.py``): the network is denied during calls unless stubbed;
* ``PLUGIN_DIR`` set to the plugin's directory (or ``plugin_dir=``) during calls.

Data flow of one call: inputs → ``CallContext`` (``_Host`` for queries and sync writes, a log
sink, ``TracedCache``) → ``run_process_*`` on this thread → ``CallOutcome`` → write-back → a
``CallTrace``. A ``RunResult`` holds the traces of every call of a run (one per WAL flush or
schedule firing) and its ``inputs``, which ``golden.py`` saves and replays.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.plugins.args import load_args
from workbench.plugins.clock import FakeClock, parse_time
from workbench.plugins.data import Dataset
from workbench.plugins.network import Network
from workbench.plugins.runtime import (
    CacheStore,
    CallContext,
    CallOutcome,
    PluginSource,
    request_headers,
    run_process_request,
    run_process_scheduled_call,
    run_process_writes,
    trigger_namespace,
)
from workbench.plugins.runtime.batches import table_batches
from workbench.plugins.runtime.dryrun import response_json
from workbench.plugins.runtime.spec import SCHEDULE, firings, parse_trigger_spec, schedule_for
from workbench.plugins.schema import WriteRejected
from workbench.plugins.sql import SqlEngine
from workbench.plugins.trace import CallTrace, TracedCache, failure_record
from workbench.protocol.durations import MS, format_duration, parse_duration
from workbench.protocol.timestamps import rfc3339

if TYPE_CHECKING:
    import polars as pl

DEFAULT_DATABASE = "db"
DEFAULT_TRIGGER = "bench"
WAL_FLUSH_INTERVAL = "1s"
SLOW_WAL_SHARE = 0.5  # warn when a WAL call takes this share of the flush interval
MAX_SCHEDULED_CALLS = 10_000
PLUGIN_DIR_ENV = "PLUGIN_DIR"

Data = Dataset | str | Path | None


@dataclass
class RunResult:
    """Everything a run did; ``to_json()`` is the CLI's ``--json`` object."""

    plugin: str
    mode: str  # wal | schedule | request
    database: str
    runs: list[CallTrace] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every call ran without an exception (and its inputs were accepted)."""
        return all(r.ok for r in self.runs)

    def _flat(self, name: str) -> list[dict[str, Any]]:
        return [{"run": r.index, **item} for r in self.runs for item in getattr(r, name)]

    @property
    def writes(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for r in self.runs:
            for db, lines in r.writes.items():
                merged.setdefault(db, []).extend(lines)
        return merged

    @property
    def logs(self) -> list[dict[str, Any]]:
        return self._flat("logs")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self._flat("errors")

    @property
    def queries(self) -> list[dict[str, Any]]:
        return self._flat("queries")

    @property
    def cache(self) -> list[dict[str, Any]]:
        return self._flat("cache")

    @property
    def network(self) -> list[dict[str, Any]]:
        return self._flat("network")

    @property
    def response(self) -> dict[str, Any] | None:
        return self.runs[-1].response if self.runs else None

    @property
    def duration_ms(self) -> float:
        return round(sum(r.duration_ms for r in self.runs), 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "mode": self.mode,
            "database": self.database,
            "ok": self.ok,
            "writes": self.writes,
            "logs": self.logs,
            "errors": self.errors,
            "queries": self.queries,
            "cache": self.cache,
            "network": self.network,
            "response": self.response,
            "runs": [
                {
                    "index": r.index,
                    "time": rfc3339(r.time_ns),
                    "call_time": r.call_time,
                    "ok": r.ok,
                    "duration_ms": r.duration_ms,
                    "writes": sum(len(v) for v in r.writes.values()),
                    "errors": len(r.errors),
                }
                for r in self.runs
            ],
            "warnings": self.warnings,
            "duration_ms": self.duration_ms,
        }


class _Host:
    """The ``PluginHost`` of one call: queries on the dataset, synchronous writes checked and applied."""

    def __init__(self, bench: _Bench, trace: CallTrace):
        self.bench = bench
        self.trace = trace

    def query(self, database: str, sql: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        record: dict[str, Any] = {"database": database, "sql": sql, "params": params, "rows": None, "ms": 0.0}
        self.trace.queries.append(record)
        t0 = time.perf_counter()
        try:
            rows = self.bench.engine.query(database, sql, params)
        except Exception as exc:
            record["error"] = str(exc)
            raise
        finally:
            record["ms"] = round((time.perf_counter() - t0) * 1000, 3)
        record["rows"] = len(rows)
        return rows

    def write_sync(self, database: str, lines: str, no_sync: bool) -> None:
        try:
            self.bench.dataset.write_lp(database, lines, self.bench.clock.now_ns())
        except WriteRejected as exc:
            raise Exception(f"error writing line protocol to {database}: {exc}") from None
        self.trace.wrote(database, lines)


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _dataset(data: Data) -> Dataset:
    if data is None:
        return Dataset()
    if isinstance(data, Dataset):
        return data.copy()
    return Dataset.load(data)


class _Bench:
    """The offline stand-in for a server hosting one trigger."""

    def __init__(
        self,
        plugin: str | Path,
        *,
        mode: str,
        data: Data,
        database: str,
        args: Mapping[str, Any] | str | Path | None,
        now: str | int | None,
        network: Network | Mapping | Callable | None,
        cache: CacheStore | None,
        plugin_dir: str | Path | None,
        trigger: str,
        hide_future: bool = False,
    ):
        self.path = Path(plugin).resolve()
        if not self.path.exists():
            raise FileNotFoundError(f"Plugin not found: {self.path}")
        self.source = PluginSource(self.path)
        self.dataset = _dataset(data)
        self.dataset.ensure_database(database)
        self.database = database
        self.args = load_args(args)
        self.clock = FakeClock(None if now is None else parse_time(now))
        self.engine = SqlEngine(self.dataset, self.clock.now_ns, hide_future=hide_future)
        self.network = network if isinstance(network, Network) else Network(network)
        self.store = cache if cache is not None else CacheStore(self.clock.now_ns)
        self.plugin_dir = Path(plugin_dir).resolve() if plugin_dir is not None else self.path.parent
        self.trigger = trigger
        self.result = RunResult(str(self.path), mode, database)
        self.result.inputs = {
            "mode": mode,
            "database": database,
            "args": self.args,
            "now": self.clock.now_ns(),
            "data": self.dataset.sources,
            "trigger": trigger,
            "plugin_dir": None if plugin_dir is None else str(self.plugin_dir),
            "stubs": self.network.stubs,
        }

    def call(self, fn: Callable[[CallContext], CallOutcome], call_time: str | None = None) -> CallTrace:
        trace = CallTrace(len(self.result.runs), self.clock.now_ns(), call_time)
        cache = TracedCache(self.store, trigger_namespace(0, self.trigger), trace.cache.append)
        ctx = CallContext(self.database, _Host(self, trace), trace.log, cache)
        first_attempt = len(self.network.attempts)
        with self.network.guard(self.path), _env(PLUGIN_DIR_ENV, str(self.plugin_dir)):
            outcome = fn(ctx)
        trace.network = [a.to_json() for a in self.network.attempts[first_attempt:]]
        trace.duration_ms = round(outcome.elapsed_ns / 1e6, 3)
        if outcome.failure is not None:
            trace.errors.append(failure_record(outcome.failure, self.path))
        else:
            self._write_back(ctx.writes, trace)
        if self.result.mode == "request":
            trace.response = response_json(outcome)
        self.result.runs.append(trace)
        return trace

    def _write_back(self, writes: dict[str, list[str]], trace: CallTrace) -> None:
        for db, lines in writes.items():
            text = "\n".join(lines)
            trace.wrote(db, text)
            try:
                self.dataset.write_lp(db, text, self.clock.now_ns())
            except WriteRejected as exc:
                message = f"error running {self.result.mode} plugin: error writing back lines to {db}: {exc}"
                trace.log("ERROR", message)
                trace.errors.append(
                    {
                        "kind": "write",
                        "type": "WriteRejected",
                        "message": message,
                        "database": db,
                        "line_number": exc.error.line_number,
                        "original_line": exc.error.original_line,
                    }
                )

    def input_rejected(self, message: str) -> CallTrace:
        trace = CallTrace(len(self.result.runs), self.clock.now_ns())
        trace.errors.append({"kind": "input", "type": "InputRejected", "message": message})
        self.result.runs.append(trace)
        return trace


def _lp_text(lp: str | Sequence[str] | None) -> str:
    if lp is None:
        return ""
    return lp if isinstance(lp, str) else "\n".join(lp)


def run_wal(
    plugin: str | Path,
    lp: str | Sequence[str] | None = None,
    *,
    flushes: Sequence[str] | None = None,
    frames: Mapping[str, pl.DataFrame] | None = None,
    table: str | None = None,
    data: Data = None,
    database: str = DEFAULT_DATABASE,
    args: Mapping[str, Any] | str | Path | None = None,
    now: str | int | None = None,
    network: Network | Mapping | Callable | None = None,
    cache: CacheStore | None = None,
    plugin_dir: str | Path | None = None,
    trigger: str = DEFAULT_TRIGGER,
    wal_flush_interval: str = WAL_FLUSH_INTERVAL,
) -> RunResult:
    """Call ``process_writes`` once per WAL flush.

    ``lp`` (text or lines) and ``frames`` (measurement → Polars frame) make one flush;
    ``flushes`` gives several, called in turn with the clock moved on by ``wal_flush_interval``.
    Each flush is checked against the dataset's schema (missing timestamps get the clock's time)
    and added to it before the call, as a flushed write is queryable when plugins run.
    ``table`` is the ``table:<name>`` filter (None: ``all_tables``).
    """
    bench = _Bench(
        plugin,
        mode="wal",
        data=data,
        database=database,
        args=args,
        now=now,
        network=network,
        cache=cache,
        plugin_dir=plugin_dir,
        trigger=trigger,
    )
    texts = list(flushes) if flushes is not None else [_lp_text(lp)]
    if frames:
        from workbench.client import to_line_protocol

        converted = [to_line_protocol(frame, measurement) for measurement, frame in frames.items()]
        texts[-1] = "\n".join(t for t in [texts[-1], *converted] if t)
    interval = parse_duration(wal_flush_interval)
    bench.result.inputs.update(flushes=texts, table=table, wal_flush_interval=wal_flush_interval)
    for i, text in enumerate(texts):
        if i:
            bench.clock.advance(interval)
        try:
            rows = bench.dataset.write_lp(database, text, bench.clock.now_ns())
        except WriteRejected as exc:
            bench.input_rejected(str(exc))
            continue
        batches = table_batches([(name, [row]) for name, row in rows], table)
        trace = bench.call(lambda ctx, b=batches: run_process_writes(bench.source, ctx, b, bench.args))
        if trace.duration_ms * MS >= SLOW_WAL_SHARE * interval:
            bench.result.warnings.append(
                f"run {trace.index}: the WAL plugin took {format_duration(int(trace.duration_ms * MS))}, "
                f"{trace.duration_ms * MS / interval:.0%} of the WAL flush interval ({wal_flush_interval}); "
                "a trigger this slow falls behind the WAL unless it runs with run_async"
            )
    return bench.result


def _schedule_times(
    bench: _Bench, at: str | int | None, schedule: str | None, start: str | int | None, until: str | int | None
) -> list[int]:
    if at is not None:
        return [parse_time(at)]
    if schedule is None:
        return [bench.clock.now_ns()]
    text = schedule if schedule.startswith(("every:", "cron:")) else f"cron:{schedule}"
    spec = parse_trigger_spec(text)
    if spec.plugin_type != SCHEDULE:
        raise ValueError(f"not a schedule: {schedule!r} (expected every:<duration> or cron:<expr>)")
    begin = bench.clock.now_ns() if start is None else parse_time(start)
    if until is None:
        first = schedule_for(spec).first(begin)
        return [] if first is None else [first]
    times = []
    for fire in firings(schedule_for(spec), begin, parse_time(until)):
        times.append(fire)
        if len(times) > MAX_SCHEDULED_CALLS:
            raise ValueError(f"{schedule} fires more than {MAX_SCHEDULED_CALLS} times between {start} and {until}")
    return times


def run_schedule(
    plugin: str | Path,
    *,
    at: str | int | None = None,
    schedule: str | None = None,
    start: str | int | None = None,
    until: str | int | None = None,
    data: Data = None,
    database: str = DEFAULT_DATABASE,
    args: Mapping[str, Any] | str | Path | None = None,
    now: str | int | None = None,
    network: Network | Mapping | Callable | None = None,
    cache: CacheStore | None = None,
    plugin_dir: str | Path | None = None,
    trigger: str = DEFAULT_TRIGGER,
    hide_future: bool = True,
) -> RunResult:
    """Call ``process_scheduled_call`` once at ``at``, or at every firing of ``schedule``.

    ``schedule`` is ``every:<duration>`` or a cron expression (``cron:`` optional); the trigger
    is taken to start at ``start`` (default: the clock's time) and fires as on the server — the
    first firing strictly after the start — up to and including ``until`` (without ``until``:
    once). The clock is set to each firing before its call, and (``hide_future``) queries see
    only rows time-stamped up to it, so a day of captured data can be replayed. Without ``at`` and ``schedule`` the
    plugin is called once at the clock's time (``now``, default: the current second).
    """
    bench = _Bench(
        plugin,
        mode="schedule",
        data=data,
        database=database,
        args=args,
        now=now if now is not None else (at if at is not None else start),
        network=network,
        cache=cache,
        plugin_dir=plugin_dir,
        trigger=trigger,
        hide_future=hide_future,
    )
    times = _schedule_times(bench, at, schedule, start, until)
    bench.result.inputs.update(at=at, schedule=schedule, start=start, until=until, hide_future=hide_future)
    for fire in times:
        bench.clock.set(fire)
        bench.call(
            lambda ctx, f=fire: run_process_scheduled_call(bench.source, ctx, f, bench.args),
            call_time=rfc3339(fire),
        )
    return bench.result


def run_request(
    plugin: str | Path,
    *,
    method: str = "POST",
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: str | bytes = b"",
    data: Data = None,
    database: str = DEFAULT_DATABASE,
    args: Mapping[str, Any] | str | Path | None = None,
    now: str | int | None = None,
    network: Network | Mapping | Callable | None = None,
    cache: CacheStore | None = None,
    plugin_dir: str | Path | None = None,
    trigger: str = DEFAULT_TRIGGER,
) -> RunResult:
    """Call ``process_request`` with a made-up request; the result's ``response`` is what it answers.

    Only ``GET`` and ``POST`` reach request triggers on the server, so only those are accepted.
    """
    if method.upper() not in ("GET", "POST"):
        raise ValueError(f"request triggers answer GET and POST only, not {method!r}")
    bench = _Bench(
        plugin,
        mode="request",
        data=data,
        database=database,
        args=args,
        now=now,
        network=network,
        cache=cache,
        plugin_dir=plugin_dir,
        trigger=trigger,
    )
    params = {str(k): str(v) for k, v in (query or {}).items()}
    sent = request_headers((str(k), str(v)) for k, v in (headers or {}).items())
    payload = body.encode() if isinstance(body, str) else bytes(body)
    bench.result.inputs.update(
        method=method.upper(), query=params, headers=dict(headers or {}), body=payload.decode(errors="replace")
    )
    bench.call(
        lambda ctx: run_process_request(bench.source, ctx, dict(params), dict(sent), payload, bench.args),
    )
    return bench.result
