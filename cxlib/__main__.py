"""Command line: ``python -m cxlib report`` (also installed as ``cxlib report``).

Exit status: 0 when every notebook that ran succeeded, 1 when a notebook failed, 2 when the
arguments or your input files are wrong (then no notebook runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = """\
examples:
  cxlib report                                  all notebooks on the bundled data
  cxlib report 02 03                            only these notebooks
  cxlib report --transactions data/examples/umsaetze.csv \\
      --column customer_id=KundenNr --column date=Datum --column amount=Betrag \\
      --date-format %d.%m.%Y --decimal ,        your own data (German export)

inputs feed the notebooks that declare the matching parameter:
  --transactions  transactions_path  02 RFM segmentation, 03 customer lifetime value
  --survey        survey_path        01 CX metrics (CSAT, CES, NPS)
  --customers     customers_path     04 churn prediction, 05 churn survival
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxlib", description="CX analytics toolkit.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser(
        "report",
        help="re-run the notebooks into HTML reports",
        description="Re-run the notebooks into analyst and stakeholder HTML with an index.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument(
        "notebooks", nargs="*", help="notebooks to run: number, name or path (default: all)"
    )
    rep.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    rep.add_argument("--transactions", type=Path, help="your transactions (CSV or parquet)")
    rep.add_argument("--survey", type=Path, help="your survey answers (CSV or parquet)")
    rep.add_argument(
        "--customers", type=Path, help="your customers with tenure and churn (CSV or parquet)"
    )
    rep.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="CANONICAL=YOURS",
        help="map a column, e.g. customer_id=KundenNr (repeatable)",
    )
    rep.add_argument(
        "--date-format",
        default=None,
        metavar="FMT",
        help="strftime format of your dates, e.g. %%d.%%m.%%Y (default: inferred)",
    )
    rep.add_argument(
        "--decimal", default=".", help="decimal mark of numbers in your CSV (default: .)"
    )
    rep.add_argument(
        "--min-cell",
        type=int,
        default=10,
        help="smallest group shown in stakeholder tables and plots (default: 10)",
    )
    rep.add_argument("--kernel", default="python3", help="Jupyter kernel (default: python3)")
    rep.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at the same time (default: 2, or 1 on one core)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    args = _parser().parse_args(argv)

    from cxlib.report import ROOT, run_reports
    from cxlib.validate import CXDataError

    if args.min_cell < 1:
        print("cxlib report: --min-cell must be at least 1.", file=sys.stderr)
        return 2
    out = args.out or ROOT / "reports"
    try:
        runs = run_reports(
            args.notebooks or None,
            out,
            transactions=args.transactions,
            survey=args.survey,
            customers=args.customers,
            columns=args.column,
            date_format=args.date_format,
            decimal=args.decimal,
            min_cell=args.min_cell,
            kernel_name=args.kernel,
            jobs=args.jobs,
        )
    except (CXDataError, ValueError) as err:
        print(f"cxlib report: {err}", file=sys.stderr)
        return 2
    for run in runs:
        detail = f" ({run.error.splitlines()[0]})" if run.error else ""
        took = "" if run.status == "skipped" else f" in {run.seconds:.1f} s"
        print(f"  {run.name}: {run.status}{took}{detail}")
    failed = [r.name for r in runs if r.status == "failed"]
    ran = [r for r in runs if r.status != "skipped"]
    print(
        f"{len(ran) - len(failed)} of {len(ran)} notebooks ok, {len(runs) - len(ran)} skipped; "
        f"index: {out / 'index.html'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
