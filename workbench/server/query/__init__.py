"""SQL execution over DataFusion.

``executor.py`` runs a query in two phases: plan once against empty placeholder tables to learn
which tables the query reads and which time range it filters on (``pruning.py``), then build
exactly those tables from the buffer, the in-memory Parquet cache and the Parquet files in that
range (``tables.py``) and plan again for real. ``system_tables.py`` builds ``system.*`` and the
``_internal`` tables; ``query_log.py`` records every query for ``system.queries``.
"""
