"""Command line: ``python -m cxlib report`` (also installed as ``cxlib report``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="cxlib", description="CX analytics toolkit.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="re-run the notebooks into HTML reports")
    rep.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    rep.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    args = parser.parse_args(argv)

    from cxlib.report import ROOT, run_reports

    runs = run_reports(args.notebooks or None, args.out or ROOT / "reports")
    failed = [r.name for r in runs if not r.ok]
    print(f"{len(runs) - len(failed)} of {len(runs)} notebooks ok; index: {(args.out or ROOT / 'reports') / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
