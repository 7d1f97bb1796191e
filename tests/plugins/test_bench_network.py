"""Network inside bench runs: denied and reported by default, stubbed on request, other threads untouched."""

from __future__ import annotations

import socket

import pytest
from conftest import BENCH, T0, cpu_hour

from workbench.plugins import Dataset, HttpCall, Network, StubResponse, run_request, run_schedule

ARGS = {"measurement": "cpu", "field": "usage", "threshold": "90", "notify_url": "https://hooks.example.com/alerts"}
HOT = T0 + 20 * 60 * 10**9


def _alert(network=None):
    return run_schedule(BENCH / "threshold_alerter.py", at=HOT, data=Dataset.from_lp(cpu_hour(), "db"), args=ARGS,
                        network=network)  # fmt: skip


def test_outbound_call_is_denied_and_reported():
    result = _alert()
    assert not result.ok
    (error,) = result.errors
    assert error["type"] == "URLError" and "network access denied by the plugin bench" in error["message"]
    (attempt,) = result.network
    assert attempt["kind"] == "http" and attempt["method"] == "POST" and not attempt["stubbed"]
    assert attempt["target"] == "https://hooks.example.com/alerts"
    assert attempt["where"].endswith("threshold_alerter.py:" + str(error["line"]))


def test_stubbed_call_gets_the_stub_response():
    seen: list[HttpCall] = []

    def hook(call: HttpCall):
        seen.append(call)
        return StubResponse(202, {"queued": True})

    result = _alert({"POST https://hooks.example.com/*": hook})
    assert result.ok
    assert seen[0].json() == {"host": "a", "state": "firing", "value": 102.0}
    assert "notified https://hooks.example.com/alerts: 202" in [log["message"] for log in result.logs]
    assert result.network[0]["stubbed"] and result.network[0]["status"] == 202
    other_method = _alert({"GET https://hooks.example.com/*": {"ok": True}})
    assert not other_method.ok


def _client_plugin(tmp_path, body: str):
    plugin = tmp_path / "client.py"
    plugin.write_text(
        "def process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):\n" + body
    )
    return plugin


@pytest.mark.parametrize(
    "body",
    [
        "    import requests\n    r = requests.get('https://api.example.com/v1/x?q=1', timeout=2)\n"
        "    return {'status': r.status_code, 'json': r.json()}, 200\n",
        "    import httpx\n    r = httpx.get('https://api.example.com/v1/x?q=1')\n"
        "    return {'status': r.status_code, 'json': r.json()}, 200\n",
        "    import urllib.request, json\n    r = urllib.request.urlopen('https://api.example.com/v1/x?q=1')\n"
        "    return {'status': r.status, 'json': json.loads(r.read())}, 200\n",
    ],
    ids=["requests", "httpx", "urllib"],
)
def test_every_http_library_is_stubbed_and_denied(tmp_path, body):
    plugin = _client_plugin(tmp_path, body)
    stubbed = run_request(plugin, network={"https://api.example.com/v1/*": {"value": 7}})
    assert stubbed.response["body"] == '{"status": 200, "json": {"value": 7}}'
    denied = run_request(plugin)
    assert denied.response["status"] == 500 and "network access denied" in denied.response["body"]
    assert [n["target"] for n in denied.network] == ["https://api.example.com/v1/x?q=1"]


def test_error_statuses_come_back_as_the_library_reports_them(tmp_path):
    plugin = _client_plugin(
        tmp_path,
        "    import urllib.request, urllib.error\n"
        "    try:\n        urllib.request.urlopen('http://svc.local/x')\n"
        "    except urllib.error.HTTPError as exc:\n        return {'code': exc.code, 'body': exc.read().decode()}\n",
    )
    result = run_request(plugin, network=Network({"http://svc.local/*": StubResponse(503, "busy")}))
    assert result.response["body"] == '{"code": 503, "body": "busy"}'


def test_raw_sockets_are_denied(tmp_path):
    plugin = _client_plugin(
        tmp_path,
        "    import socket\n    socket.create_connection(('192.0.2.1', 9), timeout=1)\n",
    )
    result = run_request(plugin)
    assert result.errors[0]["type"] == "NetworkDenied"
    assert result.network[0]["kind"] == "socket" and result.network[0]["target"] == "192.0.2.1:9"


def test_only_the_calling_thread_is_guarded(tmp_path):
    plugin = _client_plugin(
        tmp_path,
        "    import socket, threading\n"
        "    found = []\n"
        "    worker = threading.Thread(target=lambda: found.append(socket.getaddrinfo('localhost', 80)))\n"
        "    worker.start()\n"
        "    worker.join()\n"
        "    influxdb3_local.info('other thread resolved', bool(found))\n"
        "    socket.getaddrinfo('localhost', 80)\n",
    )
    original = socket.getaddrinfo
    run = run_request(plugin)
    assert "other thread resolved True" in [log["message"] for log in run.logs]  # patched, but not guarded there
    assert run.errors[0]["type"] == "NetworkDenied" and run.network[0]["target"] == "localhost:80"
    assert socket.getaddrinfo is original  # the patches are removed after the run
