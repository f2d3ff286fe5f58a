"""Command-line entry point (`collector --help`)."""

from __future__ import annotations

import argparse
import sys

from collector import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collector",
        description="Collector of the traffic-safety database (VCC -> Parquet archive -> PostgreSQL).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
