"""Plugin metadata lint: the JSON docstring the official plugin library uses, checked against the code.

The metadata is the JSON object in the plugin's first string literal, parsed from the **raw
source text** (as written, before Python unescapes it: a ``\\"`` that breaks ``__doc__`` is
valid JSON there). Its keys: ``plugin_type`` (``onwrite``, ``scheduled``, ``http``, a string or a
list) and ``<type>_args_config``, a list of ``{name, example, description, required}``. A
package plugin's metadata is in its ``__init__.py``; a ``manifest.toml`` beside it may list
``triggers`` (entry-point names).

Rules (``code``: level):

* ``syntax`` (error): the file does not compile;
* ``metadata-missing`` (warning): no JSON metadata docstring;
* ``metadata-json`` (error): the docstring looks like JSON but does not parse;
* ``plugin-type`` (error): ``plugin_type`` missing or not one of the three;
* ``entry-point-missing`` (error): a declared type without its entry point;
* ``entry-point-undeclared`` (warning): an entry point whose type is not declared;
* ``signature`` (error): an entry point that cannot take the arguments the server passes;
* ``args-config`` (error): a malformed ``<type>_args_config`` (not a list, an entry without
  ``name``, a non-boolean ``required``, a duplicate name); (warning) a config for an undeclared type;
* ``required-arg`` (error) / ``unknown-arg`` (warning): given arguments miss a required one or
  name one the metadata does not know (only when arguments are given);
* ``manifest`` (error): ``manifest.toml`` ``triggers`` naming a function the plugin lacks.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENTRY_POINTS = {
    "onwrite": "process_writes",
    "scheduled": "process_scheduled_call",
    "http": "process_request",
}
MODES = {"wal": "onwrite", "schedule": "scheduled", "request": "http"}
POSITIONAL_ARGS = {"process_writes": 3, "process_scheduled_call": 3, "process_request": 5}


@dataclass
class ArgSpec:
    name: str
    example: str | None = None
    description: str | None = None
    required: bool = False


@dataclass
class PluginMetadata:
    plugin_types: list[str]
    args: dict[str, list[ArgSpec]]  # plugin type -> its arguments
    raw: dict[str, Any]

    def arguments(self, plugin_type: str | None = None) -> list[ArgSpec]:
        """The arguments of one type (None: of every declared type, each name once)."""
        if plugin_type is not None:
            return list(self.args.get(plugin_type, []))
        seen: dict[str, ArgSpec] = {}
        for specs in self.args.values():
            for spec in specs:
                seen.setdefault(spec.name, spec)
        return list(seen.values())


@dataclass
class Problem:
    level: str  # error | warning
    code: str
    message: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "code": self.code, "message": self.message, "line": self.line}


@dataclass
class LintReport:
    path: str
    metadata: PluginMetadata | None
    entry_points: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        meta = self.metadata
        return {
            "path": self.path,
            "ok": self.ok,
            "plugin_types": meta.plugin_types if meta else [],
            "entry_points": self.entry_points,
            "arguments": {t: [vars(a) for a in specs] for t, specs in meta.args.items()} if meta else {},
            "problems": [p.to_json() for p in self.problems],
        }

    def format(self) -> str:
        lines = [f"{self.path}: {'ok' if self.ok else 'problems found'}"]
        for p in self.problems:
            where = f":{p.line}" if p.line else ""
            lines.append(f"  {p.level} [{p.code}]{where} {p.message}")
        return "\n".join(lines)


class MetadataError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def code_file(plugin: str | Path) -> Path:
    """The file holding a plugin's code and metadata (``__init__.py`` for a package)."""
    path = Path(plugin)
    return path / "__init__.py" if path.is_dir() else path


def _docstring_token(text: str) -> tokenize.TokenInfo | None:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in skip:
                continue
            return token if token.type == tokenize.STRING else None
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def raw_docstring(text: str) -> tuple[str, int] | None:
    """The first string literal's raw text (quotes and prefix removed) and its line, if any."""
    token = _docstring_token(text)
    if token is None:
        return None
    literal = token.string.lstrip("rRuUbBfF")
    quote = literal[:3] if literal[:3] in ('"""', "'''") else literal[:1]
    return literal[len(quote) : -len(quote)], token.start[0]


def parse_metadata(text: str) -> PluginMetadata | None:
    """The JSON metadata of plugin source ``text``; None without one, ``MetadataError`` if malformed."""
    return _metadata(raw_docstring(text))


def _metadata(found: tuple[str, int] | None) -> PluginMetadata | None:
    """``parse_metadata`` of an already extracted ``raw_docstring``."""
    if found is None or not found[0].strip().startswith("{"):
        return None
    body, first_line = found
    try:
        raw = json.loads(body)
    except json.JSONDecodeError as exc:
        raise MetadataError(
            f"the metadata docstring is not valid JSON: {exc.msg}", first_line + exc.lineno - 1
        ) from None
    if not isinstance(raw, dict):
        raise MetadataError("the metadata docstring must be a JSON object", first_line)
    types = raw.get("plugin_type", [])
    types = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    args: dict[str, list[ArgSpec]] = {}
    for key, value in raw.items():
        if key.endswith("_args_config") and isinstance(value, list):
            args[key.removesuffix("_args_config")] = [
                ArgSpec(
                    str(a.get("name")),
                    None if a.get("example") is None else str(a["example"]),
                    a.get("description"),
                    a.get("required") is True,
                )
                for a in value
                if isinstance(a, dict) and a.get("name")
            ]
    return PluginMetadata([str(t) for t in types], args, raw)


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _signature_problem(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    wanted = POSITIONAL_ARGS[fn.name]
    a = fn.args
    positional = len(a.posonlyargs) + len(a.args)
    required = positional - len(a.defaults)
    if positional < wanted and a.vararg is None:
        return f"{fn.name} takes {positional} positional arguments but the server passes {wanted}"
    if required > wanted:
        return f"{fn.name} requires {required} positional arguments but the server passes {wanted}"
    if any(d is None for d in a.kw_defaults):
        return f"{fn.name} has a required keyword-only argument the server never passes"
    return None


def _check_args_config(report: LintReport, raw: Mapping[str, Any], declared: list[str], line: int) -> None:
    for key, value in raw.items():
        if not key.endswith("_args_config"):
            continue
        kind = key.removesuffix("_args_config")
        if kind not in ENTRY_POINTS:
            report.problems.append(Problem("warning", "args-config", f"{key}: unknown plugin type {kind!r}", line))
        elif kind not in declared:
            report.problems.append(Problem("warning", "args-config", f"{key} for undeclared type {kind!r}", line))
        if not isinstance(value, list):
            report.problems.append(Problem("error", "args-config", f"{key} must be a list", line))
            continue
        names: set[str] = set()
        for i, entry in enumerate(value):
            if not isinstance(entry, dict) or not entry.get("name"):
                report.problems.append(Problem("error", "args-config", f"{key}[{i}] has no name", line))
                continue
            if "required" in entry and not isinstance(entry["required"], bool):
                report.problems.append(
                    Problem(
                        "error", "args-config", f"{key}[{i}] ({entry['name']}): required must be true or false", line
                    )
                )
            if entry["name"] in names:
                report.problems.append(
                    Problem("error", "args-config", f"{key}: duplicate argument {entry['name']}", line)
                )
            names.add(entry["name"])


def _check_given_args(report: LintReport, args: Mapping[str, str], plugin_type: str | None) -> None:
    meta = report.metadata
    if meta is None:
        return
    types = [plugin_type] if plugin_type else meta.plugin_types
    known = {a.name for a in meta.arguments()}
    for kind in types:
        for spec in meta.arguments(kind):
            if spec.required and spec.name not in args:
                example = f" (e.g. {spec.example})" if spec.example else ""
                report.problems.append(
                    Problem("error", "required-arg", f"required argument {spec.name!r} of {kind} is missing{example}")
                )
    for name in args:
        if name not in known and name != "config_file_path":
            report.problems.append(Problem("warning", "unknown-arg", f"argument {name!r} is not in the metadata"))


def lint(plugin: str | Path, args: Mapping[str, str] | None = None, *, mode: str | None = None) -> LintReport:
    """Check a plugin's metadata against its code (and ``args``, for ``mode`` wal/schedule/request)."""
    path = code_file(plugin)
    text = path.read_text()
    report = LintReport(str(path), None, [])
    try:
        tree = ast.parse(text, str(path))
    except SyntaxError as exc:
        report.problems.append(Problem("error", "syntax", f"{exc.msg}", exc.lineno))
        return report
    functions = _functions(tree)
    report.entry_points = [name for name in POSITIONAL_ARGS if name in functions]
    found = raw_docstring(text)
    try:
        report.metadata = _metadata(found)
    except MetadataError as exc:
        report.problems.append(Problem("error", "metadata-json", str(exc), exc.line))
    doc_line = found[1] if found else None
    meta = report.metadata
    if meta is None and not any(p.code == "metadata-json" for p in report.problems):
        report.problems.append(
            Problem("warning", "metadata-missing", "no JSON metadata docstring (plugin_type, *_args_config)")
        )
    if meta is not None:
        unknown = [t for t in meta.plugin_types if t not in ENTRY_POINTS]
        if not meta.plugin_types or unknown:
            what = f"unknown plugin_type {unknown}" if unknown else "plugin_type is missing"
            report.problems.append(Problem("error", "plugin-type", f"{what}: use onwrite, scheduled or http", doc_line))
        for kind in meta.plugin_types:
            entry = ENTRY_POINTS.get(kind)
            if entry is not None and entry not in functions:
                report.problems.append(
                    Problem("error", "entry-point-missing", f"plugin_type {kind!r} declared but {entry} is not defined")
                )
        declared_entries = {ENTRY_POINTS.get(k) for k in meta.plugin_types}
        for name in report.entry_points:
            if name not in declared_entries:
                kind = next(k for k, v in ENTRY_POINTS.items() if v == name)
                report.problems.append(
                    Problem(
                        "warning",
                        "entry-point-undeclared",
                        f"{name} is defined but plugin_type does not list {kind!r}",
                        functions[name].lineno,
                    )
                )
        _check_args_config(report, meta.raw, meta.plugin_types, doc_line)
    for name in report.entry_points:
        problem = _signature_problem(functions[name])
        if problem:
            report.problems.append(Problem("error", "signature", problem, functions[name].lineno))
    manifest = path.parent / "manifest.toml"
    if manifest.exists():
        triggers = tomllib.loads(manifest.read_text()).get("triggers", [])
        for name in triggers:
            if name not in functions:
                report.problems.append(
                    Problem("error", "manifest", f"manifest.toml lists {name} but it is not defined")
                )
    if args is not None:
        _check_given_args(report, args, MODES.get(mode) if mode else None)
    return report
