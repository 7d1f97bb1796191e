"""Prometheus metrics of one server instance (its own registry, so tests can run many servers).

HTTP requests and latencies by route, write lines/bytes, queries and their latencies by type
and outcome, plus gauges read at scrape time (buffered rows and bytes, Parquet files, WAL files,
catalog sizes).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "http_requests", "HTTP requests by route, method and status", ["method", "path", "status"], registry=r
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "path"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.write_lines = Counter("influxdb3_write_lines", "Lines accepted by the write endpoints", registry=r)
        self.write_lines_rejected = Counter("influxdb3_write_lines_rejected", "Lines rejected", registry=r)
        self.write_bytes = Counter("influxdb3_write_bytes", "Line protocol bytes received", registry=r)
        self.queries = Counter("influxdb3_queries", "Queries by type and outcome", ["type", "outcome"], registry=r)
        self.query_latency = Histogram(
            "influxdb3_query_duration_seconds", "Query latency by type", ["type"], buckets=LATENCY_BUCKETS, registry=r
        )

    def gauge(self, name: str, doc: str, read: Callable[[], float]) -> None:
        g = Gauge(name, doc, registry=self.registry)
        g.set_function(read)

    def observe_query(self, query_type: str, success: bool, seconds: float) -> None:
        self.queries.labels(query_type, "success" if success else "error").inc()
        self.query_latency.labels(query_type).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry) + b"# EOF\n"
