"""Golden runs: a run's inputs and outputs saved as JSON, replayed later, exported as pytest tests.

``save_golden(result, path)`` writes one file::

    {"format": "workbench-plugin-golden/1", "name": ..., "plugin": "<path relative to this file>",
     "inputs": {mode, database, args, now, data, stubs, ... the mode's own inputs},
     "expected": {ok, writes, logs, errors, queries, cache, network, response, runs}}

``expected`` is the run's ``--json`` object normalised for comparison: durations, traceback
text and absolute paths are left out (files become base names), so a golden file is stable
across machines and checkouts. Data sources (snapshot directories) and the plugin are stored
relative to the golden file, inline line protocol as text; network stubs must be data (a
``StubResponse``, JSON or text), not callables.

``replay_golden(path)`` runs the same inputs again and compares; ``check_golden`` raises
``AssertionError`` with a readable diff; ``export_pytest(goldens, out)`` writes a test module
that calls ``check_golden`` for each file (paths relative to the module, so it runs from any
checkout with plain ``pytest``).
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.plugins.bench import DEFAULT_TRIGGER, WAL_FLUSH_INTERVAL, RunResult, run_request, run_schedule, run_wal
from workbench.plugins.data import Dataset
from workbench.plugins.network import StubResponse
from workbench.plugins.runtime.calls import FINISHED_DURATION

GOLDEN_FORMAT = "workbench-plugin-golden/1"
_COMPARED = ("ok", "writes", "logs", "errors", "queries", "cache", "network", "response", "runs")


def _relative(path: str | Path, base: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()


def _stub_to_json(stub: Any) -> dict[str, Any]:
    if isinstance(stub, StubResponse):
        body = stub.body.decode() if isinstance(stub.body, bytes) else stub.body
        return {"status": stub.status, "headers": dict(stub.headers), "body": body}
    if isinstance(stub, (dict, list, str)):
        return {"status": 200, "headers": {}, "body": stub}
    raise ValueError(f"a golden run needs network stubs that are data, not {type(stub).__name__}")


def _short_where(where: str | None) -> str | None:
    """``/abs/path/plugin.py:12`` → ``plugin.py:12``."""
    if where is None:
        return None
    file, _, line = where.rpartition(":")
    return f"{Path(file).name}:{line}"


def normalise(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a run's JSON a golden file compares (stable across machines and timings)."""

    home = str(Path(doc["plugin"]).parent) + os.sep

    def base(path: str | None) -> str | None:
        return None if path is None else Path(path).name

    def text(value: Any) -> Any:
        return value.replace(home, "") if isinstance(value, str) else value

    out: dict[str, Any] = {
        "ok": doc["ok"],
        "writes": doc["writes"],
        "logs": [
            {**log, "message": FINISHED_DURATION.sub(r"\1<duration>", text(log["message"]))} for log in doc["logs"]
        ],
        "errors": [
            {k: (base(v) if k == "file" else text(v)) for k, v in e.items() if k != "traceback"} for e in doc["errors"]
        ],
        "queries": [{k: v for k, v in q.items() if k != "ms"} for q in doc["queries"]],
        "cache": doc["cache"],
        "network": [{**n, "where": _short_where(n["where"])} for n in doc["network"]],
        "response": doc["response"],
        "runs": [{k: v for k, v in r.items() if k != "duration_ms"} for r in doc["runs"]],
    }
    return out


def save_golden(result: RunResult, path: str | Path, *, name: str | None = None) -> Path:
    """Save a run (its inputs and normalised outputs) as a golden file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    base = target.parent
    inputs = dict(result.inputs)
    inputs["data"] = [
        {"snapshot": _relative(s["snapshot"], base)} if "snapshot" in s else dict(s) for s in inputs.get("data", [])
    ]
    if inputs.get("plugin_dir"):
        inputs["plugin_dir"] = _relative(inputs["plugin_dir"], base)
    stubs = inputs.get("stubs")
    if stubs is not None:
        if not isinstance(stubs, Mapping):
            raise ValueError("a golden run needs network stubs that are data (a mapping), not a callable")
        inputs["stubs"] = {pattern: _stub_to_json(stub) for pattern, stub in stubs.items()}
    doc = {
        "format": GOLDEN_FORMAT,
        "name": name or target.stem,
        "plugin": _relative(result.plugin, base),
        "inputs": inputs,
        "expected": normalise(result.to_json()),
    }
    target.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    return target


def _dataset(sources: Iterable[Mapping[str, Any]], base: Path) -> Dataset:
    dataset = Dataset()
    for source in sources:
        if "snapshot" in source:
            dataset.add_snapshot(base / source["snapshot"])
        else:
            dataset.add_lp(source["lp"], source["database"], now_ns=source.get("now_ns"))
    return dataset


def replay(path: str | Path) -> tuple[dict[str, Any], RunResult]:
    """Run a golden file's inputs again: ``(the golden document, the new result)``."""
    golden = Path(path)
    doc = json.loads(golden.read_text())
    if doc.get("format") != GOLDEN_FORMAT:
        raise ValueError(f"{golden} is not a plugin-bench golden file (format {doc.get('format')!r})")
    base = golden.parent
    inputs = doc["inputs"]
    stubs = inputs.get("stubs")
    common: dict[str, Any] = {
        "data": _dataset(inputs.get("data", []), base),
        "database": inputs["database"],
        "args": inputs.get("args"),
        "now": inputs["now"],
        "network": None if stubs is None else {p: StubResponse(**s) for p, s in stubs.items()},
        "plugin_dir": None if not inputs.get("plugin_dir") else base / inputs["plugin_dir"],
        "trigger": inputs.get("trigger", DEFAULT_TRIGGER),
    }
    plugin = base / doc["plugin"]
    mode = inputs["mode"]
    if mode == "wal":
        result = run_wal(
            plugin,
            flushes=inputs["flushes"],
            table=inputs.get("table"),
            wal_flush_interval=inputs.get("wal_flush_interval", WAL_FLUSH_INTERVAL),
            **common,
        )
    elif mode == "schedule":
        result = run_schedule(
            plugin,
            at=inputs.get("at"),
            schedule=inputs.get("schedule"),
            start=inputs.get("start"),
            until=inputs.get("until"),
            hide_future=inputs.get("hide_future", True),
            **common,
        )
    else:
        result = run_request(
            plugin,
            method=inputs.get("method", "POST"),
            query=inputs.get("query"),
            headers=inputs.get("headers"),
            body=inputs.get("body", ""),
            **common,
        )
    return doc, result


@dataclass
class GoldenCheck:
    path: Path
    result: RunResult
    diff: str

    @property
    def ok(self) -> bool:
        return not self.diff


def _dump(value: Any) -> list[str]:
    return json.dumps(value, indent=1, sort_keys=True, default=str).splitlines()


def diff_outputs(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    """A unified diff, section by section, of two normalised outputs ('' when equal)."""
    parts = []
    for key in _COMPARED:
        if expected.get(key) != actual.get(key):
            lines = difflib.unified_diff(
                _dump(expected.get(key)), _dump(actual.get(key)), f"expected {key}", f"actual {key}", lineterm=""
            )
            parts.append("\n".join(lines))
    return "\n".join(parts)


def replay_golden(path: str | Path) -> GoldenCheck:
    doc, result = replay(path)
    return GoldenCheck(Path(path), result, diff_outputs(doc["expected"], normalise(result.to_json())))


def check_golden(path: str | Path) -> None:
    """Replay a golden file; ``AssertionError`` with the differences if the plugin behaves differently."""
    check = replay_golden(path)
    if not check.ok:
        raise AssertionError(f"plugin run differs from golden file {check.path}:\n{check.diff}")


def golden_files(location: str | Path) -> list[Path]:
    """A golden file, or every ``*.json`` golden file under a directory (sorted)."""
    root = Path(location)
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*.json")):
        try:
            if json.loads(path.read_text()).get("format") == GOLDEN_FORMAT:
                found.append(path)
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            continue
    return found


_TEST_MODULE = '''"""Golden plugin runs, replayed offline.

Exported by ``workbench plugin export`` (see docs/plugin-bench.md): each golden file holds a run's
inputs and outputs; the test runs the plugin again and fails if it behaves differently.
"""

from pathlib import Path

import pytest

from workbench.plugins import check_golden

HERE = Path(__file__).resolve().parent
GOLDEN = [{paths}]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_run(path):
    check_golden(path)
'''


def export_pytest(goldens: str | Path | Iterable[str | Path], out: str | Path) -> Path:
    """Write a pytest module replaying golden files (a file, a directory of them, or a list)."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    sources = [goldens] if isinstance(goldens, (str, Path)) else list(goldens)
    files = [f for s in sources for f in golden_files(s)]
    if not files:
        raise ValueError(f"no golden files in {', '.join(map(str, sources))}")
    paths = ", ".join(f'HERE / "{_relative(f, target.parent)}"' for f in files)
    target.write_text(_TEST_MODULE.format(paths=paths))
    return target
