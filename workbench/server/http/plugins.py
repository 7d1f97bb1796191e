"""Plugin files and packages: ``/api/v3/plugins/{files,directory}`` and ``plugin_environment``.

* ``POST /api/v3/plugins/files`` ``{"plugin_name": <relative path>, "content"}`` writes a file
  into ``--plugin-dir``; ``PUT`` with a *trigger* name overwrites that trigger's file (its
  ``__init__.py`` for a package); ``PUT /api/v3/plugins/directory`` replaces a trigger's package
  with ``files: [{"relative_path", "content"}]``. Path traversal is refused. Running triggers
  pick changes up on their next call.
* ``POST /api/v3/configure/plugin_environment/install_packages`` ``{"packages": [...]}`` and
  ``install_requirements`` ``{"requirements_location"}`` install into the plugin environment
  and answer 200 only if the installer succeeded.

Every valid token may call these (in InfluxDB 3 Core every token is an admin token).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from workbench.protocol import routes
from workbench.server.engine.files import PluginFileError, file_endpoint_error
from workbench.server.http.request import json_field, read_json, string_list
from workbench.server.http.responses import empty
from workbench.server.state import ServerState


async def _files(fn, *args) -> None:
    try:
        await asyncio.to_thread(fn, *args)
    except PluginFileError as exc:
        raise file_endpoint_error(exc) from None


async def create_plugin_file(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    name, content = json_field(body, "plugin_name", str), json_field(body, "content", str)
    await _files(state.engine.files.create, name, content)
    return empty(200)


async def update_plugin_file(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    name, content = json_field(body, "plugin_name", str), json_field(body, "content", str)
    await _files(state.engine.files.update_for_trigger, state.catalog, name, content)
    return empty(200)


async def replace_plugin_directory(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    name = json_field(body, "plugin_name", str)
    files = [
        (json_field(f, "relative_path", str), json_field(f, "content", str)) for f in json_field(body, "files", list)
    ]
    await _files(state.engine.files.replace_directory, state.catalog, name, files)
    return empty(200)


async def install_packages(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    packages = string_list(json_field(body, "packages", list), "packages")
    await state.engine.environment.install_packages(packages)
    return empty(200)


async def install_requirements(request: Request, state: ServerState) -> Response:
    body = await read_json(request, state.config.max_http_request_size)
    location = json_field(body, "requirements_location", str)
    await state.engine.environment.install_requirements(location, state.engine.files.root)
    return empty(200)


ROUTES = [
    ("POST", routes.PLUGIN_FILES, create_plugin_file),
    ("PUT", routes.PLUGIN_FILES, update_plugin_file),
    ("PUT", routes.PLUGIN_DIRECTORY, replace_plugin_directory),
    ("POST", routes.INSTALL_PACKAGES, install_packages),
    ("POST", routes.INSTALL_REQUIREMENTS, install_requirements),
]
