"""Token management: the operator (``_admin``) token, named admin tokens, regeneration, deletion.

Tokens are ``apiv3_`` + URL-safe base64 of 64 random bytes; only their SHA-512 is stored. The
plaintext is returned once, in the creation response. With ``--without-auth`` every token
endpoint answers 405 (reference section 6.3).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

import orjson
from starlette.requests import Request
from starlette.responses import Response

from workbench.protocol import routes
from workbench.server.catalog.catalog import OPERATOR_TOKEN_NAME
from workbench.server.catalog.model import TokenDef
from workbench.server.errors import AlreadyExists, BadRequest, MethodNotAllowed
from workbench.server.http.request import json_field, read_json, require
from workbench.server.http.responses import empty
from workbench.server.state import ServerState


def new_token() -> str:
    return "apiv3_" + base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()


def _rfc3339_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def token_response(tok: TokenDef, token: str) -> Response:
    body = {
        "id": tok.id,
        "name": tok.name,
        "token": token,
        "hash": tok.hash,
        "created_at": _rfc3339_ms(tok.created_at_ms),
        "expiry": _rfc3339_ms(tok.expiry_ms),
    }
    # InfluxDB 3 sends the literal content type "json" here.
    return Response(orjson.dumps(body), status_code=201, headers={"content-type": "json"})


def _guard(state: ServerState) -> None:
    if state.config.without_auth:
        raise MethodNotAllowed("endpoint disabled, started without auth")


async def create_admin(request: Request, state: ServerState) -> Response:
    _guard(state)
    if OPERATOR_TOKEN_NAME in state.catalog.tokens:
        raise AlreadyExists(f"token name already exists, {OPERATOR_TOKEN_NAME}")
    token = new_token()
    return token_response(state.catalog.create_token(OPERATOR_TOKEN_NAME, token), token)


async def regenerate_admin(request: Request, state: ServerState) -> Response:
    _guard(state)
    token = new_token()
    caller = request.scope.get("workbench.token")
    tok = state.catalog.regenerate_operator_token(token, caller.id if caller else None)
    return token_response(tok, token)


async def create_named_admin(request: Request, state: ServerState) -> Response:
    _guard(state)
    body = await read_json(request, state.config.max_http_request_size)
    name = json_field(body, "token_name", str)
    if not name:
        raise BadRequest("token name cannot be empty")
    expiry_secs = json_field(body, "expiry_secs", int, required=False)
    expiry_ms = None
    if expiry_secs is not None:
        if expiry_secs <= 0:
            raise BadRequest("expiry_secs must be a positive number of seconds")
        expiry_ms = state.clock.now_ns() // 1_000_000 + expiry_secs * 1000
    caller = request.scope.get("workbench.token")
    token = new_token()
    tok = state.catalog.create_token(name, token, expiry_ms=expiry_ms, created_by=caller.id if caller else None)
    return token_response(tok, token)


async def delete_token(request: Request, state: ServerState) -> Response:
    _guard(state)
    name = require(request.query_params, "token_name")
    state.catalog.delete_token(name)
    return empty(200)


ROUTES = [
    ("POST", routes.TOKEN_ADMIN, create_admin),
    ("POST", routes.TOKEN_ADMIN_REGENERATE, regenerate_admin),
    ("POST", routes.TOKEN_NAMED_ADMIN, create_named_admin),
    ("DELETE", routes.TOKEN, delete_token),
]
