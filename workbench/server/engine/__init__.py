"""The processing engine's host: InfluxDB 3 plugins and triggers on this server.

The plugin-facing runtime (``influxdb3_local``, loading, calling, dry-run shaping) is
``workbench.plugins.runtime``; this package connects it to the server:

* ``manager`` — ``ProcessingEngine``: trigger lifecycle, routing of WAL flushes, schedules and
  ``/api/v3/engine/<path>`` requests, the engine's ``system`` tables;
* ``triggers`` — one running trigger: its event queue, calls and ``error_behavior``;
* ``threads`` — plugin calls on worker threads, bounded by ``--plugin-timeout``;
* ``host`` — queries, synchronous writes, write-back and ``table_batches`` against the real server;
* ``spec``, ``scheduler`` — the trigger grammar and when schedules fire (the pure rules, cron
  expressions included, live in ``workbench.plugins.runtime``, shared with the offline plugin bench);
* ``files`` — plugin files under ``--plugin-dir`` (path checks, uploads, ``_internal.plugin_files``);
* ``environment`` — the plugin virtual environment and package installs;
* ``dryrun`` — ``/api/v3/plugin_test/*``; ``logs`` — ``system.processing_engine_logs``.
"""
