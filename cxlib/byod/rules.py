"""The rules of one column: ids, dates, numbers, the churn flag, and the types parquet may store.

Each rule takes a :class:`FileCheck` (one file under check), reports what it finds as problems
(refusals) or notes (repairs and warnings, one sentence each), and returns the converted
column or None. Problems name the column as it is written in the file and show up to five
example rows (CSV line numbers, header = line 1). Used by :mod:`cxlib.byod.check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlib.byod.dates import date_format, date_order, outside_window
from cxlib.byod.numbers import thousands_only, to_numbers, wrong_decimal_mark
from cxlib.byod.schema import CHURN_VALUES
from cxlib.validate import (
    CXDataError,
    check_dates,
    check_integer,
    check_no_missing,
    check_range,
    check_unique,
    fail_rows,
)

__all__ = ["STORED_TYPES", "FileCheck", "flag_column", "date_column", "ids", "number_column"]

#: Parquet types accepted for each role of a column (kinds as in :mod:`cxlib.byod.read`), and
#: how to say them. Ids: text or integers (floats only when whole, as some tools store
#: integer columns); dates: a date or timestamp type, or text parsed as in a CSV file; numbers:
#: a numeric type or text; the churn flag: bool, integers 0/1 or text such as yes/no.
STORED_TYPES: dict[str, tuple[frozenset[str], str]] = {
    "id": (frozenset({"text", "integer", "float", "null"}), "ids must be text or integers"),
    "date": (
        frozenset({"datetime", "text", "null"}),
        "dates must be a date or timestamp type, or text such as 2023-10-12",
    ),
    "number": (
        frozenset({"integer", "float", "decimal", "text", "null"}),
        "numbers must be a numeric type (or text)",
    ),
    "flag": (
        frozenset({"bool", "integer", "float", "text", "null"}),
        "the churn flag must be bool, integers 0/1 or text such as yes/no",
    ),
}


@dataclass
class FileCheck:
    """One file under check: its raw cells, where each canonical column is, how to read them.

    Checks run through :meth:`run`, which turns every :class:`CXDataError` into a problem
    instead of stopping, so that one pass reports every broken rule.
    """

    name: str
    raw: pd.DataFrame
    source: dict[str, str]  # canonical name -> column in the file
    date_format: str | None = None
    decimal: str = "."
    day_first: bool | None = None
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None
    types: dict[str, tuple[str, str]] = field(default_factory=dict)  # parquet and Excel
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    container: str = "parquet file"  # what holds the typed columns, for messages

    def run(self, column: str, check: Callable[[], object]) -> bool:
        """Run ``check``; a :class:`CXDataError` becomes a problem of ``column``."""
        try:
            check()
        except CXDataError as err:
            self.problems.append((column, str(err)))
            return False
        return True

    def add(self, column: str, message: str) -> None:
        """Record a problem of ``column``."""
        self.problems.append((column, message))

    def stored_as(self, column: str, role: str) -> bool:
        """False, with a problem, when a parquet column's type does not fit ``role``."""
        kind, name = self.types.get(column, ("text", "text"))
        plain = "columns passed on must hold plain values (text, numbers, dates), not lists"
        accepted, rule = STORED_TYPES.get(role, (frozenset(), plain))
        if kind in accepted or (role == "any" and kind != "nested"):
            return True
        why = ""
        if role == "date" and kind in {"integer", "float"}:
            why = (
                " (these look like Excel serial day numbers: format the cells as dates)"
                if self.container == "workbook"
                else " (integers would be read as nanoseconds after 1970-01-01)"
            )
        self.add(
            column, f"Column {column!r} is stored as {name} in the {self.container}; {rule}{why}."
        )
        return False


def _mark_rule(f: FileCheck) -> str:
    """The decimal-mark rule, completing "Column 'x' must ..."."""
    other = "," if f.decimal == "." else "."
    fix = (
        "store the column as numbers"
        if f.types and f.container != "workbook"
        else f"give --decimal {other} if that is the file's decimal mark"
    )
    return (
        f"use {f.decimal!r} as the decimal mark, with {other!r} only between groups of three "
        f"digits (these look like {other!r} decimals: {fix})"
    )


def _thousands_note(f: FileCheck, column: str, values: pd.Series) -> None:
    """A note when the other mark was read as a thousands separator (``1,234`` = 1234)."""
    grouped = thousands_only(f.raw[column], decimal=f.decimal) & values.notna().to_numpy()
    if grouped.any():
        other = "," if f.decimal == "." else "."
        line = f.raw.index[np.flatnonzero(grouped)[0]]
        example = str(f.raw[column].loc[line]).strip()
        where = f"{f.raw.index.name or 'row'} {line}"
        f.notes.append(
            f"{column}: {other!r} read as thousands separator in {int(grouped.sum())} value(s) "
            f"(e.g. {where}: {example!r} = {values.loc[line]:g}); give --decimal {other} if it "
            "is the decimal mark"
        )


def number_column(
    f: FileCheck,
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    whole: bool = False,
    required: bool = True,
) -> pd.Series | None:
    """Check and convert one numeric column; problems go to ``f``. Returns floats or None."""
    raw = f.raw
    if not f.stored_as(column, "number"):
        return None
    shown = raw[[column]]
    wrong = wrong_decimal_mark(raw[column], decimal=f.decimal)
    ok = f.run(column, lambda: fail_rows(shown, wrong, column, _mark_rule(f)))
    values = to_numbers(raw[column], decimal=f.decimal)
    text = values.isna() & raw[column].notna() & ~wrong
    ok &= f.run(column, lambda: fail_rows(shown, text, column, "hold numbers"))
    if required:
        ok &= f.run(column, lambda: check_no_missing(raw, column))
    if not ok:
        return None
    probe = pd.DataFrame({column: values}, index=raw.index)
    finite = np.isinf(values.to_numpy())
    if not f.run(column, lambda: fail_rows(shown, finite, column, "hold finite numbers")):
        return None
    if whole:
        ok &= f.run(column, lambda: check_integer(probe, column))
    if low is not None or high is not None:
        ok &= f.run(column, lambda: check_range(probe, column, low=low, high=high))
    if ok:
        _thousands_note(f, column, values)
    return values if ok else None


def _parse_dates(f: FileCheck, column: str) -> pd.Series | None:
    """Parse one date column in the decided order (see :func:`cxlib.byod.dates.date_order`)."""
    day_first = f.day_first
    if f.date_format is None:
        try:
            day_first, note = date_order(f.raw[column], column, day_first=f.day_first)
        except CXDataError as err:
            f.add(column, str(err))
            return None
        if note:
            f.notes.append(note)
    parsed: list[pd.Series] = []

    def parse() -> None:
        parsed.append(check_dates(f.raw, column, format=f.date_format, day_first=day_first))

    if not f.run(column, parse):
        if f.date_format is None:
            f.problems[-1] = (column, f.problems[-1][1] + _format_hint(f.raw[column], day_first))
        return None
    return parsed[0]


def _format_hint(values: pd.Series, day_first: bool | None) -> str:
    """The hint to give ``--date-format``, with the format that reads the column's first date."""
    text = values.dropna().astype("str").str.strip()
    guesses = [date_format(v, day_first=day_first is not False) for v in text.head(1)]
    if guesses and guesses[0] is not None:
        shown = f'"{guesses[0]}"' if " " in guesses[0] else guesses[0]
        return f"\nGive the format with --date-format; {text.iloc[0]!r} reads with {shown}."
    return "\nGive the format with --date-format, e.g. %d.%m.%Y."


def date_column(f: FileCheck, column: str, *, required: bool = True) -> pd.Series | None:
    """Check and parse one date column: stored type, order, format, plausible window."""
    if not f.stored_as(column, "date"):
        return None
    ok = f.run(column, lambda: check_no_missing(f.raw, column)) if required else True
    dates = _parse_dates(f, column)
    if dates is None:
        return None
    if getattr(dates.dt, "tz", None) is not None:  # local wall time; days are what matters here
        dates = dates.dt.tz_localize(None)
    if f.window is not None:
        start, end = f.window
        outside = outside_window(dates, f.window)
        rule = (
            f"lie between {start.date().isoformat()} and {end.date().isoformat()}, the plausible "
            "window for an export (give another with --date-window FROM:TO)"
        )
        ok &= f.run(column, lambda: fail_rows(f.raw[[column]], outside, column, rule))
    return dates if ok else None


def _case_note(f: FileCheck, column: str, text: pd.Series, what: str) -> None:
    """A note when ids differ only in upper/lower case (they stay different ids)."""
    lower = text.str.casefold()
    clash = text.groupby(lower).transform("nunique") > 1
    if not clash.any():
        return
    variants = text[clash].drop_duplicates()
    first = variants[lower[variants.index] == lower[variants.index[0]]].head(5)
    lines = ", ".join(str(i) for i in first.index)
    shown = " / ".join(repr(v) for v in first)
    f.notes.append(
        f"{column}: {len(variants)} ids differ only in upper/lower case from another id "
        f"({f.raw.index.name or 'row'}s {lines}: {shown}); they count as different {what}"
    )


def ids(f: FileCheck, column: str, *, unique: bool, what: str = "customers") -> pd.Series | None:
    """An id column as text: present in every row, spaces around it trimmed (noted), and once
    per row if ``unique`` (checked after trimming). Ids that differ only in case get a note."""
    values = f.raw[column]
    if not f.stored_as(column, "id"):
        return None
    if pd.api.types.is_float_dtype(values):
        fraction = values.notna() & (values != values.round())
        if not f.run(column, lambda: fail_rows(f.raw, fraction, column, "hold whole-number ids")):
            return None
        values = values.astype("Int64")
    written = values.astype("str")
    text = written.str.strip()
    blank = values.isna().to_numpy() | (text == "").to_numpy()
    if not f.run(column, lambda: fail_rows(f.raw, blank, column, "not be missing")):
        return None
    trimmed = int((text != written).sum())
    if trimmed:
        f.notes.append(f"{column}: surrounding spaces trimmed in {trimmed} row(s)")
    if unique and not f.run(column, lambda: check_unique(pd.DataFrame({column: text}), column)):
        if trimmed:
            f.problems[-1] = (column, f.problems[-1][1] + "\n(Spaces around ids do not count.)")
        return None
    _case_note(f, column, text, what)
    return text


def flag_column(f: FileCheck, column: str) -> pd.Series | None:
    """A yes/no column (churn, Telco's partner, ...) as bool, or None with a problem.

    Accepted: yes/no, ja/nein, true/false, 1/0 (:data:`cxlib.byod.schema.CHURN_VALUES`, any
    case), or a bool column in parquet; no cell may be empty.
    """
    if not f.stored_as(column, "flag"):
        return None
    flag = f.raw[column]
    if not f.run(column, lambda: check_no_missing(f.raw, column)):
        return None
    if pd.api.types.is_bool_dtype(flag):
        return flag.astype(bool)
    mapped = flag.astype("str").str.strip().str.lower().map(CHURN_VALUES)
    rule = "be yes/no (also ja/nein, true/false, 1/0)"
    ok = f.run(column, lambda: fail_rows(f.raw[[column]], mapped.isna(), column, rule))
    return mapped.astype(bool) if ok else None
