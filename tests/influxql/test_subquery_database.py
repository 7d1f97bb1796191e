"""A statement reads one database, whether its measurements are named outside or inside subqueries."""

from __future__ import annotations

MULTI = (400, "can only perform queries on a single database")


def test_a_subquery_reading_two_databases_is_refused(server):
    assert server.error("SELECT v FROM (SELECT v FROM single, other..mem)") == MULTI
    assert server.error("SELECT v FROM single, (SELECT v FROM other..mem)") == MULTI


def test_a_subquery_naming_the_database_resolves_it(server):
    assert server.values("SELECT v FROM (SELECT v FROM db..single) LIMIT 1", database=None) == [
        ["1970-01-01T00:00:00Z", 1]
    ]
