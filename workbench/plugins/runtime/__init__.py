"""The InfluxDB 3 plugin runtime: everything needed to run a plugin, with no database attached.

Hosts supply a ``PluginHost`` (queries and synchronous writes), a log sink and a ``CacheStore``;
the runtime supplies ``influxdb3_local`` (``api``), the cache with TTLs and namespaces
(``cache``), loading single-file and package plugins with reloads (``loader``), calling the
entry points with InfluxDB 3's signatures and framing log lines (``calls``), the request
return-value mapping (``response``), dry-run capture and shaping (``dryrun``), the trigger grammar
and schedule stepping (``spec``, ``cron``) and the ``table_batches`` rules (``batches``). Failures come
back as ``PluginFailure`` values with a traceback naming the plugin's own file and line.

Only the standard library and ``workbench.protocol`` are imported here (a test enforces it).
"""

from workbench.plugins.runtime.api import CallContext, InfluxDB3Local, PluginHost
from workbench.plugins.runtime.cache import GLOBAL_NAMESPACE, CacheStore, PluginCache, trigger_namespace
from workbench.plugins.runtime.calls import (
    CallOutcome,
    request_headers,
    run_process_request,
    run_process_scheduled_call,
    run_process_writes,
)
from workbench.plugins.runtime.dryrun import DryRun, failed_report
from workbench.plugins.runtime.errors import PluginCancelled, PluginFailure, QueryError
from workbench.plugins.runtime.loader import PluginSource
from workbench.plugins.runtime.response import HttpResponse

__all__ = [
    "GLOBAL_NAMESPACE",
    "CacheStore",
    "CallContext",
    "CallOutcome",
    "DryRun",
    "HttpResponse",
    "InfluxDB3Local",
    "PluginCache",
    "PluginCancelled",
    "PluginFailure",
    "PluginHost",
    "PluginSource",
    "QueryError",
    "failed_report",
    "request_headers",
    "run_process_request",
    "run_process_scheduled_call",
    "run_process_writes",
    "trigger_namespace",
]
