"""Dates written as text: which field is the day, and which dates are plausible at all.

Order. Without a ``date_format``, a date written ``12/10/2023`` (or with ``-``) is 12 October
in most of the world and 10 December in the US. :func:`date_order` decides:

* ISO dates (``2023-10-12``, year first) are never ambiguous; pandas reads them as they are.
* Dates with dots (``12.10.2023``) are day first: that is the only convention written with dots
  (German, Swiss, Austrian, Scandinavian, Eastern European exports).
* Otherwise the data decide when they can: a first field above 12 (``13/10/2023``) means day
  first, a second field above 12 means month first; either is accepted with a note. A column
  with both is refused (two conventions mixed).
* When every value could be read both ways, the column is refused, showing both readings of an
  example, unless ``day_first`` (``--day-first`` / ``--month-first``) or ``date_format`` decides.
  Values whose day and month are equal (``01/01/2023``) read the same either way.

Window. Dates outside a plausible window are refused at the check: by default from
:data:`~cxlib.byod.schema.DATE_WINDOW_START` (1950-01-01) to
:data:`~cxlib.byod.schema.DATE_WINDOW_YEARS_AHEAD` (one) year after the day of the run, which
catches years such as 1850, 2099, 0001 or the placeholder 9999-12-31 before they reach a model.
``date_window=("1900-01-01", None)`` (``--date-window 1900-01-01:``) moves a bound.
"""

from __future__ import annotations

import pandas as pd

from cxlib.byod.schema import DATE_WINDOW_START, DATE_WINDOW_YEARS_AHEAD
from cxlib.validate import CXDataError, to_timestamp

__all__ = ["date_format", "date_order", "date_window", "outside_window"]

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
# day and month in either order, then the year last: 12/10/2023, 1-2-23, 12.10.2023 14:30
_NUMERIC_DATE = r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:$|[\sT])"


_TIME = r"^\s*\S+[\sT]+(\d{1,2}):(\d{2})(:\d{2})?(\.\d+)?\s*([AaPp][Mm])?\s*$"


def date_format(value: str, *, day_first: bool = True) -> str | None:
    """The ``--date-format`` that reads a numeric date like ``value``, time of day included.

    None when ``value`` is not a day-month-year date (ISO dates need no format). The order of
    day and month is ``day_first``; dots always mean day first.

    Examples
    --------
    >>> date_format("12/1/2010 8:26", day_first=False)
    '%m/%d/%Y %H:%M'
    >>> date_format("01.02.23 14:30:05"), date_format("2023-10-12 08:00")
    ('%d.%m.%y %H:%M:%S', None)
    >>> date_format("3/4/2024 2:05 PM")
    '%d/%m/%Y %I:%M %p'
    """
    parts = pd.Series([str(value)]).str.extract(_NUMERIC_DATE).iloc[0]
    if parts.isna().any():
        return None
    sep, year = parts[1], parts[3]
    first = "%d" if day_first or sep == "." else "%m"
    second = "%m" if first == "%d" else "%d"
    out = f"{first}{sep}{second}{sep}{'%Y' if len(year) == 4 else '%y'}"
    time = pd.Series([str(value)]).str.extract(_TIME).iloc[0]
    if pd.notna(time[0]):
        between = "T" if "T" in str(value) else " "
        hours = "%I" if pd.notna(time[4]) else "%H"
        out += f"{between}{hours}:%M" + (":%S" if pd.notna(time[2]) else "")
        out += ".%f" if pd.notna(time[3]) else ""
        out += " %p" if pd.notna(time[4]) else ""
    return out


def _reading(day: int, month: int, year: str) -> str:
    """``"12 October 2023"``; a two-digit year as ``%y`` reads it (69-99: 1900s)."""
    full = int(year) if len(year) == 4 else int(year) + (1900 if int(year) >= 69 else 2000)
    return f"{day} {_MONTHS[month - 1]} {full}"


def _first_line(values: pd.Series, mask: pd.Series) -> tuple[object, str, str]:
    """Index label, value and place (``"line 3"``, parquet: ``"row 2"``) of the first flagged."""
    label = mask[mask].index[0]
    return label, str(values.loc[label]).strip(), f"{values.index.name or 'row'} {label}"


def _parts(values: pd.Series) -> pd.DataFrame:
    """Day-or-month, separator, day-or-month and year of each value (NaN where no such date).

    The pattern is matched once per distinct value (a column of dates has few), then spread
    to the rows by their codes; missing values get code -1, the all-NaN row appended last.
    """
    codes, uniques = pd.factorize(values)
    parts = pd.Series(uniques, dtype=object).astype(str).str.extract(_NUMERIC_DATE)
    parts = pd.concat([parts, pd.DataFrame([[None] * 4], columns=parts.columns)])
    return parts.iloc[codes].set_axis(values.index)


def date_order(
    values: pd.Series, column: str, *, day_first: bool | None = None
) -> tuple[bool | None, str | None]:
    """Whether text dates are day first (True), month first (False) or for pandas (None).

    Returns the decision and a note when the data made it; raises :class:`CXDataError` when
    the column mixes both orders or every value could be read both ways (see the module
    docstring). ``day_first`` given decides without looking.

    Examples
    --------
    >>> lines = pd.Index([2, 3], name="line")
    >>> date_order(pd.Series(["12/10/2023", "13/10/2023"], index=lines), "date")
    (True, 'date: dates read day first (a value like 13/10/2023 on line 3 decides it)')
    >>> date_order(pd.Series(["2023-10-12"]), "date")
    (None, None)
    """
    if day_first is not None or not (
        pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
    ):
        return day_first, None
    parts = _parts(values)
    matched = parts[0].notna()
    if not matched.any():
        return None, None
    if (parts.loc[matched, 1] == ".").all():
        return True, None
    first = pd.to_numeric(parts[0], errors="coerce").where(matched)
    second = pd.to_numeric(parts[2], errors="coerce").where(matched)
    day_high, month_high = first > 12, second > 12
    if day_high.any() and month_high.any():
        (_, va, a), (_, vb, b) = _first_line(values, day_high), _first_line(values, month_high)
        raise CXDataError(
            f"Column {column!r} mixes day-first and month-first dates: {va} ({a}) has the "
            f"day first, {vb} ({b}) the month. Export the dates in one format."
        )
    for high, order in ((day_high, "day"), (month_high, "month")):
        if high.any():
            _, value, where = _first_line(values, high)
            return order == "day", (
                f"{column}: dates read {order} first (a value like {value} on {where} decides it)"
            )
    differ = (first != second) & matched
    if not differ.any():
        return True, None  # 01/01/2023 and the like read the same either way
    line, value, where = _first_line(values, differ)
    row = parts.loc[line]
    year = row[3]
    day_month, month_day = (_quoted(date_format(value, day_first=o)) for o in (True, False))
    raise CXDataError(
        f"Column {column!r} holds dates that read two ways, and none has a day above 12 to "
        f"decide: {value} ({where}) reads as "
        f"{_reading(int(row[0]), int(row[2]), year)} (day first) or "
        f"{_reading(int(row[2]), int(row[0]), year)} (month first). Say which with --day-first "
        f"or --month-first, or give the format: --date-format {day_month} (day first) or "
        f"--date-format {month_day} (month first)."
    )


def _quoted(fmt: str | None) -> str:
    """A format as typed on a command line: in quotes when it holds a space."""
    text = str(fmt)
    return f'"{text}"' if " " in text else text


def date_window(
    window: tuple[str | None, str | None] | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The plausible window (first day, last day), defaults filled in (see the module docstring).

    Raises :class:`CXDataError` for a bound that is not a date, or a window that ends before
    it starts.

    Examples
    --------
    >>> date_window(("1900-01-01", "2030-12-31"))
    (Timestamp('1900-01-01 00:00:00'), Timestamp('2030-12-31 00:00:00'))
    """
    low, high = window if window is not None else (None, None)
    start = pd.Timestamp(DATE_WINDOW_START)
    end = pd.Timestamp.now().normalize() + pd.DateOffset(years=DATE_WINDOW_YEARS_AHEAD)
    if low is not None:
        start = to_timestamp(low, name="date_window (from)").normalize()
    if high is not None:
        end = to_timestamp(high, name="date_window (to)").normalize()
    if start > end:
        raise CXDataError(
            f"date_window must end after it starts; got {start.date()} to {end.date()}."
        )
    return start, end


def outside_window(dates: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    """True for dates before the window's first day or after its last (whole days compared).

    Only comparisons, no arithmetic on the dates, so that year 9999 cannot overflow.
    """
    start, end = window
    return (dates < start) | (dates.dt.normalize() > end)
