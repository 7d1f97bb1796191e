"""The ``workbench`` command: ``serve`` (the embedded server) and ``plugin`` (the test bench).

Each subcommand imports its own machinery lazily, so ``workbench plugin lint`` never loads the
server and ``workbench serve`` never loads Streamlit.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(
            "usage: workbench {serve,plugin} ...\n\n"
            "  serve    run the embedded InfluxDB 3-compatible server (see `workbench serve --help`)\n"
            "  plugin   run, lint and test processing-engine plugins offline"
        )
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        from workbench.server.__main__ import main as serve

        return serve(rest, prog="workbench serve")
    if command == "plugin":
        from workbench.plugins.cli import main as plugin

        return plugin(rest)
    print(f"workbench: unknown command {command!r} (expected serve or plugin)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
