"""``influxdb3_local.cache``: TTLs on the host clock, trigger and global namespaces, test namespaces."""

from __future__ import annotations

import pytest

from workbench.plugins.runtime import CacheStore, PluginCache, trigger_namespace
from workbench.plugins.runtime.cache import test_namespaces as namespaces_for_tests


def test_put_get_delete_and_default(store):
    cache = PluginCache(store, "t1")
    value = {"shared": [1]}
    cache.put("k", value)
    assert cache.get("k") is value  # stored by reference
    assert cache.get("missing") is None and cache.get("missing", 5) == 5
    assert cache.delete("k") is True and cache.delete("k") is False


def test_ttl_uses_the_host_clock(store, clock):
    cache = PluginCache(store, "t1")
    cache.put("k", 1, ttl=2.5)
    clock.advance(2.4)
    assert cache.get("k") == 1
    clock.advance(0.1)
    assert cache.get("k") is None
    cache.put("k", 1, ttl=1)
    cache.put("k", 2)  # an overwrite replaces the TTL
    clock.advance(100)
    assert cache.get("k") == 2


def test_bad_ttl_and_key(store):
    cache = PluginCache(store, "t1")
    with pytest.raises(ValueError, match="negative"):
        cache.put("k", 1, ttl=-1)
    with pytest.raises(TypeError):
        cache.put(1, 1)
    with pytest.raises(TypeError):
        cache.put("k", 1, ttl="5")


def test_trigger_and_global_namespaces(store):
    a = PluginCache(store, trigger_namespace(1, "a"))
    b = PluginCache(store, trigger_namespace(1, "b"))
    a.put("k", "a-local")
    a.put("k", "shared", use_global=True)
    assert b.get("k") is None
    assert b.get("k", use_global=True) == "shared"
    store.drop(lambda ns: ns == trigger_namespace(1, "a"))
    assert a.get("k") is None and a.get("k", use_global=True) == "shared"


def test_test_namespaces_expire_untimed_entries_after_30_minutes(store, clock):
    local, shared = namespaces_for_tests("_shared_test")
    cache = PluginCache(store, local, shared)
    cache.put("k", 1)
    cache.put("g", 1, use_global=True)
    clock.advance(29 * 60)
    assert cache.get("k") == 1
    clock.advance(61)
    assert cache.get("k") is None and cache.get("g", use_global=True) is None


def test_cleanup_sweeps_at_most_every_ten_seconds(clock):
    store = CacheStore(clock.now_ns)
    cache = PluginCache(store, "t")
    cache.put("k", 1, ttl=1)
    clock.advance(5)
    store.cleanup()
    assert ("t" in store._namespaces) is True  # too early for a sweep
    clock.advance(6)
    store.cleanup()
    assert "t" not in store._namespaces
