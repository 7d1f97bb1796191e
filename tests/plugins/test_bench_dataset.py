"""``Dataset`` writes: only the tables a write touches change."""

from __future__ import annotations

from conftest import T0

from workbench.plugins import Dataset


def test_a_write_keeps_the_cached_arrow_tables_of_other_tables():
    data = Dataset.from_lp(f"cpu,host=a usage=1.0 {T0}\nmem,host=a used=2i {T0}", "db")
    before = data.tables("db")
    data.write_lp("db", f"mem,host=b used=3i,free=1i {T0 + 1}", T0)
    after = data.tables("db")
    assert after["cpu"] is before["cpu"]
    assert after["mem"] is not before["mem"]
    assert after["mem"].num_rows == 2 and "free" in after["mem"].column_names
    assert data.schema("db")["mem"].fields == {"used": "integer", "free": "integer"}


def test_a_write_can_create_a_table():
    data = Dataset.from_lp(f"cpu,host=a usage=1.0 {T0}", "db")
    data.write_lp("db", f"disk,host=a,dev=sda io=5u {T0}", T0)
    assert list(data.schema("db")) == ["cpu", "disk"]
    assert data.schema("db")["disk"].tags == ["host", "dev"]
    assert data.tables("db")["disk"].num_rows == 1
