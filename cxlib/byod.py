"""Bring your own data: read a team's exports, check them, and hand them to the notebooks.

Three kinds of input feed the notebooks that can use them (``cxlib report --transactions ...``):

============  ==========================================================  =====================
input         canonical columns (required in **bold**)                    feeds
============  ==========================================================  =====================
transactions  **customer_id**, **date**, **amount** (>= 0, one row per     ``transactions_path``:
              purchase; several a day are summed by the notebooks)        02 RFM, 03 CLV
survey        customer_id, survey_id (unique), timestamp, touchpoint,   ``survey_path``:
              and at least one score of **csat** (1-5), **ces** (1-7,      01 CX metrics
              CES 2.0 agreement), **nps** (0-10); empty = no answer
customers     **customer_id** (unique), **tenure_months** (>= 0),          ``customers_path``:
              **churn** (yes/no, ja/nein, true/false, 1/0), optional       04 churn prediction,
              monthly_charges, total_charges (>= 0), contract and any     05 churn survival
              other Telco-style feature columns
============  ==========================================================  =====================

A notebook receives a file when its ``parameters`` cell declares the matching ``*_path``
variable; the report runner reads that cell, so the table above is what the notebooks declare.

Your column names are mapped onto the canonical ones with ``columns={"customer_id": "KundenNr"}``
(``--column customer_id=KundenNr`` on the command line). Every rule is checked before any
notebook runs, and every broken rule is reported, each with file, column and example rows (line
numbers as in the CSV file, header = line 1), never with a traceback from inside pandas.

Notebooks load their input through :func:`load_transactions`, :func:`load_survey` and
:func:`load_customers`: given ``None`` they return the bundled data, given a path they read,
check and return the canonical frame.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from cxlib.data import TELCO_COLUMNS, file_sha256, load_cdnow, load_telco
from cxlib.validate import (
    CXDataError,
    check_dates,
    check_integer,
    check_no_missing,
    check_range,
    check_unique,
    fail_rows,
)

__all__ = [
    "INPUTS",
    "InputSpec",
    "PreparedInputs",
    "Problem",
    "check_input",
    "describe_file",
    "load_customers",
    "load_survey",
    "load_transactions",
    "parse_columns",
    "prepare_inputs",
    "read_table",
]

Kind = Literal["transactions", "survey", "customers"]

#: Score columns of the survey input and their scales (inclusive).
SURVEY_SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "ces": (1, 7), "nps": (0, 10)}

#: Text accepted for the churn flag (case-insensitive), English and German.
CHURN_VALUES: dict[str, bool] = {
    "yes": True,
    "no": False,
    "ja": True,
    "nein": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "y": True,
    "n": False,
    "j": True,
}

#: Canonical columns each input uses (customers: also every Telco column name).
KNOWN_COLUMNS: dict[str, set[str]] = {
    "transactions": {"customer_id", "date", "amount"},
    "survey": {"customer_id", "survey_id", "timestamp", "date", "touchpoint", *SURVEY_SCALES},
    "customers": {"customer_id", "tenure_months", "churn", *TELCO_COLUMNS.values()},
}

#: Common German export names, used only to suggest a ``--column`` mapping in messages.
GERMAN_HINTS: dict[str, tuple[str, ...]] = {
    "customer_id": ("KundenNr", "Kundennummer", "Kunden-ID", "KundenID", "Kunde"),
    "date": ("Datum", "Kaufdatum", "Bestelldatum", "Buchungsdatum"),
    "amount": ("Betrag", "Umsatz", "Wert", "Bestellwert"),
    "timestamp": ("Datum", "Zeitpunkt", "Befragungsdatum"),
    "touchpoint": ("Kontaktpunkt", "Kanal"),
    "survey_id": ("AntwortNr", "Antwort-ID", "FragebogenNr"),
    "tenure_months": ("Vertragsdauer", "Laufzeit_Monate", "Monate", "Kundendauer"),
    "churn": ("Gekuendigt", "Gekündigt", "Abwanderung", "Kuendigung", "Kündigung"),
    "monthly_charges": ("Monatsbetrag", "Monatsgebuehr", "Monatsgebühr"),
    "contract": ("Vertrag", "Vertragsart"),
}


@dataclass(frozen=True)
class InputSpec:
    """What one kind of input must hold and which notebook parameter it feeds."""

    kind: Kind
    parameter: str
    required: tuple[str, ...]
    feeds: str
    option: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option", f"--{self.kind}")


#: The three inputs, keyed by kind.
INPUTS: dict[str, InputSpec] = {
    "transactions": InputSpec(
        "transactions",
        "transactions_path",
        ("customer_id", "date", "amount"),
        "RFM segmentation (02) and customer lifetime value (03)",
    ),
    "survey": InputSpec("survey", "survey_path", (), "CX metrics: CSAT, CES, NPS (01)"),
    "customers": InputSpec(
        "customers",
        "customers_path",
        ("customer_id", "tenure_months", "churn"),
        "churn prediction (04) and churn survival (05)",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One broken rule in one input file: which file, which column, and the message."""

    file: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def parse_columns(pairs: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Turn ``["customer_id=KundenNr", ...]`` into ``{"customer_id": "KundenNr", ...}``.

    Each item may hold several pairs separated by commas (``"customer_id=KundenNr,date=Datum"``).
    A mapping is returned as a dict. Raises :class:`CXDataError` on a pair without ``=``, an
    empty side, or a canonical name given twice.
    """
    if pairs is None:
        return {}
    if isinstance(pairs, Mapping):
        return {str(k): str(v) for k, v in pairs.items()}
    out: dict[str, str] = {}
    split = [part for item in pairs for part in str(item).split(",") if part.strip()]
    for pair in split:
        canonical, sep, source = pair.partition("=")
        canonical, source = canonical.strip(), source.strip()
        if not sep or not canonical or not source:
            raise CXDataError(
                f"--column takes CANONICAL=YOURS, e.g. customer_id=KundenNr; got {pair!r}."
            )
        if canonical in out:
            raise CXDataError(
                f"--column maps {canonical!r} twice ({out[canonical]!r}, {source!r})."
            )
        out[canonical] = source
    return out


def _encoding(path: Path) -> str:
    """``utf-8-sig`` if the file decodes as UTF-8, else ``cp1252`` (German Excel on Windows)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not just a character cut at the end of the block
            return "cp1252"
    return "utf-8-sig"


def _sniff_separator(path: Path, encoding: str = "utf-8-sig") -> str:
    """Guess a CSV file's field separator (comma, semicolon, tab, pipe) from its first lines."""
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        head = handle.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_table(path: str | Path, *, decimal: str = ".") -> pd.DataFrame:
    """Read a CSV (any of ``, ; tab |`` as separator) or parquet file, CSV cells as text.

    CSV cells are read as text so that the checks can show the offending values as written;
    the index is the line number in the file (header = line 1). The encoding is UTF-8 (with or
    without BOM), or Windows-1252 when the file is not valid UTF-8 (Excel's "CSV" on German
    Windows). Parquet keeps its dtypes and numbers rows from 1. Excel workbooks are refused with
    a hint to save them as CSV. Raises :class:`CXDataError` when the file is missing or
    unreadable. ``decimal`` is the decimal mark of CSV numbers (``","`` for German exports).
    """
    file = Path(path)
    if not file.is_file():
        raise CXDataError(f"{file}: file not found.")
    if file.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        raise CXDataError(
            f"{file}: spreadsheets are not read directly; save the sheet as CSV (UTF-8) or parquet."
        )
    try:
        if file.suffix.lower() in {".parquet", ".pq"}:
            frame = pd.read_parquet(file)
            frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
        else:
            encoding = _encoding(file)
            frame = pd.read_csv(
                file,
                sep=_sniff_separator(file, encoding),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=encoding,
            )
            frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
            if decimal != ".":
                frame.attrs["decimal"] = decimal
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise CXDataError(
            f"{file}: cannot be read as CSV or parquet ({type(err).__name__}: {err})."
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


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


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` as float, honouring the CSV decimal mark; text that is not a number -> NaN."""
    series = frame[column]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    text = series.astype("str").str.strip()
    if frame.attrs.get("decimal", ".") != ".":
        text = text.str.replace(".", "", regex=False).str.replace(
            frame.attrs["decimal"], ".", regex=False
        )
    return pd.to_numeric(text, errors="coerce").astype("float64")


class _Checks:
    """Run checks on one file, collecting every :class:`CXDataError` as a :class:`Problem`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def run(self, column: str, check: Callable[[], object]) -> bool:
        try:
            check()
        except CXDataError as err:
            self.problems.append(Problem(self.file, column, str(err)))
            return False
        return True

    def add(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, column, message))


def _number_column(
    checks: _Checks,
    raw: pd.DataFrame,
    name: str,
    source: str,
    *,
    low: float | None = None,
    high: float | None = None,
    whole: bool = False,
    required: bool = True,
) -> pd.Series | None:
    """Check and convert one numeric column; problems go to ``checks``. Returns floats or None."""
    values = _numbers(raw, source)
    shown = raw[[source]]
    ok = checks.run(
        source,
        lambda: fail_rows(shown, values.isna() & raw[source].notna(), source, "hold numbers"),
    )
    if required:
        ok &= checks.run(source, lambda: check_no_missing(raw, source))
    if not ok:
        return None
    probe = pd.DataFrame({source: values}, index=raw.index)
    ok &= checks.run(
        source,
        lambda: fail_rows(shown, np.isinf(values.to_numpy()), source, "hold finite numbers"),
    )
    if not ok:
        return None
    if whole:
        ok &= checks.run(source, lambda: check_integer(probe, source))
    if low is not None or high is not None:
        ok &= checks.run(source, lambda: check_range(probe, source, low=low, high=high))
    return values if ok else None


def _date_column(
    checks: _Checks,
    raw: pd.DataFrame,
    source: str,
    date_format: str | None,
    *,
    required: bool = True,
) -> pd.Series | None:
    """Check and parse one date column (``date_format`` as in ``strftime``, e.g. ``%d.%m.%Y``)."""
    ok = checks.run(source, lambda: check_no_missing(raw, source)) if required else True
    parsed: list[pd.Series] = []

    def parse() -> None:
        parsed.append(check_dates(raw, source, format=date_format))

    if not checks.run(source, parse):
        if date_format is None:
            checks.problems[-1] = Problem(
                checks.file,
                source,
                checks.problems[-1].message
                + "\nGive the format with --date-format, e.g. %d.%m.%Y.",
            )
        return None
    dates = parsed[0]
    if getattr(dates.dt, "tz", None) is not None:  # local wall time; days are what matters here
        dates = dates.dt.tz_localize(None)
    return dates if ok else None


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
        Which input this is (see the module docstring for the columns and rules).
    path : path
        CSV or parquet file.
    columns : mapping, optional
        Canonical name -> your column name, e.g. ``{"customer_id": "KundenNr"}``. Names that the
        file does not hold are ignored, so one mapping can serve several files.
    date_format : str, optional
        ``strftime`` format of the date columns (e.g. ``"%d.%m.%Y"``); default: inferred.
    decimal : str, default "."
        Decimal mark of numbers in a CSV file.

    Returns
    -------
    frame : DataFrame or None
        Canonical columns with proper dtypes (other columns kept as read), None if any problem.
    problems : list of Problem
        Every broken rule, each with file, column and a message with up to five example rows.
    """
    if kind not in INPUTS:
        raise CXDataError(
            f"The 'kind' parameter must be one of {sorted(INPUTS)}. Got {kind!r} instead."
        )
    mapping = parse_columns(columns)
    checks = _Checks(str(path))
    try:
        raw = read_table(path, decimal=decimal)
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
    spec = INPUTS[kind]
    for canonical in spec.required:
        if canonical not in source:
            checks.add(canonical, _missing_column_message(canonical, raw, mapping))
    if checks.problems:
        return None, checks.problems
    builder = {"transactions": _transactions, "survey": _survey, "customers": _customers}[kind]
    frame = builder(checks, raw, source, date_format)
    if checks.problems or frame is None:
        return None, checks.problems
    return frame, []


def _rest(raw: pd.DataFrame, source: Mapping[str, str], used: set[str]) -> dict[str, pd.Series]:
    """Columns of ``raw`` not used by the canonical schema, under their canonical or own name."""
    inverse = {v: k for k, v in source.items()}
    return {inverse.get(c, c): raw[c] for c in raw.columns if c not in used}


def _ids(checks: _Checks, raw: pd.DataFrame, column: str, *, unique: bool) -> pd.Series | None:
    """Check an id column (in every row; once per row if ``unique``); return it as text."""
    ok = checks.run(column, lambda: check_no_missing(raw, column))
    if unique and ok:
        ok = checks.run(column, lambda: check_unique(raw, column))
    if not ok:
        return None
    ids = raw[column]
    if pd.api.types.is_float_dtype(ids) and (ids == ids.round()).all():
        ids = ids.astype("int64")
    return ids.astype("str").str.strip()


def _transactions(
    checks: _Checks, raw: pd.DataFrame, source: Mapping[str, str], date_format: str | None
) -> pd.DataFrame | None:
    cid, date, amount = source["customer_id"], source["date"], source["amount"]
    ids = _ids(checks, raw, cid, unique=False)
    dates = _date_column(checks, raw, date, date_format)
    amounts = _number_column(checks, raw, "amount", amount, low=0)
    if ids is None or dates is None or amounts is None:
        return None
    out = pd.DataFrame({"customer_id": ids, "date": dates.dt.normalize(), "amount": amounts})
    return out.reset_index(drop=True)


def _survey(
    checks: _Checks, raw: pd.DataFrame, source: Mapping[str, str], date_format: str | None
) -> pd.DataFrame | None:
    scores = [s for s in SURVEY_SCALES if s in source]
    if not scores:
        checks.add(
            "csat/ces/nps",
            "needs at least one score column: csat (1-5), ces (1-7) or nps (0-10); the file has "
            f"{list(raw.columns)}. Map yours with e.g. --column nps=Weiterempfehlung.",
        )
        return None
    out: dict[str, pd.Series] = {}
    if "customer_id" in source:
        ids = _ids(checks, raw, source["customer_id"], unique=False)
        if ids is not None:
            out["customer_id"] = ids
    if "survey_id" in source:
        ids = _ids(checks, raw, source["survey_id"], unique=True)
        if ids is not None:
            out["survey_id"] = ids
    when = source.get("timestamp", source.get("date"))
    if when is not None:
        parsed = _date_column(checks, raw, when, date_format, required=False)
        if parsed is not None:
            out["timestamp"] = parsed
    if "touchpoint" in source:
        out["touchpoint"] = raw[source["touchpoint"]].astype("str").astype("category")
    for score in scores:
        low, high = SURVEY_SCALES[score]
        values = _number_column(
            checks, raw, score, source[score], low=low, high=high, whole=True, required=False
        )
        if values is not None:
            out[score] = values
    if checks.problems:
        return None
    frame = pd.DataFrame(out)
    answered = frame[scores].notna().any(axis=1)
    if not answered.any():
        checks.add(
            ",".join(source[s] for s in scores), "has no answers: every score cell is empty."
        )
        return None
    frame["responded"] = answered
    used = {source[c] for c in ("customer_id", "survey_id", "touchpoint", *scores) if c in source}
    used |= {when} if when is not None else set()
    for name, values in _rest(raw, source, used).items():
        frame[name] = values
    return frame.reset_index(drop=True)


def _customers(
    checks: _Checks, raw: pd.DataFrame, source: Mapping[str, str], date_format: str | None
) -> pd.DataFrame | None:
    cid, tenure, churn = source["customer_id"], source["tenure_months"], source["churn"]
    ids = _ids(checks, raw, cid, unique=True)
    months = _number_column(checks, raw, "tenure_months", tenure, low=0)
    flag = raw[churn]
    if pd.api.types.is_bool_dtype(flag):
        churned: pd.Series | None = flag.astype(bool)
    else:
        text = flag.astype("str").str.strip().str.lower()
        mapped = text.map(CHURN_VALUES)
        ok = checks.run(
            churn,
            lambda: fail_rows(
                raw[[churn]], mapped.isna(), churn, "be yes/no (also ja/nein, true/false, 1/0)"
            ),
        )
        churned = mapped.astype(bool) if ok else None
    extra: dict[str, pd.Series] = {}
    for money in ("monthly_charges", "total_charges"):
        if money in source:
            values = _number_column(checks, raw, money, source[money], low=0, required=False)
            if values is not None:
                extra[money] = values
    if ids is None or months is None or churned is None or checks.problems:
        return None
    frame = pd.DataFrame({"customer_id": ids, "tenure_months": months, "churn": churned, **extra})
    if (frame["tenure_months"] == frame["tenure_months"].round()).all():
        frame["tenure_months"] = frame["tenure_months"].astype("int64")
    used = {cid, tenure, churn} | {source[m] for m in extra}
    for name, values in _rest(raw, source, used).items():
        frame[name] = (
            values.astype("category")
            if values.dtype == object or pd.api.types.is_string_dtype(values)
            else values
        )
    return frame.reset_index(drop=True)


def _load(kind: Kind, path: str | Path, **options) -> pd.DataFrame:
    frame, problems = check_input(kind, path, **options)
    if problems:
        raise CXDataError("\n\n".join(str(p) for p in problems))
    return frame


def load_transactions(
    path: str | Path | None = None,
    *,
    sample: bool = False,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Transactions for the RFM and CLV notebooks: your file, or CDNOW when ``path`` is None.

    Parameters
    ----------
    path : path, optional
        CSV or parquet file with customer_id, date, amount (see the module docstring). None
        returns :func:`cxlib.data.load_cdnow` (``sample`` chooses the 1/10 sample).
    sample : bool, default False
        Only used when ``path`` is None.
    columns, date_format, decimal
        As in :func:`check_input`.

    Returns
    -------
    DataFrame
        ``customer_id`` (text for your file, int64 for CDNOW), ``date`` (datetime64, day) and
        ``amount`` (float, currency of the file), one row per purchase record. Raises
        :class:`CXDataError` listing every problem of the file.
    """
    if path is None:
        return load_cdnow(sample=sample)
    return _load("transactions", path, columns=columns, date_format=date_format, decimal=decimal)


def load_survey(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Survey answers for the CX metrics notebook from your file (there is no bundled survey).

    Returns a frame with the score columns present among csat (1-5), ces (1-7) and nps (0-10)
    as floats (NaN = no answer), ``responded`` (bool: any score answered), and customer_id,
    survey_id, timestamp, touchpoint when the file has them. The notebook falls back to the
    simulated panel (:mod:`cxlib.simulate`) when no file is given.
    """
    return _load("survey", path, columns=columns, date_format=date_format, decimal=decimal)


def load_customers(
    path: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Customers for the churn notebooks: your file, or the Telco data when ``path`` is None.

    Returns customer_id, tenure_months (int when whole), churn (bool), monthly_charges and
    total_charges (float) when present, and every other column of the file (text as category),
    named like :data:`cxlib.data.TELCO_COLUMNS` where you mapped them.
    """
    if path is None:
        return load_telco()
    return _load("customers", path, columns=columns, date_format=date_format, decimal=decimal)


def describe_file(path: str | Path) -> dict[str, str]:
    """Name, path and SHA-256 of an input file, for the report index."""
    file = Path(path)
    return {"name": file.name, "path": str(file), "sha256": file_sha256(file)}


def _header(path: Path) -> list[str]:
    """Column names of a CSV or parquet file (empty if it cannot be read; check_input says why)."""
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return [str(c) for c in pd.read_parquet(path).columns]
        encoding = _encoding(path)
        names = pd.read_csv(
            path, sep=_sniff_separator(path, encoding), nrows=0, encoding=encoding
        ).columns
        return [str(c).strip() for c in names]
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return []


def _unused_mappings(mapping: Mapping[str, str], given: Mapping[str, Path]) -> list[Problem]:
    """A problem for each ``--column`` of a given input whose column is in no file (a typo).

    Only canonical names that one of the given inputs uses are checked, so one long mapping can
    serve runs with fewer files.
    """
    relevant = set().union(*(KNOWN_COLUMNS[kind] for kind in given))
    seen = {c for path in given.values() for c in _header(path)}
    problems = []
    for canonical, yours in mapping.items():
        if canonical in relevant and seen and yours not in seen:
            close = difflib.get_close_matches(yours, sorted(seen), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            problems.append(
                Problem(
                    "--column",
                    yours,
                    f"{canonical}={yours}: no input file has a column {yours!r}{hint}",
                )
            )
    return problems


@dataclass(frozen=True)
class PreparedInputs:
    """Your checked inputs, converted for the notebooks.

    Attributes
    ----------
    parameters : dict
        Notebook parameter (e.g. ``"transactions_path"``) -> prepared parquet file with canonical
        columns and pseudonymised ``customer_id``.
    files : list of dict
        Per input: ``kind``, ``name``, ``path``, ``sha256`` (of your original file), ``rows``.
    """

    parameters: dict[str, str]
    files: list[dict[str, str | int]]


def prepare_inputs(
    paths: Mapping[str, str | Path | None],
    out_dir: str | Path,
    *,
    key: bytes | str | Callable[[], bytes],
    columns: Mapping[str, str] | Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> PreparedInputs:
    """Check every given input, then write each as parquet with pseudonymised customer ids.

    All files are checked before anything is written; if any has a problem, a
    :class:`CXDataError` lists every problem of every file (numbered, one paragraph each).

    Parameters
    ----------
    paths : mapping
        Kind (``"transactions"``, ``"survey"``, ``"customers"``) -> file; None entries are skipped.
    out_dir : path
        Folder for the prepared parquet files (the report runner uses a temporary folder that is
        removed after the run, so no row-level copy stays behind).
    key : bytes, str or callable
        Pseudonym key (:func:`cxlib.privacy.pseudonym_key`), or a function returning it, called
        only once every file has passed (so a refused run creates no key file). Ids are replaced
        by :func:`cxlib.privacy.pseudonymise` before any notebook sees them.
    columns, date_format, decimal
        As in :func:`check_input`; one mapping serves all files.
    """
    from cxlib.privacy import pseudonymise

    mapping = parse_columns(columns)
    given = {k: Path(v) for k, v in paths.items() if v is not None}
    unknown = sorted(set(given) - set(INPUTS))
    if unknown:
        raise CXDataError(f"Unknown input kind(s) {unknown}; use {sorted(INPUTS)}.")
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for kind, path in given.items():
        frame, found = check_input(
            kind, path, columns=mapping, date_format=date_format, decimal=decimal
        )
        problems += found
        if frame is not None:
            frames[kind] = frame
    problems += _unused_mappings(mapping, given)
    if problems:
        listed = "\n\n".join(f"{i}. {p}" for i, p in enumerate(problems, start=1))
        raise CXDataError(
            f"{len(problems)} problem(s) in your input files; no notebook was run.\n\n{listed}"
        )
    secret = key() if callable(key) else key
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parameters: dict[str, str] = {}
    files: list[dict[str, str | int]] = []
    for kind, frame in frames.items():
        safe = frame.copy()
        if "customer_id" in safe.columns:
            safe["customer_id"] = pseudonymise(safe["customer_id"], key=secret)
        target = out / f"{kind}.parquet"
        safe.to_parquet(target, index=False)
        parameters[INPUTS[kind].parameter] = str(target)
        files.append({"kind": kind, **describe_file(given[kind]), "rows": len(frame)})
    return PreparedInputs(parameters, files)
