"""InfluxQL lexer: query text → a list of :class:`Token` with character positions.

The parser (``parser.py``) consumes the list; positions feed the line/column of
:class:`~workbench.server.influxql.errors.InfluxQLParseError`. ``/`` is ambiguous in InfluxQL
(division or the start of a ``/regex/``); as in JavaScript lexers it starts a regex unless the
previous token ends an operand.

>>> [t.kind for t in tokenize("SELECT v / 2 FROM /c.u/ WHERE t =~ /a|b/")]
['KEYWORD', 'IDENT', 'OP', 'INTEGER', 'KEYWORD', 'REGEX', 'KEYWORD', 'IDENT', 'OP', 'REGEX', 'EOF']
>>> tokenize("1h30m")[0].value == 90 * 60 * 10**9
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InfluxQLParseError

KEYWORDS = frozenset((
    "ALL", "ALTER", "ANALYZE", "AND", "ANY", "AS", "ASC", "BEGIN", "BY", "CARDINALITY", "CREATE",
    "CONTINUOUS", "DATABASE", "DATABASES", "DEFAULT", "DELETE", "DESC", "DESTINATIONS",
    "DIAGNOSTICS", "DISTINCT", "DROP", "DURATION", "END", "EVERY", "EXACT", "EXPLAIN", "FIELD",
    "FOR", "FROM", "GRANT", "GRANTS", "GROUP", "GROUPS", "IN", "INF", "INSERT", "INTO", "KEY",
    "KEYS", "KILL", "LIMIT", "MEASUREMENT", "MEASUREMENTS", "NAME", "OFFSET", "OR", "ON", "ORDER",
    "PASSWORD", "POLICY", "POLICIES", "PRIVILEGES", "QUERIES", "QUERY", "READ", "REPLICATION",
    "RESAMPLE", "RETENTION", "REVOKE", "SELECT", "SERIES", "SET", "SHOW", "SHARD", "SHARDS",
    "SLIMIT", "SOFFSET", "STATS", "SUBSCRIPTION", "SUBSCRIPTIONS", "TAG", "TO", "USER", "USERS",
    "VALUES", "WHERE", "WITH", "WRITE",
))  # fmt: skip

# Duration units, longest first so that "ms" wins over "m".
DURATION_UNITS = (
    ("ns", 1),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("u", 1_000),
    ("µ", 1_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
    ("w", 604_800_000_000_000),
)

_OPERATORS = ("=~", "!~", "!=", "<>", "<=", ">=", "::", "<", ">", "=", "+", "-", "*", "/", "%", "&", "|", "^")
_PUNCT = "(),;."
_OPERAND_END = frozenset({"IDENT", "QIDENT", "STRING", "INTEGER", "NUMBER", "DURATION", "REGEX", "PARAM"})


@dataclass(frozen=True)
class Token:
    """One lexeme: ``kind`` is IDENT, QIDENT (double-quoted), KEYWORD (upper-cased), STRING, INTEGER,
    NUMBER, DURATION (value in ns), REGEX (pattern text), PARAM (name), OP or EOF."""

    kind: str
    value: object
    pos: int
    end: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "KEYWORD" and self.value in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == "OP" and self.value in ops

    def text(self, source: str) -> str:
        return source[self.pos : self.end]


def _is_ident_start(ch: str) -> bool:
    return ch.isascii() and (ch.isalpha() or ch == "_")


def _is_ident_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def error(self, message: str, pos: int, token: str | None = None) -> InfluxQLParseError:
        return InfluxQLParseError(message, text=self.text, pos=pos, token=token)

    def skip_space_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isspace():
                self.pos += 1
            elif text.startswith("--", self.pos):
                nl = text.find("\n", self.pos)
                self.pos = len(text) if nl < 0 else nl + 1
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise self.error("invalid inline comment, missing closing */", self.pos)
                self.pos = close + 2
            else:
                return

    def regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        prev = self.tokens[-1]
        return not (prev.kind in _OPERAND_END or prev.is_op(")"))

    def run(self) -> list[Token]:
        text = self.text
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(text):
                self.tokens.append(Token("EOF", None, len(text), len(text)))
                return self.tokens
            start = self.pos
            ch = text[start]
            if ch.isdigit() or (ch == "." and start + 1 < len(text) and text[start + 1].isdigit()):
                tok = self.number(start)
            elif _is_ident_start(ch):
                end = start
                while end < len(text) and _is_ident_char(text[end]):
                    end += 1
                word = text[start:end]
                upper = word.upper()
                kind = "KEYWORD" if upper in KEYWORDS else "IDENT"
                tok = Token(kind, upper if kind == "KEYWORD" else word, start, end)
            elif ch == '"':
                value, end = self.quoted(start, '"')
                tok = Token("QIDENT", value, start, end)
            elif ch == "'":
                value, end = self.quoted(start, "'")
                tok = Token("STRING", value, start, end)
            elif ch == "$":
                tok = self.param(start)
            elif ch == "/" and self.regex_allowed():
                tok = self.regex(start)
            elif ch in _PUNCT:
                tok = Token("OP", ch, start, start + 1)
            else:
                op = next((o for o in _OPERATORS if text.startswith(o, start)), None)
                if op is None:
                    raise self.error(f"invalid character {ch!r}", start)
                tok = Token("OP", op, start, start + len(op))
            self.tokens.append(tok)
            self.pos = tok.end

    def number(self, start: int) -> Token:
        text = self.text
        end = start
        while end < len(text) and text[end].isdigit():
            end += 1
        if end < len(text) and text[end] == "." and end + 1 < len(text) and text[end + 1].isdigit():
            end += 1
            while end < len(text) and text[end].isdigit():
                end += 1
            return Token("NUMBER", float(text[start:end]), start, end)
        if end < len(text) and text[end] == ".":
            # "1." is a float in InfluxQL only when digits follow; "db.rp" never starts with a digit.
            return Token("INTEGER", int(text[start:end]), start, end)
        duration = self.duration(start)
        if duration is not None:
            return duration
        if end < len(text) and _is_ident_char(text[end]):
            raise self.error("invalid number or duration", start)
        value = int(text[start:end])
        if value > 2**63 - 1:
            raise self.error("unable to parse integer due to overflow", start)
        return Token("INTEGER", value, start, end)

    def duration(self, start: int) -> Token | None:
        """``1h30m`` style literals (a sequence of integer+unit terms), or None."""
        text = self.text
        pos = start
        total = 0
        while pos < len(text) and text[pos].isdigit():
            digits_end = pos
            while digits_end < len(text) and text[digits_end].isdigit():
                digits_end += 1
            unit = next((u for u in DURATION_UNITS if text.startswith(u[0], digits_end)), None)
            if unit is None:
                return None
            total += int(text[pos:digits_end]) * unit[1]
            pos = digits_end + len(unit[0])
        if pos == start or (pos < len(text) and _is_ident_char(text[pos])):
            return None
        if total > 2**63 - 1:  # InfluxQL durations are int64 nanoseconds
            raise self.error(f"overflowed duration {text[start:pos]}: choose a smaller duration or INF", start)
        return Token("DURATION", total, start, pos)

    def quoted(self, start: int, quote: str) -> tuple[str, int]:
        text = self.text
        out: list[str] = []
        pos = start + 1
        while pos < len(text):
            ch = text[pos]
            if ch == quote:
                return "".join(out), pos + 1
            if ch == "\\":
                nxt = text[pos + 1 : pos + 2]
                if nxt == "n":
                    out.append("\n")
                elif nxt in ("\\", "'", '"'):
                    out.append(nxt)
                else:
                    what = r"\\, \' or \n" if quote == "'" else r"\\, \" or \n"
                    raise self.error(f"invalid escape sequence, expected {what}", pos, text[pos : pos + 2])
                pos += 2
                continue
            if ch == "\n" and quote == "'":
                raise self.error("unterminated string literal", start)
            out.append(ch)
            pos += 1
        what = "string literal" if quote == "'" else "quoted identifier"
        raise self.error(f"unterminated {what}", start)

    def regex(self, start: int) -> Token:
        text = self.text
        out: list[str] = []
        pos = start + 1
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and text[pos + 1 : pos + 2] == "/":
                out.append("/")
                pos += 2
                continue
            if ch == "\\" and pos + 1 < len(text):
                out.append(text[pos : pos + 2])
                pos += 2
                continue
            if ch == "/":
                return Token("REGEX", "".join(out), start, pos + 1)
            if ch == "\n":
                break
            out.append(ch)
            pos += 1
        raise self.error("unterminated regular expression", start)

    def param(self, start: int) -> Token:
        text = self.text
        if text[start + 1 : start + 2] == '"':
            name, end = self.quoted(start + 1, '"')
            return Token("PARAM", name, start, end)
        end = start + 1
        while end < len(text) and _is_ident_char(text[end]):
            end += 1
        if end == start + 1:
            raise self.error("invalid bind parameter, expected identifier", start)
        return Token("PARAM", text[start + 1 : end], start, end)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens ending with an EOF token; raises InfluxQLParseError."""
    return _Lexer(text).run()
