"""Differential tests of the InfluxQL engine against a real InfluxDB 1.6.7 (see runner.py)."""
