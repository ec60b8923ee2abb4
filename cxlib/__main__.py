"""Command line: ``python -m cxlib report`` (also installed as ``cxlib report``).

Exit status: 0 when every notebook that ran succeeded, 1 when a notebook failed, 2 when the
arguments, your input files or the reports folder are wrong (then no notebook runs), 130 or 143
when the run was interrupted by SIGINT (Ctrl-C) or SIGTERM (the previous report is unchanged).
An unexpected error is reported in one sentence; its traceback goes to ``cxlib-report.log``
beside the reports folder.
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EPILOG = """\
examples:
  cxlib report                                  all notebooks on the bundled data
  cxlib report 02 03                            only these notebooks
  cxlib report --transactions data/examples/umsaetze.csv \\
      --column customer_id=KundenNr --column date=Datum --column amount=Betrag \\
      --date-format %d.%m.%Y --decimal ,        your own data (German export)
  cxlib report --transactions data/examples/positionen.csv \\
      --column customer_id=KundenNr,date=Datum --quantity Menge --unit-price Preis \\
      --invoice BelegNr --returns net --date-format "%d.%m.%Y %H:%M" --decimal ,
                                                line items with returns

without your data, the lessons (notebooks/) run on the bundled data; with it, the report
templates (cxlib/templates/) that the given data can feed:
  --transactions  03 RFM segments, 04 customer value
  --survey        01 CX metrics (CSAT, CES, NPS, WRS, a mean score), 02 key drivers
  --customers     05 churn prediction, 06 churn survival
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
    rep.add_argument("--transactions", type=Path, help="your transactions (CSV, .xlsx or parquet)")
    rep.add_argument("--survey", type=Path, help="your survey answers (CSV, .xlsx or parquet)")
    rep.add_argument(
        "--customers",
        type=Path,
        help="your customers with tenure and churn (CSV, .xlsx or parquet)",
    )
    rep.add_argument(
        "--sheet",
        default=None,
        metavar="NAME|POSITION",
        help="the sheet of your .xlsx files, by name or position from 0 (needed when a "
        "workbook has several)",
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
    order = rep.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first",
        dest="day_first",
        action="store_const",
        const=True,
        default=None,
        help="read dates like 05/04/2024 as day/month (refused as ambiguous otherwise)",
    )
    order.add_argument(
        "--month-first",
        dest="day_first",
        action="store_const",
        const=False,
        help="read dates like 05/04/2024 as month/day",
    )
    rep.add_argument(
        "--date-window",
        default=None,
        metavar="FROM:TO",
        help="plausible dates, ISO, either side may be empty, e.g. 1900-01-01: "
        "(default: 1950-01-01 to a year after today)",
    )
    rep.add_argument(
        "--decimal", default=".", help="decimal mark of numbers in your CSV (default: .)"
    )
    rep.add_argument(
        "--keep-column",
        action="append",
        default=[],
        metavar="NAME",
        help="pass a column of yours that the notebooks do not document (repeatable; "
        "others are dropped and listed in the index)",
    )
    items = rep.add_argument_group("transactions written as line items (one row per article)")
    for option, canonical, what in (
        ("--quantity", "quantity", "quantity of each line (amount = quantity x unit price)"),
        ("--unit-price", "unit_price", "price of one unit"),
        ("--invoice", "invoice", "invoice number: the lines of one invoice are one purchase"),
    ):
        items.add_argument(
            option,
            dest=canonical,
            default=None,
            metavar="COLUMN",
            help=f"your column with the {what} (same as --column {canonical}=COLUMN)",
        )
    items.add_argument(
        "--returns",
        choices=("net", "drop"),
        default=None,
        help="returns and cancellations (negative quantity or amount, invoice numbers such "
        "as C536379): net them against the customer's purchases of the same day, or drop them",
    )
    rep.add_argument(
        "--min-cell",
        type=int,
        default=10,
        help="smallest group shown in stakeholder tables and plots (default: 10)",
    )
    rep.add_argument(
        "--scale",
        action="append",
        default=[],
        metavar="NAME=LOW-HIGH",
        help="declare an answer scale, e.g. csat=0-5, score=0-10, drivers=0-5 (repeatable)",
    )
    rep.add_argument(
        "--missing-code",
        "--na-values",
        dest="missing_code",
        action="append",
        default=[],
        type=float,
        metavar="VALUE",
        help='an answer code meaning "not applicable" or "not used", read as no answer, '
        "e.g. 0 (repeatable)",
    )
    rep.add_argument(
        "--touchpoint-columns",
        default=None,
        metavar="COL,COL,...|PATTERN",
        help="a wide survey's rating columns, one per touchpoint: names, patterns such as "
        "'Q5_*', or re:REGEX; on the scale given with --scale score=LOW-HIGH",
    )
    rep.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="NAME=LABEL:CODE,...",
        help='codes for answers written as words, e.g. "csat=satisfied:5,neutral or '
        'dissatisfied:1" (repeatable)',
    )
    rep.add_argument(
        "--drivers",
        default="",
        metavar="COL,COL,...",
        help="your survey's touchpoint rating columns, for the key-driver report",
    )
    rep.add_argument(
        "--overall",
        default=None,
        metavar="NAME",
        help="the overall score the drivers explain: nps, csat or score (default: first present)",
    )
    rep.add_argument("--currency", default="EUR", help="currency of your amounts (default: EUR)")
    rep.add_argument(
        "--tenure-unit",
        choices=("months", "years"),
        default="months",
        help="unit of your customers' tenure column (default: months)",
    )
    rep.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        metavar="MINUTES",
        help="stop a notebook that runs longer, marked failed (default: 30; 0: no limit)",
    )
    rep.add_argument("--kernel", default="python3", help="Jupyter kernel (default: python3)")
    rep.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at the same time (default: 2, or 1 on one core)",
    )
    return parser


def _window(text: str | None) -> tuple[str | None, str | None] | None:
    """``"1900-01-01:2030-12-31"`` -> ``("1900-01-01", "2030-12-31")``; empty sides are None."""
    if text is None:
        return None
    low, sep, high = text.partition(":")
    if not sep:
        raise ValueError(f"--date-window takes FROM:TO, e.g. 1900-01-01:2030-12-31; got {text!r}.")
    return (low.strip() or None, high.strip() or None)


def _scales(items: list[str]) -> dict[str, tuple[float, float]]:
    """``["csat=0-5"]`` -> ``{"csat": (0.0, 5.0)}``."""
    out = {}
    for item in items:
        name, sep, span = item.partition("=")
        low, dash, high = span.partition("-")
        try:
            bounds = (float(low), float(high))
        except ValueError:
            bounds = (1.0, 0.0)
        if not sep or not dash or not name.strip() or bounds[0] >= bounds[1]:
            raise ValueError(
                f"--scale takes NAME=LOW-HIGH with LOW < HIGH, e.g. csat=0-5; got {item!r}."
            )
        out[name.strip()] = bounds
    return out


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show warnings during the run as ``cxlib report: warning: ...`` lines, at once.

    Notes on your files (:class:`cxlib.byod.InputNote`: what the checks repaired or dropped)
    show as ``cxlib report: note: ...``.
    """

    def show(message: Any, category: type[Warning], *_args: Any, **_kwargs: Any) -> None:
        kind = "note" if category.__name__ == "InputNote" else "warning"
        print(f"cxlib report: {kind}: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = show
        yield


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    args = _parser().parse_args(argv)

    from cxlib.report import (
        ROOT,
        ReportError,
        ReportInterrupted,
        format_exception,
        run_reports,
        write_log,
    )
    from cxlib.validate import CXDataError

    if args.min_cell < 1:
        print("cxlib report: --min-cell must be at least 1.", file=sys.stderr)
        return 2
    if args.time_limit < 0:
        print("cxlib report: --time-limit must be 0 (no limit) or more minutes.", file=sys.stderr)
        return 2
    survey_only = [
        option
        for option, given in (
            ("--scale", args.scale),
            ("--missing-code", args.missing_code),
            ("--drivers", args.drivers),
            ("--overall", args.overall),
            ("--touchpoint-columns", args.touchpoint_columns),
            ("--map", args.map),
        )
        if given
    ]
    if survey_only and args.survey is None:
        print(
            f"cxlib report: {', '.join(survey_only)} describe a survey; give it with --survey.",
            file=sys.stderr,
        )
        return 2
    line_items = [
        option
        for option, given in (
            ("--quantity", args.quantity),
            ("--unit-price", args.unit_price),
            ("--invoice", args.invoice),
            ("--returns", args.returns),
        )
        if given
    ]
    if line_items and args.transactions is None:
        print(
            f"cxlib report: {', '.join(line_items)} describe transactions; give them with "
            "--transactions.",
            file=sys.stderr,
        )
        return 2
    columns = list(args.column) + [
        f"{canonical}={getattr(args, canonical)}"
        for canonical in ("quantity", "unit_price", "invoice")
        if getattr(args, canonical)
    ]
    out = args.out or ROOT / "reports"
    try:
        with _warnings_as_lines():
            runs = run_reports(
                args.notebooks or None,
                out,
                transactions=args.transactions,
                survey=args.survey,
                customers=args.customers,
                columns=columns,
                date_format=args.date_format,
                decimal=args.decimal,
                day_first=args.day_first,
                date_window=_window(args.date_window),
                keep_columns=args.keep_column,
                scales=_scales(args.scale),
                missing_codes=args.missing_code,
                drivers=[d.strip() for d in args.drivers.split(",") if d.strip()],
                overall=args.overall,
                sheet=args.sheet,
                returns=args.returns,
                labels=args.map,
                touchpoint_columns=args.touchpoint_columns or (),
                currency=args.currency,
                tenure_unit=args.tenure_unit,
                min_cell=args.min_cell,
                kernel_name=args.kernel,
                jobs=args.jobs,
                time_limit=args.time_limit * 60 or None,
            )
    except ReportInterrupted as err:
        print(
            f"cxlib report: interrupted ({err.signal_name}); nothing of this run was kept and "
            f"the previous report in {out} is unchanged.",
            file=sys.stderr,
        )
        return 128 + int(signal.Signals[err.signal_name])
    except (CXDataError, ReportError, ValueError) as err:
        details = getattr(err, "details", "")
        if details:
            write_log(out, details)
        print(f"cxlib report: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - one sentence for the user, the traceback to a log
        log = write_log(out, format_exception(err))
        print(
            f"cxlib report: unexpected error ({type(err).__name__}: {err}); nothing was "
            f"changed in {out}. The full traceback is in {log}.",
            file=sys.stderr,
        )
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
