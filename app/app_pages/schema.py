"""Schema & retention page: databases and tables, their storage, retention, and a retention preview.

Reads ``_internal``'s ``system.databases`` / ``system.tables`` (falling back to the plain
listings on servers without them), the database's ``system.parquet_files`` for storage per
table, and counts rows on request. Creates and deletes (soft, hard now / at a time / never,
data only) and retention edits go through the client's ``/api/v3/configure/*`` methods. The
retention preview counts, before anything is applied, the rows and Parquet files a new period
would hide.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from app import _format
from app import _session as sess
from workbench.client import InfluxDBError, sql_identifier
from workbench.protocol import parse_duration

FIELD_TYPES = ["float64", "int64", "uint64", "utf8", "bool"]
DELETE_MODES = {
    "soft": "Soft delete (hard delete at the server's default time)",
    "now": "Soft delete and hard delete now",
    "at": "Soft delete, hard delete at a time…",
    "never": "Soft delete, never hard delete",
    "data": "Delete the data only (keep the schema)",
}
# ``retention_period_ns`` of _internal's system.databases / system.tables as text (null: forever).
_RETENTION = (
    pl.col("retention_period_ns")
    .map_elements(_format.human_duration_ns, return_dtype=pl.String, skip_nulls=False)
    .alias("retention")
)


def _period(text: str) -> str | None:
    """A retention text as the client takes it (empty → None = forever); raises ValueError."""
    text = text.strip()
    if not text or text.lower() in ("none", "forever", "infinite"):
        return None
    parse_duration(text)
    return text


def _done(message: str) -> None:
    sess.forget_schema()
    sess.flash(message)
    st.rerun()


def delete_form(key: str, label: str, run) -> None:
    """A delete form: mode, optional time, typed confirmation; ``run(hard_delete_at, data_only)``."""
    with st.form(key):
        mode = st.radio("How", list(DELETE_MODES), format_func=DELETE_MODES.get, key=f"{key}.mode")
        c1, c2 = st.columns(2)
        day = c1.date_input("Hard delete on (UTC)", dt.date.today() + dt.timedelta(days=1), key=f"{key}.day")
        at = c2.time_input("at", dt.time(0, 0), key=f"{key}.time")
        confirm = st.text_input(f"Type “{label}” to confirm", key=f"{key}.confirm")
        if st.form_submit_button("Delete", type="primary"):
            if confirm != label:
                st.error(f"Type “{label}” exactly to delete it.")
                return
            hard = {"soft": None, "now": "now", "never": "never", "data": None}.get(mode)
            if mode == "at":
                hard = dt.datetime.combine(day, at, dt.UTC)
            if sess.act(f"Cannot delete {label}", run, hard, mode == "data"):
                _done(f"Deleted {label} ({DELETE_MODES[mode].lower()}).")


def databases_section(client) -> None:
    st.subheader("Databases")
    info = sess.fetch("Cannot read system.databases", client.system_table, "databases", "_internal")
    if info is not None and info.width:
        show_deleted = st.toggle("Show soft-deleted databases", key="schema.show_deleted")
        shown = info if show_deleted else info.filter(~pl.col("deleted"))
        shown = shown.with_columns(_RETENTION).drop("retention_period_ns")
        st.dataframe(shown, hide_index=True)
    else:
        names = sess.fetch("Cannot list databases", sess.databases) or []
        st.dataframe(pl.DataFrame({"database_name": names}), hide_index=True)

    c1, c2 = st.columns(2)
    with c1, st.form("schema.create_db", clear_on_submit=True):
        st.markdown("**Create a database**")
        name = st.text_input("Name")
        retention = st.text_input("Retention period", placeholder="e.g. 30d (empty: forever)")
        if st.form_submit_button("Create database"):
            try:
                period = _period(retention)
            except ValueError as exc:
                sess.show_error("Bad retention period", exc)
            else:
                if sess.act(f"Cannot create {name}", client.create_database, name.strip(), retention_period=period):
                    sess.set_database(name.strip())
                    _done(f"Created database {name.strip()}.")
    db = sess.current_database()
    with c2:
        if db:
            with st.form("schema.db_retention"):
                st.markdown(f"**Retention of `{db}`**")
                new = st.text_input("New retention period", placeholder="e.g. 7d (empty: keep forever)")
                if st.form_submit_button("Apply retention"):
                    try:
                        period = _period(new)
                    except ValueError as exc:
                        sess.show_error("Bad retention period", exc)
                    else:
                        if sess.act(
                            f"Cannot change the retention of {db}", client.update_database, db, retention_period=period
                        ):
                            _done(f"Retention of {db}: {period or 'forever'}.")
    if db:
        with st.expander(f"Delete the database `{db}`"):
            delete_form(
                "schema.delete_db",
                db,
                lambda hard, data_only: client.delete_database(db, hard_delete_at=hard, data_only=data_only),
            )


@st.cache_data(ttl=30, scope="session", show_spinner=False)
def _row_counts(key: str, tables: tuple[str, ...], _client) -> pl.DataFrame:
    rows = []
    for table in tables:
        df = _client.query_sql(
            f"SELECT count(*) AS rows, min(time) AS first, max(time) AS last FROM {sql_identifier(table)}"
        )
        rows.append({"table_name": table, **df.row(0, named=True)})
    return pl.DataFrame(rows)


def storage(client, db: str, tables: list[str], files: pl.DataFrame | None) -> pl.DataFrame:
    """One row per table: catalog facts from ``_internal`` and Parquet storage of the database
    (``files``: its ``system.parquet_files``, None when unreadable)."""
    base = pl.DataFrame({"table_name": tables})
    try:
        catalog = client.system_table("tables", "_internal")
        if catalog.width:
            catalog = catalog.filter((pl.col("database_name") == db) & ~pl.col("deleted")).select(
                "table_name",
                "column_count",
                pl.col("series_key_columns").cast(pl.List(pl.String)).list.join(", ").alias("series_key"),
                _RETENTION,
            )
            base = base.join(catalog, on="table_name", how="left")
    except InfluxDBError:
        pass  # a server without _internal.system.tables: names only
    if files is not None and files.width:
        per_table = files.group_by("table_name").agg(
            pl.len().alias("parquet_files"),
            pl.col("size_bytes").sum().alias("bytes"),
            pl.col("row_count").sum().alias("parquet_rows"),
            pl.col("min_time").min().alias("min_ns"),
            pl.col("max_time").max().alias("max_ns"),
        )
        base = base.join(per_table, on="table_name", how="left")
    else:
        base = base.with_columns(
            pl.lit(0).alias("parquet_files"),
            pl.lit(0).alias("bytes"),
            pl.lit(0).alias("parquet_rows"),
            pl.lit(None, pl.Int64).alias("min_ns"),
            pl.lit(None, pl.Int64).alias("max_ns"),
        )
    return base.with_columns(
        pl.col("parquet_files").fill_null(0),
        pl.col("bytes").map_elements(_format.human_bytes, return_dtype=pl.String, skip_nulls=False).alias("size"),
        pl.from_epoch("min_ns", time_unit="ns").dt.replace_time_zone("UTC").alias("parquet_from"),
        pl.from_epoch("max_ns", time_unit="ns").dt.replace_time_zone("UTC").alias("parquet_to"),
    ).drop("min_ns", "max_ns", "bytes")


def tables_section(client, db: str) -> None:
    st.subheader(f"Tables of `{db}`")
    tables = sess.fetch(f"Cannot list the tables of {db}", sess.tables, db)
    if tables is None:
        return
    if tables:
        # Read once per run: the storage table and the retention preview both use it.
        files = sess.fetch(f"Cannot read system.parquet_files of {db}", client.system_table, "parquet_files", db)
        st.dataframe(storage(client, db, tables, files), hide_index=True)
        st.caption("Parquet columns cover persisted data; recent writes live in the WAL buffer until a snapshot.")
        if st.button("Count rows (scans every table)", key="schema.count"):
            counts = sess.fetch("Cannot count rows", _row_counts, sess.connection_key(), tuple(tables), client)
            if counts is not None:
                st.dataframe(counts, hide_index=True)
    else:
        st.caption("No tables yet.")

    with st.expander("Create a table"), st.form("schema.create_table", clear_on_submit=True):
        name = st.text_input("Table name")
        tags = st.text_input("Tags (the series key, in order)", placeholder="host, region")
        fields = st.data_editor(
            pl.DataFrame({"field": ["value"], "type": ["float64"]}),
            num_rows="dynamic",
            hide_index=True,
            column_config={"type": st.column_config.SelectboxColumn("type", options=FIELD_TYPES, required=True)},
            key="schema.fields",
        )
        retention = st.text_input("Retention period", placeholder="empty: the database's")
        if st.form_submit_button("Create table"):
            spec = [(r["field"], r["type"]) for r in pl.DataFrame(fields).to_dicts() if r.get("field")]
            tag_list = [t.strip() for t in tags.split(",") if t.strip()]
            try:
                period = _period(retention)
            except ValueError as exc:
                sess.show_error("Bad retention period", exc)
            else:
                if sess.act(
                    f"Cannot create {name}",
                    client.create_table,
                    name.strip(),
                    tags=tag_list,
                    fields=spec,
                    database=db,
                    retention_period=period,
                ):
                    _done(f"Created table {name.strip()} in {db}.")
    if not tables:
        return
    table = st.selectbox("Table", tables, key="schema.table")
    c1, c2 = st.columns(2)
    with c1, st.form("schema.table_retention"):
        st.markdown(f"**Retention of `{table}`** (overrides the database's)")
        new = st.text_input("New table retention period", placeholder="e.g. 24h (empty: the database's)")
        if st.form_submit_button("Apply table retention"):
            try:
                period = _period(new)
            except ValueError as exc:
                sess.show_error("Bad retention period", exc)
            else:
                if sess.act(
                    f"Cannot change the retention of {table}",
                    client.update_table,
                    table,
                    retention_period=period,
                    database=db,
                ):
                    _done(f"Retention of {table}: {period or 'the database’s'}.")
    with c2, st.expander(f"Delete the table `{table}`"):
        delete_form(
            "schema.delete_table",
            table,
            lambda hard, data_only: client.delete_table(table, database=db, hard_delete_at=hard, data_only=data_only),
        )
    retention_preview(client, db, table, files)


def retention_preview(client, db: str, table: str, files: pl.DataFrame | None) -> None:
    st.subheader("Retention preview")
    st.caption("What a retention period would hide — computed from the data, nothing is changed.")
    period_text = st.text_input("Period to preview", "30m", key="schema.preview_period")
    try:
        ns = parse_duration(period_text)
    except ValueError as exc:
        sess.show_error("Bad period", exc)
        return
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(microseconds=ns // 1000)
    sql = (
        f"SELECT count(*) AS rows, min(time) AS first, max(time) AS last, "
        f"sum(CASE WHEN time < $cutoff THEN 1 ELSE 0 END) AS hidden FROM {sql_identifier(table)}"
    )
    with st.spinner("Counting…"):
        stats = sess.fetch("Cannot count the rows", client.query_sql, sql, db, {"cutoff": cutoff})
    if stats is None:
        return
    row = stats.row(0, named=True)
    total, hidden = row["rows"] or 0, row["hidden"] or 0
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows now", f"{total:,}")
    c2.metric("Rows it would hide", f"{hidden:,}", f"{(hidden / total * 100 if total else 0):.1f}%", "inverse")
    c3.metric("Cutoff (UTC)", f"{cutoff:%Y-%m-%d %H:%M:%S}")
    if row["first"] is not None:
        st.caption(f"Data spans {row['first']:%Y-%m-%d %H:%M:%S} → {row['last']:%Y-%m-%d %H:%M:%S} UTC.")
    if files is not None and files.width:
        mine = files.filter(pl.col("table_name") == table)
        gone = mine.filter(pl.col("max_time") < int(cutoff.timestamp() * 1e9))
        st.caption(
            f"{gone.height} of {mine.height} Parquet files ({_format.human_bytes(gone['size_bytes'].sum())}) hold only "
            "older data and would be removed once hard-deleted; files straddling the cutoff stay until wholly expired."
        )
    if st.button(f"Apply {period_text} to `{table}`", key="schema.apply_preview") and sess.act(
        f"Cannot change the retention of {table}", client.update_table, table, retention_period=period_text, database=db
    ):
        _done(f"Retention of {table}: {period_text}.")


st.title("Schema & retention")
sess.show_flash()
client = sess.require_client()
databases_section(client)
db = sess.current_database()
if db:
    tables_section(client, db)
else:
    st.info("Create a database above, or write data to create one.")
