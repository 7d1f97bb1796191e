"""The differential corpus: InfluxQL requests that both sides must answer identically.

Each :class:`Case` has an id, the query text and optional v1 ``/query`` parameters (``epoch``,
``chunked``, ``params``). Queries are written so that InfluxDB 1.x's answer is deterministic:
its merge of several series is not stable for points that share a timestamp, so LIMITs,
transformations and selectors with extra fields run per series (``GROUP BY host``) or on the
one-series measurements (``single``, ``weather``); GROUP BY time() always has an upper bound
(without one InfluxDB fills windows up to now()).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dataset import END, MID, START


@dataclass(frozen=True)
class Case:
    id: str
    q: str
    params: dict[str, str] = field(default_factory=dict)


R = f"time >= '{START}' AND time < '{END}'"  # the whole dataset
H1 = f"time >= '{START}' AND time < '2024-01-01T00:10:00Z'"  # the first ten minutes

_QUERIES: list[tuple[str, str]] = [
    # -- raw selection ---------------------------------------------------------------------------
    ("raw-star", "SELECT * FROM cpu"),
    ("raw-star-where-time", f"SELECT * FROM cpu WHERE {H1}"),
    ("raw-fields", "SELECT usage_user, usage_system FROM cpu WHERE host = 'h1'"),
    ("raw-field-and-tag", f"SELECT usage_user, host, region FROM cpu WHERE {H1}"),
    ("raw-tag-only", "SELECT host FROM cpu"),
    ("raw-missing-field", "SELECT nothere FROM cpu"),
    ("raw-missing-measurement", "SELECT v FROM nothere"),
    ("raw-quoted", 'SELECT "usage_user" AS "user %" FROM "cpu" WHERE "host" = \'h2\''),
    ("raw-star-field", "SELECT *::field FROM mem"),
    ("raw-star-tag-and-field", "SELECT *::tag, used FROM mem WHERE host = 'h3'"),
    ("raw-regex-fields", "SELECT /usage_/ FROM cpu WHERE host = 'h4'"),
    ("raw-regex-fields-tags", "SELECT /o/ FROM disk"),
    ("raw-time-column", "SELECT time, v FROM single"),
    ("raw-all-types", "SELECT temperature, humidity, raining, summary FROM weather"),
    ("raw-bool-string", f"SELECT throttled, state FROM cpu WHERE host = 'h3' AND {H1}"),
    ("raw-subsecond", "SELECT temperature FROM weather LIMIT 5"),
    ("raw-escaped-tag", "SELECT * FROM disk WHERE path = '/data dir' LIMIT 3"),
    ("raw-two-measurements", "SELECT used, used_percent FROM mem, disk WHERE host = 'h2'"),
    ("raw-regex-measurement", "SELECT * FROM /^(mem|events)$/"),
    ("raw-db-qualified", "SELECT v FROM diff..single LIMIT 3"),
    ("raw-db-rp-qualified", "SELECT v FROM diff.autogen.single LIMIT 3"),
    ("raw-casts", "SELECT n::float, v::integer, v::string, n::tag FROM single LIMIT 4"),
    # -- WHERE ----------------------------------------------------------------------------------
    ("where-tag-eq", "SELECT usage_user FROM cpu WHERE host = 'h1'"),
    ("where-tag-neq", f"SELECT usage_user FROM cpu WHERE host != 'h1' AND {H1}"),
    ("where-tag-ltgt", f"SELECT usage_user FROM cpu WHERE host <> 'h2' AND {H1}"),
    ("where-tag-regex", f"SELECT usage_user FROM cpu WHERE host =~ /^h[12]$/ AND {H1}"),
    ("where-tag-not-regex", f"SELECT usage_user FROM cpu WHERE host !~ /1|2/ AND {H1}"),
    ("where-missing-tag-empty", "SELECT usage_user FROM cpu WHERE region = ''"),
    ("where-missing-tag-neq", f"SELECT usage_user FROM cpu WHERE region != 'us-east' AND {H1}"),
    ("where-missing-tag-regex-empty", "SELECT usage_user FROM cpu WHERE region =~ /^$/"),
    ("where-unknown-name", f"SELECT usage_user FROM cpu WHERE nothere = '' AND {H1}"),
    ("where-unknown-name-neq", "SELECT v FROM single WHERE nothere != 'x' LIMIT 3"),
    ("where-field-gt", "SELECT usage_user FROM cpu WHERE usage_user > 55"),
    ("where-field-lte-int", "SELECT used FROM mem WHERE used <= 1100"),
    ("where-field-eq-float-int", "SELECT cores FROM cpu WHERE cores = 4.0 AND host = 'h1' LIMIT 3"),
    ("where-field-bool", f"SELECT throttled FROM cpu WHERE throttled = true AND {H1}"),
    ("where-field-string", "SELECT summary FROM weather WHERE summary = 'rain, light'"),
    ("where-field-string-regex", "SELECT summary FROM weather WHERE summary =~ /^c/"),
    ("where-field-arith", "SELECT usage_user, usage_system FROM cpu WHERE usage_user + usage_system > 85"),
    (
        "where-and-or-parens",
        f"SELECT usage_user FROM cpu WHERE (host = 'h1' OR host = 'h3') AND usage_user < 5 AND {R}",
    ),
    ("where-or-tags", f"SELECT usage_user FROM cpu WHERE host = 'h4' OR region = 'eu-west' AND {H1}"),
    ("where-number-vs-string", "SELECT usage_user FROM cpu WHERE usage_user = 'x'"),
    ("where-time-gt", "SELECT v FROM single WHERE time > '2024-01-01T00:58:00Z'"),
    ("where-time-lte", "SELECT v FROM single WHERE time <= '2024-01-01T00:01:00Z'"),
    ("where-time-eq", "SELECT v FROM single WHERE time = '2024-01-01T00:00:30Z'"),
    (
        "where-time-date-only",
        "SELECT count(v) FROM single WHERE time >= '2024-01-01' AND time < '2024-01-02'",
    ),
    ("where-time-space-format", "SELECT v FROM single WHERE time < '2024-01-01 00:01:00'"),
    ("where-time-ns-integer", "SELECT v FROM single WHERE time < 1704067260000000000"),
    ("where-time-arith", f"SELECT v FROM single WHERE time >= '{START}' + 58m"),
    ("where-time-arith-minus", f"SELECT v FROM single WHERE time < '{START}' + 1h - 59m"),
    ("where-time-now", "SELECT v FROM single WHERE time > now() - 2000d LIMIT 2"),
    ("where-time-future", "SELECT v FROM single WHERE time > now()"),
    ("where-time-empty-range", f"SELECT v FROM single WHERE time > '{END}' AND time < '{START}'"),
    ("where-time-offset", "SELECT v FROM single WHERE time < '2024-01-01T01:01:00+01:00'"),
    # -- aggregates without GROUP BY time --------------------------------------------------------
    ("agg-count", "SELECT count(usage_user) FROM cpu"),
    ("agg-count-star", "SELECT count(*) FROM cpu"),
    ("agg-count-regex", "SELECT count(/usage/) FROM cpu"),
    ("agg-count-range", f"SELECT count(usage_user) FROM cpu WHERE {H1}"),
    ("agg-count-nothing", "SELECT count(v) FROM single WHERE time > now()"),
    ("agg-sum-mean", "SELECT sum(used), mean(used), mean(free) FROM mem"),
    ("agg-mean-star", "SELECT mean(*) FROM cpu"),
    ("agg-median", "SELECT median(usage_user), median(cores) FROM cpu"),
    ("agg-median-even", "SELECT median(humidity) FROM weather"),
    ("agg-mode", "SELECT mode(cores), mode(state), mode(throttled) FROM cpu"),
    ("agg-mode-int", "SELECT mode(humidity) FROM weather"),
    ("agg-spread", "SELECT spread(usage_user), spread(cores) FROM cpu"),
    ("agg-stddev", "SELECT stddev(usage_user), stddev(used) FROM cpu, mem"),
    ("agg-distinct", "SELECT distinct(state) FROM cpu"),
    ("agg-distinct-int", "SELECT distinct(cores) FROM cpu"),
    ("agg-distinct-keyword", "SELECT DISTINCT summary FROM weather"),
    ("agg-count-distinct", "SELECT count(distinct(state)) FROM cpu"),
    ("agg-integral-single", "SELECT integral(v) FROM single"),
    ("agg-integral-unit", "SELECT integral(v, 1m) FROM single"),
    ("agg-integral-by-host", "SELECT integral(usage_user, 1h) FROM cpu GROUP BY host"),
    ("agg-group-by-tag", "SELECT mean(usage_user), max(usage_system) FROM cpu GROUP BY host"),
    ("agg-group-by-two-tags", "SELECT count(used_percent) FROM disk GROUP BY host, device"),
    ("agg-group-by-star", "SELECT count(usage_user) FROM cpu GROUP BY *"),
    ("agg-group-by-regex", "SELECT count(used_percent) FROM disk GROUP BY /dev|pa/"),
    ("agg-group-by-missing-tag", "SELECT count(usage_user) FROM cpu GROUP BY region"),
    ("agg-group-by-unknown-tag", "SELECT count(v) FROM single GROUP BY nothere"),
    ("agg-lower-bound-time", f"SELECT count(v) FROM single WHERE time >= '{MID}'"),
    ("agg-arith", "SELECT mean(usage_user) * 2 + 1, sum(cores) / count(cores) FROM cpu"),
    ("agg-arith-two", "SELECT max(usage_user) - min(usage_user) FROM cpu"),
    (
        "agg-math",
        "SELECT abs(min(temperature)), round(mean(temperature)), floor(max(temperature)) FROM weather",
    ),
    ("agg-multi-measurement", "SELECT count(host) FROM cpu, mem"),
    ("agg-alias", "SELECT count(usage_user) AS n, mean(usage_user) AS avg FROM cpu WHERE host = 'h2'"),
    ("agg-same-name", "SELECT count(usage_user), count(usage_system), count(cores) FROM cpu"),
    # -- selectors -------------------------------------------------------------------------------
    ("sel-first", "SELECT first(v) FROM single"),
    ("sel-last", "SELECT last(v) FROM single"),
    ("sel-min-max", "SELECT min(v) FROM single"),
    ("sel-max", "SELECT max(v) FROM single"),
    ("sel-max-aux", "SELECT max(v), n FROM single"),
    ("sel-min-aux-tag", "SELECT min(temperature), location, summary FROM weather"),
    ("sel-last-by-host", "SELECT last(usage_user) FROM cpu GROUP BY host"),
    ("sel-first-string", "SELECT first(summary), last(raining) FROM weather"),
    ("sel-first-by-host-aux", "SELECT first(usage_idle), usage_user FROM cpu GROUP BY host"),
    ("sel-two-selectors", "SELECT min(v), max(v) FROM single"),
    ("sel-selector-and-agg", "SELECT max(v), mean(v) FROM single"),
    ("sel-percentile", "SELECT percentile(v, 90) FROM single"),
    ("sel-percentile-50", "SELECT percentile(temperature, 50) FROM weather"),
    ("sel-percentile-by-host", "SELECT percentile(usage_user, 75) FROM cpu GROUP BY host"),
    ("sel-percentile-and-max", "SELECT percentile(v, 10), max(v) FROM single"),
    ("sel-max-bool", "SELECT max(raining), min(raining) FROM weather"),
    ("sel-max-int-by-host", "SELECT max(used) FROM mem GROUP BY host"),
    ("sel-max-star", "SELECT max(*) FROM weather"),
    ("sel-first-star", "SELECT first(*) FROM mem WHERE host = 'h1'"),
    ("sel-selector-arith", "SELECT max(v) * 10 FROM single"),
    ("sel-top", "SELECT top(v, 3) FROM single"),
    ("sel-bottom", "SELECT bottom(v, 3) FROM single"),
    ("sel-top-tag", "SELECT top(usage_user, host, 2) FROM cpu"),
    ("sel-top-aux", "SELECT top(temperature, 4), humidity FROM weather"),
    ("sel-bottom-by-host", "SELECT bottom(usage_user, 2) FROM cpu GROUP BY host"),
    ("sel-top-window", f"SELECT top(v, 2) FROM single WHERE {R} GROUP BY time(15m)"),
    # -- GROUP BY time ---------------------------------------------------------------------------
    ("gbt-mean", f"SELECT mean(v) FROM single WHERE {R} GROUP BY time(5m)"),
    ("gbt-count-by-host", f"SELECT count(usage_user) FROM cpu WHERE {R} GROUP BY time(10m), host"),
    ("gbt-max-1h", f"SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND {R} GROUP BY time(1h)"),
    (
        "gbt-multi",
        f"SELECT mean(usage_user), max(usage_system), min(usage_idle) FROM cpu WHERE {R} GROUP BY time(15m)",
    ),
    ("gbt-offset", f"SELECT count(v) FROM single WHERE {R} GROUP BY time(10m, 3m)"),
    ("gbt-negative-offset", f"SELECT count(v) FROM single WHERE {R} GROUP BY time(10m, -2m)"),
    (
        "gbt-unaligned-range",
        "SELECT mean(v) FROM single WHERE time >= '2024-01-01T00:07:00Z' AND time < '2024-01-01T00:37:00Z' "
        "GROUP BY time(10m)",
    ),
    ("gbt-no-lower-bound", f"SELECT count(value) FROM events WHERE time < '{END}' GROUP BY time(10m)"),
    ("gbt-selector", f"SELECT last(v) FROM single WHERE {R} GROUP BY time(10m)"),
    ("gbt-selector-aux", f"SELECT max(temperature), humidity FROM weather WHERE {R} GROUP BY time(20m)"),
    ("gbt-percentile", f"SELECT percentile(v, 50) FROM single WHERE {R} GROUP BY time(20m)"),
    ("gbt-distinct", f"SELECT distinct(msg) FROM events WHERE {R} GROUP BY time(30m)"),
    ("gbt-distinct-field", f"SELECT distinct(code) FROM events WHERE {R} GROUP BY time(30m)"),
    ("gbt-mode-median", f"SELECT mode(humidity), median(humidity) FROM weather WHERE {R} GROUP BY time(15m)"),
    ("gbt-spread-stddev", f"SELECT spread(used), stddev(used) FROM mem WHERE {R} GROUP BY time(20m), host"),
    ("gbt-integral", f"SELECT integral(v) FROM single WHERE {R} GROUP BY time(20m)"),
    ("gbt-order-desc", f"SELECT mean(v) FROM single WHERE {R} GROUP BY time(10m) ORDER BY time DESC"),
    ("gbt-limit", f"SELECT mean(v) FROM single WHERE {R} GROUP BY time(5m) LIMIT 3"),
    ("gbt-limit-offset", f"SELECT mean(v) FROM single WHERE {R} GROUP BY time(5m) LIMIT 3 OFFSET 4"),
    (
        "gbt-desc-limit",
        f"SELECT max(usage_user) FROM cpu WHERE time < '{END}' GROUP BY time(1m) ORDER BY time DESC LIMIT 5",
    ),
    ("gbt-by-host-limit", f"SELECT count(usage_user) FROM cpu WHERE {R} GROUP BY time(20m), host LIMIT 2"),
    ("gbt-tz", f"SELECT count(v) FROM single WHERE {R} GROUP BY time(20m) tz('America/New_York')"),
    (
        "gbt-tz-day",
        "SELECT count(v) FROM single WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-02T00:00:00Z' "
        "GROUP BY time(1d) tz('Asia/Kolkata')",
    ),
    (
        "gbt-two-measurements",
        f"SELECT count(used), count(usage_user) FROM cpu, mem WHERE {R} GROUP BY time(30m)",
    ),
    ("gbt-arith", f"SELECT mean(used) / 1000 FROM mem WHERE {R} GROUP BY time(30m)"),
    # -- fill ------------------------------------------------------------------------------------
    ("fill-default", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m)"),
    ("fill-null", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(null)"),
    ("fill-none", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(none)"),
    ("fill-zero", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(0)"),
    ("fill-number", f"SELECT mean(value), max(code) FROM events WHERE {R} GROUP BY time(5m) fill(-1)"),
    ("fill-previous", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(previous)"),
    ("fill-linear", f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(linear)"),
    ("fill-linear-int", f"SELECT max(code) FROM events WHERE {R} GROUP BY time(5m) fill(linear)"),
    ("fill-count-null", f"SELECT count(value) FROM events WHERE {R} GROUP BY time(5m)"),
    ("fill-count-none", f"SELECT count(msg), mean(value) FROM events WHERE {R} GROUP BY time(5m) fill(none)"),
    ("fill-count-number", f"SELECT count(msg), sum(code) FROM events WHERE {R} GROUP BY time(10m) fill(7)"),
    ("fill-string", f"SELECT last(msg) FROM events WHERE {R} GROUP BY time(10m) fill(1)"),
    ("fill-by-tag", f"SELECT sum(value) FROM events WHERE {R} GROUP BY time(10m), kind fill(previous)"),
    (
        "fill-previous-multi",
        f"SELECT first(value), last(code) FROM events WHERE {R} GROUP BY time(10m) fill(previous)",
    ),
    # -- transformations -------------------------------------------------------------------------
    ("tr-derivative", "SELECT derivative(v) FROM single"),
    ("tr-derivative-unit", "SELECT derivative(v, 1m) FROM single"),
    ("tr-non-negative-derivative", "SELECT non_negative_derivative(used) FROM mem GROUP BY host"),
    ("tr-difference", "SELECT difference(n) FROM single"),
    ("tr-non-negative-difference", "SELECT non_negative_difference(v) FROM single"),
    ("tr-moving-average", "SELECT moving_average(v, 4) FROM single"),
    ("tr-cumulative-sum", "SELECT cumulative_sum(n) FROM single"),
    ("tr-elapsed", "SELECT elapsed(v) FROM single LIMIT 5"),
    ("tr-elapsed-unit", "SELECT elapsed(temperature, 1ms) FROM weather"),
    ("tr-by-host", "SELECT derivative(usage_user, 10s), difference(usage_user) FROM cpu GROUP BY host"),
    ("tr-several", "SELECT difference(v), cumulative_sum(v), moving_average(v, 2) FROM single"),
    ("tr-agg-derivative", f"SELECT derivative(mean(v)) FROM single WHERE {R} GROUP BY time(5m)"),
    ("tr-agg-derivative-unit", f"SELECT derivative(mean(v), 1m) FROM single WHERE {R} GROUP BY time(5m)"),
    ("tr-agg-difference", f"SELECT difference(max(code)) FROM events WHERE {R} GROUP BY time(10m)"),
    ("tr-agg-cumsum-count", f"SELECT cumulative_sum(count(value)) FROM events WHERE {R} GROUP BY time(10m)"),
    ("tr-agg-moving-average", f"SELECT moving_average(mean(v), 3) FROM single WHERE {R} GROUP BY time(5m)"),
    (
        "tr-agg-fill-previous",
        f"SELECT non_negative_difference(last(value)) FROM events WHERE {R} GROUP BY time(5m) fill(previous)",
    ),
    (
        "tr-agg-by-host",
        f"SELECT non_negative_derivative(max(used), 1m) FROM mem WHERE {R} GROUP BY time(10m), host",
    ),
    ("tr-agg-mixed", f"SELECT mean(v), difference(mean(v)) FROM single WHERE {R} GROUP BY time(10m)"),
    ("tr-agg-elapsed", f"SELECT elapsed(count(v), 1m) FROM single WHERE {R} GROUP BY time(10m)"),
    (
        "tr-agg-unaligned",
        "SELECT difference(mean(v)) FROM single WHERE time >= '2024-01-01T00:12:00Z' "
        "AND time < '2024-01-01T00:40:00Z' GROUP BY time(10m)",
    ),
    # -- arithmetic and math -------------------------------------------------------------------------
    ("math-arith", "SELECT v * 2, v + n, v - n, n * 3, n % 7, v / 4 FROM single LIMIT 6"),
    ("math-int-division", "SELECT n / 3, n / 0, v / 0 FROM single LIMIT 4"),
    ("math-modulo-zero", "SELECT n % 0 FROM single LIMIT 2"),
    ("math-unary", "SELECT -v, -n FROM single LIMIT 3"),
    ("math-precedence", "SELECT v + n * 2, (v + n) * 2, v - n - 1 FROM single LIMIT 3"),
    ("math-bitwise", "SELECT n & 7, n | 8, n ^ 5 FROM single LIMIT 4"),
    (
        "math-functions",
        "SELECT abs(temperature), ceil(temperature), floor(temperature), round(temperature) "
        "FROM weather LIMIT 5",
    ),
    (
        "math-functions-2",
        "SELECT sqrt(humidity), exp(temperature / 10), ln(humidity), log2(humidity), log10(humidity) "
        "FROM weather LIMIT 5",
    ),
    (
        "math-trig",
        "SELECT sin(temperature), cos(temperature), tan(temperature), atan(temperature) FROM weather LIMIT 4",
    ),
    (
        "math-trig-inverse",
        "SELECT asin(temperature / 30), acos(temperature / 30), atan2(temperature, humidity) "
        "FROM weather LIMIT 4",
    ),
    ("math-pow-log", "SELECT pow(v, 2), log(humidity, 3) FROM single, weather LIMIT 3"),
    ("math-sqrt-negative", "SELECT sqrt(temperature) FROM weather WHERE temperature < 0 LIMIT 3"),
    ("math-tag-arith", "SELECT usage_user + host FROM cpu WHERE host = 'h1' LIMIT 2"),
    ("math-mixed-types", "SELECT used + free, used * 1.5 FROM mem WHERE host = 'h1' LIMIT 3"),
    # -- ORDER / LIMIT / SLIMIT ------------------------------------------------------------------
    ("order-desc", "SELECT v FROM single ORDER BY time DESC LIMIT 5"),
    ("order-asc-explicit", "SELECT v FROM single ORDER BY time ASC LIMIT 2"),
    ("limit-offset", "SELECT v FROM single LIMIT 3 OFFSET 10"),
    ("limit-by-host", "SELECT usage_user FROM cpu GROUP BY host LIMIT 2"),
    ("limit-offset-by-host", "SELECT usage_user FROM cpu GROUP BY host LIMIT 2 OFFSET 3"),
    ("lastpoint", "SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1"),
    ("lastpoint-fields", "SELECT usage_user, usage_system FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1"),
    ("slimit", "SELECT usage_user FROM cpu GROUP BY host SLIMIT 2"),
    ("slimit-soffset", "SELECT usage_user FROM cpu GROUP BY host SLIMIT 1 SOFFSET 2"),
    ("slimit-agg", "SELECT count(used_percent) FROM disk GROUP BY * SLIMIT 2 SOFFSET 1"),
    ("offset-past-end", "SELECT v FROM single LIMIT 2 OFFSET 1000"),
    ("tz-raw", "SELECT v FROM single LIMIT 3 tz('Asia/Kolkata')"),
    ("tz-agg", "SELECT count(v) FROM single tz('America/Los_Angeles')"),
    # -- more combinations -----------------------------------------------------------------------
    (
        "mix-fill-per-series-start",
        f"SELECT count(value) FROM events WHERE time < '{END}' GROUP BY time(10m), kind",
    ),
    (
        "mix-gbt-desc-fill-limit",
        f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(5m) ORDER BY time DESC LIMIT 4",
    ),
    (
        "mix-desc-two-measurements",
        "SELECT usage_user, used FROM cpu, mem WHERE time < '2024-01-01T00:01:00Z' "
        "GROUP BY host ORDER BY time DESC",
    ),
    ("mix-desc-raw-by-host", "SELECT usage_user FROM cpu GROUP BY host ORDER BY time DESC LIMIT 2"),
    (
        "mix-sub-gbt-inner-raw-outer",
        f"SELECT m FROM (SELECT mean(v) AS m FROM single WHERE {R} GROUP BY time(10m))",
    ),
    ("mix-top-gbt-by-host", f"SELECT top(usage_user, 1) FROM cpu WHERE {R} GROUP BY time(30m), host"),
    ("mix-star-two-measurements", "SELECT * FROM mem, events WHERE time < '2024-01-01T00:03:00Z'"),
    ("mix-limit-two-measurements", "SELECT * FROM single, weather LIMIT 2"),
    ("mix-distinct-by-tag", "SELECT distinct(note) FROM mem GROUP BY host"),
    ("mix-distinct-field-by-tag", "SELECT distinct(cores) FROM cpu GROUP BY host"),
    ("mix-count-distinct-gbt", f"SELECT count(distinct(state)) FROM cpu WHERE {R} GROUP BY time(20m)"),
    (
        "mix-percentile-gbt-aux",
        f"SELECT percentile(temperature, 75), humidity FROM weather WHERE {R} GROUP BY time(30m)",
    ),
    ("mix-mean-star-by-host", "SELECT mean(*) FROM mem GROUP BY host"),
    ("mix-regex-measurement-where", "SELECT count(used) FROM /^m/ WHERE host =~ /h[23]/"),
    ("mix-show-tag-keys-where", "SHOW TAG KEYS FROM cpu WHERE host = 'h4'"),
    ("mix-show-field-keys-regex", "SHOW FIELD KEYS FROM /^(mem|disk)$/"),
    ("mix-show-measurements-on", "SHOW MEASUREMENTS ON diff"),
    ("mix-epoch-tz", f"SELECT count(v) FROM single WHERE {R} GROUP BY time(30m) tz('Asia/Tokyo')"),
    ("mix-count-bool", "SELECT count(throttled), first(state), last(state) FROM cpu GROUP BY host"),
    (
        "mix-moving-average-fill",
        f"SELECT moving_average(mean(value), 2) FROM events WHERE {R} GROUP BY time(10m) fill(0)",
    ),
    ("mix-elapsed-gbt", f"SELECT elapsed(last(value), 1s) FROM events WHERE {R} GROUP BY time(10m)"),
    ("mix-where-precedence", "SELECT v, n FROM single WHERE v > 10 AND n < 50 OR n > 470"),
    ("mix-last-star-by-host", "SELECT last(*) FROM cpu GROUP BY host"),
    ("mix-star-plus-field", "SELECT *, used FROM mem WHERE host = 'h2' LIMIT 2"),
    ("mix-limit-offset-where-tag", "SELECT * FROM cpu WHERE host = 'h1' LIMIT 3 OFFSET 2"),
    ("mix-qualified-quoted", 'SELECT "v" FROM "diff"."autogen"."single" LIMIT 2'),
    ("mix-case-keywords", "select MEAN(v) as Mean from single where TIME < '2024-01-01T00:10:00Z'"),
    ("mix-comments", "SELECT v FROM single -- first rows\nLIMIT 2"),
    ("mix-fraction-bound", "SELECT temperature FROM weather WHERE time >= '2024-01-01T00:00:30.5Z' LIMIT 2"),
    (
        "mix-gbt-fill-none-where",
        f"SELECT count(v) FROM single WHERE v > 12 AND {R} GROUP BY time(10m) fill(none)",
    ),
    ("mix-top-aux", "SELECT top(v, 3), n FROM single"),
    ("mix-bottom-tag", "SELECT bottom(usage_user, host, 3) FROM cpu"),
    ("mix-percentile-edges", "SELECT percentile(v, 0), percentile(v, 100), percentile(v, 0.5) FROM single"),
    ("mix-stddev-single-value", f"SELECT stddev(value) FROM events WHERE {R} GROUP BY time(10m) fill(none)"),
    ("mix-mean-int", "SELECT mean(cores), sum(cores) FROM cpu GROUP BY host"),
    ("mix-first-with-nulls", "SELECT first(usage_idle), last(usage_idle) FROM cpu GROUP BY host"),
    ("mix-where-two-tags", f"SELECT usage_user FROM cpu WHERE host = 'h1' AND region = 'us-east' AND {H1}"),
    ("mix-where-float-or", "SELECT v FROM single WHERE v = 10.5 OR n = 0"),
    ("mix-spread-gbt-by-tag", f"SELECT spread(inodes) FROM disk WHERE {R} GROUP BY time(30m), device"),
    ("mix-max-minus-min-gbt", f"SELECT max(v) - min(v) FROM single WHERE {R} GROUP BY time(15m)"),
    ("mix-integral-gbt-gaps", f"SELECT integral(value, 1m) FROM events WHERE {R} GROUP BY time(10m)"),
    (
        "mix-derivative-gaps-fill-none",
        f"SELECT derivative(max(value), 1m) FROM events WHERE {R} GROUP BY time(5m) fill(none)",
    ),
    ("mix-sum-by-path", "SELECT sum(inodes) FROM disk GROUP BY path"),
    ("mix-where-tag-space", "SELECT count(used_percent) FROM disk WHERE path = '/data dir'"),
    ("mix-regex-anchors", "SELECT count(summary) FROM weather WHERE summary =~ /^rain, light$/"),
    ("mix-regex-case-insensitive", "SELECT count(summary) FROM weather WHERE summary =~ /(?i)CLEAR/"),
    ("mix-group-by-time-and-star", f"SELECT count(used_percent) FROM disk WHERE {R} GROUP BY time(30m), *"),
    ("mix-cumsum-by-host", "SELECT cumulative_sum(used) FROM mem GROUP BY host LIMIT 3"),
    (
        "mix-difference-int-by-host",
        "SELECT difference(used), non_negative_difference(used) FROM mem GROUP BY host",
    ),
    ("mix-sub-regex-source", "SELECT max(u) FROM (SELECT used AS u FROM /mem/)"),
    (
        "mix-sub-two-levels-raw",
        "SELECT v FROM (SELECT v FROM (SELECT v, n FROM single WHERE n > 300)) LIMIT 3",
    ),
    ("mix-sub-distinct", "SELECT count(d) FROM (SELECT distinct(humidity) AS d FROM weather)"),
    (
        "more-fill-selector-aux-previous",
        f"SELECT last(value), code FROM events WHERE {R} GROUP BY time(5m) fill(previous)",
    ),
    (
        "more-fill-selector-aux-number",
        f"SELECT last(value), msg FROM events WHERE {R} GROUP BY time(10m) fill(1)",
    ),
    ("more-fill-count-star-none", f"SELECT count(*) FROM events WHERE {R} GROUP BY time(10m) fill(none)"),
    (
        "more-fill-no-lower-bound-value",
        f"SELECT mean(value) FROM events WHERE time < '{END}' GROUP BY time(10m) fill(0)",
    ),
    ("more-first-by-tag", "SELECT first(value), last(msg) FROM events GROUP BY kind"),
    ("more-tz-desc", "SELECT v FROM single ORDER BY time DESC LIMIT 2 tz('Europe/Berlin')"),
    (
        "more-star-field-group-star",
        "SELECT *::field FROM disk WHERE time < '2024-01-01T00:03:00Z' GROUP BY *",
    ),
    (
        "more-bottom-gbt-tags",
        f"SELECT bottom(used_percent, 1) FROM disk WHERE {R} GROUP BY time(30m), device",
    ),
    (
        "more-percentile-fill-none",
        f"SELECT percentile(value, 50) FROM events WHERE {R} GROUP BY time(20m) fill(none)",
    ),
    (
        "more-selector-gbt-desc-limit",
        f"SELECT last(v) FROM single WHERE {R} GROUP BY time(5m) ORDER BY time DESC LIMIT 3",
    ),
    ("more-distinct-gbt-empty-windows", f"SELECT distinct(code) FROM events WHERE {R} GROUP BY time(10m)"),
    (
        "more-gbt-limit-offset-fill",
        f"SELECT count(value) FROM events WHERE {R} GROUP BY time(10m) LIMIT 2 OFFSET 2",
    ),
    (
        "more-two-measurements-fill",
        f"SELECT max(used), max(used_percent) FROM mem, disk WHERE {R} GROUP BY time(20m), host",
    ),
    (
        "more-regex-group-and-field",
        "SELECT /used/ FROM disk WHERE time < '2024-01-01T00:02:00Z' GROUP BY /ost/",
    ),
    (
        "more-where-regex-field-and-tag",
        "SELECT count(used_percent) FROM disk WHERE device =~ /a$/ AND path !~ /dir/",
    ),
    ("more-math-on-selector-aux", "SELECT abs(min(temperature)), humidity FROM weather"),
    ("more-integral-two-fields", "SELECT integral(v), integral(n, 1m) FROM single"),
    ("more-cumsum-desc", "SELECT cumulative_sum(n) FROM single ORDER BY time DESC LIMIT 3"),
    ("more-derivative-desc", "SELECT derivative(v, 1m) FROM single ORDER BY time DESC LIMIT 3"),
    (
        "more-mean-no-data-window-desc",
        f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(15m) ORDER BY time DESC",
    ),
    ("edge-agg-limit-offset", "SELECT count(v) FROM single LIMIT 1 OFFSET 1"),
    ("edge-soffset-past-end", "SELECT usage_user FROM cpu GROUP BY host SLIMIT 2 SOFFSET 10"),
    (
        "edge-week-windows",
        "SELECT count(v) FROM single WHERE time >= '2023-12-20' AND time < '2024-01-10' GROUP BY time(1w)",
    ),
    ("edge-distinct-time-and-tag", f"SELECT distinct(note) FROM mem WHERE {R} GROUP BY time(30m), host"),
    ("edge-fill-linear-bool", f"SELECT last(raining) FROM weather WHERE {R} GROUP BY time(7m) fill(linear)"),
    (
        "edge-count-on-empty-range",
        "SELECT count(v) FROM single WHERE time >= '2023-01-01' AND time < '2023-01-02'",
    ),
    (
        "edge-fill-on-empty-range",
        "SELECT count(v) FROM single WHERE time >= '2023-01-01' AND time < '2023-01-01T01:00:00Z' "
        "GROUP BY time(20m)",
    ),
    # -- what Grafana sends --------------------------------------------------------------------------
    (
        "grafana-time-filter",
        'SELECT mean("v") FROM "single" WHERE time >= 1704067200000ms and time <= 1704070799999ms '
        "GROUP BY time(5m) fill(null)",
    ),
    (
        "grafana-host-regex",
        'SELECT last("usage_user") FROM "cpu" WHERE ("host" =~ /^(h1|h3)$/) AND time >= 1704067200000ms '
        'AND time <= 1704070799999ms GROUP BY time(10m), "host" fill(none)',
    ),
    ("grafana-show-retention", 'SHOW RETENTION POLICIES on "diff"'),
    ("grafana-show-measurements", "SHOW MEASUREMENTS WITH MEASUREMENT =~ /.*/ LIMIT 100"),
    ("grafana-show-tag-values", 'SHOW TAG VALUES FROM "cpu" WITH KEY = "host" WHERE region =~ /us/'),
    # -- ORDER BY time DESC: windows, fill and transformations run in output order -----------------
    (
        "desc-fill-previous",
        f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(10m) fill(previous) ORDER BY time DESC",
    ),
    (
        "desc-fill-linear",
        f"SELECT mean(value) FROM events WHERE {R} GROUP BY time(10m) fill(linear) ORDER BY time DESC",
    ),
    (
        "desc-difference",
        "SELECT difference(v) FROM single WHERE time < '2024-01-01T00:02:00Z' ORDER BY time DESC",
    ),
    ("desc-elapsed", "SELECT elapsed(v, 1s) FROM single ORDER BY time DESC LIMIT 3"),
    (
        "desc-moving-average",
        "SELECT difference(v), moving_average(v, 2) FROM single ORDER BY time DESC LIMIT 3",
    ),
    (
        "desc-agg-derivative",
        "SELECT derivative(mean(v), 1m) FROM single WHERE time >= '2024-01-01T00:10:00Z' "
        "AND time < '2024-01-01T00:40:00Z' GROUP BY time(10m) ORDER BY time DESC",
    ),
    (
        "desc-agg-non-negative-difference",
        f"SELECT non_negative_difference(max(code)) FROM events WHERE {R} "
        "GROUP BY time(10m) ORDER BY time DESC",
    ),
    ("desc-top-windows", f"SELECT top(v, 3) FROM single WHERE {H1} GROUP BY time(5m) ORDER BY time DESC"),
    ("desc-top", "SELECT top(v, 4) FROM single ORDER BY time DESC"),
    ("desc-bottom-by-host", "SELECT bottom(usage_user, 2) FROM cpu GROUP BY host ORDER BY time DESC"),
    ("desc-integral", "SELECT integral(v) FROM single ORDER BY time DESC"),
    # -- subqueries ------------------------------------------------------------------------------
    ("sub-mean-of-max", "SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu GROUP BY host)"),
    ("sub-raw-filter", "SELECT v FROM (SELECT v, n FROM single) WHERE n > 300"),
    (
        "sub-gbt",
        f"SELECT sum(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {R} GROUP BY time(20m), host) "
        f"WHERE {R} GROUP BY time(20m)",
    ),
    ("sub-max-of-difference", "SELECT max(d) FROM (SELECT difference(used) AS d FROM mem GROUP BY host)"),
    (
        "sub-tag-group",
        "SELECT max(m) FROM (SELECT mean(usage_user) AS m FROM cpu GROUP BY host) GROUP BY host",
    ),
    ("sub-count", "SELECT count(v) FROM (SELECT v FROM single WHERE v > 10)"),
    ("sub-star-grouped", "SELECT * FROM (SELECT max(usage_user) AS m FROM cpu GROUP BY host)"),
    ("sub-outer-group-tag", "SELECT m FROM (SELECT max(used) AS m FROM mem GROUP BY host) GROUP BY host"),
    (
        "sub-nested",
        "SELECT max(c) FROM (SELECT count(m) AS c FROM (SELECT mean(used) AS m FROM mem GROUP BY host))",
    ),
    ("sub-where-outer-time", f"SELECT count(v) FROM (SELECT v FROM single) WHERE {H1}"),
    # -- bind parameters -------------------------------------------------------------------------
    ("params-tag", "SELECT count(usage_user) FROM cpu WHERE host = $host"),
    ("params-number", "SELECT v FROM single WHERE v > $min LIMIT 3"),
    # -- SHOW -------------------------------------------------------------------------------------
    ("show-databases", "SHOW DATABASES"),
    ("show-measurements", "SHOW MEASUREMENTS"),
    ("show-measurements-with", "SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(c|d)/"),
    ("show-measurements-with-eq", "SHOW MEASUREMENTS WITH MEASUREMENT = mem"),
    ("show-measurements-where", "SHOW MEASUREMENTS WHERE host = 'h3'"),
    ("show-measurements-limit", "SHOW MEASUREMENTS LIMIT 2 OFFSET 1"),
    ("show-tag-keys", "SHOW TAG KEYS"),
    ("show-tag-keys-from", "SHOW TAG KEYS FROM cpu"),
    ("show-tag-keys-limit", "SHOW TAG KEYS LIMIT 1"),
    ("show-tag-values", "SHOW TAG VALUES WITH KEY = host"),
    ("show-tag-values-from", 'SHOW TAG VALUES FROM cpu WITH KEY = "region"'),
    ("show-tag-values-in", "SHOW TAG VALUES FROM disk WITH KEY IN (device, path)"),
    ("show-tag-values-regex", "SHOW TAG VALUES FROM cpu WITH KEY =~ /.*/"),
    ("show-tag-values-where", "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region = 'us-east'"),
    ("show-tag-values-limit", "SHOW TAG VALUES WITH KEY = host LIMIT 1 OFFSET 1"),
    ("show-field-keys", "SHOW FIELD KEYS"),
    ("show-field-keys-from", "SHOW FIELD KEYS FROM weather"),
    ("show-retention-policies", "SHOW RETENTION POLICIES"),
    ("show-retention-policies-on", "SHOW RETENTION POLICIES ON diff"),
    ("show-series", "SHOW SERIES"),
    ("show-series-from-where", "SHOW SERIES FROM cpu WHERE region = 'us-east'"),
    ("show-series-limit", "SHOW SERIES LIMIT 3 OFFSET 2"),
    # -- several statements, errors -----------------------------------------------------------------
    ("multi-statement", "SELECT count(v) FROM single; SELECT count(used) FROM mem; SHOW MEASUREMENTS"),
    ("err-parse", "SELECT FROM cpu"),
    ("err-parse-second", "SELECT count(v) FROM single; SELEKT 1"),
    ("err-mixed", "SELECT mean(v), v FROM single"),
    ("err-gbt-no-agg", f"SELECT v FROM single WHERE {R} GROUP BY time(5m)"),
    ("err-two-selectors-aux", "SELECT min(v), max(v), n FROM single"),
    ("err-top-combined", "SELECT top(v, 2), max(v) FROM single"),
    ("err-distinct-combined", "SELECT distinct(v), mean(v) FROM single"),
    ("err-unknown-function", "SELECT foo(v) FROM single"),
    ("err-derivative-no-gbt", "SELECT derivative(mean(v)) FROM single"),
    ("err-derivative-gbt-raw", f"SELECT derivative(v) FROM single WHERE {R} GROUP BY time(5m)"),
    ("err-moving-average-window", "SELECT moving_average(v, 1) FROM single"),
    ("err-mean-string", "SELECT mean(summary) FROM weather"),
    ("err-wrong-args", "SELECT mean(v, 2) FROM single"),
    ("err-percentile-arg", "SELECT percentile(v) FROM single"),
    ("err-db-not-found", "SELECT v FROM nodb..single"),
    ("err-fill-none-raw", "SELECT v FROM single fill(none)"),
    ("err-time-only", "SELECT time FROM single"),
    ("err-missing-param", "SELECT v FROM single WHERE v > $nothere"),
]

# Statements InfluxDB 1.x executes and InfluxDB 3 refuses (405); harmless on the peer, and last.
_UNSUPPORTED: list[Case] = [
    Case("err-create", "CREATE DATABASE scratch"),
    Case("err-drop", "DROP MEASUREMENT nothere"),
    Case("err-delete", "DELETE FROM nothere"),
]

_PARAMS: dict[str, dict[str, str]] = {
    "params-tag": {"params": '{"host": "h2"}'},
    "params-number": {"params": '{"min": 25}'},
    "err-missing-param": {"params": "{}"},
}

_FORMATS: list[Case] = [
    Case("fmt-epoch-ns", "SELECT v FROM single LIMIT 3", {"epoch": "ns"}),
    Case("fmt-epoch-ms", "SELECT temperature FROM weather LIMIT 3", {"epoch": "ms"}),
    Case("fmt-epoch-s", "SELECT temperature FROM weather LIMIT 3", {"epoch": "s"}),
    Case("fmt-epoch-u", "SELECT temperature FROM weather LIMIT 2", {"epoch": "u"}),
    Case("fmt-epoch-m", "SELECT v FROM single LIMIT 3", {"epoch": "m"}),
    Case("fmt-epoch-h", f"SELECT count(v) FROM single WHERE {R} GROUP BY time(30m)", {"epoch": "h"}),
    Case("fmt-chunked", "SELECT v FROM single LIMIT 7", {"chunked": "true", "chunk_size": "3"}),
    Case(
        "fmt-chunked-series",
        "SELECT usage_user FROM cpu GROUP BY host LIMIT 3",
        {"chunked": "true", "chunk_size": "2"},
    ),
    Case("fmt-chunked-multi", "SELECT count(v) FROM single; SHOW MEASUREMENTS", {"chunked": "true"}),
]

CASES: list[Case] = [Case(i, q, _PARAMS.get(i, {})) for i, q in _QUERIES] + _FORMATS + _UNSUPPORTED
