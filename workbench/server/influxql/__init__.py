"""influxql"""
