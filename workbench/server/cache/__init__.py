"""The last value cache and the distinct value cache (InfluxDB 3's LVC and DVC).

``keys``, ``slots``, ``last_cache`` and ``distinct_cache`` are the data structures; ``provider`` owns every
cache of the server (fed by the WAL, evicted on a schedule, rebuilt from the catalog);
``functions`` exposes them to SQL as ``last_cache()`` and ``distinct_cache()``; ``system_tables``
lists their definitions. The HTTP endpoints are in ``workbench/server/http/caches.py``.
"""
