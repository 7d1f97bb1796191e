"""The SHOW statements' grammar, a part of the parser (``parser.py`` mixes it into its class).

``SHOW DATABASES``, ``RETENTION POLICIES [ON db]``, ``MEASUREMENTS [ON db] [WITH MEASUREMENT
op name|/re/] [WHERE] [LIMIT] [OFFSET]``, ``TAG KEYS``, ``TAG VALUES ... WITH KEY (= | != | =~ |
!~ | IN)``, ``FIELD KEYS`` and ``SERIES`` become ``ast.Show*`` nodes; every other ``SHOW ...``
becomes an :class:`~workbench.server.influxql.ast.Unsupported` statement naming itself. The
token helpers (``keyword``, ``identifier``, ``error`` ...) come from the parser class.
"""

from __future__ import annotations

from . import ast


class ShowClauses:
    def show(self) -> ast.Statement:
        self.expect_keyword("SHOW")
        if self.keyword("DATABASES"):
            return ast.ShowDatabases()
        if self.keyword("RETENTION"):
            self.expect_keyword("POLICIES", "invalid SHOW RETENTION POLICIES statement, expected POLICIES")
            return ast.ShowRetentionPolicies(self.on_clause())
        if self.tok.is_keyword("MEASUREMENTS") and not self.peek().is_keyword("CARDINALITY"):
            self.advance()
            return self.show_measurements()
        if self.tok.is_keyword("TAG") and self.peek().is_keyword("KEYS", "VALUES"):
            self.advance()
            if self.keyword("KEYS"):
                on, sources = self.on_clause(), self.show_from()
                condition = self.expr() if self.keyword("WHERE") else None
                limit, offset = self.limit_offset()
                return ast.ShowTagKeys(on, sources, condition, limit, offset)
            self.expect_keyword("VALUES")
            return self.show_tag_values()
        if self.tok.is_keyword("FIELD") and self.peek().is_keyword("KEYS"):
            self.advance()
            self.advance()
            on, sources = self.on_clause(), self.show_from()
            limit, offset = self.limit_offset()
            return ast.ShowFieldKeys(on, sources, limit, offset)
        if self.tok.is_keyword("SERIES") and not self.peek().is_keyword("CARDINALITY", "EXACT"):
            self.advance()
            on, sources = self.on_clause(), self.show_from()
            condition = self.expr() if self.keyword("WHERE") else None
            limit, offset = self.limit_offset()
            return ast.ShowSeries(on, sources, condition, limit, offset)
        if self.tok.kind == "KEYWORD":
            self.i -= 1
            return self.unsupported()
        raise self.error(
            "invalid SHOW statement, expected DATABASES, MEASUREMENTS, TAG KEYS, TAG VALUES, FIELD KEYS, "
            "SERIES or RETENTION POLICIES"
        )

    def on_clause(self) -> str | None:
        if not self.keyword("ON"):
            return None
        return self.identifier("invalid ON clause, expected identifier")

    def show_from(self) -> tuple[ast.Measurement, ...]:
        if not self.keyword("FROM"):
            return ()
        sources = [self.measurement()]
        while self.op(","):
            sources.append(self.measurement())
        return tuple(sources)

    def limit_offset(self) -> tuple[int | None, int | None]:
        limit = self.unsigned("invalid LIMIT clause, expected unsigned integer") if self.keyword("LIMIT") else None
        offset = None
        if self.keyword("OFFSET"):
            offset = self.unsigned("invalid OFFSET clause, expected unsigned integer")
        return limit, offset

    def show_measurements(self) -> ast.ShowMeasurements:
        on = self.on_clause()
        with_op = with_name = with_regex = None
        if self.keyword("WITH"):
            self.expect_keyword("MEASUREMENT", "invalid WITH clause, expected MEASUREMENT")
            if not self.tok.is_op("=", "!=", "<>", "=~", "!~"):
                raise self.error("expected = or =~")
            with_op = self.advance().value
            if with_op in ("=~", "!~"):
                if self.tok.kind != "REGEX":
                    raise self.error("invalid conditional, expected regular expression")
                with_regex = self.advance().value
            else:
                with_name = self.identifier("expected measurement name")
        condition = self.expr() if self.keyword("WHERE") else None
        limit, offset = self.limit_offset()
        return ast.ShowMeasurements(on, with_op, with_name, with_regex, condition, limit, offset)

    def show_tag_values(self) -> ast.ShowTagValues:
        on, sources = self.on_clause(), self.show_from()
        if not self.keyword("WITH"):
            raise self.error("invalid SHOW TAG VALUES statement, expected WITH KEY clause")
        self.expect_keyword("KEY", "invalid WITH KEY clause, expected KEY")
        keys: tuple[str, ...] = ()
        key_regex = None
        if self.keyword("IN"):
            key_op = "IN"
            self.expect_op("(", "invalid WITH KEY clause, expected identifier list following IN")
            names = [self.identifier("invalid WITH KEY clause, expected identifier list following IN")]
            while self.op(","):
                names.append(self.identifier("invalid identifier list, expected ')'"))
            self.expect_op(")", "invalid identifier list, expected ')'")
            keys = tuple(names)
        elif self.tok.is_op("=~", "!~"):
            key_op = self.advance().value
            if self.tok.kind != "REGEX":
                raise self.error(f"invalid WITH KEY clause, expected regular expression following {key_op}")
            key_regex = self.advance().value
        elif self.tok.is_op("=", "!=", "<>"):
            key_op = "!=" if self.tok.value == "<>" else self.tok.value
            self.advance()
            keys = (self.identifier(f"invalid WITH KEY clause, expected identifier following {key_op}"),)
        else:
            raise self.error("invalid WITH KEY clause, expected condition")
        condition = self.expr() if self.keyword("WHERE") else None
        limit, offset = self.limit_offset()
        return ast.ShowTagValues(key_op, keys, key_regex, on, sources, condition, limit, offset)
