"""Name rules for databases (InfluxDB 3's ``validate_db_name``) with its exact messages."""

from __future__ import annotations

from workbench.server.errors import InvalidName

MAX_DB_NAME_LENGTH = 511


def validate_db_name(name: str) -> None:
    """Raise ``InvalidName`` (400, JSON body) unless ``name`` is a valid database name.

    1–511 ASCII characters; the first a letter or digit; then letters, digits, ``_``, ``-`` and
    at most one ``/`` (separating an InfluxDB 1.x retention policy), which may not be last.
    """
    if not name:
        raise InvalidName("db name cannot be empty")
    if len(name) > MAX_DB_NAME_LENGTH:
        raise InvalidName(f"db name too long: max {MAX_DB_NAME_LENGTH}")
    if not (name[0].isascii() and name[0].isalnum()):
        raise InvalidName("db name did not start with a number or letter")
    slashes = 0
    for i, ch in enumerate(name):
        if ch == "/":
            slashes += 1
            if slashes > 1 or i == len(name) - 1:
                raise InvalidName(
                    "db name with invalid retention policy, if providing a retention policy name, "
                    "must be of form '<db_name>/<rp_name>'"
                )
        elif not (ch.isascii() and (ch.isalnum() or ch in "_-")):
            raise InvalidName(
                "invalid character in database or rp name: must be ASCII, containing only letters, "
                "numbers, underscores, or hyphens"
            )
