"""``%sql`` / ``%%sql``: run SQL (or InfluxQL) on the current connection from IPython/Jupyter.

``%load_ext workbench`` registers the magics (``workbench.load_ipython_extension`` delegates
here). A cell's text goes through :func:`bind_parameters` — ``{name}`` becomes the placeholder
``$name`` and the value of the Python variable ``name`` is sent as a query parameter, never
pasted into the SQL — then to ``Client.query_sql`` (or ``query_influxql``), and the Polars frame
comes back as the cell's value.

The current connection is the client named with ``-c VAR`` (which then stays current), else
the one made by ``workbench.connect()`` on first use (environment, default profile, or the
embedded server). Options, before the query (``%sql``) or on the ``%%sql`` line::

    -d/--database NAME   database for this query (default: the client's)
    -c/--client VAR      use the Client in variable VAR, from now on
    -o/--out VAR         also store the frame in variable VAR
    --influxql           the text is InfluxQL, not SQL

For example::

    host = "server01"
    %sql SELECT * FROM cpu WHERE host = {host} LIMIT 5

    %%sql -o recent
    SELECT host, avg(usage) FROM cpu WHERE time > now() - INTERVAL '1 hour' GROUP BY host
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, needs_local_scope, no_var_expand

from workbench.client._client import Client
from workbench.client._connect import connect

__all__ = ["SQLMagics", "bind_parameters", "load_ipython_extension"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bind_parameters(query: str, namespace: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Replace ``{name}`` by ``$name`` and collect ``{name: value}`` from ``namespace``.

    Text inside quotes (``'...'``, ``"..."``) and comments is left alone; ``{{`` and ``}}``
    stand for literal braces; ``{`` not followed by ``identifier}`` is kept as it is.

    >>> bind_parameters("SELECT * FROM cpu WHERE host = {h} AND note = '{h}'", {"h": "a"})
    ("SELECT * FROM cpu WHERE host = $h AND note = '{h}'", {'h': 'a'})
    """
    out: list[str] = []
    params: dict[str, Any] = {}
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if query[end] == c:
                    if end + 1 < n and query[end + 1] == c:  # '' or "" inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(query[i : end + 1])
            i = end + 1
        elif query.startswith("--", i):
            end = query.find("\n", i)
            end = n if end < 0 else end
            out.append(query[i:end])
            i = end
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(query[i:end])
            i = end
        elif query.startswith("{{", i) or query.startswith("}}", i):
            out.append(c)
            i += 2
        elif c == "{" and (m := _IDENTIFIER.match(query, i + 1)) and query.startswith("}", m.end()):
            name = m.group(0)
            if name not in namespace:
                raise UsageError(f"{{{name}}} in the query names no Python variable")
            params[name] = namespace[name]
            out.append("$" + name)
            i = m.end() + 1
        else:
            out.append(c)
            i += 1
    return "".join(out), params


@dataclass
class _Options:
    database: str | None = None
    client: str | None = None
    out: str | None = None
    influxql: bool = False


_OPTION = re.compile(r"\s*(-d|--database|-c|--client|-o|--out|--influxql)(?:=|\s+|$)")
_VALUE = re.compile(r"(\S+)\s*")
_DESTS = {
    "-d": "database",
    "--database": "database",
    "-c": "client",
    "--client": "client",
    "-o": "out",
    "--out": "out",
}


def _parse_line(line: str) -> tuple[_Options, str]:
    """Leading options of a magic line, and the rest of the line."""
    options = _Options()
    pos = 0
    while m := _OPTION.match(line, pos):
        flag = m.group(1)
        pos = m.end()
        if flag == "--influxql":
            options.influxql = True
            continue
        value = _VALUE.match(line, pos)
        if value is None:
            raise UsageError(f"option {flag} needs a value")
        setattr(options, _DESTS[flag], value.group(1))
        pos = value.end()
    return options, line[pos:].strip()


@magics_class
class SQLMagics(Magics):
    """The ``%sql`` line and ``%%sql`` cell magic; holds the current connection."""

    def __init__(self, shell=None):
        super().__init__(shell)
        self.client: Client | None = None

    def _client(self, variable: str | None, namespace: Mapping[str, Any]) -> Client:
        if variable is not None:
            candidate = namespace.get(variable)
            if not isinstance(candidate, Client):
                raise UsageError(f"-c {variable}: that variable does not hold a workbench Client")
            self.client = candidate
        if self.client is None:
            self.client = connect()
        return self.client

    @no_var_expand  # IPython would otherwise paste {name} into the text before we see it
    @needs_local_scope
    @line_cell_magic
    def sql(self, line: str, cell: str | None = None, local_ns: Mapping[str, Any] | None = None):
        """Run SQL (or ``--influxql``) on the current connection and return a Polars frame."""
        options, rest = _parse_line(line)
        if cell is not None and rest:
            raise UsageError(f"%%sql takes only options on its first line, got {rest!r}")
        query = (cell if cell is not None else rest).strip()
        if not query:
            raise UsageError("no query given")
        namespace = {**self.shell.user_ns, **(local_ns or {})}
        client = self._client(options.client, namespace)
        text, params = bind_parameters(query, namespace)
        run = client.query_influxql if options.influxql else client.query_sql
        df = run(text, database=options.database, params=params or None)
        if options.out:
            self.shell.user_ns[options.out] = df
        return df


def load_ipython_extension(ipython) -> None:
    """Register the magics with an IPython shell (``%load_ext workbench``)."""
    ipython.register_magics(SQLMagics)
