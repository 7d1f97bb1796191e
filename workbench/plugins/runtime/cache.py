"""The in-memory cache plugins reach as ``influxdb3_local.cache``.

One ``CacheStore`` per host holds namespaces of ``key -> (value, expiry)``. A plugin call sees a
``PluginCache`` bound to two namespaces: its trigger's own and the global one
(``use_global=True``). Values are stored by reference, never copied; TTLs are seconds on the
host's clock; expired entries are invisible at once and swept at most every 10 s. Test runs use
namespaces named by ``cache_name`` whose entries without a TTL expire after 30 minutes, as in
InfluxDB 3.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable
from typing import Any

CLEANUP_INTERVAL_NS = 10 * 10**9
TEST_DEFAULT_TTL_NS = 30 * 60 * 10**9

GLOBAL_NAMESPACE = ("global",)


def trigger_namespace(db_id: int, trigger_name: str) -> tuple:
    return ("trigger", db_id, trigger_name)


def test_namespaces(cache_name: str) -> tuple[tuple, tuple]:
    """The (trigger-local, global) namespaces a test run named ``cache_name`` uses."""
    return ("test", cache_name), ("test-global", cache_name)


class CacheStore:
    """Every namespace of one host; thread-safe."""

    def __init__(self, now_ns: Callable[[], int]):
        self._now = now_ns
        self._lock = threading.Lock()
        self._namespaces: dict[Hashable, dict[str, tuple[Any, int | None]]] = {}
        self._last_cleanup = now_ns()

    @staticmethod
    def _default_ttl(namespace: Hashable) -> int | None:
        if isinstance(namespace, tuple) and namespace and namespace[0] in ("test", "test-global"):
            return TEST_DEFAULT_TTL_NS
        return None

    def put(self, namespace: Hashable, key: str, value: Any, ttl_ns: int | None) -> None:
        now = self._now()
        if ttl_ns is None:
            ttl_ns = self._default_ttl(namespace)
        expires = None if ttl_ns is None else now + ttl_ns
        with self._lock:
            self._namespaces.setdefault(namespace, {})[key] = (value, expires)

    def get(self, namespace: Hashable, key: str) -> tuple[bool, Any]:
        now = self._now()
        with self._lock:
            entries = self._namespaces.get(namespace)
            if entries is None or key not in entries:
                return False, None
            value, expires = entries[key]
            if expires is not None and expires <= now:
                del entries[key]
                return False, None
            return True, value

    def delete(self, namespace: Hashable, key: str) -> bool:
        with self._lock:
            entries = self._namespaces.get(namespace)
            return entries is not None and entries.pop(key, None) is not None

    def cleanup(self) -> None:
        """Drop expired entries and empty namespaces (at most once per ``CLEANUP_INTERVAL_NS``)."""
        now = self._now()
        with self._lock:
            if now - self._last_cleanup < CLEANUP_INTERVAL_NS:
                return
            self._last_cleanup = now
            for name in list(self._namespaces):
                entries = self._namespaces[name]
                for key in [k for k, (_, exp) in entries.items() if exp is not None and exp <= now]:
                    del entries[key]
                if not entries:
                    del self._namespaces[name]

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        """Forget every namespace ``predicate`` selects (a stopped trigger, a deleted database)."""
        with self._lock:
            for name in [n for n in self._namespaces if predicate(n)]:
                del self._namespaces[name]


class PluginCache:
    """``influxdb3_local.cache``: ``put``/``get``/``delete`` with InfluxDB 3's signatures."""

    __slots__ = ("_global", "_local", "_store")

    def __init__(self, store: CacheStore, local_namespace: Hashable, global_namespace: Hashable = GLOBAL_NAMESPACE):
        self._store = store
        self._local = local_namespace
        self._global = global_namespace

    def _namespace(self, use_global: bool | None) -> Hashable:
        return self._global if use_global else self._local

    @staticmethod
    def _check_key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"argument 'key': '{type(key).__name__}' object cannot be converted to 'PyString'")
        return key

    def put(self, key: str, value: Any, ttl: float | None = None, use_global: bool | None = None) -> None:
        self._check_key(key)
        ttl_ns = None
        if ttl is not None:
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
                raise TypeError(f"argument 'ttl': '{type(ttl).__name__}' object cannot be converted to 'PyFloat'")
            if math.isnan(ttl) or ttl < 0:
                raise ValueError("cannot convert float seconds to Duration: value is negative")
            if math.isinf(ttl):
                raise ValueError("cannot convert float seconds to Duration: value is either too big or NaN")
            ttl_ns = int(ttl * 1e9)
        self._store.put(self._namespace(use_global), key, value, ttl_ns)

    def get(self, key: str, default: Any = None, use_global: bool | None = None) -> Any:
        self._check_key(key)
        found, value = self._store.get(self._namespace(use_global), key)
        return value if found else default

    def delete(self, key: str, use_global: bool | None = None) -> bool:
        self._check_key(key)
        return self._store.delete(self._namespace(use_global), key)
