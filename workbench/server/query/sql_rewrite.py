"""InfluxDB's own SQL functions, by rewriting the query text before DataFusion plans it.

InfluxDB 3 adds functions DataFusion does not have: the selectors ``selector_first``,
``selector_last``, ``selector_min`` and ``selector_max`` (a struct of the selected ``value``
and its ``time``) and gap filling with ``date_bin_gapfill`` plus ``locf(...)`` /
``interpolate(...)``. A small tokenizer (strings, quoted identifiers, comments, parentheses)
finds the calls: selectors become equivalent DataFusion aggregates; gap filling becomes an
ordinary ``date_bin`` query plus a ``GapFill`` description that ``gapfill.py`` applies to the
result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.server.errors import ServerError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d*)?)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Token:
    kind: str
    text: str

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "ident" else ""


def tokenize(sql: str) -> list[Token]:
    return [Token(m.lastgroup, m.group()) for m in _TOKEN.finditer(sql)]


def _text(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens)


def _close(tokens: list[Token], open_at: int) -> int:
    """Index of the parenthesis closing the one at ``open_at``."""
    depth = 0
    for i in range(open_at, len(tokens)):
        if tokens[i].kind == "lparen":
            depth += 1
        elif tokens[i].kind == "rparen":
            depth -= 1
            if depth == 0:
                return i
    raise ServerError("SQL error: unbalanced parentheses", status=400)


def _split_top(tokens: list[Token]) -> list[list[Token]]:
    """Split on commas at parenthesis depth 0."""
    parts, current, depth = [], [], 0
    for t in tokens:
        if t.kind == "lparen":
            depth += 1
        elif t.kind == "rparen":
            depth -= 1
        if t.kind == "comma" and depth == 0:
            parts.append(current)
            current = []
        else:
            current.append(t)
    parts.append(current)
    return parts


def _call_at(tokens: list[Token], i: int) -> int | None:
    """If tokens[i] starts a function call ``name(``, the index of its opening parenthesis."""
    j = i + 1
    while j < len(tokens) and tokens[j].kind in ("ws", "comment"):
        j += 1
    return j if j < len(tokens) and tokens[j].kind == "lparen" else None


_SELECTORS = {
    "selector_first": "named_struct('value', first_value({v} ORDER BY {t} ASC) FILTER (WHERE {v} IS NOT NULL), "
    "'time', min({t}) FILTER (WHERE {v} IS NOT NULL))",
    "selector_last": "named_struct('value', last_value({v} ORDER BY {t} ASC) FILTER (WHERE {v} IS NOT NULL), "
    "'time', max({t}) FILTER (WHERE {v} IS NOT NULL))",
    "selector_min": "named_struct('value', min({v}), "
    "'time', first_value({t} ORDER BY {v} ASC, {t} ASC) FILTER (WHERE {v} IS NOT NULL))",
    "selector_max": "named_struct('value', max({v}), "
    "'time', first_value({t} ORDER BY {v} DESC, {t} ASC) FILTER (WHERE {v} IS NOT NULL))",
}


def _expand_selectors(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        lp = _call_at(tokens, i) if t.word in _SELECTORS else None
        if lp is None:
            out.append(t)
            i += 1
            continue
        rp = _close(tokens, lp)
        args = _split_top(_expand_selectors(tokens[lp + 1 : rp]))
        if len(args) != 2:
            raise ServerError(
                f"Error during planning: {t.word} requires exactly 2 arguments: (value, time)", status=400
            )
        v, tm = (f"({_text(a).strip()})" for a in args)
        out.append(Token("other", _SELECTORS[t.word].format(v=v, t=tm)))
        i = rp + 1
    return out


@dataclass
class GapFill:
    """How to fill the gaps of a ``date_bin_gapfill`` query's result (output column indices)."""

    time_index: int
    interval_sql: str
    origin_sql: str | None
    group_indices: list[int]
    fill: dict[int, str] = field(default_factory=dict)  # column -> "locf" | "interpolate"


@dataclass(frozen=True)
class Rewritten:
    sql: str
    gapfill: GapFill | None = None


def _keyword_positions(tokens: list[Token]) -> dict[str, int]:
    """Positions of the outermost query's clause keywords (depth 0, first occurrence)."""
    found: dict[str, int] = {}
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "lparen":
            depth += 1
        elif t.kind == "rparen":
            depth -= 1
        elif depth == 0 and t.word in (
            "select",
            "from",
            "where",
            "group",
            "having",
            "order",
            "limit",
            "union",
            "window",
            "offset",
        ):
            found.setdefault(t.word, i)
    return found


def _alias(item: list[Token]) -> str | None:
    words = [t for t in item if t.kind not in ("ws", "comment")]
    if len(words) >= 2 and words[-2].word == "as":
        last = words[-1]
        return last.text[1:-1].replace('""', '"') if last.kind == "quoted" else last.text.lower()
    return None


def _unwrap(item: list[Token], names: tuple[str, ...]) -> tuple[list[Token], str | None]:
    """Remove an outer ``locf(...)``/``interpolate(...)`` from a select item (keeping its alias)."""
    for i, t in enumerate(item):
        if t.kind in ("ws", "comment"):
            continue
        if t.word in names and (lp := _call_at(item, i)) is not None:
            rp = _close(item, lp)
            return item[:i] + item[lp + 1 : rp] + item[rp + 1 :], t.word
        return item, None
    return item, None


def _name_selector_items(tokens: list[Token]) -> list[Token]:
    """Give unaliased select items that call a selector the call's own text as name."""
    kw = _keyword_positions(tokens)
    if "select" not in kw or "from" not in kw:
        return tokens
    items = _split_top(tokens[kw["select"] + 1 : kw["from"]])
    out = []
    for item in items:
        if _alias(item) is None and any(t.word in _SELECTORS for t in item):
            name = re.sub(r"\s+", "", _text(item)).replace("'", "").replace('"', '""')
            item = [*item, Token("other", f' AS "{name}"')]
        out.append(item)
    joined: list[Token] = []
    for i, item in enumerate(out):
        if i:
            joined.append(Token("comma", ","))
        joined.extend(item)
    return [*tokens[: kw["select"] + 1], *joined, Token("ws", " "), *tokens[kw["from"] :]]


@lru_cache(maxsize=1024)  # a pure function of the text; dashboards repeat their queries
def rewrite(sql: str) -> Rewritten:
    tokens = tokenize(sql)
    words = {t.word for t in tokens}
    if words.isdisjoint(_SELECTORS) and words.isdisjoint({"date_bin_gapfill", "locf", "interpolate"}):
        return Rewritten(sql)
    tokens = _expand_selectors(_name_selector_items(tokens))
    if "date_bin_gapfill" not in words:
        for fn in ("locf", "interpolate"):
            if fn in words:
                raise ServerError(
                    f"Error during planning: {fn} may only be used in the SELECT list of a gap-filling query",
                    status=400,
                )
        return Rewritten(_text(tokens))
    return _gapfill(tokens)


def _gapfill(tokens: list[Token]) -> Rewritten:
    kw = _keyword_positions(tokens)
    if "select" not in kw or "from" not in kw or "group" not in kw or "union" in kw:
        raise ServerError(
            "This feature is not implemented: date_bin_gapfill is supported in the outermost SELECT of a query with "
            "GROUP BY",
            status=405,
        )
    items = _split_top(tokens[kw["select"] + 1 : kw["from"]])
    fill: dict[int, str] = {}
    time_index = None
    interval_sql = origin_sql = None
    new_items = []
    for idx, item in enumerate(items):
        item, fn = _unwrap(item, ("locf", "interpolate"))
        if fn:
            fill[idx] = fn
        for i, t in enumerate(item):
            if t.word == "date_bin_gapfill" and (lp := _call_at(item, i)) is not None:
                rp = _close(item, lp)
                args = _split_top(item[lp + 1 : rp])
                if len(args) not in (2, 3):
                    raise ServerError("Error during planning: date_bin_gapfill requires 2 or 3 arguments", status=400)
                interval_sql = _text(args[0]).strip()
                origin_sql = _text(args[2]).strip() if len(args) == 3 else None
                time_index = idx
                item = [*item[:i], Token("ident", "date_bin"), *item[i + 1 :]]
                break
        new_items.append(item)
    if time_index is None:
        raise ServerError("Error during planning: date_bin_gapfill must appear in the SELECT list", status=400)
    # GROUP BY items → select positions
    end = min(
        [kw[k] for k in ("having", "order", "limit", "window", "offset") if k in kw and kw[k] > kw["group"]]
        or [len(tokens)]
    )
    group_tokens = tokens[kw["group"] + 1 : end]
    while group_tokens and group_tokens[0].word in ("by", "") and group_tokens[0].kind in ("ident", "ws"):
        group_tokens = group_tokens[1:]
    texts = [_text(i).strip().lower() for i in new_items]
    aliases = [_alias(i) for i in new_items]
    group_indices = []
    for g in _split_top(group_tokens):
        g_text = _text(g).strip()
        g_low = g_text.replace("date_bin_gapfill", "date_bin").lower()
        if g_text.isdigit():
            pos = int(g_text) - 1
        elif g_low in aliases:
            pos = aliases.index(g_low)
        else:
            pos = next((k for k, t in enumerate(texts) if t == g_low or t.startswith(g_low + " ")), None)
        if pos is not None and pos != time_index:
            group_indices.append(pos)
    select_sql = ", ".join(_text(i).strip() for i in new_items)
    rest = [Token("ident", "date_bin") if t.word == "date_bin_gapfill" else t for t in tokens[kw["from"] :]]
    sql = _text(tokens[: kw["select"] + 1]) + " " + select_sql + " " + _text(rest)
    return Rewritten(sql, GapFill(time_index, interval_sql, origin_sql, sorted(set(group_indices)), fill))
