"""The processing engine: trigger lifecycle and the routing of WAL, schedule and request events.

``ServerState`` builds one ``ProcessingEngine`` and wires it: it listens to the WAL (not to the
startup replay), registers the ``system`` tables, hears database removals, and is started and
stopped with the server. Data flows:

* WAL flush → ``on_wal_contents`` (on the event loop; only queues) → each WAL trigger of a
  database in the flush gets that database's ops → ``process_writes`` on a plugin thread;
* each schedule trigger runs its own task on the server clock → ``process_scheduled_call``;
* ``/api/v3/engine/<path>`` → ``request`` → the trigger registered for ``request:<path>`` (the
  most recently started one wins, as in InfluxDB 3) → ``process_request``;
* plugin writes → ``host.write_back`` → the writer; plugin logs → ``system.processing_engine_logs``.

``PLUGIN_DIR`` is set to ``--plugin-dir`` for plugins (unless already set): the official plugin
library reads its TOML configuration files from there.

Trigger definitions live in the catalog (``TriggerDef``); this module parses and validates them,
persists changes through the catalog, and starts or stops ``TriggerRunner``s to match.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pyarrow as pa

from workbench.plugins.runtime import CacheStore, HttpResponse
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import DatabaseDef, TriggerDef
from workbench.server.clock import Clock
from workbench.server.config import ServerConfig
from workbench.server.engine.environment import PluginEnvironment, venv_location
from workbench.server.engine.files import PluginFileError, PluginFiles, plugin_error
from workbench.server.engine.host import ServerHost
from workbench.server.engine.logs import EngineLog
from workbench.server.engine.spec import REQUEST, WAL_ROWS, TriggerSpec, parse_trigger_spec
from workbench.server.engine.threads import PluginThreads
from workbench.server.engine.triggers import RequestEvent, TriggerRunner, WalEvent
from workbench.server.errors import BadRequest, ServerError
from workbench.server.query.executor import QueryExecutor
from workbench.server.query.system_tables import SystemTables
from workbench.server.wal.format import WalContents, WriteOp
from workbench.server.write.writer import Writer

log = logging.getLogger(__name__)

ERROR_BEHAVIORS = ("log", "retry", "disable")
PLUGIN_DIR_ENV = "PLUGIN_DIR"
TRIGGERS_SCHEMA = pa.schema(
    [
        pa.field("trigger_name", pa.string(), nullable=False),
        pa.field("plugin_filename", pa.string(), nullable=False),
        pa.field("trigger_specification", pa.string(), nullable=False),
        pa.field("disabled", pa.bool_(), nullable=False),
        pa.field("error_behavior", pa.string(), nullable=False),
    ]
)
ARGUMENTS_SCHEMA = pa.schema(
    [
        pa.field("trigger_name", pa.string(), nullable=False),
        pa.field("argument_key", pa.string(), nullable=False),
        pa.field("argument_value", pa.string(), nullable=False),
    ]
)


class ProcessingEngine:
    def __init__(self, config: ServerConfig, catalog: Catalog, clock: Clock, writer: Writer, executor: QueryExecutor):
        self.config = config
        self.catalog = catalog
        self.clock = clock
        self.writer = writer
        self.executor = executor
        self.files = PluginFiles(config.plugin_dir)
        self.environment = PluginEnvironment(
            venv_location(config.plugin_dir, config.virtual_env_location), config.package_manager
        )
        self.logs = EngineLog(clock)
        self.cache = CacheStore(clock.now_ns)
        self.threads = PluginThreads(config.plugin_timeout, self.logs.record)
        self.runners: dict[tuple[int, str], TriggerRunner] = {}
        self.request_paths: dict[str, TriggerRunner] = {}
        self.host: ServerHost | None = None
        self._background: set[asyncio.Task] = set()
        self._stopping = False
        self._set_plugin_dir_env = False
        self._loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------ wiring

    def register_system_tables(self, tables: SystemTables) -> None:
        tables.register("processing_engine_triggers", self._triggers_table)
        tables.register("processing_engine_trigger_arguments", self._arguments_table)
        tables.register("processing_engine_logs", self.logs.table)
        tables.register("plugin_files", lambda _db: self.files.table(self.catalog), internal_only=True)

    async def start(self) -> None:
        """Start every enabled trigger of every live database (failures are logged, not fatal)."""
        self._loop = asyncio.get_running_loop()
        self.host = ServerHost(self.executor, self.writer, self._loop)
        self.environment.activate()
        if self.files.root is not None and PLUGIN_DIR_ENV not in os.environ:
            os.environ[PLUGIN_DIR_ENV] = str(self.files.root)  # where library plugins look for their TOML
            self._set_plugin_dir_env = True
        for db in self.catalog.active_databases():
            for trigger in list(db.triggers.values()):
                if not trigger.disabled:
                    self._start(db, trigger)

    async def stop(self) -> None:
        self._stopping = True
        if self._set_plugin_dir_env:
            os.environ.pop(PLUGIN_DIR_ENV, None)
        runners = list(self.runners.values())
        self.runners.clear()
        self.request_paths.clear()
        await asyncio.gather(*(r.stop() for r in runners), return_exceptions=True)
        await self.threads.stop()

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ------------------------------------------------------------------ runners

    def _start(self, db: DatabaseDef, trigger: TriggerDef) -> None:
        key = (db.id, trigger.name)
        if key in self.runners or self._stopping:
            return
        try:
            spec = parse_trigger_spec(trigger.specification)
            source = self.files.source(trigger.plugin_filename)
        except PluginFileError as exc:
            self.logs.record(trigger.name, "ERROR", f"failed to start trigger: {plugin_error(exc).message}")
            return
        except ServerError as exc:
            self.logs.record(trigger.name, "ERROR", f"failed to start trigger: {exc.message}")
            return
        runner = TriggerRunner(self, db.id, trigger, spec, source)
        runner.start()
        self.runners[key] = runner
        if spec.plugin_type == REQUEST:
            self.request_paths[spec.value] = runner

    async def _stop(self, db_id: int, name: str) -> None:
        runner = self.runners.pop((db_id, name), None)
        if runner is None:
            return
        path = runner.spec.value
        if self.request_paths.get(path) is runner:
            del self.request_paths[path]
            for other in self.runners.values():  # another trigger serving the same path takes over
                if other.spec.plugin_type == REQUEST and other.spec.value == path:
                    self.request_paths[path] = other
        await runner.stop()

    def disable_after_error(self, runner: TriggerRunner) -> None:
        """``error_behavior: disable``: persist ``disabled`` and stop the trigger (in the background)."""
        runner.stopped = True

        async def disable() -> None:
            db = self.catalog.db_by_id(runner.db_id)
            if db is not None and not db.deleted:
                self.catalog.set_trigger_disabled(db.name, runner.name, True)
            await self._stop(runner.db_id, runner.name)

        self._spawn(disable())

    # ------------------------------------------------------------------ events

    def on_wal_contents(self, contents: WalContents) -> None:
        """A durable flush: hand each WAL trigger its database's ops (never runs plugin code here)."""
        if self._stopping or not self.runners:
            return
        by_db: dict[int, list[WriteOp]] = {}
        for op in contents.ops:
            by_db.setdefault(op.db_id, []).append(op)
        for runner in list(self.runners.values()):
            ops = by_db.get(runner.db_id)
            if ops and runner.spec.plugin_type == WAL_ROWS:
                runner.submit(WalEvent(ops, contents.sequence))

    def on_removed(self, db_id: int, table_id: int | None) -> None:
        """A database was deleted: stop its triggers and drop their caches (callable from any thread)."""
        if table_id is not None or self._loop is None:
            return
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._database_removed(db_id)
        else:  # hard deletes run on worker threads
            self._loop.call_soon_threadsafe(self._database_removed, db_id)

    def _database_removed(self, db_id: int) -> None:
        for key in [k for k in self.runners if k[0] == db_id]:
            self._spawn(self._stop(*key))
        self.cache.drop(lambda ns: isinstance(ns, tuple) and ns[:2] == ("trigger", db_id))

    async def request(
        self, path: str, query_parameters: dict[str, str], headers: dict[str, str], body: bytes
    ) -> HttpResponse | None:
        """The response of the request trigger for ``path`` (None: no trigger serves it)."""
        runner = self.request_paths.get(path)
        if runner is None:
            return None
        event = RequestEvent(query_parameters, headers, body)
        if not runner.submit(event):
            return HttpResponse(503, [("Content-Type", "application/json")], b'{"error":"trigger is busy"}')
        return await event.response

    # ------------------------------------------------------------------ trigger management

    def create_trigger(
        self,
        *,
        db: str,
        name: str,
        plugin_filename: str,
        specification: str,
        arguments: dict[str, str] | None,
        run_async: bool,
        error_behavior: str,
        disabled: bool,
    ) -> TriggerDef:
        """Validate (plugin file, then specification), persist, and start unless disabled."""
        try:
            self.files.source(plugin_filename)
        except PluginFileError as exc:
            raise plugin_error(exc) from None
        spec: TriggerSpec = parse_trigger_spec(specification)
        behavior = error_behavior.lower()
        if behavior not in ERROR_BEHAVIORS:
            raise BadRequest(
                f"serde json error: unknown variant `{error_behavior}`, expected one of `log`, `retry`, `disable`"
            )
        trigger = TriggerDef(
            name=name,
            plugin_filename=plugin_filename,
            database=db,
            specification=spec.string_rep(),
            arguments=arguments,
            run_async=run_async,
            error_behavior=behavior,
            disabled=disabled,
        )
        self.catalog.create_trigger(trigger)
        if not disabled:
            database = self.catalog.db(db)
            if database is not None:
                self._start(database, trigger)
        return trigger

    async def delete_trigger(self, db: str, name: str, *, force: bool) -> None:
        database, _ = self.catalog.delete_trigger(db, name, force=force)
        await self._stop(database.id, name)

    async def set_enabled(self, db: str, name: str, enabled: bool) -> None:
        database, trigger = self.catalog.set_trigger_disabled(db, name, not enabled)
        if enabled:
            self._start(database, trigger)
        else:
            await self._stop(database.id, name)

    # ------------------------------------------------------------------ system tables

    def _triggers_table(self, db_name: str) -> pa.Table:
        db = self.catalog.db(db_name)
        rows = []
        for t in db.triggers.values() if db is not None else []:
            rows.append(
                {
                    "trigger_name": t.name,
                    "plugin_filename": t.plugin_filename,
                    "trigger_specification": parse_trigger_spec(t.specification).system_json(),
                    "disabled": t.disabled,
                    "error_behavior": t.error_behavior,
                }
            )
        return pa.Table.from_pylist(rows, schema=TRIGGERS_SCHEMA)

    def _arguments_table(self, db_name: str) -> pa.Table:
        db = self.catalog.db(db_name)
        rows = []
        for t in db.triggers.values() if db is not None else []:
            for key, value in sorted((t.arguments or {}).items()):
                rows.append({"trigger_name": t.name, "argument_key": key, "argument_value": value})
        return pa.Table.from_pylist(rows, schema=ARGUMENTS_SCHEMA)
