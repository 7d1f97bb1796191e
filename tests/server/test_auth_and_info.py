"""Tokens, authentication schemes, and the server-information endpoints."""

from __future__ import annotations

import base64
import time

import httpx
import pytest


def test_requests_need_a_token_by_default(server):
    r = httpx.get(server.url + "/api/v3/query_sql", params={"db": "x", "q": "SELECT 1"})
    assert r.status_code == 401
    assert r.text == '{"error": "the request was not authenticated"}'
    assert httpx.get(server.url + "/health").status_code == 401  # as InfluxDB 3: health needs a token too
    r = httpx.get(server.url + "/health", headers={"Authorization": "Bearer apiv3_wrong"})
    assert r.status_code == 401


@pytest.mark.parametrize("header", ["bearer abc", "Bearer", "Bearer a b", "Digest abc", "Basic !!!notbase64"])
def test_malformed_authorization_header_is_400(server, header):
    r = httpx.get(server.url + "/health", headers={"Authorization": header})
    assert r.status_code == 400
    assert "Authorization header was malformed" in r.json()["error"]


def test_every_accepted_scheme(server):
    t = server.token
    basic = base64.b64encode(f"anyone:{t}".encode()).decode()
    for header in (f"Bearer {t}", f"Token {t}", f"Basic {basic}"):
        assert httpx.get(server.url + "/health", headers={"Authorization": header}).status_code == 200
    assert httpx.post(server.url + "/write", params={"db": "p_param", "p": t}, content="m v=1").status_code == 204
    r = httpx.get(server.url + "/api/v3/query_sql", params={"db": "p_param", "q": "SELECT 1", "p": t})
    assert r.status_code == 401  # ?p= is only for the v1 endpoints


def test_operator_token_flow(fresh_server):
    server = fresh_server(auth=True)
    with server.client() as http:
        r = httpx.post(server.url + "/api/v3/configure/token/admin")
        assert (r.status_code, r.text) == (409, "token name already exists, _admin")
        r = http.post("/api/v3/configure/token/named_admin", json={"token_name": "ci", "expiry_secs": 3600})
        assert r.status_code == 201
        assert r.headers["content-type"] == "json"
        named = r.json()
        assert named["name"] == "ci" and named["token"].startswith("apiv3_") and len(named["token"]) == 92
        assert len(named["hash"]) == 128 and named["expiry"].endswith("Z")
        assert (
            httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {named['token']}"}).status_code == 200
        )
        r = http.post("/api/v3/configure/token/named_admin", json={"token_name": "ci"})
        assert (r.status_code, r.text) == (409, "token name already exists, ci")
        r = http.post("/api/v3/configure/token/named_admin", json={"token_name": "brief", "expiry_secs": 1})
        brief = r.json()["token"]
        time.sleep(1.2)
        assert httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {brief}"}).status_code == 401
        rows = http.get("/api/v3/query_sql", params={"db": "_internal", "q": "SELECT name FROM system.tokens"}).json()
        assert {r["name"] for r in rows} == {"_admin", "ci", "brief"}
        assert http.delete("/api/v3/configure/token", params={"token_name": "ci"}).status_code == 200
        assert (
            httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {named['token']}"}).status_code == 401
        )
        r = http.delete("/api/v3/configure/token", params={"token_name": "_admin"})
        assert (r.status_code, r.text) == (405, "cannot delete operator token")
        r = http.delete("/api/v3/configure/token", params={"token_name": "nobody"})
        assert r.status_code == 404
        # regeneration: the old operator token stops working
        r = http.post("/api/v3/configure/token/admin/regenerate")
        assert r.status_code == 201
        new = r.json()["token"]
    assert httpx.get(server.url + "/health", headers=server.headers).status_code == 401
    assert httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_create_the_first_admin_token_without_a_token(fresh_server):
    server = fresh_server(auth="bare")  # auth on, no token yet
    r = httpx.post(server.url + "/api/v3/configure/token/admin")
    assert r.status_code == 201
    token = r.json()["token"]
    assert httpx.post(server.url + "/api/v3/configure/token/admin").status_code == 409
    assert httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_without_auth_and_disable_authz(fresh_server):
    open_server = fresh_server(auth=False)
    assert httpx.get(open_server.url + "/health").status_code == 200
    r = httpx.post(open_server.url + "/api/v3/configure/token/admin")
    assert (r.status_code, r.text) == (405, "endpoint disabled, started without auth")
    # a malformed header is still refused without auth
    assert httpx.get(open_server.url + "/health", headers={"Authorization": "nope"}).status_code == 400
    partly = fresh_server("--disable-authz", "health,ping")
    assert httpx.get(partly.url + "/health").status_code == 200
    assert httpx.get(partly.url + "/ping").status_code == 200
    assert httpx.get(partly.url + "/metrics").status_code == 401


def test_health_ping_metrics(http, db):
    r = http.get("/health")
    assert (r.status_code, r.text, r.headers["content-type"]) == (200, "OK", "text/plain; charset=utf-8")
    assert http.get("/api/v1/health").text == "OK"
    r = http.get("/ping")
    body = r.json()
    assert body["product_name"] == "InfluxDB 3 Core" and body["version"]
    assert r.headers["x-influxdb-build"] == "Core" and r.headers["x-influxdb-version"] == body["version"]
    assert r.headers["request-id"] == r.headers["x-request-id"]
    assert http.post("/ping").status_code == 200
    assert http.head("/ping").status_code == 404
    http.post("/api/v3/write_lp", params={"db": db}, content="m v=1")
    http.get("/api/v3/query_sql", params={"db": db, "q": "SELECT * FROM m"})
    r = http.get("/metrics")
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = r.text
    assert text.endswith("# EOF\n")
    for name in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "influxdb3_write_lines_total",
        "influxdb3_queries_total",
        "influxdb3_query_duration_seconds_bucket",
        "influxdb3_buffer_rows",
    ):
        assert name in text, name
    assert 'path="/api/v3/write_lp"' in text
    assert r.headers["cluster-uuid"]
