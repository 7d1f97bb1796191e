"""Cron expressions on the server: the Rust ``cron`` crate's grammar, shared with the offline bench.

The parser lives in ``workbench.plugins.runtime.cron`` (pure, stdlib only); the engine uses it
under this name.
"""

from workbench.plugins.runtime.cron import CronError, CronExpr

__all__ = ["CronError", "CronExpr"]
