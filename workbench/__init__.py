"""An analytics workbench for InfluxDB 3.

Three faces share this package:

* ``workbench.server`` — an embedded InfluxDB 3-compatible server (started as a subprocess by
  ``workbench.launcher``; never imported by the client, the app or the notebooks);
* ``workbench.client`` — the client library that returns Polars frames;
* ``workbench.plugins`` — the offline processing-engine plugin test bench.

Importing ``workbench`` itself is cheap: it holds the version and lazy helpers only.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "connect", "load_ipython_extension"]


def connect(*args, **kwargs):
    """Return a connected :class:`workbench.client.Client` (see ``workbench.client.connect``)."""
    from workbench.client import connect as _connect

    return _connect(*args, **kwargs)


def load_ipython_extension(ipython):  # pragma: no cover - exercised by the notebooks
    """``%load_ext workbench``: register the ``%sql`` / ``%%sql`` magics."""
    from workbench.client.magic import load_ipython_extension as _load

    _load(ipython)
