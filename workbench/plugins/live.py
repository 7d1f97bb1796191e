"""The same run against a live server, through its dry-run endpoints (``workbench.client``).

``run_live`` uploads the plugin (``POST /api/v3/plugins/files``; a package file by file) under
``bench/`` in the server's plugin directory and calls ``/api/v3/plugin_test/{wal,schedule,
request}``: the server runs it once against its real catalog and data and writes nothing. The
answer is shaped like an offline run's ``--json`` object (``writes``, ``logs``, ``errors``,
``response``, ``runs``), so ``diff.compare`` can put the two side by side.

What the server's dry runs do differently from the bench: a WAL run's input lines are not
queryable during the call; a schedule run fires once, at the next firing of the schedule after
the server's own time (``--at`` cannot be reproduced); errors are one-line texts (the client's
result types carry no traceback), and a request run's result has no writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.plugins.args import load_args
from workbench.plugins.runtime.calls import REQUEST_CALL_FAILED
from workbench.plugins.runtime.dryrun import EXECUTING
from workbench.plugins.runtime.loader import package_files

if TYPE_CHECKING:
    from workbench.client import Client

UPLOAD_DIR = "bench"


def upload(client: Client, plugin: str | Path) -> str:
    """Copy a plugin file or package into the server's plugin directory; its name there."""
    path = Path(plugin).resolve()
    name = f"{UPLOAD_DIR}/{path.name}"
    if path.is_dir():
        for file in package_files(path):
            client.create_plugin_file(f"{name}/{file.relative_to(path).as_posix()}", file.read_text())
    else:
        client.create_plugin_file(name, path.read_text())
    return name


def _log(line: str) -> dict[str, Any]:
    level, sep, message = line.partition(": ")
    return {"run": 0, "level": level, "message": message} if sep else {"run": 0, "level": "INFO", "message": line}


def _error(text: str) -> dict[str, Any]:
    if text.startswith(EXECUTING):
        message = text[len(EXECUTING) :]
        kind, _, _ = message.removeprefix(REQUEST_CALL_FAILED).partition(":")
        return {
            "run": 0,
            "kind": "exception",
            "type": kind if kind.isidentifier() else "PluginError",
            "message": message,
        }
    return {"run": 0, "kind": "write", "type": "WriteRejected", "message": text}


def run_live(
    client: Client,
    plugin: str | Path,
    mode: str,
    *,
    lp: str | None = None,
    schedule: str | None = None,
    method: str = "POST",
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: str | bytes = "",
    database: str | None = None,
    args: Mapping[str, Any] | str | Path | None = None,
    cache_name: str | None = None,
) -> dict[str, Any]:
    """Run ``plugin`` once on the server (``mode``: wal, schedule or request), shaped like ``RunResult.to_json``."""
    filename = upload(client, plugin)
    arguments = load_args(args)
    db = database or client.database
    doc: dict[str, Any] = {"plugin": filename, "mode": mode, "database": db, "server": client.host, "response": None}
    if mode == "wal":
        result = client.test_wal_plugin(filename, lp or "", database=db, cache_name=cache_name, arguments=arguments)
        writes, trigger_time = result.database_writes, None
    elif mode == "schedule":
        result = client.test_schedule_plugin(
            filename, database=db, schedule=schedule, cache_name=cache_name, arguments=arguments
        )
        writes = result.database_writes
        trigger_time = None if result.trigger_time is None else result.trigger_time.isoformat()
    elif mode == "request":
        result = client.test_request_plugin(
            filename,
            database=db,
            method=method,
            query_parameters=query,
            headers=headers,
            body=body,
            cache_name=cache_name,
            arguments=arguments,
        )
        writes, trigger_time = {}, None
        doc["response"] = {"status": result.status, "headers": result.headers, "body": result.body}
    else:
        raise ValueError(f"mode must be wal, schedule or request, not {mode!r}")
    errors = [_error(e) for e in result.errors]
    ok = not any(e["kind"] == "exception" for e in errors)
    doc.update(
        ok=ok,
        writes=writes,
        logs=[_log(line) for line in result.log_lines],
        errors=errors,
        runs=[{"index": 0, "time": trigger_time, "call_time": trigger_time, "ok": ok}],
    )
    return doc
