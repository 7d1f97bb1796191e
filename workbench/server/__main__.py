"""``python -m workbench.server [flags]``: command line and environment → ServerConfig → run."""

from __future__ import annotations

import sys

from workbench.server.config import ServerConfig


def main(argv: list[str] | None = None, prog: str = "python -m workbench.server") -> int:
    config = ServerConfig.from_args(sys.argv[1:] if argv is None else argv, prog=prog)
    from workbench.server.app import run

    return run(config)


if __name__ == "__main__":
    raise SystemExit(main())
