"""The Streamlit workbench app: ``streamlit_app.py`` (entry, navigation) and one module per page.

Pages live in ``app_pages/``; what they share lives in the ``_*.py`` modules of this package:
``_session`` (connections and the client, cached queries, error display), ``_timerange``,
``_charts``, ``_dashboards`` and ``_format``. Data flows page → ``_session`` → the client
(``workbench.client``) → the server; the app never imports the server.
"""
