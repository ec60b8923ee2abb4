"""Checking one input file: every broken rule as a :class:`Problem`, every repair as a note.

:func:`check_file` reads a file (:func:`cxlib.byod.read.read_file`, which checks its bytes
first), maps your column names onto the canonical ones, and checks the columns of its kind
(:data:`cxlib.byod.schema.INPUTS`) with the rules of :mod:`cxlib.byod.rules`: ids present (and
unique where they must be, after trimming spaces), dates that parse in one order and lie in a
plausible window, numbers that are numbers in the given decimal mark and lie in their range,
survey scores whole and on their scale in :data:`cxlib.survey.scales.SCALES`, churn flags that
read as yes or no, parquet columns stored in a documented type. It does not stop at the first
broken rule: each problem names file, column and up to five example rows (CSV line numbers,
header = line 1). Only documented columns (:data:`cxlib.byod.schema.KNOWN_COLUMNS`) and those
named in ``keep_columns`` are passed on; the others are dropped and listed in a note.

What is refused, what is repaired (with a note), and how to override:

=================================  ================================  ============================
input                              result                            override
=================================  ================================  ============================
line over 1 MiB, > 1,000 fields    refused (:mod:`~.scan`)           none (not a CSV export)
UTF-8 with a Windows-1252 line     refused, line and byte offset     save the file as UTF-8
entirely Windows-1252              read as such, note
header names a column twice        refused, both columns named       rename one
more fields than the header        refused, lines named              remove the separators
``97.09`` under ``--decimal ,``    refused (and ``97,09`` under .)   ``--decimal``
``1,234`` under ``.``              read as 1234, note                ``--decimal ,``
``12/10/2023``, every day <= 12    refused, both readings shown      ``--day-first``,
                                                                     ``--month-first``,
                                                                     ``--date-format``
``13/10/2023`` among them          read day first, note              ``--month-first``
date < 1950 or > 1 year ahead      refused, lines named              ``--date-window FROM:TO``
``K-1`` and ``K-1 ``               trimmed, note; then duplicates    none
``K-1`` and ``k-1``                different ids, note               none
parquet: int dates, list ids       refused, column and type named    store documented types
parquet: churn with NA             refused, rows named               fill in the churn flag
undocumented column (a name)       dropped, note                     ``--keep-column NAME``
.xlsx with several sheets          refused, sheets listed            ``--sheet NAME|POSITION``
Excel dates as serial numbers      refused, column named             format cells as dates
returns (qty or amount < 0, C123)  refused, lines named              ``--returns net|drop``
line item without customer id      dropped, count and share noted    none
invoice naming two customers       refused, lines named              none
csat written as words              read on the one known scale,      ``--map csat=LABEL:CODE``
                                   note; refused if two fit, yes/no
touchpoint ratings, no scale       refused                           ``--scale score=LOW-HIGH``
=================================  ================================  ============================

Line items, returns and invoices are :mod:`~cxlib.byod.lineitems`; Excel is
:mod:`~cxlib.byod.excel`; words as answers :mod:`~cxlib.byod.labels`; wide surveys
:mod:`~cxlib.byod.touchpoints`; the suggested mapping for a missing column
:mod:`~cxlib.byod.suggest`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from cxlib.byod import dates
from cxlib.byod.labels import apply_labels, parse_maps, read_labels
from cxlib.byod.lineitems import drop_missing_customers, purchases
from cxlib.byod.numbers import DECIMAL_MARKS, to_numbers
from cxlib.byod.read import is_parquet, parse_columns, read_file
from cxlib.byod.rules import FileCheck, date_column, flag_column, ids, number_column
from cxlib.byod.schema import (
    CUSTOMER_FLAGS,
    DERIVED_COLUMNS,
    INPUTS,
    KNOWN_COLUMNS,
    LINE_ITEM_COLUMNS,
    OVERALL_DEFAULTS,
    RETURN_POLICIES,
    SCORE_COLUMNS,
    SURVEY_SCORES,
    TELCO_NAMES,
    Kind,
)
from cxlib.byod.suggest import missing_hint
from cxlib.byod.touchpoints import match_columns, split_items
from cxlib.survey.scales import SCALES
from cxlib.validate import CXDataError, check_option

__all__ = [
    "InputNote",
    "CheckResult",
    "Problem",
    "SurveyOptions",
    "check_file",
    "check_input",
    "survey_options",
]


class InputNote(UserWarning):
    """What the check of an input file repaired, dropped or noticed (a note, not a problem)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule in one input file: which file, which column, and the message.

    ``detail`` holds more for a log (e.g. the traceback of an unexpected error); it is not
    part of ``str(problem)``, which is what a user sees.
    """

    file: str
    column: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True, eq=False)  # eq=False: a DataFrame has no single truth value
class CheckResult:
    """What :func:`check_file` found in one file.

    Attributes
    ----------
    frame : DataFrame or None
        Canonical columns with proper dtypes, plus the documented and kept extra columns;
        None if there is any problem.
    problems : list of Problem
        Every broken rule, each with file, column and a message with up to five example rows.
    notes : list of str
        Repairs and warnings, one sentence each (e.g. "read as Windows-1252 (the file is not
        UTF-8)", "customer_id: surrounding spaces trimmed in 2 row(s)").
    """

    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _scale_text(scores: tuple[str, ...] = SURVEY_SCORES) -> str:
    """``"csat (1-5), ces (1-7) or nps (0-10)"`` from :data:`cxlib.survey.scales.SCALES`."""
    named = [f"{s} ({SCALES[s][0]}-{SCALES[s][1]})" for s in scores]
    return f"{', '.join(named[:-1])} or {named[-1]}" if len(named) > 1 else named[0]


def _missing_column_message(
    canonical: str,
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    decimal: str = ".",
    taken: Sequence[str] = (),
) -> str:
    """Message for a required column that is absent, with a suggested ``--column`` mapping.

    Suggestions are judged by name and content (:mod:`cxlib.byod.suggest`); ``taken`` are the
    file's columns already mapped to other canonical names.
    """
    wanted = columns.get(canonical, canonical)
    have = list(frame.columns)
    hint = missing_hint(canonical, frame, columns, decimal=decimal, exclude=taken)
    mapped = f" (mapped from {wanted!r})" if canonical in columns else ""
    return f"required column {wanted!r}{mapped} is missing; the file has {have}.{hint}"


def _required(kind: Kind, source: Mapping[str, str]) -> tuple[str, ...]:
    """The required columns; line items (quantity and unit price) need no amount."""
    required = INPUTS[kind].required
    if kind == "transactions" and "quantity" in source and "unit_price" in source:
        return tuple(c for c in required if c != "amount")
    return required


def _sources(have: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Canonical name -> column in the file; only mappings whose column exists apply."""
    source = {c: c for c in have}
    for canonical, yours in mapping.items():
        if yours in have:
            source[canonical] = yours
            if canonical != yours:
                source.pop(yours, None)
    return source


def _names(names: str | Sequence[str]) -> list[str]:
    """Column names, stripped; one name given as a string is one name, not its letters."""
    return [str(n).strip() for n in ([names] if isinstance(names, str) else names)]


def _unknown_keep(f: FileCheck, keep: Sequence[str]) -> None:
    """A problem for each ``keep_columns`` name that is not a column of the file."""
    for name in keep:
        if name not in f.raw.columns:
            close = difflib.get_close_matches(name, list(f.raw.columns), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            f.add(name, f"--keep-column {name}: the file has no column {name!r}{hint}")


def _extras(
    f: FileCheck, kind: Kind, used: set[str], taken: set[str], keep: Sequence[str]
) -> dict[str, pd.Series]:
    """Unused columns that are documented for ``kind`` or kept; a note lists the dropped ones.

    Documented columns come under their canonical name, kept ones under their own. Derived
    columns (:data:`DERIVED_COLUMNS`, recomputed) and names already taken are left out.
    """
    inverse = {v: k for k, v in f.source.items()}
    out: dict[str, pd.Series] = {}
    dropped = []
    for column in f.raw.columns:
        name = inverse.get(column, column)
        if column in used or name in DERIVED_COLUMNS[kind]:
            continue
        wanted = (name in KNOWN_COLUMNS[kind] or column in keep) and name not in taken
        if wanted and f.stored_as(column, "any"):
            out[name] = f.raw[column]
        elif not wanted:
            dropped.append(column)
    if dropped:
        f.notes.append(
            f"columns not used by the notebooks were dropped: {', '.join(dropped)} "
            "(keep one with --keep-column NAME)"
        )
    return out


def check_file(
    kind: Kind,
    path: str | Path,
    *,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    scales: Mapping[str, tuple[float, float]] | None = None,
    missing_codes: Sequence[float] = (),
    drivers: Sequence[str] = (),
    overall: str | None = None,
    sheet: str | int | None = None,
    returns: str | None = None,
    labels: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
    touchpoint_columns: str | Sequence[str] = (),
) -> CheckResult:
    """Read and check one input file: the canonical frame (or None), every problem, the notes.

    Parameters
    ----------
    kind : {"transactions", "survey", "customers"}
        Which input this is (see :mod:`cxlib.byod` for the columns and rules).
    path : path
        CSV, Excel (``.xlsx``, ``.xlsm``) or parquet file.
    columns : mapping or list of "CANONICAL=YOURS", optional
        Canonical name -> your column name, e.g. ``{"customer_id": "KundenNr"}``. Names that the
        file does not hold are ignored, so one mapping can serve several files. Transactions
        written as line items map ``quantity``, ``unit_price`` and ``invoice`` here
        (:mod:`cxlib.byod.lineitems`).
    date_format : str, optional
        ``strftime`` format of the date columns (e.g. ``"%d.%m.%Y"``); default: inferred (see
        :mod:`cxlib.byod.dates` for how the day/month order is decided).
    decimal : {".", ","}, default "."
        Decimal mark of numbers in a CSV file (see :mod:`cxlib.byod.numbers` for the rule;
        parquet numbers have their own dtype).
    day_first : bool, optional
        True: ``12/10/2023`` is 12 October; False: 10 December; None: decided by the data, and
        refused when they cannot decide. Ignored when ``date_format`` is given.
    date_window : (str or None, str or None), optional
        First and last plausible date (ISO); None entries keep the default bound (1950-01-01,
        one year after today). A prepared file records the window it was checked with.
    keep_columns : sequence of str
        Your names of undocumented columns to pass on (each must be a column of the file).
    scales : mapping, optional
        Survey only: declared answer scales ``name -> (low, high)`` overriding
        :data:`cxlib.survey.scales.SCALES` for this file (e.g. ``{"csat": (0, 5)}``); ``score``
        needs one, and so do the drivers (``"drivers"`` for all of them, or each driver's own
        name). The NPS is defined on 0-10 only.
    missing_codes : sequence of float
        Survey only: answer codes meaning "not applicable" (e.g. 0 on a 0-5 rating): read as
        no answer in score and driver columns, counted in a note, and not checked against
        the scale.
    drivers : sequence of str
        Survey only: your names of driver rating columns (one per touchpoint), kept under
        their own names, checked as numbers on their declared scale.
    overall : str, optional
        Survey only: the score that is the outcome of the key-driver analysis (default: the
        first present of nps, csat, score).
    sheet : str or int, optional
        Excel only: the sheet to read, by name or position from 0; needed when the workbook
        has several (:mod:`cxlib.byod.excel`).
    returns : {"net", "drop"}, optional
        Transactions only: what returns and cancellations (negative quantity or amount, an
        invoice number such as "C536379") mean; a file with any is refused without it
        (:mod:`cxlib.byod.lineitems`).
    labels : mapping or list of "NAME=LABEL:CODE,...", optional
        Survey only: codes for answers written as words, per score or rating column, e.g.
        ``{"csat": {"satisfied": 5, "neutral or dissatisfied": 1}}``; without one, ``csat``
        labels on a known scale are read automatically (:mod:`cxlib.byod.labels`).
    touchpoint_columns : str or sequence of str
        Survey only: the rating columns of a wide survey, one per touchpoint (names, ``*``
        patterns or ``re:`` expressions; :mod:`cxlib.byod.touchpoints`), on the scale declared
        for ``score``; also the drivers unless ``drivers`` names others.

    A prepared file records ``scales``, ``missing_codes``, ``drivers``, ``overall`` and the
    touchpoint columns (with the other options); reading it again applies them unless they
    are given anew.

    Returns
    -------
    CheckResult
        ``frame``, ``problems`` and ``notes``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "befragung.csv"
    >>> _ = path.write_text("Zufriedenheit;Name\\n5;Max\\n4;Erika\\n")
    >>> result = check_file("survey", path, columns={"csat": "Zufriedenheit"})
    >>> result.frame.columns.tolist(), result.notes
    (['csat', 'responded'], ['columns not used by the notebooks were dropped: Name (keep one with --keep-column NAME)'])
    """  # noqa: E501
    check_option(kind, INPUTS, parameter="kind", function="check_file")
    check_option(decimal, DECIMAL_MARKS, parameter="decimal", function="check_file")
    if returns is not None:
        check_option(returns, RETURN_POLICIES, parameter="returns", function="check_file")
    mapping = parse_columns(columns)
    parse_maps(labels)  # a malformed --map is refused before any reading
    window = dates.date_window(date_window)  # a bad bound is refused before any reading
    name = str(path)
    reading = read_file(path, sheet=sheet)
    notes = list(reading.notes)
    problems = [Problem(name, column, message) for column, message in reading.problems]
    if reading.frame is None:
        return CheckResult(None, problems, notes)
    raw = reading.frame
    if len(raw) == 0:
        return CheckResult(None, [Problem(name, "", "the file has no data rows.")], notes)
    recorded = reading.recorded  # options a prepared file was checked with
    keep = _names(keep_columns) or _names(recorded.get("keep_columns", ()))
    if date_window is None and recorded.get("date_window"):
        window = dates.date_window(tuple(recorded["date_window"]))
    if kind == "customers":  # IBM Telco's own names of the optional columns, unless mapped
        implied = {c: yours for c, yours in TELCO_NAMES.items() if yours in raw.columns}
        mapping = {**{c: y for c, y in implied.items() if c not in mapping}, **mapping}
    source = _sources(list(raw.columns), mapping)
    mark = "." if is_parquet(path) else decimal  # parquet numbers have their own dtype
    f = FileCheck(name, raw, source, date_format, mark, day_first, window, reading.types)
    f.container = reading.container or f.container
    taken = [source[c] for c in KNOWN_COLUMNS[kind] if c in source]
    for canonical in _required(kind, source):
        if canonical not in source:
            message = _missing_column_message(canonical, raw, mapping, decimal=mark, taken=taken)
            f.add(canonical, message)
    _unknown_keep(f, keep)
    if kind == "survey":
        options = survey_options(
            scales=scales if scales is not None else recorded.get("scales"),
            missing_codes=missing_codes or recorded.get("missing_codes", ()),
            drivers=drivers or recorded.get("drivers", ()),
            overall=overall if overall is not None else recorded.get("overall"),
            touchpoints=touchpoint_columns or recorded.get("touchpoints", ()),
            labels=labels,
        )
        frame = None if f.problems else _survey(f, keep, options)
    elif kind == "transactions":
        frame = None if f.problems else _transactions(f, keep, returns)
    else:
        frame = None if f.problems else _BUILDERS[kind](f, keep)
    if f.problems or frame is None:
        return CheckResult(None, [Problem(name, c, m) for c, m in f.problems], notes + f.notes)
    return CheckResult(frame, [], notes + f.notes)


def check_input(
    kind: Kind,
    path: str | Path,
    *,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    scales: Mapping[str, tuple[float, float]] | None = None,
    missing_codes: Sequence[float] = (),
    drivers: Sequence[str] = (),
    overall: str | None = None,
    sheet: str | int | None = None,
    returns: str | None = None,
    labels: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
    touchpoint_columns: str | Sequence[str] = (),
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """:func:`check_file` as ``(frame, problems)``, without the notes (for existing callers).

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
    result = check_file(
        kind,
        path,
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        day_first=day_first,
        date_window=date_window,
        keep_columns=keep_columns,
        scales=scales,
        missing_codes=missing_codes,
        drivers=drivers,
        overall=overall,
        sheet=sheet,
        returns=returns,
        labels=labels,
        touchpoint_columns=touchpoint_columns,
    )
    return result.frame, result.problems


def _transactions(f: FileCheck, keep: Sequence[str], returns: str | None) -> pd.DataFrame | None:
    """Purchases, or line items turned into purchases (:mod:`cxlib.byod.lineitems`)."""
    source = f.source
    cid, date = source["customer_id"], source["date"]
    line_items = [c for c in LINE_ITEM_COLUMNS if c in source]
    if line_items:
        drop_missing_customers(f, cid)
        if f.problems:
            return None
    customer = ids(f, cid, unique=False)
    when = date_column(f, date)
    quantity = invoice = None
    if "quantity" in source:
        quantity = number_column(f, source["quantity"])
    if "invoice" in source:
        invoice = ids(f, source["invoice"], unique=False, what="invoices")
    if "unit_price" in source and "amount" in source:
        f.add(
            source["amount"],
            f"give either an amount ({source['amount']!r}) or a quantity and a unit price "
            f"({source['unit_price']!r}), not both: which one counts would be a guess.",
        )
        return None
    if "unit_price" in source:
        price = number_column(f, source["unit_price"], low=0)
        amounts = None if quantity is None or price is None else quantity * price
    else:
        amounts = number_column(f, source["amount"])
    if customer is None or when is None or amounts is None or f.problems:
        return None
    frame = pd.DataFrame({"customer_id": customer, "date": when, "amount": amounts})
    used = {source[c] for c in ("customer_id", "date", "amount", *line_items) if c in source}
    for name, values in _extras(f, "transactions", used, set(frame), keep).items():
        frame[name] = values
    if f.problems:
        return None
    shown = {c: source[c] for c in ("customer_id", "date", *line_items, "amount") if c in source}
    return purchases(f, frame, quantity=quantity, invoice=invoice, returns=returns, shown=shown)


@dataclass(frozen=True)
class SurveyOptions:
    """What a survey file declares beyond its columns (see :func:`check_file`).

    Attributes
    ----------
    scales : dict
        Declared answer scales, ``name -> (low, high)``; overrides
        :data:`cxlib.survey.scales.SCALES` for this file.
    missing_codes : tuple of float
        Answer codes read as no answer ("not applicable") in score and driver columns.
    drivers : tuple of str
        Names of the driver rating columns (wide format, one per touchpoint).
    overall : str or None
        The outcome score of the key-driver analysis (None: the first present of
        :data:`~cxlib.byod.schema.OVERALL_DEFAULTS`).
    touchpoints : tuple of str
        The touchpoint rating columns of a wide survey, as given (names or patterns, see
        :mod:`cxlib.byod.touchpoints`); a checked frame records the matched names.
    labels : dict
        Codes for answers written as words, ``column -> {label: code}``
        (:mod:`cxlib.byod.labels`); applied by the check, not recorded (a checked frame holds
        the codes).
    """

    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    missing_codes: tuple[float, ...] = ()
    drivers: tuple[str, ...] = ()
    overall: str | None = None
    touchpoints: tuple[str, ...] = ()
    labels: dict[str, dict[str, float]] = field(default_factory=dict)

    def scale(self, column: str, *, touchpoint: bool = False) -> tuple[float, float] | None:
        """The scale of a score, driver or touchpoint column: declared, else the default.

        A touchpoint rating (``touchpoint=True``) takes its own declared scale, else that of
        ``score`` (its name in the long form), else that of the drivers.
        """
        if column in self.scales:
            return self.scales[column]
        if touchpoint:
            return self.scales.get("score", self.scales.get("drivers"))
        if column in self.drivers:
            return self.scales.get("drivers")
        default = SCALES.get(column)
        return None if default is None else (float(default[0]), float(default[1]))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, as recorded in a prepared file."""
        return {
            "scales": {k: list(v) for k, v in self.scales.items()},
            "missing_codes": list(self.missing_codes),
            "drivers": list(self.drivers),
            "overall": self.overall,
            "touchpoints": list(self.touchpoints),
        }


def survey_options(
    *,
    scales: Mapping[str, Sequence[float]] | None = None,
    missing_codes: Sequence[float] = (),
    drivers: Sequence[str] | str = (),
    overall: str | None = None,
    touchpoints: Sequence[str] | str = (),
    labels: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
) -> SurveyOptions:
    """Check and normalise the survey keywords of :func:`check_file` into :class:`SurveyOptions`.

    Raises :class:`~cxlib.validate.CXDataError` for a scale that is not a pair ``low < high``
    or a missing code that is not a number.

    Examples
    --------
    >>> survey_options(scales={"csat": (0, 5)}, missing_codes=[0], drivers="App")  # doctest: +NORMALIZE_WHITESPACE
    SurveyOptions(scales={'csat': (0.0, 5.0)}, missing_codes=(0.0,), drivers=('App',),
                  overall=None, touchpoints=(), labels={})
    """  # noqa: E501
    checked: dict[str, tuple[float, float]] = {}
    for name, pair in (scales or {}).items():
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise CXDataError(
                f"scale of {name!r} must be a pair (low, high) of numbers; got {pair!r}."
            ) from None
        if not low < high:
            raise CXDataError(f"scale of {name!r} must have low < high; got {pair!r}.")
        checked[str(name).strip()] = (low, high)
    codes = []
    for code in missing_codes:
        try:
            codes.append(float(code))
        except (TypeError, ValueError):
            raise CXDataError(f"missing codes must be numbers; got {code!r}.") from None
    names = tuple(_names(drivers))
    rated = tuple(split_items(touchpoints)) if touchpoints else ()
    return SurveyOptions(
        checked,
        tuple(codes),
        names,
        None if overall is None else str(overall),
        rated,
        parse_maps(labels),
    )


def _apply_missing_codes(f: FileCheck, column: str, codes: tuple[float, ...]) -> None:
    """Blank cells of ``column`` equal to a missing code (in ``f.raw``); a note counts them."""
    if not codes or not f.stored_as(column, "number"):
        return
    values = to_numbers(f.raw[column], decimal=f.decimal)
    coded = values.isin(codes).to_numpy()
    if coded.any():
        f.raw = f.raw.copy()  # the frame read from the file; the caller's data is not touched
        f.raw[column] = f.raw[column].astype(object).mask(coded)
        shown = ", ".join(f"{c:g}" for c in codes)
        f.notes.append(
            f"{column}: {int(coded.sum())} answer(s) coded as not applicable ({shown}) "
            "read as no answer"
        )


def _comments(values: pd.Series) -> pd.Series:
    """Free-text answers as text; empty or blank cells are no comment (missing)."""
    text = values.astype("str")
    blank = values.isna().to_numpy() | (text.str.strip() == "").to_numpy(dtype=bool)
    return text.mask(blank)


def _survey(f: FileCheck, keep: Sequence[str], options: SurveyOptions) -> pd.DataFrame | None:
    source = f.source
    scores = [s for s in SCORE_COLUMNS if s in source]
    touchpoints = _touchpoint_columns(f, options, scores)
    if not scores and not touchpoints:
        if not options.touchpoints:
            f.add(
                "/".join(SCORE_COLUMNS),
                f"needs at least one score column: {_scale_text(('csat', 'ces', 'nps'))}; or "
                f"{_scale_text(('wrs',))}, or score (a mean score on a scale you declare with "
                f"--scale score=LOW-HIGH); the file has {list(f.raw.columns)}. Map yours "
                "with e.g. --column nps=Weiterempfehlung; a survey with one rating column "
                "per touchpoint names them with --touchpoint-columns.",
            )
        return None
    if "nps" in options.scales and options.scales["nps"] != (0.0, 10.0):
        f.add("nps", "the NPS is defined on the 0-10 scale only; do not declare another scale.")
    _check_drivers(f, options, touchpoints)
    drivers = list(options.drivers) or touchpoints
    if "score" in scores and options.scale("score") is None:
        f.add(
            source["score"],
            f"column {source['score']!r} (score, a plain mean score) has no standard scale: "
            "declare it with --scale score=LOW-HIGH (e.g. score=1-10).",
        )
    overall = options.overall
    if drivers:
        if overall is None:
            overall = next((s for s in OVERALL_DEFAULTS if s in scores), None)
            if overall is None and set(options.drivers) - set(touchpoints):
                f.add(
                    ",".join(drivers),
                    "the key-driver analysis needs an outcome score (nps, csat or score) or "
                    f"--overall naming one of {scores}.",
                )
        elif overall not in scores:
            f.add(overall, f"--overall {overall}: not a score column of the file; it has {scores}.")
    if f.problems:
        return None
    out: dict[str, pd.Series] = {}
    for name, unique, what in (("customer_id", False, "customers"), ("survey_id", True, "answers")):
        if name in source:
            values = ids(f, source[name], unique=unique, what=what)
            if values is not None:
                out[name] = values
    when = source.get("timestamp", source.get("date"))
    if when is not None:
        parsed = date_column(f, when, required=False)
        if parsed is not None:
            out["timestamp"] = parsed
    if "touchpoint" in source and f.stored_as(source["touchpoint"], "any"):
        out["touchpoint"] = f.raw[source["touchpoint"]].astype("str").astype("category")
    if "comment" in source and f.stored_as(source["comment"], "any"):
        out["comment"] = _comments(f.raw[source["comment"]])
    scales: dict[str, tuple[float, float]] = {}
    rated = list(dict.fromkeys([*drivers, *touchpoints]))
    columns = [*((s, source[s]) for s in scores), *((d, d) for d in rated)]
    _read_answer_labels(f, columns, options)
    if f.problems:
        return None
    for name, column in columns:
        scale = options.scale(name, touchpoint=name in touchpoints)
        low, high = scales[name] = cast(tuple[float, float], scale)  # checked above
        _apply_missing_codes(f, column, options.missing_codes)
        whole = name in SURVEY_SCORES
        values = number_column(f, column, low=low, high=high, whole=whole, required=False)
        if values is not None:
            out[name] = values
    if f.problems:
        return None
    frame = pd.DataFrame(out)
    answered = frame[[*scores, *touchpoints]].notna().any(axis=1)
    if not answered.any():
        shown = [source[s] for s in scores] + touchpoints
        f.add(",".join(shown), "has no answers: every score cell is empty.")
        return None
    frame["responded"] = answered
    named = ("customer_id", "survey_id", "touchpoint", "comment", *scores)
    used = {source[c] for c in named if c in source}
    used |= {when} if when is not None else set()
    used |= set(rated)
    for name, values in _extras(f, "survey", used, set(frame), keep).items():
        frame[name] = values
    if f.problems:
        return None
    frame = frame.reset_index(drop=True)
    if touchpoints:
        scales["score"] = scales[touchpoints[0]]  # the long form's score (touchpoint_answers)
    frame.attrs["survey"] = SurveyOptions(
        scales, options.missing_codes, tuple(drivers), overall, tuple(touchpoints)
    ).to_dict()
    return frame


def _touchpoint_columns(f: FileCheck, options: SurveyOptions, scores: list[str]) -> list[str]:
    """The touchpoint rating columns of a wide survey (matched names); problems go to ``f``."""
    if not options.touchpoints:
        return []
    source = f.source
    taken = [source[c] for c in KNOWN_COLUMNS["survey"] if c in source]
    try:
        touchpoints = match_columns(options.touchpoints, list(f.raw.columns), taken=taken)
    except CXDataError as err:
        f.add(",".join(options.touchpoints), str(err))
        return []
    if "touchpoint" in source:
        f.add(
            source["touchpoint"],
            f"the file has a touchpoint column ({source['touchpoint']!r}, one row per answer) "
            "and --touchpoint-columns (one column per touchpoint); a survey is one or the other.",
        )
    if "score" in scores:
        f.add(
            source["score"],
            f"with --touchpoint-columns the ratings become the score of each touchpoint, so "
            f"{source['score']!r} cannot be the score as well: map it to csat, ces, nps or wrs, "
            "or leave it out.",
        )
    for column in touchpoints:
        if options.scale(column, touchpoint=True) is None:
            f.add(
                column,
                f"touchpoint rating {column!r} needs a declared scale: give --scale "
                "score=LOW-HIGH (the ratings are the score of each touchpoint), e.g. score=0-5.",
            )
            break
    return touchpoints


def _check_drivers(f: FileCheck, options: SurveyOptions, touchpoints: list[str]) -> None:
    """Problems for drivers that are not columns or have no declared scale."""
    for driver in options.drivers:
        if driver not in f.raw.columns:
            close = difflib.get_close_matches(driver, list(f.raw.columns), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            f.add(driver, f"--drivers: the file has no column {driver!r}{hint}")
        elif options.scale(driver, touchpoint=driver in touchpoints) is None:
            f.add(
                driver,
                f"driver {driver!r} needs a declared scale: give --scale drivers=LOW-HIGH "
                f"(all drivers) or --scale {driver}=LOW-HIGH.",
            )


def _read_answer_labels(
    f: FileCheck, columns: list[tuple[str, str]], options: SurveyOptions
) -> None:
    """Turn answers written as words into codes: ``--map``, or csat's automatic reading."""
    maps = options.labels
    known = {name for pair in columns for name in pair}
    for target in maps:
        if target not in known:
            f.add(
                target,
                f"--map {target}: not a score or rating column of the survey; it has "
                f"{sorted({name for name, _ in columns})}.",
            )
    for name, column in columns:
        mapping = maps.get(name, maps.get(column))
        if mapping is not None:
            apply_labels(f, column, mapping, f"--map {name}")
        elif name == "csat":
            read_labels(f, column, options.scale("csat"))


def _customers(f: FileCheck, keep: Sequence[str]) -> pd.DataFrame | None:
    cid, tenure, churn = f.source["customer_id"], f.source["tenure_months"], f.source["churn"]
    customer = ids(f, cid, unique=True)
    months = number_column(f, tenure, low=0)
    churned = flag_column(f, churn)
    extra: dict[str, pd.Series] = {}
    for money in ("monthly_charges", "total_charges"):
        if money in f.source:
            values = number_column(f, f.source[money], low=0, required=False)
            if values is not None:
                extra[money] = values
    for name in CUSTOMER_FLAGS:
        if name in f.source:
            flags = flag_column(f, f.source[name])
            if flags is not None:
                extra[name] = flags
    if customer is None or months is None or churned is None or f.problems:
        return None
    frame = pd.DataFrame(
        {"customer_id": customer, "tenure_months": months, "churn": churned, **extra}
    )
    if (frame["tenure_months"] == frame["tenure_months"].round()).all():
        frame["tenure_months"] = frame["tenure_months"].astype("int64")
    used = {cid, tenure, churn} | {f.source[m] for m in extra}
    for name, values in _extras(f, "customers", used, set(frame), keep).items():
        frame[name] = (
            values.astype("category")
            if values.dtype == object or pd.api.types.is_string_dtype(values)
            else values
        )
    return None if f.problems else frame.reset_index(drop=True)


_BUILDERS: dict[str, Callable[[FileCheck, Sequence[str]], pd.DataFrame | None]] = {
    "customers": _customers,
}
