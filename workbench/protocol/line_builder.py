"""``LineBuilder``: build one line of line protocol, with the processing engine's exact semantics.

InfluxDB 3 injects a ``LineBuilder`` class into every plugin; plugins, the client and the
offline plugin bench all use this one so that a line built anywhere is byte-identical to what
the server's plugin runtime builds (including its quirks: tag keys are validated but not
escaped, a measurement's backslashes are not escaped, floats with no fraction get ``.0``).

>>> LineBuilder("cpu").tag("host", "a b").int64_field("n", 3).float64_field("x", 2).time_ns(5).build()
'cpu,host=a\\\\ b n=3i,x=2.0 5'
"""

from __future__ import annotations


class InfluxDBError(Exception):
    """Base class of the errors ``LineBuilder`` raises (the names plugins catch)."""


class InvalidMeasurementError(InfluxDBError):
    """The measurement name is not usable."""


class InvalidKeyError(InfluxDBError):
    """A tag or field key is empty or contains a space, comma or equals sign."""


class InvalidLineError(InfluxDBError):
    """The line cannot be built (for instance it has no field)."""


def _escape_measurement(value: str) -> str:
    return value.replace(",", "\\,").replace(" ", "\\ ")


def _escape_key_or_tag_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _escape_string_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class LineBuilder:
    """Chainable builder of one line-protocol line."""

    def __init__(self, measurement: str):
        if " " in measurement:
            raise InvalidMeasurementError("Measurement name cannot contain spaces")
        self.measurement = measurement
        self.tags: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self._timestamp_ns: int | None = None

    @staticmethod
    def _validate_key(key: str, kind: str) -> None:
        if not key:
            raise InvalidKeyError(f"{kind} key cannot be empty")
        for char, what in ((" ", "spaces"), (",", "commas"), ("=", "equals signs")):
            if char in key:
                raise InvalidKeyError(f"{kind} key '{key}' cannot contain {what}")

    def tag(self, key: str, value: str) -> LineBuilder:
        self._validate_key(key, "tag")
        self.tags[key] = str(value)
        return self

    def uint64_field(self, key: str, value: int) -> LineBuilder:
        self._validate_key(key, "field")
        if value < 0:
            raise ValueError(f"uint64 field '{key}' cannot be negative")
        self.fields[key] = f"{value}u"
        return self

    def int64_field(self, key: str, value: int) -> LineBuilder:
        self._validate_key(key, "field")
        self.fields[key] = f"{value}i"
        return self

    def float64_field(self, key: str, value: float) -> LineBuilder:
        self._validate_key(key, "field")
        self.fields[key] = f"{int(value)}.0" if value % 1 == 0 else str(value)
        return self

    def string_field(self, key: str, value: str) -> LineBuilder:
        self._validate_key(key, "field")
        self.fields[key] = f'"{_escape_string_field(value)}"'
        return self

    def bool_field(self, key: str, value: bool) -> LineBuilder:
        self._validate_key(key, "field")
        self.fields[key] = "t" if value else "f"
        return self

    def time_ns(self, timestamp_ns: int) -> LineBuilder:
        self._timestamp_ns = timestamp_ns
        return self

    def build(self) -> str:
        line = _escape_measurement(self.measurement)
        if self.tags:
            line += "," + ",".join(f"{k}={_escape_key_or_tag_value(v)}" for k, v in self.tags.items())
        if not self.fields:
            raise InvalidLineError(f"At least one field is required: {line}")
        line += " " + ",".join(f"{_escape_key_or_tag_value(k)}={v}" for k, v in self.fields.items())
        if self._timestamp_ns is not None:
            line += f" {self._timestamp_ns}"
        return line

    def __repr__(self) -> str:
        return f"LineBuilder({self.measurement!r}, tags={self.tags!r}, fields={self.fields!r})"
