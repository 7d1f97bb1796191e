"""Running InfluxDB 3 processing-engine plugins outside InfluxDB.

``workbench.plugins.runtime`` is the plugin runtime shared by the embedded server
(``workbench.server.engine`` hosts it against the real catalog, WAL and query engine) and by
tools that run plugins without a server. It depends only on the standard library and
``workbench.protocol``, so it can be imported anywhere, including the Streamlit app.
"""
