"""Arrow Flight on the HTTP port: the query path of InfluxDB 3's official clients.

InfluxDB 3 serves gRPC on its HTTP port, and its client libraries (``influxdb3-python``, -go,
-java, ...) query with a Flight ``DoGet`` there, sending a JSON ticket. ``service.py`` answers
those tickets with a pyarrow Flight server on a Unix socket of its own; ``pipe.py`` is the HTTP
server's connection protocol, which hands every connection that opens with the HTTP/2 preface to
that Flight server and keeps the rest as HTTP/1.1.
"""
