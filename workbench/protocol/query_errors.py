"""How InfluxDB 3 answers a failed SQL query: the HTTP status and the text, from DataFusion's message.

One rule for the server's query endpoints and the offline plugin bench's ``influxdb3_local.query``
(reference section 5.1): plan, SQL and schema errors are 400 with DataFusion's own text (also when
a planner step's context wraps them: ``type_coercion`` caused by ``Error during planning``), a
missing ``$name`` value is 400 ``No value found for placeholder with name $name``, statements a
read-only query may not run are 400, "not implemented" is 405, anything else is 500 ``query
error: error while executing plan: ...``. An exception raised by Python code DataFusion called
(a table function) is reported by its own message.

>>> describe_query_error("Error during planning: table 'public.iox.nope' not found")
(400, "Error during planning: table 'public.iox.nope' not found")
>>> describe_query_error("Arrow error: Divide by zero error")
(500, 'query error: error while executing plan: Arrow error: Divide by zero error')
"""

from __future__ import annotations

import ast
import re

PLANNING_ERRORS = ("Error during planning", "SQL error", "Schema error")
"""The starts of DataFusion's messages for a query that cannot be planned."""

_MISSING_PLACEHOLDER = re.compile(r"Placeholder '(\$\w+)' was not provided a value")
# An exception raised by Python code DataFusion called (a table function, a dataset): DataFusion
# reports it as the debug form of the PyErr; the message is the repr'd string argument.
_PYTHON_ERROR = re.compile(
    r"PyErr \{ type: <class '[^']*'>, value: \w+\((?P<arg>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)"
)
_NOT_IMPLEMENTED = "This feature is not implemented"


def describe_query_error(message: str) -> tuple[int, str]:
    """``(status, text)`` InfluxDB 3 answers with for a query DataFusion failed with ``message``."""
    raised = _PYTHON_ERROR.search(message)
    if raised:
        message = ast.literal_eval(raised.group("arg"))
    missing = _MISSING_PLACEHOLDER.search(message)
    if missing:
        return 400, f"No value found for placeholder with name {missing.group(1)}"
    for prefix in ("DataFusion error: ", "Execution error: "):
        if message.startswith(prefix) and "Error during planning" in message:
            message = message[len(prefix) :]
    root = message.rsplit("\ncaused by\n", 1)[-1]
    if root.startswith(PLANNING_ERRORS) or "No value found for placeholder" in message:
        return 400, message
    if _NOT_IMPLEMENTED in message:
        return 405, message[message.index(_NOT_IMPLEMENTED) :]
    if any(f"{kind} not supported" in message for kind in ("DDL", "DML", "Statement")):
        return 400, message
    return 500, f"query error: error while executing plan: {message}"
