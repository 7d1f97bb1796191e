"""``workbench plugin ...``: run, snapshot, lint, test and export, for people and for CI.

``workbench.cli`` hands the arguments after ``plugin`` to ``main``. Each subcommand maps onto
the public functions of ``workbench.plugins``:

* ``run PLUGIN --wal|--schedule|--request ...`` → ``run_wal``/``run_schedule``/``run_request``
  (or, with ``--server``, ``run_live``; with ``--compare``, both and ``compare``); ``--json``
  prints the run's JSON object, ``--save`` writes a golden file. Exit 0 when the plugin ran
  without an exception, 1 otherwise (``--strict``: also on refused writes and unstubbed network
  attempts);
* ``snapshot --host URL --database DB OUT`` → ``take_snapshot``;
* ``lint PLUGIN`` → ``lint`` (exit 1 on errors);
* ``test GOLDEN_DIR`` → ``replay_golden`` for each golden file (exit 1 on a difference);
* ``export GOLDEN... --out FILE`` → ``export_pytest``.

Usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ENV_HOST = "INFLUX_HOST"
ENV_TOKEN = "INFLUX_TOKEN"


class UsageError(Exception):
    pass


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{what} must be KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def _stubs(args: argparse.Namespace) -> dict[str, Any] | None:
    from workbench.plugins.network import StubResponse  # (lazy, as the CLI's other imports)

    stubs: dict[str, Any] = {}
    if args.stubs:
        for pattern, value in json.loads(Path(args.stubs).read_text()).items():
            stubs[pattern] = StubResponse(**value) if isinstance(value, dict) and "body" in value else value
    for item in args.stub or []:
        pattern, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--stub must be PATTERN=BODY, got {item!r}")
        try:
            stubs[pattern] = json.loads(value)
        except json.JSONDecodeError:
            stubs[pattern] = value
    return stubs or None


def _data(args: argparse.Namespace):
    from workbench.plugins.clock import parse_time
    from workbench.plugins.data import Dataset

    if not args.data:
        return None
    dataset = Dataset()
    now = parse_time(args.now) if args.now else None
    for item in args.data:
        path = Path(item)
        if path.is_dir():
            dataset.add_snapshot(path)
        elif path.is_file():
            dataset.add_lp(path.read_text(), args.database, now_ns=now)
        else:
            raise UsageError(f"--data {item}: no such snapshot directory or line-protocol file")
    return dataset


def _lp(args: argparse.Namespace) -> str:
    parts = list(args.lp or [])
    parts += [Path(f).read_text() for f in args.lp_file or []]
    return "\n".join(parts)


def _schedule_spec(args: argparse.Namespace) -> str | None:
    if args.every:
        return f"every:{args.every}"
    if args.cron:
        return f"cron:{args.cron}"
    return args.trigger_spec


def _offline(args: argparse.Namespace):
    from workbench.plugins.bench import run_request, run_schedule, run_wal

    common: dict[str, Any] = {
        "data": _data(args),
        "database": args.database,
        "args": args.args,
        "now": args.now,
        "network": _stubs(args),
        "plugin_dir": args.plugin_dir,
    }
    if args.wal:
        return run_wal(args.plugin, _lp(args), table=args.table, wal_flush_interval=args.wal_flush_interval, **common)
    if args.schedule:
        if (args.every or args.cron) and not args.start and not args.at:
            raise UsageError("--every/--cron need --from (and --until for more than one call)")
        return run_schedule(
            args.plugin,
            at=args.at,
            schedule=_schedule_spec(args),
            start=args.start,
            until=args.until,
            hide_future=not args.show_future,
            **common,
        )
    body = Path(args.body_file).read_bytes() if args.body_file else (args.body or "")
    return run_request(
        args.plugin,
        method=args.method,
        query=_pairs(args.query, "--query"),
        headers=_pairs(args.header, "--header"),
        body=body,
        **common,
    )


def _client(host: str | None, token: str | None, database: str | None):
    from workbench.client import Client

    url = host or os.environ.get(ENV_HOST)
    if not url:
        raise UsageError(f"--server (or {ENV_HOST}) is needed")
    return Client(url, token=token or os.environ.get(ENV_TOKEN), database=database)


def _live(args: argparse.Namespace) -> dict[str, Any]:
    from workbench.plugins.live import run_live

    mode = "wal" if args.wal else "schedule" if args.schedule else "request"
    if args.schedule and (args.at or args.start):
        raise UsageError("a server dry run fires at the schedule's next time: --at/--from cannot be used")
    body = Path(args.body_file).read_text() if args.body_file else (args.body or "")
    with _client(args.server, args.token, args.database) as client:
        return run_live(
            client,
            args.plugin,
            mode,
            lp=_lp(args),
            schedule=_schedule_spec(args),
            method=args.method,
            query=_pairs(args.query, "--query"),
            headers=_pairs(args.header, "--header"),
            body=body,
            database=args.database,
            args=args.args,
        )


def _print_run(doc: dict[str, Any], out) -> None:
    where = doc.get("server", "offline")
    runs = doc["runs"]
    print(f"{doc['plugin']} ({doc['mode']}, {where}): {'ok' if doc['ok'] else 'FAILED'}, {len(runs)} call(s)", file=out)
    for run in runs:
        if len(runs) > 1:
            mark = "ok" if run["ok"] else "FAILED"
            print(f"  run {run['index']} at {run.get('call_time') or run.get('time')}: {mark}", file=out)
    for log in doc["logs"]:
        print(f"  log  [{log['run']}] {log['level']}: {log['message']}", file=out)
    for q in doc.get("queries", []):
        print(f"  sql  [{q['run']}] {q['sql']}  params={q['params']} rows={q['rows']} {q['ms']}ms", file=out)
    for c in doc.get("cache", []):
        detail = ", ".join(f"{k}={v}" for k, v in c.items() if k not in ("run", "op", "key"))
        print(f"  cache[{c['run']}] {c['op']} {c['key']!r} {detail}", file=out)
    for n in doc.get("network", []):
        state = f"stubbed {n['status']}" if n["stubbed"] else "DENIED"
        print(f"  net  [{n['run']}] {n['method'] or ''} {n['target']} {state} at {n['where']}", file=out)
    for db, lines in doc["writes"].items():
        for line in lines:
            print(f"  write {db}: {line}", file=out)
    if doc.get("response"):
        r = doc["response"]
        print(f"  response {r['status']} {r['headers']}\n  {r['body']}", file=out)
    for e in doc["errors"]:
        print(f"  error [{e['run']}] {e['kind']}: {e['message']}", file=out)
        if e.get("traceback"):
            print("    " + e["traceback"].replace("\n", "\n    "), file=out)
    for w in doc.get("warnings", []):
        print(f"  warning: {w}", file=out)
    if "duration_ms" in doc:
        print(f"  total {doc['duration_ms']} ms", file=out)


def _strict_failure(doc: dict[str, Any]) -> bool:
    return any(e["kind"] == "write" for e in doc["errors"]) or any(not n["stubbed"] for n in doc.get("network", []))


def cmd_run(args: argparse.Namespace) -> int:
    if args.compare:
        from workbench.plugins.diff import compare

        offline = _offline(args).to_json()
        server = _live(args)
        comparison = compare(offline, server)
        if args.json:
            print(json.dumps({"offline": offline, "server": server, "diff": comparison.to_json()}, default=str))
        else:
            print(comparison.side_by_side())
        return 0 if comparison.same else 1
    if args.server:
        doc = _live(args)
    else:
        result = _offline(args)
        doc = result.to_json()
        if args.save:
            from workbench.plugins.golden import save_golden

            save_golden(result, args.save)
    if args.json:
        print(json.dumps(doc, default=str))
    else:
        _print_run(doc, sys.stdout)
    failed = not doc["ok"] or (args.strict and _strict_failure(doc))
    return 1 if failed else 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from workbench.plugins.data import take_snapshot

    with _client(args.host, args.token, args.database) as client:
        path = take_snapshot(client, args.database, args.out, tables=args.tables or None, since=args.since)
    manifest = json.loads((path / "snapshot.json").read_text())
    for name, table in manifest["tables"].items():
        print(f"{name}: {table['rows']} rows")
    print(f"snapshot of {args.database} written to {path}")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from workbench.plugins.args import load_args
    from workbench.plugins.lint import lint

    report = lint(args.plugin, load_args(args.args), mode=args.mode)
    print(json.dumps(report.to_json()) if args.json else report.format())
    return 0 if report.ok else 1


def cmd_test(args: argparse.Namespace) -> int:
    from workbench.plugins.golden import golden_files, replay_golden

    files = golden_files(args.golden)
    if not files:
        print(f"no golden files in {args.golden}", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        check = replay_golden(path)
        print(f"{'PASS' if check.ok else 'FAIL'} {path}")
        if not check.ok:
            failed += 1
            print(check.diff)
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.plugins.golden import export_pytest

    print(f"wrote {export_pytest(args.golden, args.out)}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="workbench plugin", description="Develop and dry-run processing-engine plugins."
    )
    sub = root.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a plugin offline (or on a server with --server)")
    run.add_argument("plugin", help="plugin file or package directory")
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument("--wal", action="store_true", help="call process_writes")
    mode.add_argument("--schedule", action="store_true", help="call process_scheduled_call")
    mode.add_argument("--request", action="store_true", help="call process_request")
    run.add_argument("--lp", action="append", help="line protocol of the WAL flush (repeatable)")
    run.add_argument("--lp-file", action="append", help="a file of line protocol for the WAL flush")
    run.add_argument("--table", help="table:<name> trigger filter (default: all_tables)")
    run.add_argument("--wal-flush-interval", default="1s", help="for the slow-plugin warning (default 1s)")
    run.add_argument("--at", help="schedule: one call at this time (ISO 8601)")
    run.add_argument("--every", help="schedule: every:<duration>, e.g. 5m")
    run.add_argument("--cron", help="schedule: a 6-field cron expression")
    run.add_argument("--trigger-spec", help="schedule: a full spec (every:... or cron:...)")
    run.add_argument("--from", dest="start", help="schedule: when the simulated trigger starts")
    run.add_argument("--until", help="schedule: last time to fire (inclusive)")
    run.add_argument("--show-future", action="store_true", help="schedule: let queries see rows after the clock")
    run.add_argument("--method", default="POST", choices=["GET", "POST"], help="request: HTTP method")
    run.add_argument("--query", action="append", metavar="K=V", help="request: query parameter (repeatable)")
    run.add_argument("--header", action="append", metavar="K=V", help="request: header (repeatable)")
    run.add_argument("--body", help="request: body text")
    run.add_argument("--body-file", help="request: body from a file")
    run.add_argument("--data", action="append", help="snapshot directory or line-protocol file (repeatable)")
    run.add_argument("--database", default="db", help="the trigger's database (default: db)")
    run.add_argument("--args", help="trigger arguments: JSON object, or a .json/.toml file")
    run.add_argument("--now", help="the clock's start (ISO 8601; default: now)")
    run.add_argument("--plugin-dir", help="PLUGIN_DIR during the run (default: the plugin's directory)")
    run.add_argument("--stub", action="append", metavar="PATTERN=BODY", help="answer HTTP requests matching PATTERN")
    run.add_argument("--stubs", help="a JSON file of PATTERN → body or {status, headers, body}")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--save", metavar="GOLDEN", help="save the run as a golden file")
    run.add_argument("--strict", action="store_true", help="also fail on refused writes and network attempts")
    run.add_argument("--server", help="run on this server's dry-run endpoints instead (or INFLUX_HOST)")
    run.add_argument("--token", help="token for --server (or INFLUX_TOKEN)")
    run.add_argument("--compare", action="store_true", help="run offline and on --server, show both side by side")
    run.set_defaults(func=cmd_run)

    snap = sub.add_parser("snapshot", help="capture tables of a live server for offline runs")
    snap.add_argument("out", help="snapshot directory to write")
    snap.add_argument("--host", help="server URL (or INFLUX_HOST)")
    snap.add_argument("--token", help="token (or INFLUX_TOKEN)")
    snap.add_argument("--database", required=True)
    snap.add_argument("--tables", nargs="*", help="tables to copy (default: all)")
    snap.add_argument("--since", default="1h", help="only rows this recent (default 1h)")
    snap.set_defaults(func=cmd_snapshot)

    lint = sub.add_parser("lint", help="check a plugin's metadata against its code")
    lint.add_argument("plugin")
    lint.add_argument("--args", help="arguments to check against the metadata (JSON, .json or .toml)")
    lint.add_argument("--mode", choices=["wal", "schedule", "request"], help="which trigger type the args are for")
    lint.add_argument("--json", action="store_true")
    lint.set_defaults(func=cmd_lint)

    test = sub.add_parser("test", help="replay golden runs; exit 1 on a difference")
    test.add_argument("golden", help="a golden file or a directory of them")
    test.set_defaults(func=cmd_test)

    export = sub.add_parser("export", help="write a pytest module replaying golden runs")
    export.add_argument("golden", nargs="+", help="golden files or directories")
    export.add_argument("--out", required=True, help="the test module to write (test_*.py)")
    export.set_defaults(func=cmd_export)
    return root


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ValueError, FileNotFoundError) as exc:
        print(f"workbench plugin {args.command}: {exc}", file=sys.stderr)
        return 2
