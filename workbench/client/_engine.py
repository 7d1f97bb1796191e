"""The processing engine: triggers, plugin files, packages, dry runs and request-trigger calls.

Routes and bodies follow ``reference/influxdb3-behavior.md`` sections 1.9–1.12 and 2; the
request-plugin dry run (``/api/v3/plugin_test/request``) is this workbench's extension. Dry runs
return the typed results of ``_types.py``; listings (triggers, plugin files) are SQL over
``system.processing_engine_triggers`` and ``_internal``'s ``system.plugin_files``. Nothing here
is retried: running a plugin may have effects outside the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx
import polars as pl

from workbench.client._base import INTERNAL_DATABASE, BaseClient, flag
from workbench.client._transport import TimeoutArg
from workbench.client._types import (
    PluginTestResult,
    RequestTestResult,
    RequestTriggerResponse,
    ScheduleTestResult,
)
from workbench.protocol import routes
from workbench.protocol.line_builder import LineBuilder

__all__: list[str] = []

ERROR_BEHAVIORS = ("log", "retry", "disable")


def trigger_arguments(arguments: Mapping[str, object] | None) -> dict[str, str] | None:
    """Plugin arguments as the ``dict[str, str]`` plugins receive (numbers are turned into text)."""
    if arguments is None:
        return None
    out: dict[str, str] = {}
    for key, value in arguments.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"plugin argument {key!r} must be a str (or a number), got {type(value).__name__}")
        out[str(key)] = str(value)
    return out


def _lp_text(input_lp: str | Iterable[str | LineBuilder]) -> str:
    if isinstance(input_lp, str):
        return input_lp
    return "\n".join(item.build() if isinstance(item, LineBuilder) else item for item in input_lp)


class EngineMixin(BaseClient):
    # -- triggers -------------------------------------------------------------------------------

    def create_trigger(
        self,
        name: str,
        plugin_filename: str,
        specification: str,
        *,
        database: str | None = None,
        arguments: Mapping[str, object] | None = None,
        disabled: bool = False,
        run_async: bool = False,
        error_behavior: str = "log",
    ) -> None:
        """Create a trigger running ``plugin_filename`` (relative to the server's plugin dir).

        ``specification``: ``table:<name>``, ``all_tables``, ``every:<duration>``,
        ``cron:<6-field expr>`` or ``request:<path>``; ``error_behavior``: log, retry or disable.
        """
        if error_behavior not in ERROR_BEHAVIORS:
            raise ValueError(f"error_behavior must be one of {ERROR_BEHAVIORS}, got {error_behavior!r}")
        body = {
            "db": self._db(database),
            "plugin_filename": plugin_filename,
            "trigger_name": name,
            "trigger_specification": specification,
            "trigger_settings": {"run_async": run_async, "error_behavior": error_behavior},
            "trigger_arguments": trigger_arguments(arguments),
            "disabled": disabled,
        }
        self._call("create_trigger", "POST", routes.CONFIGURE_TRIGGER, json=body)

    def delete_trigger(self, name: str, *, database: str | None = None, force: bool = False) -> None:
        """Delete a trigger (an enabled one needs ``force=True``)."""
        params = {"db": self._db(database), "trigger_name": name, "force": flag(force)}
        self._call("delete_trigger", "DELETE", routes.CONFIGURE_TRIGGER, params=params)

    def enable_trigger(self, name: str, *, database: str | None = None) -> None:
        params = {"db": self._db(database), "trigger_name": name}
        self._call("enable_trigger", "POST", routes.CONFIGURE_TRIGGER_ENABLE, params=params)

    def disable_trigger(self, name: str, *, database: str | None = None) -> None:
        params = {"db": self._db(database), "trigger_name": name}
        self._call("disable_trigger", "POST", routes.CONFIGURE_TRIGGER_DISABLE, params=params)

    def list_triggers(self, database: str | None = None) -> pl.DataFrame:
        """``system.processing_engine_triggers`` of a database."""
        return self._sql("list_triggers", "SELECT * FROM system.processing_engine_triggers", database)

    # -- plugin files and packages --------------------------------------------------------------

    def create_plugin_file(self, filename: str, content: str) -> None:
        """Write ``<plugin dir>/<filename>`` on the server (parent directories are created)."""
        body = {"plugin_name": filename, "content": content}
        self._call("create_plugin_file", "POST", routes.PLUGIN_FILES, json=body)

    def update_plugin_file(self, trigger_name: str, content: str) -> None:
        """Replace the plugin file of a trigger (its ``__init__.py`` for a directory plugin)."""
        body = {"plugin_name": trigger_name, "content": content}
        self._call("update_plugin_file", "PUT", routes.PLUGIN_FILES, json=body)

    def update_plugin_directory(self, trigger_name: str, files: Mapping[str, str]) -> None:
        """Atomically replace a trigger's plugin directory with ``{relative_path: content}``."""
        body = {
            "plugin_name": trigger_name,
            "files": [{"relative_path": path, "content": content} for path, content in files.items()],
        }
        self._call("update_plugin_directory", "PUT", routes.PLUGIN_DIRECTORY, json=body)

    def list_plugin_files(self) -> pl.DataFrame:
        """``system.plugin_files`` (in ``_internal``): plugin_name, file_name, file_path, size, mtime."""
        return self._sql("list_plugin_files", "SELECT * FROM system.plugin_files", INTERNAL_DATABASE)

    def install_packages(self, packages: Sequence[str]) -> None:
        """``pip install`` packages into the server's plugin environment."""
        if isinstance(packages, str):
            packages = [packages]
        self._call("install_packages", "POST", routes.INSTALL_PACKAGES, json={"packages": list(packages)})

    def install_requirements(self, requirements_location: str) -> None:
        """``pip install -r`` a requirements file that is on the *server's* filesystem."""
        body = {"requirements_location": requirements_location}
        self._call("install_requirements", "POST", routes.INSTALL_REQUIREMENTS, json=body)

    # -- dry runs -------------------------------------------------------------------------------

    def test_wal_plugin(
        self,
        filename: str,
        input_lp: str | Iterable[str | LineBuilder],
        *,
        database: str | None = None,
        cache_name: str | None = None,
        arguments: Mapping[str, object] | None = None,
    ) -> PluginTestResult:
        """Run a WAL plugin on ``input_lp`` without writing anything; see what it would write."""
        body = {
            "filename": filename,
            "database": self._db(database),
            "input_lp": _lp_text(input_lp),
            "cache_name": cache_name,
            "input_arguments": trigger_arguments(arguments),
        }
        response = self._call("test_wal_plugin", "POST", routes.PLUGIN_TEST_WAL, json=body)
        return PluginTestResult.from_json(response.json())

    def test_schedule_plugin(
        self,
        filename: str,
        *,
        database: str | None = None,
        schedule: str | None = None,
        cache_name: str | None = None,
        arguments: Mapping[str, object] | None = None,
    ) -> ScheduleTestResult:
        """Run a schedule plugin once (``schedule``: a 6-field cron, default every second)."""
        body = {
            "filename": filename,
            "database": self._db(database),
            "schedule": schedule,
            "cache_name": cache_name,
            "input_arguments": trigger_arguments(arguments),
        }
        response = self._call("test_schedule_plugin", "POST", routes.PLUGIN_TEST_SCHEDULE, json=body)
        return ScheduleTestResult.from_json(response.json())

    def test_request_plugin(
        self,
        filename: str,
        *,
        database: str | None = None,
        method: str = "POST",
        path: str = "",
        query_parameters: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: str | bytes = "",
        cache_name: str | None = None,
        arguments: Mapping[str, object] | None = None,
    ) -> RequestTestResult:
        """Run a request plugin on a made-up HTTP request (workbench extension endpoint)."""
        payload = {
            "filename": filename,
            "database": self._db(database),
            "method": method,
            "path": path,
            "query_parameters": dict(query_parameters or {}),
            "headers": dict(headers or {}),
            "body": body.decode("utf-8") if isinstance(body, bytes) else body,
            "cache_name": cache_name,
            "input_arguments": trigger_arguments(arguments),
        }
        response = self._call("test_request_plugin", "POST", routes.PLUGIN_TEST_REQUEST, json=payload)
        return RequestTestResult.from_json(response.json())

    # -- request triggers -----------------------------------------------------------------------

    def call_request_trigger(
        self,
        path: str,
        *,
        method: str = "POST",
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> RequestTriggerResponse:
        """Call the request trigger registered as ``request:<path>`` (GET or POST).

        A status >= 400 raises the mapped :class:`APIError` unless ``raise_for_status=False``,
        in which case the plugin's response is returned whatever its status.
        """
        if method.upper() not in ("GET", "POST"):
            raise ValueError(f"request triggers answer GET and POST only, not {method!r}")
        response = self._transport.request(
            "call_request_trigger",
            method.upper(),
            routes.engine_path(path),
            params=params,
            json=json,
            content=content,
            headers=headers,
            idempotent=False,
            raise_for_status=raise_for_status,
            timeout=timeout,
        )
        return RequestTriggerResponse.from_response(response)
