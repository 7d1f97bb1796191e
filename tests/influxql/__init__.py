"""Unit, fixture-pair, result and property tests of the InfluxQL engine (workbench/server/influxql)."""
