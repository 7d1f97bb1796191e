"""Processing-engine endpoints: triggers, ``/api/v3/engine/<path>`` and the plugin tests.

* ``POST``/``DELETE /api/v3/configure/processing_engine_trigger`` and ``.../enable``,
  ``.../disable`` manage triggers (reference 1.9: InfluxDB 3's checks, statuses and texts);
* ``GET``/``POST /api/v3/engine/<path>`` hands query parameters, lower-cased headers (without
  ``Authorization``) and the (gunzipped) body to the request trigger for ``<path>``, and answers
  with what the plugin returned; no trigger → 404 with InfluxDB's literal ``{error: "not found"}``;
* ``POST /api/v3/plugin_test/wal`` and ``/schedule`` are InfluxDB 3's dry runs;
  ``POST /api/v3/plugin_test/request`` is ours (see ``docs/compatibility.md``).

The work is done by ``state.engine`` (``server/engine``); this module only reads and answers HTTP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from workbench.plugins.runtime import request_headers
from workbench.protocol import routes
from workbench.server.engine import dryrun
from workbench.server.errors import BadRequest
from workbench.server.http.request import json_field, param_bool, read_body, read_json, require
from workbench.server.http.responses import empty, json_response
from workbench.server.state import ServerState

HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})
NOT_FOUND_BODY = b'{error: "not found"}'


def string_map(value: Any, name: str) -> dict[str, str] | None:
    """An optional JSON object of strings (``trigger_arguments``, ``input_arguments`` ...)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"serde json error: invalid type for `{name}`: expected a map of strings")
    for k, v in value.items():
        if not isinstance(v, str):
            raise BadRequest(f"serde json error: invalid type for `{name}.{k}`: expected a string")
    return dict(value)


# ---------------------------------------------------------------------- triggers


async def create_trigger(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    db = json_field(body, "db", str)
    plugin_filename = json_field(body, "plugin_filename", str)
    name = json_field(body, "trigger_name", str)
    if not name.strip():
        raise BadRequest("trigger name cannot be empty")
    specification = json_field(body, "trigger_specification", str)
    settings = json_field(body, "trigger_settings", dict, required=False, default={})
    state.engine.create_trigger(
        db=db,
        name=name,
        plugin_filename=plugin_filename,
        specification=specification,
        arguments=string_map(body.get("trigger_arguments"), "trigger_arguments"),
        run_async=json_field(settings, "run_async", bool, required=False, default=False),
        error_behavior=json_field(settings, "error_behavior", str, required=False, default="log"),
        disabled=json_field(body, "disabled", bool, required=False, default=False),
    )
    return empty(200)


def _identify(q) -> tuple[str, str]:
    return require(q, "db", "trigger_name")


async def delete_trigger(request: Request, state: ServerState) -> Response:
    if request.url.query:
        q = request.query_params
        db, name = _identify(q)
        force = param_bool(q.get("force"), "force")
    else:
        body = await read_json(request, state.config.max_http_request_size)
        db, name = json_field(body, "db", str), json_field(body, "trigger_name", str)
        force = json_field(body, "force", bool, required=False, default=False)
    await state.engine.delete_trigger(db, name, force=force)
    return empty(200)


async def enable_trigger(request: Request, state: ServerState) -> Response:
    await state.engine.set_enabled(*_identify(request.query_params), enabled=True)
    return empty(200)


async def disable_trigger(request: Request, state: ServerState) -> Response:
    await state.engine.set_enabled(*_identify(request.query_params), enabled=False)
    return empty(200)


# ---------------------------------------------------------------------- request triggers


async def request_trigger(request: Request, state: ServerState) -> Response:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("utf-8", "replace").split("?", 1)[0][len(routes.ENGINE_PREFIX) :]
    params = dict(parse_qsl(request.url.query, keep_blank_values=True))
    body = await read_body(request, state.config.max_http_request_size)
    headers = request_headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw)
    response = await state.engine.request(path, params, headers, body)
    if response is None:
        return Response(NOT_FOUND_BODY, status_code=404)
    status = response.status if 100 <= response.status <= 999 else 500
    headers = {k: v for k, v in response.headers if k.lower() not in HOP_BY_HOP}
    body = b"" if status < 200 or status in (204, 304) else response.body  # these statuses carry no body
    return Response(body, status_code=status, headers=headers)


# ---------------------------------------------------------------------- plugin tests


def _test_request(body: Any, *, lp: bool = False) -> dict[str, Any]:
    req = {
        "filename": json_field(body, "filename", str),
        "database": json_field(body, "database", str),
        "cache_name": json_field(body, "cache_name", str, required=False),
        "input_arguments": string_map(body.get("input_arguments"), "input_arguments"),
    }
    if lp:
        req["input_lp"] = json_field(body, "input_lp", str)
    return req


async def test_wal(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    return json_response(await dryrun.wal(state.engine, _test_request(body, lp=True)))


async def test_schedule(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    req = _test_request(body)
    req["schedule"] = json_field(body, "schedule", str, required=False)
    return json_response(await dryrun.schedule(state.engine, req))


async def test_request(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    req = _test_request(body)
    text = json_field(body, "body", str, required=False, default="")
    method = json_field(body, "method", str, required=False, default="POST" if text else "GET").upper()
    if method not in ("GET", "POST"):
        raise BadRequest(f"invalid method {method}: request triggers are called with GET or POST")
    path = json_field(body, "path", str, required=False, default="")
    params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    params.update(string_map(body.get("query_parameters"), "query_parameters") or {})
    headers = request_headers((string_map(body.get("headers"), "headers") or {}).items())
    return json_response(await dryrun.request(state.engine, req, params, headers, text.encode()))


ROUTES = [
    ("POST", routes.CONFIGURE_TRIGGER, create_trigger),
    ("DELETE", routes.CONFIGURE_TRIGGER, delete_trigger),
    ("POST", routes.CONFIGURE_TRIGGER_ENABLE, enable_trigger),
    ("POST", routes.CONFIGURE_TRIGGER_DISABLE, disable_trigger),
    ("POST", routes.PLUGIN_TEST_WAL, test_wal),
    ("POST", routes.PLUGIN_TEST_SCHEDULE, test_schedule),
    ("POST", routes.PLUGIN_TEST_REQUEST, test_request),
]
PREFIX_ROUTES = [(routes.ENGINE_PREFIX, {"GET", "POST"}, request_trigger)]
