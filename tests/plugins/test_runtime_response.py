"""A request plugin's return value → HTTP response, in InfluxDB 3's order of checks (reference 1.6)."""

from __future__ import annotations

import pytest

from workbench.plugins.runtime import PluginSource, run_process_request
from workbench.plugins.runtime.response import ResponseError, to_http_response


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "body", "extra"),
    [
        ("str", 200, "text/html", b"<p>hello</p>", {}),
        ("dict", 200, "application/json", b'{"status": "ok"}', {}),
        ("list", 200, "application/json", b"[1, 2]", {}),
        ("tuple_status", 201, "text/html", b"created", {}),
        ("tuple_headers", 200, "application/json", b'{"a": 1}', {"X-Custom": "v"}),
        ("tuple3", 418, "text/x-tea", b"teapot", {}),
        ("other", 200, "text/plain", b"42", {}),
        ("generator", 200, "text/html", b"ab", {}),
        ("bytes", 200, "text/html", b"", {}),
        ("flask", 201, None, b"flask body", {"X-Flask": "yes"}),
        ("bad_status", 500, "text/html", b"x", {}),
    ],
)
def test_each_kind_of_return_value(plugin_dir, call, kind, status, content_type, body, extra):
    outcome = run_process_request(
        PluginSource(plugin_dir / "request_kinds.py"), call.ctx, {"kind": kind}, {}, b"", None
    )
    response = outcome.response
    assert (response.status, response.header("content-type"), response.body) == (status, content_type, body)
    for name, value in extra.items():
        assert response.header(name) == value


def test_third_item_must_be_a_dict():
    with pytest.raises(ResponseError, match="expected a dictionary in header item"):
        to_http_response(("x", 200, "nope"))


def test_plugin_headers_override_content_type_case_insensitively():
    response = to_http_response(({"a": 1}, {"content-type": "application/vnd.x+json"}))
    assert response.headers == [("content-type", "application/vnd.x+json")]


def test_unsupported_values():
    for value in (None, 3, 2.5):
        with pytest.raises(ResponseError, match="Unsupported return type from Python function"):
            to_http_response(value)


def test_header_values_that_cannot_be_sent_become_empty():
    response = to_http_response(("x", {"X-Bad": "a\r\nb", "bad name": "v"}))
    assert response.headers == [("Content-Type", "text/html"), ("X-Bad", "")]
