"""Line-protocol parse throughput, single-threaded: lines/s of each parser on each dataset.

Reads the ``batch_*.lp`` files of each ``--data`` directory (as written by the shared
``gen_lp.py``: TSBS cpu shape, or ``--shape iot``), and also derives a "strings" dataset from the
first one by adding a quoted string field to every line (such lines take the reference-parser
path of ``parse_body``). For each dataset it times, best of ``--repeats`` passes over up to
``--batches`` batches:

* ``parse_body``  the server's vectorised parser (``workbench.server.write.lp_batch``)
* ``parse_lines`` the reference parser (``workbench.protocol.line_protocol``), fully consumed

    .venv/bin/python benchmarks/bench_parse.py --data /tmp/bd/large --data /tmp/bd/iot
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # single-threaded, whatever gets imported
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa

from workbench.protocol.line_protocol import parse_lines
from workbench.server.write.lp_batch import parse_body


def _with_strings(text: str) -> str:
    out = []
    for i, line in enumerate(text.split("\n")):
        if not line:
            out.append(line)
            continue
        series, fields, *rest = line.split(" ")
        fields += f',msg="request {i} took {i % 97} ms, status=ok"'
        out.append(" ".join([series, fields, *rest]))
    return "\n".join(out)


def _best(fn, batches: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in batches:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", required=True, help="a dataset directory (repeatable)")
    parser.add_argument("--batches", type=int, default=10, help="batches per dataset (default 10)")
    parser.add_argument("--reference-batches", type=int, default=2, help="batches for parse_lines")
    parser.add_argument("--repeats", type=int, default=5, help="passes; the best one counts (default 5)")
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)

    datasets: list[tuple[str, list[str]]] = []
    for directory in args.data:
        files = sorted(Path(directory).glob("batch_*.lp"))[: args.batches]
        if not files:
            parser.error(f"no batch_*.lp files in {directory}")
        datasets.append((Path(directory).name, [f.read_text() for f in files]))
    datasets.append((f"{datasets[0][0]}+strings", [_with_strings(t) for t in datasets[0][1]]))

    print(f"{'dataset':<18} {'parser':<12} {'lines':>8} {'bytes/line':>10} {'lines/s':>12}")
    for name, batches in datasets:
        for label, fn, count in (
            ("parse_body", parse_body, len(batches)),
            ("parse_lines", lambda text: list(parse_lines(text)), args.reference_batches),
        ):
            used = batches[:count]
            lines = sum(parse_body(t).line_count for t in used)
            size = sum(len(t.encode()) for t in used)
            fn(used[0])  # warm-up (imports, caches)
            seconds = _best(fn, used, args.repeats)
            print(f"{name:<18} {label:<12} {lines:>8} {size / lines:>10.0f} {lines / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
