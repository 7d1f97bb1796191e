"""Offline vs server: the same plugin run side by side, section by section.

``compare(offline, server)`` takes two run documents (``RunResult.to_json()`` and
``live.run_live``'s answer) and compares what both sides can produce: ``writes`` (per database,
line by line), ``logs`` (level and text, durations masked), ``errors`` (kind and exception type:
the two sides word write refusals differently) and, for request runs, ``response`` (status and
body). ``Comparison.side_by_side()`` renders two columns per section, marking each row ``=``
(same), ``!`` (different), ``<`` (offline only) or ``>`` (server only).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.plugins.runtime.calls import FINISHED_DURATION

COLUMN = 58


def _writes(doc: Mapping[str, Any]) -> list[str]:
    return [f"{db}: {line}" for db, lines in sorted((doc.get("writes") or {}).items()) for line in lines]


def _logs(doc: Mapping[str, Any]) -> list[str]:
    return [log["level"] + ": " + FINISHED_DURATION.sub(r"\1…", log["message"]) for log in doc.get("logs") or []]


def _errors(doc: Mapping[str, Any]) -> list[str]:
    return [f"{e['kind']} {e['type']}" for e in doc.get("errors") or []]


def _response(doc: Mapping[str, Any]) -> list[str]:
    response = doc.get("response")
    if not response:
        return []
    body = response["body"]
    try:
        body = json.dumps(json.loads(body), sort_keys=True)
    except (ValueError, TypeError):
        pass
    return [f"status {response['status']}", f"body {body}"]


SECTIONS = {"writes": _writes, "logs": _logs, "errors": _errors, "response": _response}


@dataclass
class Comparison:
    sections: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        return all(left == right for left, right in self.sections.values())

    def differing(self) -> list[str]:
        return [name for name, (left, right) in self.sections.items() if left != right]

    def to_json(self) -> dict[str, Any]:
        return {
            "same": self.same,
            "differing": self.differing(),
            "sections": {name: {"offline": left, "server": right} for name, (left, right) in self.sections.items()},
        }

    def side_by_side(self, width: int = COLUMN) -> str:
        def cell(text: str) -> str:
            return text if len(text) <= width else text[: width - 1] + "…"

        out = [f"  {'offline':<{width}} | server"]
        for name, (left, right) in self.sections.items():
            out.append(f"-- {name} " + "-" * (2 * width - len(name)))
            matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
            for op, a0, a1, b0, b1 in matcher.get_opcodes():
                rows = max(a1 - a0, b1 - b0)
                for i in range(rows):
                    a = left[a0 + i] if a0 + i < a1 else ""
                    b = right[b0 + i] if b0 + i < b1 else ""
                    mark = "=" if op == "equal" else "!" if a and b else "<" if a else ">"
                    out.append(f"{mark} {cell(a):<{width}} | {cell(b)}")
        return "\n".join(out)


def compare(offline: Mapping[str, Any], server: Mapping[str, Any]) -> Comparison:
    """Compare an offline run document with a server run document."""
    comparison = Comparison()
    for name, extract in SECTIONS.items():
        if name == "response" and offline.get("mode") != "request":
            continue
        comparison.sections[name] = (extract(offline), extract(server))
    return comparison
