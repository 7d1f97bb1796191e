"""SELECT results in process (DataFusion over Arrow tables), as v1 series.

The ``cpu`` table holds the same points as the probe run against InfluxDB 1.6.7 while this
engine was written; the expected values below are that server's answers.
"""

from __future__ import annotations

from workbench.server.influxql import post

T10, T20, T30, T40 = (f"1970-01-01T00:00:{s}Z" for s in (10, 20, 30, 40))


def test_select_star_mixes_tags_and_fields_alphabetically(server):
    (s,) = server.series("SELECT * FROM cpu WHERE host = 'a'")
    assert s["columns"] == ["time", "host", "i", "region", "s", "v"]
    assert s["values"] == [
        [T10, "a", 10, "us", "x", 1],
        [T20, "a", None, "us", None, 3],
        [T30, "a", 7, "us", None, None],
    ]


def test_rows_exist_only_where_a_selected_field_does(server):
    assert server.values("SELECT v FROM cpu WHERE host = 'a'") == [[T10, 1], [T20, 3]]
    assert server.series("SELECT host FROM cpu") == []
    assert server.values("SELECT v + i FROM cpu WHERE host = 'a'") == [[T10, 11], [T20, None], [T30, None]]


def test_missing_tags_equal_the_empty_string(server):
    assert server.values("SELECT v FROM cpu WHERE region = ''") == [[T40, 4]]
    assert server.values("SELECT v FROM cpu WHERE region != 'us'") == [[T20, 2], [T40, 4]]
    assert server.values("SELECT v FROM cpu WHERE nothere = '' AND host = 'c'") == [[T40, 4]]


def test_group_by_tags_makes_series_and_shows_missing_tags_as_empty(server):
    series = server.series("SELECT v FROM cpu GROUP BY region")
    assert [s["tags"] for s in series] == [{"region": ""}, {"region": "eu"}, {"region": "us"}]
    assert [len(s["values"]) for s in series] == [1, 1, 4]


def test_arithmetic_division_by_zero_and_names(server):
    (s,) = server.series("SELECT v / 0, i % 0, v * 2 AS double, i FROM cpu WHERE host = 'b' AND time = 10s")
    assert s["columns"] == ["time", "v", "i", "double", "i_1"]
    assert s["values"] == [[T10, 0, 0, 10, 20]]


def test_aggregates_group_by_time_fill_null_counts_zero(server):
    q = "SELECT count(v), sum(i) FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(10s)"
    assert server.values(q) == [
        ["1970-01-01T00:00:00Z", 0, None],
        [T10, 2, 30],
        [T20, 2, None],
        [T30, 0, 7],
        [T40, 2, None],
        ["1970-01-01T00:00:50Z", 0, None],
    ]


def test_fill_null_with_every_window_present_keeps_the_rows_in_order(server):
    # every series has a row in every window: fill() has nothing to add (its short path)
    q = "SELECT count(v), max(v) FROM cpu WHERE time >= 10s AND time < 30s GROUP BY time(10s), host"
    series = server.series(q)
    assert [(s["tags"], s["values"]) for s in series] == [
        ({"host": "a"}, [[T10, 1, 1], [T20, 1, 3]]),
        ({"host": "b"}, [[T10, 1, 5], [T20, 1, 2]]),
    ]
    assert server.values(q.replace("GROUP BY", "AND host = 'b' GROUP BY") + " ORDER BY time DESC") == [
        [T20, 1, 2],
        [T10, 1, 5],
    ]
    # one window short for host a (no v at 30s): the windows are generated again
    assert server.series(q.replace("30s", "40s"))[0]["values"] == [[T10, 1, 1], [T20, 1, 3], [T30, 0, None]]


def test_fill_none_shows_an_empty_count_as_null(server):
    q = "SELECT count(v), mean(i) FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(10s) fill(none)"
    assert server.values(q) == [[T10, 2, 15], [T20, 2, None], [T30, None, 7], [T40, 2, None]]


def test_fill_linear_previous_and_number(server):
    base = "FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(10s)"
    linear = server.values(f"SELECT mean(v), max(i) {base} fill(linear)")
    assert [r[1:] for r in linear] == [[None, None], [3, 20], [2.5, 13], [3.5, 7], [4.5, None], [None, None]]
    previous = server.values(f"SELECT max(v) {base} fill(previous)")
    assert [r[1] for r in previous] == [None, 5, 3, 3, 5, 5]
    number = server.values(f"SELECT mean(v), last(s) {base} fill(-1)")
    assert [r[1:] for r in number] == [[-1, ""], [3, "x"], [2.5, "y"], [-1, ""], [4.5, ""], [-1, ""]]


def test_without_a_lower_bound_windows_start_at_the_first_data(server):
    rows = server.values("SELECT mean(v) FROM cpu WHERE time < 60s GROUP BY time(10s)")
    assert [r[0] for r in rows] == [T10, T20, T30, T40, "1970-01-01T00:00:50Z"]


def test_aggregate_time_is_the_lower_bound_and_no_rows_means_no_series(server):
    assert server.values("SELECT count(v) FROM cpu") == [["1970-01-01T00:00:00Z", 6]]
    assert server.values("SELECT count(v) FROM cpu WHERE time >= 5s") == [["1970-01-01T00:00:05Z", 6]]
    assert server.series("SELECT count(v) FROM cpu WHERE time > 1h") == []


def test_selectors_keep_the_point_time_and_its_other_fields(server):
    assert server.values("SELECT max(v), i FROM cpu") == [[T10, 5, 20]]
    assert server.values("SELECT first(v) FROM cpu") == [[T10, 5]]  # ties at a time: larger value
    assert server.values("SELECT max(v), min(v) FROM cpu") == [["1970-01-01T00:00:00Z", 5, 1]]
    assert server.values("SELECT percentile(v, 50) FROM cpu") == [[T20, 3]]
    rows = server.values("SELECT last(v), i FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(20s)")
    assert rows == [["1970-01-01T00:00:00Z", 5, 20], [T20, 3, None], [T40, 5, None]]


def test_last_per_series(server):
    series = server.series("SELECT last(v) FROM cpu GROUP BY host")
    assert [(s["tags"]["host"], s["values"]) for s in series] == [
        ("a", [[T20, 3]]),
        ("b", [[T40, 5]]),
        ("c", [[T40, 4]]),
    ]


def test_statistics(server):
    row = server.values("SELECT median(v), mode(v), spread(v), stddev(v), sum(v), mean(i) FROM cpu")[0]
    assert row[1:5] == [3.5, 5, 4, 1.632993161855452] and row[5:] == [20, 12.333333333333334]
    assert server.values("SELECT mode(i), median(i) FROM cpu")[0][1:] == [7, 10]


def test_distinct_values_in_order_of_first_appearance(server):
    assert [r[1] for r in server.values("SELECT distinct(v) FROM cpu")] == [1, 5, 2, 3, 4]
    assert server.values("SELECT count(distinct(v)) FROM cpu")[0][1] == 5


def test_integral(server):
    series = server.series("SELECT integral(v, 1s) FROM cpu GROUP BY host")
    assert [s["values"][0][1] for s in series] == [20, 105, 0]
    assert server.values("SELECT integral(v) FROM single") == [["1970-01-01T00:00:00Z", 390]]
    rows = server.values("SELECT integral(v, 15s) FROM single WHERE time >= 0s AND time < 90s GROUP BY time(30s)")
    assert rows == [
        ["1970-01-01T00:00:00Z", 5.5],
        ["1970-01-01T00:00:30Z", 12.25],
        ["1970-01-01T00:01:00Z", 8.25],
    ]


def test_top_and_bottom(server):
    assert server.values("SELECT top(v, host, 2) FROM cpu") == [[T10, 5, "b"], [T40, 4, "c"]]
    assert server.values("SELECT bottom(v, 3), host FROM cpu") == [
        [T10, 1, "a"],
        [T20, 2, "b"],
        [T20, 3, "a"],
    ]
    rows = server.values("SELECT top(v, 2) FROM single WHERE time >= 0s AND time < 90s GROUP BY time(30s)")
    assert [r[1] for r in rows] == [1, 4, 2, 8, 6.5, 10]  # per window, in time order


def test_transformations_per_series(server):
    series = server.series(
        "SELECT derivative(v, 10s), difference(v), non_negative_difference(v) FROM cpu GROUP BY host"
    )
    assert series[0]["values"] == [[T20, 2, 2, 2]]
    assert series[1]["values"] == [[T20, -3, -3, None], [T40, 1.5, 3, 3]]
    assert [r[1] for r in server.values("SELECT moving_average(v, 3) FROM single")] == [
        7 / 3,
        14 / 3,
        16.5 / 3,
        24.5 / 3,
    ]
    assert [r[1] for r in server.values("SELECT cumulative_sum(v) FROM single")] == [1, 5, 7, 15, 21.5, 31.5]
    assert [r[1] for r in server.values("SELECT elapsed(v, 1s) FROM single")] == [15] * 5


def test_transformations_over_windows(server):
    base = "FROM cpu WHERE time >= 0s AND time < 60s GROUP BY time(10s)"
    assert server.values(f"SELECT derivative(mean(v), 10s) {base}") == [[T20, -0.5], [T40, 1]]
    rows = server.values(f"SELECT difference(max(i)), cumulative_sum(count(v)) {base}")
    assert rows == [
        ["1970-01-01T00:00:00Z", None, 0],
        [T10, None, 2],
        [T20, None, 4],
        [T30, -13, 4],
        [T40, None, 6],
        ["1970-01-01T00:00:50Z", None, 6],
    ]


def test_subqueries(server):
    assert server.values("SELECT mean(m) FROM (SELECT max(v) AS m FROM cpu GROUP BY host)") == [
        ["1970-01-01T00:00:00Z", 4]
    ]
    assert server.values("SELECT v FROM (SELECT v, host FROM cpu) WHERE host = 'a'") == [[T10, 1], [T20, 3]]
    series = server.series("SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY host) GROUP BY host")
    assert [s["tags"] for s in series] == [{"host": "a"}, {"host": "b"}, {"host": "c"}]


def test_a_subquery_over_several_measurements_runs_once(server, monkeypatch):
    ran: list[str] = []
    run_sql = server.run_sql
    monkeypatch.setattr(server, "run_sql", lambda sql, params: ran.append(sql) or run_sql(sql, params))
    assert server.series("SELECT max(m) FROM (SELECT max(v) AS m FROM cpu, single)")
    assert len(ran) == len(set(ran))  # the inner statements once each, not once per outer source


def test_order_desc_limit_offset_and_slimit(server):
    assert server.values("SELECT v FROM single ORDER BY time DESC LIMIT 2 OFFSET 1") == [
        ["1970-01-01T00:01:00Z", 6.5],
        ["1970-01-01T00:00:45Z", 8],
    ]
    series = server.series("SELECT v FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1")
    assert [(s["tags"]["host"], s["values"][0][0]) for s in series] == [("c", T40), ("b", T40), ("a", T20)]
    series = server.series("SELECT v FROM cpu GROUP BY host SLIMIT 2 SOFFSET 1")
    assert [s["tags"]["host"] for s in series] == ["b", "c"]
    assert [len(s["values"]) for s in server.series("SELECT v FROM cpu GROUP BY host LIMIT 1 OFFSET 1")] == [
        1,
        1,
    ]


def test_several_measurements_and_regexes(server):
    series = server.series("SELECT * FROM /^(mem|single)$/")
    assert [s["name"] for s in series] == ["mem", "single"]
    assert series[0]["columns"] == ["time", "active", "host", "total", "v"]


def test_unsigned_integers_render_exactly(server):
    assert server.values("SELECT total FROM mem WHERE host = 'a'") == [
        ["1970-01-01T00:00:00Z", 2**63 + 5],
        ["1970-01-01T00:01:00Z", 10],
    ]


def test_tz_renders_offsets_and_aligns_windows(server):
    assert server.values("SELECT v FROM single LIMIT 1 tz('Asia/Kolkata')") == [["1970-01-01T05:30:00+05:30", 1]]
    rows = server.values(
        "SELECT count(v) FROM single WHERE time >= 0s AND time < 90s GROUP BY time(1d) tz('Asia/Kolkata')"
    )
    assert rows == [["1970-01-01T00:00:00+05:30", 6]]  # local midnight, 18:30 the day before in UTC


def test_bind_parameters(server):
    assert server.values("SELECT v FROM cpu WHERE host = $h AND v > $min", params={"h": "b", "min": 4}) == [
        [T10, 5],
        [T40, 5],
    ]
    assert server.values("SELECT v FROM cpu WHERE host =~ $re", params={"re": "^c$"}) == [[T40, 4]]
    status, message = server.error("SELECT v FROM cpu WHERE host = $h", params={})
    assert (status, message) == (
        400,
        "Bind parameter '$h' was referenced in the InfluxQL statement but its value is undefined",
    )


def test_explain_returns_the_sql(server):
    (s,) = server.series("EXPLAIN SELECT max(v) FROM cpu")
    assert s["columns"] == ["plan_type", "plan"]
    assert s["values"][0][1].startswith('SELECT first_value("time" ORDER BY "v" DESC')


def test_max_select_buckets(server, monkeypatch):
    status, message = server.error("SELECT count(v) FROM cpu WHERE time < '2000-01-01T00:00:00Z' GROUP BY time(1s)")
    assert status == 400 and message.startswith("max-select-buckets limit exceeded: (946684790/1000000)")
    monkeypatch.setattr(post, "MAX_FILLED_ROWS", 9)  # two series of five windows each
    _, message = server.error("SELECT count(v) FROM cpu WHERE time < 15s GROUP BY time(1s), host")
    assert message.startswith("max-select-buckets limit exceeded: (10/9)")
