"""The embedded InfluxDB 3-compatible server.

Component → file map (each module's docstring says what it owns and where data flows):

* ``config.py`` — every setting, with InfluxDB 3's flag and ``INFLUXDB3_*`` names.
* ``app.py`` — Starlette assembly: routes, lifespan (load catalog, replay WAL, start tasks).
* ``state.py`` — the wired object graph handed to handlers.
* ``http/`` — thin handlers per route family; ``http/formatters.py`` is the only Arrow → body code.
* ``catalog/`` — databases, tables, columns, tokens, caches, triggers; persisted and versioned.
* ``wal/`` — the single-writer, checksummed write-ahead log; it knows only a listener protocol.
* ``write/`` — parse → validate → WAL; the in-memory buffer; the Parquet persister; paths.
* ``query/`` — DataFusion sessions over buffer ∪ Parquet, system tables, the query log.
* ``influxql/`` — InfluxQL → SQL translation and SHOW statements.
* ``cache/`` — last and distinct value caches and their SQL table functions.
* ``engine/`` — the Python processing engine: triggers, plugins, dry runs.
"""
