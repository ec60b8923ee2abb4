"""Checking one input file: every rule of its columns, every broken rule as a :class:`Problem`.

:func:`check_input` reads a file (:func:`cxlib.byod.read.read_table`), maps your column names
onto the canonical ones, and checks the columns of its kind (:data:`cxlib.byod.schema.INPUTS`):
ids present (and unique where they must be), dates that parse, numbers that are numbers and lie
in their range, survey scores whole and on their scale in :data:`cxlib.survey.scales.SCALES`,
churn flags that read as yes or no. It does not stop at the first broken rule: each problem
names file, column and up to five example rows (CSV line numbers, header = line 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxlib.byod.read import is_parquet, parse_columns, read_table, to_numbers
from cxlib.byod.schema import CHURN_VALUES, GERMAN_HINTS, INPUTS, SURVEY_SCORES, Kind
from cxlib.survey.scales import SCALES
from cxlib.validate import (
    CXDataError,
    check_dates,
    check_integer,
    check_no_missing,
    check_option,
    check_range,
    check_unique,
    fail_rows,
)

__all__ = ["Problem", "check_input"]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one input file: which file, which column, and the message."""

    file: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class _File:
    """One file under check: its raw cells, where each canonical column is, how to read them.

    Checks run through :meth:`run`, which turns every :class:`CXDataError` into a
    :class:`Problem` instead of stopping, so that one pass reports every broken rule.
    """

    name: str
    raw: pd.DataFrame
    source: dict[str, str]  # canonical name -> column in the file
    date_format: str | None
    decimal: str
    problems: list[Problem] = field(default_factory=list)

    def run(self, column: str, check: Callable[[], object]) -> bool:
        try:
            check()
        except CXDataError as err:
            self.problems.append(Problem(self.name, column, str(err)))
            return False
        return True

    def add(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.name, column, message))


def _scale_text(scores: tuple[str, ...] = SURVEY_SCORES) -> str:
    """``"csat (1-5), ces (1-7) or nps (0-10)"`` from :data:`cxlib.survey.scales.SCALES`."""
    named = [f"{s} ({SCALES[s][0]}-{SCALES[s][1]})" for s in scores]
    return f"{', '.join(named[:-1])} or {named[-1]}" if len(named) > 1 else named[0]


def _missing_column_message(canonical: str, frame: pd.DataFrame, columns: Mapping[str, str]) -> str:
    """Message for a required column that is absent, with a suggested ``--column`` mapping."""
    wanted = columns.get(canonical, canonical)
    have = list(frame.columns)
    candidates = [c for c in GERMAN_HINTS.get(canonical, ()) if c in have]
    candidates += difflib.get_close_matches(wanted, have, n=2, cutoff=0.6)
    hint = (
        f" Did you mean --column {canonical}={candidates[0]}?"
        if candidates
        else (
            f" Map yours with --column {canonical}=YOUR_NAME." if canonical not in columns else ""
        )
    )
    mapped = f" (mapped from {wanted!r})" if canonical in columns else ""
    return f"required column {wanted!r}{mapped} is missing; the file has {have}.{hint}"


def _number_column(
    f: _File,
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    whole: bool = False,
    required: bool = True,
) -> pd.Series | None:
    """Check and convert one numeric column; problems go to ``f``. Returns floats or None."""
    raw = f.raw
    values = to_numbers(raw[column], decimal=f.decimal)
    shown = raw[[column]]
    ok = f.run(
        column,
        lambda: fail_rows(shown, values.isna() & raw[column].notna(), column, "hold numbers"),
    )
    if required:
        ok &= f.run(column, lambda: check_no_missing(raw, column))
    if not ok:
        return None
    probe = pd.DataFrame({column: values}, index=raw.index)
    ok &= f.run(
        column,
        lambda: fail_rows(shown, np.isinf(values.to_numpy()), column, "hold finite numbers"),
    )
    if not ok:
        return None
    if whole:
        ok &= f.run(column, lambda: check_integer(probe, column))
    if low is not None or high is not None:
        ok &= f.run(column, lambda: check_range(probe, column, low=low, high=high))
    return values if ok else None


def _date_column(f: _File, column: str, *, required: bool = True) -> pd.Series | None:
    """Check and parse one date column (``f.date_format`` as in ``strftime``, e.g. ``%d.%m.%Y``)."""
    ok = f.run(column, lambda: check_no_missing(f.raw, column)) if required else True
    parsed: list[pd.Series] = []

    def parse() -> None:
        parsed.append(check_dates(f.raw, column, format=f.date_format))

    if not f.run(column, parse):
        if f.date_format is None:
            f.problems[-1] = Problem(
                f.name,
                column,
                f.problems[-1].message + "\nGive the format with --date-format, e.g. %d.%m.%Y.",
            )
        return None
    dates = parsed[0]
    if getattr(dates.dt, "tz", None) is not None:  # local wall time; days are what matters here
        dates = dates.dt.tz_localize(None)
    return dates if ok else None


def _ids(f: _File, column: str, *, unique: bool) -> pd.Series | None:
    """Check an id column (in every row; once per row if ``unique``); return it as text."""
    ok = f.run(column, lambda: check_no_missing(f.raw, column))
    if unique and ok:
        ok = f.run(column, lambda: check_unique(f.raw, column))
    if not ok:
        return None
    ids = f.raw[column]
    if pd.api.types.is_float_dtype(ids) and (ids == ids.round()).all():
        ids = ids.astype("int64")
    return ids.astype("str").str.strip()


def _churn_flag(f: _File, column: str) -> pd.Series | None:
    """The churn column as bool (yes/no, ja/nein, true/false, 1/0), or None with a problem."""
    flag = f.raw[column]
    if pd.api.types.is_bool_dtype(flag):
        return flag.astype(bool)
    mapped = flag.astype("str").str.strip().str.lower().map(CHURN_VALUES)
    ok = f.run(
        column,
        lambda: fail_rows(
            f.raw[[column]], mapped.isna(), column, "be yes/no (also ja/nein, true/false, 1/0)"
        ),
    )
    return mapped.astype(bool) if ok else None


def _rest(f: _File, used: set[str]) -> dict[str, pd.Series]:
    """Columns of the file not used by the canonical schema, under their canonical or own name."""
    inverse = {v: k for k, v in f.source.items()}
    return {inverse.get(c, c): f.raw[c] for c in f.raw.columns if c not in used}


def check_input(
    kind: Kind,
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check one input file; return the canonical frame (or None) and every problem.

    Parameters
    ----------
    kind : {"transactions", "survey", "customers"}
        Which input this is (see :mod:`cxlib.byod` for the columns and rules).
    path : path
        CSV or parquet file.
    columns : mapping, optional
        Canonical name -> your column name, e.g. ``{"customer_id": "KundenNr"}``. Names that the
        file does not hold are ignored, so one mapping can serve several files.
    date_format : str, optional
        ``strftime`` format of the date columns (e.g. ``"%d.%m.%Y"``); default: inferred.
    decimal : str, default "."
        Decimal mark of numbers in a CSV file (parquet numbers have their own dtype).

    Returns
    -------
    frame : DataFrame or None
        Canonical columns with proper dtypes (other columns kept as read), None if any problem.
    problems : list of Problem
        Every broken rule, each with file, column and a message with up to five example rows.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "befragung.csv"
    >>> _ = path.write_text("Zufriedenheit;Weiterempfehlung\\n5;10\\n6;\\n")
    >>> frame, problems = check_input("survey", path, columns={"csat": "Zufriedenheit"})
    >>> print(problems[0].message)  # doctest: +NORMALIZE_WHITESPACE
    Column 'Zufriedenheit' must lie in [1, 5]: 1 of 2 rows do not. Examples:
          Zufriedenheit
    line
    3               6.0
    """
    check_option(kind, INPUTS, parameter="kind", function="check_input")
    mapping = parse_columns(columns)
    try:
        raw = read_table(path)
    except CXDataError as err:
        return None, [Problem(str(path), "", str(err).removeprefix(f"{path}: "))]
    if len(raw) == 0:
        return None, [Problem(str(path), "", "the file has no data rows.")]
    # canonical name -> column in the file (only mappings whose source exists apply)
    source = {c: c for c in raw.columns}
    for canonical, yours in mapping.items():
        if yours in raw.columns:
            source[canonical] = yours
            if canonical != yours:
                source.pop(yours, None)
    mark = "." if is_parquet(path) else decimal  # parquet numbers have their own dtype
    f = _File(str(path), raw, source, date_format, mark)
    for canonical in INPUTS[kind].required:
        if canonical not in source:
            f.add(canonical, _missing_column_message(canonical, raw, mapping))
    if f.problems:
        return None, f.problems
    builder = {"transactions": _transactions, "survey": _survey, "customers": _customers}[kind]
    frame = builder(f)
    if f.problems or frame is None:
        return None, f.problems
    return frame, []


def _transactions(f: _File) -> pd.DataFrame | None:
    ids = _ids(f, f.source["customer_id"], unique=False)
    dates = _date_column(f, f.source["date"])
    amounts = _number_column(f, f.source["amount"], low=0)
    if ids is None or dates is None or amounts is None:
        return None
    out = pd.DataFrame({"customer_id": ids, "date": dates.dt.normalize(), "amount": amounts})
    return out.reset_index(drop=True)


def _survey(f: _File) -> pd.DataFrame | None:
    source = f.source
    scores = [s for s in SURVEY_SCORES if s in source]
    if not scores:
        f.add(
            "/".join(SURVEY_SCORES),
            f"needs at least one score column: {_scale_text()}; the file has "
            f"{list(f.raw.columns)}. Map yours with e.g. --column nps=Weiterempfehlung.",
        )
        return None
    out: dict[str, pd.Series] = {}
    for name, unique in (("customer_id", False), ("survey_id", True)):
        if name in source:
            ids = _ids(f, source[name], unique=unique)
            if ids is not None:
                out[name] = ids
    when = source.get("timestamp", source.get("date"))
    if when is not None:
        parsed = _date_column(f, when, required=False)
        if parsed is not None:
            out["timestamp"] = parsed
    if "touchpoint" in source:
        out["touchpoint"] = f.raw[source["touchpoint"]].astype("str").astype("category")
    for score in scores:
        low, high = SCALES[score]
        values = _number_column(f, source[score], low=low, high=high, whole=True, required=False)
        if values is not None:
            out[score] = values
    if f.problems:
        return None
    frame = pd.DataFrame(out)
    answered = frame[scores].notna().any(axis=1)
    if not answered.any():
        f.add(",".join(source[s] for s in scores), "has no answers: every score cell is empty.")
        return None
    frame["responded"] = answered
    used = {source[c] for c in ("customer_id", "survey_id", "touchpoint", *scores) if c in source}
    used |= {when} if when is not None else set()
    for name, values in _rest(f, used).items():
        frame[name] = values
    return frame.reset_index(drop=True)


def _customers(f: _File) -> pd.DataFrame | None:
    cid, tenure, churn = f.source["customer_id"], f.source["tenure_months"], f.source["churn"]
    ids = _ids(f, cid, unique=True)
    months = _number_column(f, tenure, low=0)
    churned = _churn_flag(f, churn)
    extra: dict[str, pd.Series] = {}
    for money in ("monthly_charges", "total_charges"):
        if money in f.source:
            values = _number_column(f, f.source[money], low=0, required=False)
            if values is not None:
                extra[money] = values
    if ids is None or months is None or churned is None or f.problems:
        return None
    frame = pd.DataFrame({"customer_id": ids, "tenure_months": months, "churn": churned, **extra})
    if (frame["tenure_months"] == frame["tenure_months"].round()).all():
        frame["tenure_months"] = frame["tenure_months"].astype("int64")
    used = {cid, tenure, churn} | {f.source[m] for m in extra}
    for name, values in _rest(f, used).items():
        frame[name] = (
            values.astype("category")
            if values.dtype == object or pd.api.types.is_string_dtype(values)
            else values
        )
    return frame.reset_index(drop=True)
