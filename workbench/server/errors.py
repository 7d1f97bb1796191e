"""The server's exception tree: each error knows its HTTP status and body shape.

Domain code raises these; ``http/app``'s single exception handler renders them. InfluxDB 3
answers some errors with a JSON ``{"error": ...}`` body and many with the bare message as plain
text; ``json_body`` says which, so clients matching on bodies see InfluxDB's shapes.
"""

from __future__ import annotations


class ServerError(Exception):
    """Base class: ``status`` and whether the body is ``{"error": msg}`` (else plain text)."""

    status = 500
    json_body = False

    def __init__(self, message: str, *, status: int | None = None, json_body: bool | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if json_body is not None:
            self.json_body = json_body


class BadRequest(ServerError):
    status = 400


class InvalidName(BadRequest):
    """A database or table name that fails InfluxDB's name rules (JSON body)."""

    json_body = True


class NotFound(ServerError):
    status = 404


class AlreadyExists(ServerError):
    status = 409

    def __init__(self, message: str = "attempted to create a resource that already exists"):
        super().__init__(message)


class AlreadyDeleted(ServerError):
    status = 409

    def __init__(self, name: str):
        super().__init__(f"attempted to modify resource that was already deleted: {name}")


class LimitExceeded(ServerError):
    """A schema limit (databases, tables, columns): 422 with a JSON body."""

    status = 422
    json_body = True


class MethodNotAllowed(ServerError):
    status = 405


class PayloadTooLarge(ServerError):
    status = 413


class UnsupportedMediaType(ServerError):
    status = 415


class Unauthenticated(ServerError):
    status = 401
    json_body = True

    def __init__(self, message: str = "the request was not authenticated"):
        super().__init__(message)


class InternalError(ServerError):
    status = 500
