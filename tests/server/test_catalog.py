"""The catalog: name rules, limits, soft deletes, tokens, persistence across restarts."""

from __future__ import annotations

import pytest

from workbench.plugins.clock import FakeClock
from workbench.server.catalog.catalog import Catalog, hash_token
from workbench.server.catalog.model import ColumnType
from workbench.server.catalog.names import validate_db_name
from workbench.server.catalog.persist import FileCatalogStore
from workbench.server.errors import AlreadyDeleted, AlreadyExists, InvalidName, LimitExceeded, MethodNotAllowed


def make(tmp_path, **limits):
    opts = dict(db_limit=5, table_limit=10, column_limit=4) | limits
    return Catalog(FileCatalogStore(tmp_path / "catalog.json"), FakeClock(1_700_000_000 * 10**9), **opts)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "db name cannot be empty"),
        ("x" * 512, "db name too long: max 511"),
        ("_db", "db name did not start with a number or letter"),
        ("my db", "invalid character in database or rp name"),
        ("dé", "invalid character in database or rp name"),
        ("a/b/c", "db name with invalid retention policy"),
        ("a/", "db name with invalid retention policy"),
    ],
)
def test_invalid_database_names(name, message):
    with pytest.raises(InvalidName, match=message):
        validate_db_name(name)


@pytest.mark.parametrize("name", ["a", "db-1", "db_1", "9lives", "telegraf/autogen"])
def test_valid_database_names(name):
    validate_db_name(name)


def test_internal_database_exists_and_is_not_counted(tmp_path):
    c = make(tmp_path, db_limit=1)
    assert c.db("_internal") is not None
    c.create_database("one")
    with pytest.raises(LimitExceeded, match="Adding a new database would exceed limit of 1 databases"):
        c.create_database("two")


def test_duplicate_database_is_409_before_the_limit(tmp_path):
    c = make(tmp_path, db_limit=1)
    c.create_database("one")
    with pytest.raises(AlreadyExists):
        c.create_database("one")


def test_soft_delete_renames_and_frees_the_name(tmp_path):
    c = make(tmp_path)
    c.create_database("metrics")
    deleted = c.delete_database("metrics", hard_delete_at_ns=None)
    assert deleted.name == "metrics-20231114T221320"
    assert c.db("metrics") is None
    with pytest.raises(AlreadyDeleted):
        c.require_db(deleted.name)
    c.create_database("metrics")  # the name is reusable at once
    assert c.db("metrics").id != deleted.id


def test_table_and_column_limits_name_the_configured_number(tmp_path):
    c = make(tmp_path, table_limit=1, column_limit=2)
    c.create_table("db", "t1", ["a"], [("f", ColumnType.FLOAT)])
    with pytest.raises(LimitExceeded, match=r"already have 1 table\(s\) \(limit: 1\)"):
        c.create_table("db", "t2", [], [("f", ColumnType.FLOAT)])
    with pytest.raises(LimitExceeded, match="columns per table limit of 2 columns"):
        c.create_table("db2", "t3", ["a", "b"], [("f", ColumnType.FLOAT)])


def test_tokens_are_stored_hashed_and_the_operator_token_cannot_be_deleted(tmp_path):
    c = make(tmp_path)
    tok = c.create_token("_admin", "apiv3_secret")
    assert tok.hash == hash_token("apiv3_secret") and len(tok.hash) == 128
    assert "apiv3_secret" not in (tmp_path / "catalog.json").read_text()
    with pytest.raises(MethodNotAllowed):
        c.delete_token("_admin")
    with pytest.raises(AlreadyExists, match="token name already exists, _admin"):
        c.create_token("_admin", "apiv3_other")


def test_everything_persists(tmp_path):
    c = make(tmp_path)
    c.create_table("db", "cpu", ["host"], [("usage", ColumnType.FLOAT)], retention_ns=3600 * 10**9)
    c.set_database_retention("db", 7 * 86400 * 10**9)
    c.create_token("ci", "apiv3_x", expiry_ms=5)
    again = make(tmp_path)
    table = again.table("db", "cpu")
    assert [col.name for col in table.columns.values()] == ["time", "host", "usage"]
    assert table.series_key == ["host"]
    assert table.retention_ns == 3600 * 10**9
    assert again.db("db").retention_ns == 7 * 86400 * 10**9
    assert again.tokens["ci"].expiry_ms == 5
    assert again.uuid == c.uuid
