"""Processing-engine plugins outside InfluxDB: the shared runtime and the offline test bench.

``workbench.plugins.runtime`` is the plugin runtime shared by the embedded server
(``workbench.server.engine`` hosts it against the real catalog, WAL and query engine) and by the
bench; it depends only on the standard library and ``workbench.protocol``.

The rest of the package is the **plugin test bench** (docs/plugin-bench.md): run a plugin's WAL,
schedule and request entry points without a server (``bench``), on data captured from a server
or given as line protocol (``data``, queried with DataFusion by ``sql``, writes checked by
``schema``), on a fake clock (``clock``), with the network denied or stubbed (``network``) and
every query, write, cache operation and log line traced (``trace``); lint plugin metadata
(``lint``, arguments by ``args``); save runs as golden files and export them as pytest tests
(``golden``); run the same plugin on a live server's dry-run endpoints (``live``) and compare
(``diff``). ``workbench plugin ...`` is ``cli``. The names below are imported lazily, so importing
this package (or the runtime) loads neither DataFusion nor the client.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "run_wal": "bench",
    "run_schedule": "bench",
    "run_request": "bench",
    "RunResult": "bench",
    "Dataset": "data",
    "take_snapshot": "data",
    "FakeClock": "clock",
    "parse_time": "clock",
    "Network": "network",
    "StubResponse": "network",
    "HttpCall": "network",
    "NetworkDenied": "network",
    "lint": "lint",
    "parse_metadata": "lint",
    "LintReport": "lint",
    "PluginMetadata": "lint",
    "load_args": "args",
    "save_golden": "golden",
    "replay_golden": "golden",
    "check_golden": "golden",
    "export_pytest": "golden",
    "GoldenCheck": "golden",
    "run_live": "live",
    "compare": "diff",
    "Comparison": "diff",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
