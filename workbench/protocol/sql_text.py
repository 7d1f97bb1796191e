"""Quoting for SQL texts built by the client, the server and the plugin bench.

Names go in double quotes and strings in single quotes, the quote doubled inside, as DataFusion
(and so InfluxDB 3) reads them. Values are better sent as ``params``; these are for names and for
the literal arguments of functions such as ``last_cache('table')``.
"""

from __future__ import annotations


def sql_identifier(name: str) -> str:
    """A double-quoted SQL identifier.

    >>> sql_identifier('x"y')
    '"x""y"'
    """
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """A SQL string literal (single quotes doubled).

    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"
