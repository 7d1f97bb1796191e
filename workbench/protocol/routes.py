"""Every HTTP path of the InfluxDB 3 API that the client calls and the server serves."""

WRITE_V1 = "/write"
WRITE_V2 = "/api/v2/write"
WRITE_LP = "/api/v3/write_lp"

QUERY_SQL = "/api/v3/query_sql"
QUERY_INFLUXQL = "/api/v3/query_influxql"
QUERY_V1 = "/query"

HEALTH = "/health"
HEALTH_V1 = "/api/v1/health"
PING = "/ping"
METRICS = "/metrics"

CONFIGURE_DATABASE = "/api/v3/configure/database"
CONFIGURE_DATABASE_RETENTION = "/api/v3/configure/database/retention_period"
CONFIGURE_TABLE = "/api/v3/configure/table"
CONFIGURE_LAST_CACHE = "/api/v3/configure/last_cache"
CONFIGURE_DISTINCT_CACHE = "/api/v3/configure/distinct_cache"
CONFIGURE_TRIGGER = "/api/v3/configure/processing_engine_trigger"
CONFIGURE_TRIGGER_ENABLE = "/api/v3/configure/processing_engine_trigger/enable"
CONFIGURE_TRIGGER_DISABLE = "/api/v3/configure/processing_engine_trigger/disable"
INSTALL_PACKAGES = "/api/v3/configure/plugin_environment/install_packages"
INSTALL_REQUIREMENTS = "/api/v3/configure/plugin_environment/install_requirements"

TOKEN = "/api/v3/configure/token"
TOKEN_ADMIN = "/api/v3/configure/token/admin"
TOKEN_ADMIN_REGENERATE = "/api/v3/configure/token/admin/regenerate"
TOKEN_NAMED_ADMIN = "/api/v3/configure/token/named_admin"

PLUGIN_FILES = "/api/v3/plugins/files"
PLUGIN_DIRECTORY = "/api/v3/plugins/directory"
PLUGIN_TEST_WAL = "/api/v3/plugin_test/wal"
PLUGIN_TEST_SCHEDULE = "/api/v3/plugin_test/schedule"
PLUGIN_TEST_REQUEST = "/api/v3/plugin_test/request"  # workbench extension (docs/compatibility.md)

ENGINE_PREFIX = "/api/v3/engine/"


def engine_path(path: str) -> str:
    """The URL of a request trigger registered as ``request:<path>``.

    >>> engine_path("hello")
    '/api/v3/engine/hello'
    """
    return ENGINE_PREFIX + path.lstrip("/")
