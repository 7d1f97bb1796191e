"""InfluxQL parser: tokens (``tokens.py``) → statements (``ast.py``), by recursive descent.

:func:`parse_each` splits the text at top-level ``;`` and parses every statement on its own,
so one bad statement does not hide the others (v1 ``/query`` reports errors per statement).
Errors are :class:`~workbench.server.influxql.errors.InfluxQLParseError` with the line,
column and offending token; the wording follows InfluxDB's parser where it has one.

>>> stmt, = parse("SELECT mean(v) AS m FROM cpu WHERE host =~ /a/ GROUP BY time(1m), host fill(0)")
>>> stmt.dimensions
(TimeDimension(interval=60000000000, offset=0, offset_now=False), TagDimension(name='host'))
>>> first, second = parse_each("SHOW DATABASES; SELECT v FORM m")
>>> first, second.message
(ShowDatabases(), 'expected FROM at line 1, col 26: found "FORM"')
"""

from __future__ import annotations

from functools import lru_cache

from . import ast
from .errors import InfluxQLParseError
from .parser_show import ShowClauses
from .tokens import Token, tokenize

_COMPARISON = ("=", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~")
_ADDITIVE = ("+", "-", "|", "^")
_MULTIPLICATIVE = ("*", "/", "%", "&")
_CASTS = ("float", "integer", "unsigned", "string", "boolean", "field", "tag")
_UNSUPPORTED_HEADS = (
    "CREATE",
    "DROP",
    "DELETE",
    "GRANT",
    "REVOKE",
    "ALTER",
    "SET",
    "KILL",
    "INSERT",
    "BEGIN",
)
_UNSUPPORTED_NOUNS = frozenset((
    "DATABASE", "DATABASES", "MEASUREMENT", "MEASUREMENTS", "SERIES", "RETENTION", "POLICY",
    "POLICIES", "CONTINUOUS", "QUERY", "QUERIES", "USER", "USERS", "SUBSCRIPTION", "SUBSCRIPTIONS",
    "SHARD", "SHARDS", "GRANTS", "STATS", "DIAGNOSTICS", "CARDINALITY", "EXACT", "TAG", "FIELD",
    "KEY", "KEYS", "VALUES", "PASSWORD",
))  # fmt: skip


class _Parser(ShowClauses):
    def __init__(self, text: str, tokens: list[Token]):
        self.text = text
        self.tokens = tokens
        self.i = 0

    # -- token helpers -------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, n: int = 1) -> Token:
        return self.tokens[min(self.i + n, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def error(self, message: str, tok: Token | None = None) -> InfluxQLParseError:
        tok = tok or self.tok
        found = "" if tok.kind == "EOF" else tok.text(self.text)
        return InfluxQLParseError(message, text=self.text, pos=tok.pos, token=found)

    def keyword(self, *words: str) -> bool:
        if self.tok.is_keyword(*words):
            self.advance()
            return True
        return False

    def expect_keyword(self, word: str, message: str | None = None) -> None:
        if not self.keyword(word):
            raise self.error(message or f"expected {word}")

    def op(self, *ops: str) -> bool:
        if self.tok.is_op(*ops):
            self.advance()
            return True
        return False

    def expect_op(self, op: str, message: str | None = None) -> None:
        if not self.op(op):
            raise self.error(message or f"expected {op}")

    def word(self, *words: str) -> bool:
        """An unquoted identifier that is not a keyword (fill, tz, time, now ...)."""
        if self.tok.kind == "IDENT" and self.tok.value.lower() in words:
            self.advance()
            return True
        return False

    def identifier(self, message: str = "expected identifier") -> str:
        if self.tok.kind in ("IDENT", "QIDENT"):
            return self.advance().value
        raise self.error(message)

    def unsigned(self, message: str) -> int:
        if self.tok.kind != "INTEGER":
            raise self.error(message)
        return self.advance().value

    # -- statements ----------------------------------------------------------------------

    def statement(self) -> ast.Statement:
        tok = self.tok
        if tok.is_keyword("SELECT"):
            stmt = self.select()
        elif tok.is_keyword("SHOW"):
            stmt = self.show()
        elif tok.is_keyword("EXPLAIN"):
            self.advance()
            analyze = self.keyword("ANALYZE")
            self.word("verbose")
            if not self.tok.is_keyword("SELECT"):
                raise self.error("invalid EXPLAIN statement, expected SELECT statement")
            stmt = ast.Explain(self.select(), analyze)
        elif tok.kind == "KEYWORD" and tok.value in _UNSUPPORTED_HEADS:
            stmt = self.unsupported()
        else:
            raise self.error("invalid InfluxQL statement, expected SELECT, SHOW, EXPLAIN, CREATE, DROP or DELETE")
        if self.tok.kind != "EOF":
            raise self.error("unexpected token, expected end of statement")
        return stmt

    def unsupported(self) -> ast.Unsupported:
        words = [self.advance().value]
        while self.tok.kind == "KEYWORD" and self.tok.value in _UNSUPPORTED_NOUNS:
            words.append(self.advance().value)
        while self.tok.kind != "EOF":
            self.advance()
        return ast.Unsupported(" ".join(words))

    def select(self) -> ast.SelectStatement:
        self.expect_keyword("SELECT")
        fields = self.fields()
        into = None
        if self.keyword("INTO"):
            start = self.tok
            while self.tok.kind != "EOF" and not self.tok.is_keyword("FROM"):
                self.advance()
            into = self.text[start.pos : self.tok.pos].strip()
        self.expect_keyword("FROM", "expected FROM")
        sources = self.sources()
        condition = self.expr() if self.keyword("WHERE") else None
        dimensions: tuple[ast.Dimension, ...] = ()
        if self.keyword("GROUP"):
            self.expect_keyword("BY", "invalid GROUP BY clause, expected BY")
            dimensions = self.dimensions()
        fill = self.fill()
        order_desc = self.order_by()
        limit, offset = self.limit_offset()
        slimit = None
        if self.keyword("SLIMIT"):
            slimit = self.unsigned("invalid SLIMIT clause, expected unsigned integer")
        soffset = None
        if self.keyword("SOFFSET"):
            soffset = self.unsigned("invalid SOFFSET clause, expected unsigned integer")
        tz = None
        if self.tok.kind == "IDENT" and self.tok.value.lower() == "tz" and self.peek().is_op("("):
            self.advance()
            self.advance()
            if self.tok.kind != "STRING":
                raise self.error("invalid TZ clause, expected string")
            tz = self.advance().value
            self.expect_op(")")
        return ast.SelectStatement(
            fields, sources, condition, dimensions, fill, order_desc, limit, offset, slimit, soffset, tz, into
        )

    def fields(self) -> tuple[ast.Field, ...]:
        fields = [self.field()]
        while self.op(","):
            fields.append(self.field())
        return tuple(fields)

    def field(self) -> ast.Field:
        if self.tok.is_keyword("FROM", "INTO"):
            raise self.error("expected field expression")
        expr = self.expr(arithmetic_only=True)
        alias = None
        if self.keyword("AS"):
            alias = self.identifier("invalid field alias, expected identifier")
        return ast.Field(expr, alias)

    def sources(self) -> tuple[ast.Source, ...]:
        sources = [self.source()]
        while self.op(","):
            sources.append(self.source())
        return tuple(sources)

    def source(self) -> ast.Source:
        if self.op("("):
            if not self.tok.is_keyword("SELECT"):
                raise self.error("expected SELECT statement in subquery")
            inner = self.select()
            self.expect_op(")", "expected ) to close the subquery")
            return ast.SubQuery(inner)
        return self.measurement()

    def measurement(self) -> ast.Measurement:
        parts: list[str] = []
        while True:
            tok = self.tok
            if tok.kind == "REGEX":
                self.advance()
                db, rp = _qualifiers(parts)
                return ast.Measurement(regex=tok.value, db=db, rp=rp)
            if tok.kind not in ("IDENT", "QIDENT"):
                raise self.error("expected identifier, string or regular expression")
            parts.append(self.advance().value)
            if len(parts) == 3 or not self.tok.is_op("."):
                break
            self.advance()
            if self.tok.is_op(".") and len(parts) == 1:
                parts.append("")
                self.advance()
        db, rp = _qualifiers(parts[:-1])
        return ast.Measurement(name=parts[-1], db=db, rp=rp)

    def dimensions(self) -> tuple[ast.Dimension, ...]:
        dims = [self.dimension()]
        while self.op(","):
            dims.append(self.dimension())
        return tuple(dims)

    def dimension(self) -> ast.Dimension:
        tok = self.tok
        if tok.kind == "IDENT" and tok.value.lower() == "time" and self.peek().is_op("("):
            self.advance()
            self.advance()
            if self.tok.kind != "DURATION":
                raise self.error("invalid TIME call, expected a duration for the interval")
            interval = self.advance().value
            offset, offset_now = 0, False
            if self.op(","):
                if self.tok.kind == "IDENT" and self.tok.value.lower() == "now" and self.peek().is_op("("):
                    self.advance()
                    self.advance()
                    self.expect_op(")")
                    offset_now = True
                else:
                    sign = -1 if self.op("-") else 1
                    if self.tok.kind != "DURATION":
                        raise self.error("invalid TIME call, expected a duration for the offset")
                    offset = sign * self.advance().value
            self.expect_op(")", "invalid TIME call, expected ')'")
            if interval <= 0:
                raise self.error("invalid TIME call, the interval must be greater than zero", tok)
            return ast.TimeDimension(interval, offset, offset_now)
        if self.op("*"):
            return ast.WildcardDimension()
        if tok.kind == "REGEX":
            return ast.RegexDimension(self.advance().value)
        if tok.kind in ("IDENT", "QIDENT"):
            return ast.TagDimension(self.advance().value)
        raise self.error("expected a GROUP BY dimension: time(), a tag, * or a regular expression")

    def fill(self) -> ast.Fill | None:
        tok = self.tok
        if not (tok.kind == "IDENT" and tok.value.lower() == "fill" and self.peek().is_op("(")):
            return None
        self.advance()
        self.advance()
        bad = "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number"
        if self.tok.kind == "IDENT" and self.tok.value.lower() in ("null", "none", "previous", "linear"):
            fill = ast.Fill(self.advance().value.lower())
        else:
            sign = -1 if self.op("-") else 1
            if self.tok.kind not in ("INTEGER", "NUMBER"):
                raise self.error(bad)
            fill = ast.Fill("value", sign * self.advance().value)
        self.expect_op(")", bad)
        return fill

    def order_by(self) -> bool:
        if not self.keyword("ORDER"):
            return False
        self.expect_keyword("BY", "invalid ORDER BY clause, expected BY")
        desc = False
        if self.tok.kind in ("IDENT", "QIDENT") and self.tok.value.lower() == "time":
            self.advance()
            desc = self.keyword("DESC")
            if not desc:
                self.keyword("ASC")
        elif self.keyword("DESC"):
            desc = True
        elif not self.keyword("ASC"):
            if self.tok.kind in ("IDENT", "QIDENT"):
                raise self.error("only ORDER BY time supported at this time")
            raise self.error("invalid ORDER BY, expected ASC, DESC or TIME")
        if self.tok.is_op(","):
            raise self.error("only ORDER BY time supported at this time")
        return desc

    # -- expressions -------------------------------------------------------------------------

    def expr(self, arithmetic_only: bool = False) -> ast.Expr:
        if arithmetic_only:
            return self.additive()
        return self.or_expr()

    def or_expr(self) -> ast.Expr:
        lhs = self.and_expr()
        while self.keyword("OR"):
            lhs = ast.BinaryExpr("OR", lhs, self.and_expr())
        return lhs

    def and_expr(self) -> ast.Expr:
        lhs = self.comparison()
        while self.keyword("AND"):
            lhs = ast.BinaryExpr("AND", lhs, self.comparison())
        return lhs

    def comparison(self) -> ast.Expr:
        lhs = self.additive()
        while self.tok.is_op(*_COMPARISON):
            op = self.advance().value
            op = "!=" if op == "<>" else op
            if op in ("=~", "!~") and self.tok.kind != "REGEX" and self.tok.kind != "PARAM":
                raise self.error("invalid conditional, expected regular expression")
            lhs = ast.BinaryExpr(op, lhs, self.additive())
        return lhs

    def additive(self) -> ast.Expr:
        lhs = self.multiplicative()
        while self.tok.is_op(*_ADDITIVE):
            op = self.advance().value
            lhs = ast.BinaryExpr(op, lhs, self.multiplicative())
        return lhs

    def multiplicative(self) -> ast.Expr:
        lhs = self.unary()
        while self.tok.is_op(*_MULTIPLICATIVE):
            op = self.advance().value
            lhs = ast.BinaryExpr(op, lhs, self.unary())
        return lhs

    def unary(self) -> ast.Expr:
        if self.tok.is_op("-", "+"):
            op = self.advance().value
            operand = self.unary()
            if op == "+":
                return operand
            if isinstance(operand, ast.IntegerLit | ast.FloatLit):
                return type(operand)(-operand.value)
            if isinstance(operand, ast.DurationLit):
                return ast.DurationLit(-operand.ns)
            return ast.UnaryExpr("-", operand)
        return self.primary()

    def primary(self) -> ast.Expr:
        tok = self.tok
        if tok.is_op("("):
            self.advance()
            inner = self.expr()
            self.expect_op(")", "expected )")
            return inner
        if tok.is_op("*"):
            self.advance()
            return ast.Wildcard(self.wildcard_cast())
        if tok.kind == "INTEGER":
            return ast.IntegerLit(self.advance().value)
        if tok.kind == "NUMBER":
            return ast.FloatLit(self.advance().value)
        if tok.kind == "DURATION":
            return ast.DurationLit(self.advance().value)
        if tok.kind == "STRING":
            return ast.StringLit(self.advance().value)
        if tok.kind == "REGEX":
            return ast.RegexLit(self.advance().value)
        if tok.kind == "PARAM":
            return ast.BindParam(self.advance().value)
        if tok.is_keyword("DISTINCT"):
            self.advance()
            if self.tok.is_op("("):
                return ast.Call("distinct", self.call_args())
            if self.tok.kind not in ("IDENT", "QIDENT"):
                raise self.error("invalid DISTINCT expression, expected identifier")
            return ast.Call("distinct", (ast.VarRef(self.advance().value),))
        if tok.kind == "IDENT" and self.peek().is_op("("):
            name = self.advance().value.lower()
            return ast.Call(name, self.call_args())
        if tok.kind == "IDENT" and tok.value.lower() in ("true", "false"):
            self.advance()
            return ast.BoolLit(tok.value.lower() == "true")
        if tok.kind in ("IDENT", "QIDENT"):
            self.advance()
            return ast.VarRef(tok.value, self.var_cast())
        if tok.kind == "EOF":
            raise self.error("unexpected end of statement, expected an expression")
        raise self.error("expected identifier, literal, function call or (")

    def call_args(self) -> tuple[ast.Expr, ...]:
        self.expect_op("(")
        args: list[ast.Expr] = []
        if not self.tok.is_op(")"):
            args.append(self.expr())
            while self.op(","):
                args.append(self.expr())
        self.expect_op(")", "expected , or ) in the function call")
        return tuple(args)

    def var_cast(self) -> str | None:
        if not self.op("::"):
            return None
        tok = self.tok
        if tok.kind == "KEYWORD" and tok.value in ("FIELD", "TAG"):
            return self.advance().value.lower()
        if tok.kind == "IDENT" and tok.value.lower() in _CASTS:
            return self.advance().value.lower()
        raise self.error(
            "invalid data type for tag or field reference, expected float, integer, unsigned, string, "
            "boolean, field, tag"
        )

    def wildcard_cast(self) -> str | None:
        if not self.op("::"):
            return None
        if self.tok.is_keyword("FIELD", "TAG"):
            return self.advance().value.lower()
        raise self.error("invalid wildcard type specifier, expected TAG or FIELD")


def _qualifiers(parts: list[str]) -> tuple[str | None, str | None]:
    """(db, rp) from the segments before a measurement name."""
    if len(parts) == 2:
        return parts[0] or None, parts[1] or None
    if len(parts) == 1:
        return None, parts[0] or None
    return None, None


def _split(tokens: list[Token]) -> list[list[Token]]:
    """Token lists of the non-empty ``;``-separated statements, each ending in an EOF token."""
    out: list[list[Token]] = []
    current: list[Token] = []
    for tok in tokens:
        if tok.kind == "EOF" or tok.is_op(";"):
            if current:
                out.append([*current, Token("EOF", None, tok.pos, tok.pos)])
            current = []
        else:
            current.append(tok)
    return out


class _Unparsable(Exception):
    """Some statement of the text has a syntax error: such texts are not remembered."""


@lru_cache(maxsize=1024)  # the trees are immutable and dashboards repeat their texts
def _parse_valid(text: str) -> tuple[ast.Statement, ...]:
    parsed = _parse_each(text)
    if any(isinstance(item, InfluxQLParseError) for item in parsed):
        raise _Unparsable
    return tuple(parsed)  # type: ignore[arg-type]


def parse_each(text: str) -> list[ast.Statement | InfluxQLParseError]:
    """Every ``;``-separated statement of ``text``, parsed, or the error it raised.

    A lexical error (unterminated string, bad escape) cannot be attributed to one statement
    and comes back as the only element. Texts that parse are remembered; errors are built anew
    for every call, since a raised exception keeps its traceback.
    """
    try:
        return list(_parse_valid(text))
    except _Unparsable:
        return _parse_each(text)


def _parse_each(text: str) -> list[ast.Statement | InfluxQLParseError]:
    try:
        tokens = tokenize(text)
    except InfluxQLParseError as e:
        return [e]
    out: list[ast.Statement | InfluxQLParseError] = []
    for stmt_tokens in _split(tokens):
        try:
            out.append(_Parser(text, stmt_tokens).statement())
        except InfluxQLParseError as e:
            out.append(e)
    return out


def parse(text: str) -> list[ast.Statement]:
    """All statements of ``text``; raises the first InfluxQLParseError."""
    parsed = parse_each(text)
    for item in parsed:
        if isinstance(item, InfluxQLParseError):
            raise item
    return parsed  # type: ignore[return-value]
