"""Who is calling: parse the ``Authorization`` header (or ``?p=``) and look the token up.

Accepted: ``Bearer <token>``, ``Token <token>``, ``Basic base64(user:token)`` and, on ``/query``
and ``/write``, ``?p=<token>``. A malformed header is a 400 even with ``--without-auth``; a
missing, unknown or expired token is a 401. ``/api/v3/configure/token/admin`` never needs a
token, and ``--disable-authz`` opens ``health``, ``ping`` and ``metrics`` (reference 6.3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from starlette.requests import Request

from workbench.protocol import routes
from workbench.protocol.errors import MALFORMED_AUTH
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import TokenDef
from workbench.server.clock import Clock
from workbench.server.config import ServerConfig
from workbench.server.errors import BadRequest, Unauthenticated

ALWAYS_OPEN = frozenset({routes.TOKEN_ADMIN})
AUTHZ_RESOURCES = {
    "health": frozenset({routes.HEALTH, routes.HEALTH_V1}),
    "ping": frozenset({routes.PING}),
    "metrics": frozenset({routes.METRICS}),
}
P_PARAM_PATHS = frozenset({routes.QUERY_V1, routes.WRITE_V1})


def token_from_header(header: str) -> str:
    parts = header.split(" ")
    if len(parts) != 2 or not parts[1]:
        raise BadRequest(MALFORMED_AUTH)
    scheme, value = parts
    if scheme in ("Bearer", "Token"):
        return value
    if scheme == "Basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(MALFORMED_AUTH) from None
        _user, sep, token = decoded.partition(":")
        if not sep:
            raise BadRequest(MALFORMED_AUTH)
        return token
    raise BadRequest(MALFORMED_AUTH)


class Authenticator:
    def __init__(self, config: ServerConfig, catalog: Catalog, clock: Clock):
        self.without_auth = config.without_auth
        self.open_paths = set(ALWAYS_OPEN)
        for resource in config.disable_authz:
            self.open_paths |= AUTHZ_RESOURCES[resource]
        self.catalog = catalog
        self.clock = clock

    def authenticate(self, request: Request) -> TokenDef | None:
        header = request.headers.get("authorization")
        token = token_from_header(header) if header is not None else None
        path = request.url.path
        if self.without_auth or path in self.open_paths:
            return None
        if token is None and path in P_PARAM_PATHS:
            token = request.query_params.get("p")
        return self.check(token)

    def authenticate_header(self, header: str | None) -> TokenDef | None:
        """The caller of a request that carries only an ``Authorization`` header (Flight calls)."""
        token = token_from_header(header) if header is not None else None
        return None if self.without_auth else self.check(token)

    def check(self, token: str | None) -> TokenDef:
        if not token:
            raise Unauthenticated()
        found = self.catalog.token_by_hash(hashlib.sha512(token.encode()).hexdigest())
        if found is None:
            raise Unauthenticated()
        if found.expiry_ms is not None and found.expiry_ms <= self.clock.now_ns() // 1_000_000:
            raise Unauthenticated()
        return found
