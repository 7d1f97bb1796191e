"""``/api/v3/plugin_test/{wal,schedule,request}``: run a plugin once against the real server, write nothing.

Queries run against the real catalog and data; writes are captured and then validated against
a throw-away copy of the catalog (parse errors, type conflicts, bad database names), so the
answer shows what production would have written and what it would have refused. The WAL test
parses ``input_lp`` the same way (nanosecond precision, a throw-away catalog copy, so the target
database need not exist). Calls are bounded by ``--plugin-timeout`` like trigger calls. Package
plugins are imported as packages (InfluxDB 3 runs only their ``__init__.py`` source here).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from workbench.plugins.runtime import (
    DryRun,
    PluginSource,
    failed_report,
    run_process_request,
    run_process_scheduled_call,
    run_process_writes,
)
from workbench.plugins.runtime.cron import CronError
from workbench.plugins.runtime.spec import SpecError, next_fire
from workbench.protocol.errors import WriteLineError
from workbench.protocol.precision import Precision
from workbench.protocol.timestamps import rfc3339
from workbench.server.catalog.catalog import INTERNAL_DB, Catalog
from workbench.server.catalog.names import validate_db_name
from workbench.server.engine.files import PluginFileError, plugin_error
from workbench.server.engine.host import describe_write_error, table_batches
from workbench.server.engine.manager import ProcessingEngine
from workbench.server.errors import InvalidName, ServerError
from workbench.server.write.lp_batch import parse_body
from workbench.server.write.validate import AbortWrite, ValidatedWrite, validate

DEFAULT_SCHEDULE = "* * * * * *"


def _debug_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _validate(catalog: Catalog, db: str, text: str, now_ns: int) -> ValidatedWrite:
    """Check line protocol as a plugin write would be (all-or-nothing, nanoseconds) on ``catalog``."""
    return validate(parse_body(text), catalog, db, precision=Precision.NANOSECOND, now_ns=now_ns, accept_partial=False)


def _write_line_error(e: WriteLineError) -> str:
    """A ``WriteLineError`` as Rust's ``Debug`` prints it (InfluxDB's dry-run error text)."""
    return (
        f"WriteLineError {{ original_line: {_debug_str(e.original_line)}, line_number: {e.line_number}, "
        f"error_message: {_debug_str(e.error_message)} }}"
    )


def validator(engine: ProcessingEngine):
    """Validate captured writes against a throw-away catalog copy; the errors InfluxDB 3 reports."""

    def check(writes: dict[str, list[str]]) -> list[str]:
        errors: list[str] = []
        catalog = engine.catalog.detached_copy()
        for db, lines in writes.items():
            try:
                validate_db_name(db)
            except InvalidName as exc:
                errors.append(f"database name {db} is invalid: {exc.message}")
                continue
            if db == INTERNAL_DB:
                errors.append(f"Failed to validate output lines to db {db}: cannot write to internal db")
                continue
            try:
                _validate(catalog, db, "\n".join(lines), engine.clock.now_ns())
            except AbortWrite as exc:
                errors.append(f"line protocol parse error on write to db {db}: {_write_line_error(exc.error)}")
            except ServerError as exc:
                errors.append(f"Failed to validate output lines to db {db}: {exc.message}")
        return errors

    return check


def _source(engine: ProcessingEngine, filename: str) -> PluginSource:
    try:
        return engine.files.source(filename)
    except PluginFileError as exc:
        raise plugin_error(exc) from None


def _dry_run(engine: ProcessingEngine, body: dict[str, Any]) -> DryRun:
    assert engine.host is not None
    return DryRun(body["database"], engine.host.query, engine.cache, body.get("cache_name"))


async def wal(engine: ProcessingEngine, body: dict[str, Any]) -> dict[str, Any]:
    source = _source(engine, body["filename"])
    db = body["database"]
    try:
        validate_db_name(db)
    except InvalidName:
        return failed_report(f"invalid database {db}")
    catalog = engine.catalog.detached_copy()
    try:
        parsed = await asyncio.to_thread(_validate, catalog, db, body["input_lp"], engine.clock.now_ns())
    except (AbortWrite, ServerError) as exc:
        return failed_report(describe_write_error(exc))
    run = _dry_run(engine, body)
    args = body.get("input_arguments")
    ops = parsed.ops
    outcome = await engine.threads.call(
        lambda ctx: run_process_writes(source, ctx, table_batches(ops, catalog, None), args), run.context, "dry run"
    )
    return await asyncio.to_thread(run.report, outcome, validator(engine))


async def schedule(engine: ProcessingEngine, body: dict[str, Any]) -> dict[str, Any]:
    source = _source(engine, body["filename"])
    if engine.catalog.db(body["database"]) is None:
        return {"trigger_time": None, **failed_report("couldn't find db")}
    text = body.get("schedule") or DEFAULT_SCHEDULE
    try:
        fire = next_fire(text, engine.clock.now_ns())
    except CronError as exc:
        return {"trigger_time": None, **failed_report(f"invalid cron syntax: {exc}")}
    except SpecError as exc:
        return {"trigger_time": None, **failed_report(exc.message)}
    if fire is None:
        return {"trigger_time": None, **failed_report(f"cron schedule never triggers: {text}")}
    run = _dry_run(engine, body)
    args = body.get("input_arguments")
    outcome = await engine.threads.call(
        lambda ctx: run_process_scheduled_call(source, ctx, fire, args), run.context, "dry run"
    )
    report = await asyncio.to_thread(run.report, outcome, validator(engine))
    return {"trigger_time": rfc3339(fire) if outcome.ok else None, **report}


async def request(
    engine: ProcessingEngine,
    body: dict[str, Any],
    query_parameters: dict[str, str],
    headers: dict[str, str],
    request_body: bytes,
) -> dict[str, Any]:
    """Our extension: a request plugin called as ``/api/v3/engine/<path>`` would call it."""
    source = _source(engine, body["filename"])
    if engine.catalog.db(body["database"]) is None:
        return {**failed_report("couldn't find db"), **_no_response()}
    run = _dry_run(engine, body)
    args = body.get("input_arguments")
    outcome = await engine.threads.call(
        lambda ctx: run_process_request(source, ctx, query_parameters, headers, request_body, args),
        run.context,
        "dry run",
    )
    return await asyncio.to_thread(run.request_report, outcome, validator(engine))


def _no_response() -> dict[str, Any]:
    return {"status": None, "headers": {}, "body": None}
