"""Reading your exports: CSV, Excel or parquet, encodings, separators, decimal commas, ``--column``.

CSV files may use ``,`` ``;`` tab or ``|`` as separator and be UTF-8 (with or without BOM) or
entirely Windows-1252 (Excel's "CSV" on German Windows). Their bytes are checked first
(:mod:`cxlib.byod.scan`: line length, fields per line, mixed encodings, a header that names a
column twice, more fields than the header); only then does pandas parse them, cells as text, so
that the checks in :mod:`cxlib.byod.check` can show offending values as written. Numbers are
converted afterwards by :func:`to_numbers`, which is told the decimal mark explicitly.

Parquet files keep their types; :func:`read_file` also returns the stored type of each column
(``"text"``, ``"integer"``, ``"float"``, ``"decimal"``, ``"bool"``, ``"datetime"``,
``"nested"`` for lists and structs, ``"null"``, or the type's name), so that the checks accept
only the documented types. Excel workbooks (``.xlsx``, ``.xlsm``; one sheet, chosen with
``sheet``) keep the types Excel gave their cells in the same way (:mod:`cxlib.byod.excel`).
"""

from __future__ import annotations

import csv
import json
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxlib.byod.excel import EXCEL_SUFFIXES, OTHER_SPREADSHEETS, excel_header, read_excel
from cxlib.byod.numbers import to_numbers
from cxlib.byod.scan import (
    MAX_LINE_BYTES,
    detect_encoding,
    duplicate_names,
    extra_fields,
    scan_csv,
    sniff_separator,
)
from cxlib.data import file_sha256
from cxlib.validate import CXDataError

__all__ = [
    "PREPARED_KEY",
    "Reading",
    "describe_file",
    "is_excel",
    "is_parquet",
    "parse_columns",
    "read_file",
    "read_header",
    "read_table",
    "to_numbers",
]

#: Parquet metadata key under which :func:`cxlib.byod.prepare.prepare_inputs` records the
#: options a prepared file was checked with (``keep_columns``, ``date_window``).
PREPARED_KEY = b"cxlib.byod"

_PARQUET = {".parquet", ".pq"}
_READ_ERRORS = (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, ImportError)


def parse_columns(pairs: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Turn ``["customer_id=KundenNr", ...]`` into ``{"customer_id": "KundenNr", ...}``.

    Each item may hold several pairs separated by commas (``"customer_id=KundenNr,date=Datum"``).
    A mapping is returned as a dict. Raises :class:`CXDataError` on a pair without ``=``, an
    empty side, or a canonical name given twice.

    Examples
    --------
    >>> parse_columns(["customer_id=KundenNr,date=Datum", "amount = Betrag"])
    {'customer_id': 'KundenNr', 'date': 'Datum', 'amount': 'Betrag'}
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


def is_parquet(path: str | Path) -> bool:
    """True when ``path`` names a parquet file (``.parquet`` or ``.pq``), else it is read as CSV."""
    return Path(path).suffix.lower() in _PARQUET


def is_excel(path: str | Path) -> bool:
    """True when ``path`` names an Excel workbook (``.xlsx`` or ``.xlsm``)."""
    return Path(path).suffix.lower() in EXCEL_SUFFIXES


@dataclass(frozen=True)
class Reading:
    """A file as read: the frame (None if it could not be read), problems, notes, types.

    Attributes
    ----------
    frame : DataFrame or None
        Cells as text (CSV, index = line number, header = line 1) or as stored (parquet, rows
        numbered from 1); column names stripped.
    problems : list of (column, message)
    notes : list of str
        Repairs made while reading, one sentence each.
    types : dict
        Parquet and Excel: column -> (kind, stored type), e.g. ``("integer", "int64")``.
    recorded : dict
        Parquet only: options recorded by ``prepare_inputs`` (see :data:`PREPARED_KEY`).
    container : str
        What holds typed columns, for messages: ``"parquet file"`` or ``"workbook"``.
    """

    frame: pd.DataFrame | None
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    types: dict[str, tuple[str, str]] = field(default_factory=dict)
    recorded: dict[str, Any] = field(default_factory=dict)
    container: str = ""


def _read_csv(file: Path) -> Reading:
    """Scan a CSV file's bytes, then parse it with pandas (no implicit index column)."""
    scan = scan_csv(file.read_bytes())
    if scan.problems:
        return Reading(None, scan.problems, scan.notes)
    error: Exception | None = None
    try:
        with warnings.catch_warnings():  # extra fields are reported below, by line
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                file,
                sep=scan.separator,
                encoding=scan.encoding,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                index_col=False,
            )
    except _READ_ERRORS as err:
        frame, error = None, err
    agree = frame is not None and len(frame) == len(scan.lines) - 1
    extra = extra_fields(scan) if len(scan.lines) else None
    if extra and (frame is None or agree):  # trust the scan unless quotes misled it
        return Reading(None, [("", extra)], scan.notes)
    if frame is None:
        why = f"{type(error).__name__}: {error}"
        return Reading(None, [("", f"cannot be read as CSV or parquet ({why}).")], scan.notes)
    frame.index = (
        pd.Index(scan.lines[1:], name="line")
        if agree
        else pd.RangeIndex(2, len(frame) + 2, name="line")
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame, blank_note = _blank_cells_missing(frame)
    return Reading(frame, [], scan.notes + blank_note)


def _blank_cells_missing(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Cells holding only spaces are empty (e.g. IBM Telco's TotalCharges of new customers).

    Returns the frame with those cells missing and a note naming the columns and counts.
    """
    counts: dict[str, int] = {}
    out = frame.copy()
    for column in frame.columns:  # a loop over columns; each step is vectorised
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue  # numbers and dates typed as such (Excel) hold no spaces
        blank = (values.notna() & (values.str.strip() == "")).fillna(False).astype(bool)
        if blank.any():
            counts[column] = int(blank.sum())
            out[column] = values.mask(blank)
    if not counts:
        return frame, []
    listed = ", ".join(f"{column} ({n:,})" for column, n in counts.items())
    return out, [f"cells holding only spaces were read as empty: {listed}"]


def _arrow_kind(kind: Any) -> str:
    """``"text"``, ``"integer"``, ... for a pyarrow type (dictionaries by their values)."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    tests = {
        "bool": pa.types.is_boolean,
        "integer": pa.types.is_integer,
        "float": pa.types.is_floating,
        "decimal": pa.types.is_decimal,
        "datetime": lambda t: pa.types.is_timestamp(t) or pa.types.is_date(t),
        "text": lambda t: (
            pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view"
        ),
        "null": pa.types.is_null,
        "nested": pa.types.is_nested,
    }
    return next((name for name, test in tests.items() if test(kind)), str(kind))


def _read_parquet(file: Path) -> Reading:
    """Read a parquet file after checking its column names; record each column's type."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(file)
    clashes = duplicate_names(list(schema.names))
    if clashes:
        return Reading(None, clashes)
    frame = pd.read_parquet(file)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    frame.columns = [str(c).strip() for c in frame.columns]
    types = {
        name.strip(): (_arrow_kind(schema.field(name).type), str(schema.field(name).type))
        for name in schema.names
    }
    recorded = json.loads((schema.metadata or {}).get(PREPARED_KEY, b"{}"))
    return Reading(frame, [], [], types, recorded, "parquet file")


def _read_excel(file: Path, sheet: str | int | None) -> Reading:
    """One sheet of a workbook (:func:`cxlib.byod.excel.read_excel`) as a :class:`Reading`."""
    frame, problems, notes, types = read_excel(file, sheet)
    if frame is not None:
        frame, blank_note = _blank_cells_missing(frame)
        notes = notes + blank_note
    return Reading(frame, problems, notes, types, {}, "workbook")


def read_file(path: str | Path, *, sheet: str | int | None = None) -> Reading:
    """Read a CSV, Excel or parquet file into a :class:`Reading`; never raises for a bad file.

    CSV: the bytes are checked first (:func:`cxlib.byod.scan.scan_csv`), then cells are read as
    text, indexed by their line in the file (header = line 1). Parquet keeps its dtypes and
    numbers rows from 1. An Excel workbook (``.xlsx``, ``.xlsm``) gives one sheet (``sheet``:
    name or position from 0; needed when it has several) with the types Excel gave its cells,
    indexed by Excel's row number (:mod:`cxlib.byod.excel`); ``.xls`` and ``.ods`` are refused
    with a hint.
    """
    file = Path(path)
    if not file.is_file():
        return Reading(None, [("", "file not found.")])
    if file.suffix.lower() in OTHER_SPREADSHEETS:
        return Reading(
            None,
            [
                (
                    "",
                    f"{file.suffix} spreadsheets are not read; save the sheet as .xlsx, "
                    "CSV (UTF-8) or parquet.",
                )
            ],
        )
    try:
        if is_excel(file):
            return _read_excel(file, sheet)
        return _read_parquet(file) if is_parquet(file) else _read_csv(file)
    except (*_READ_ERRORS, KeyError, zipfile.BadZipFile) as err:
        why = f"{type(err).__name__}: {err}"
        kinds = "an Excel workbook" if is_excel(file) else "CSV or parquet"
        return Reading(None, [("", f"cannot be read as {kinds} ({why}).")])


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (any of ``, ; tab |`` as separator), Excel or parquet file, CSV cells as text.

    As :func:`read_file`, but returns the frame and raises :class:`CXDataError` (starting with
    the file name) when the file is missing, unreadable or breaks a rule of the byte scan
    (:mod:`cxlib.byod.scan`). Numbers are converted by :func:`to_numbers`, given the decimal mark.
    """
    reading = read_file(path, sheet=sheet)
    if reading.frame is None:
        raise CXDataError("\n".join(f"{path}: {message}" for _, message in reading.problems))
    return reading.frame


def read_header(path: str | Path, *, sheet: str | int | None = None) -> list[str]:
    """Column names of a CSV, Excel or parquet file, stripped (empty if unreadable).

    Only the first line of a CSV file is read (at most :data:`MAX_LINE_BYTES`), the first row
    of the chosen sheet of a workbook, and only the schema of a parquet file; when a file
    cannot be read, :func:`cxlib.byod.check.check_file` says why.
    """
    file = Path(path)
    if is_excel(file):
        return excel_header(file, sheet)
    try:
        if is_parquet(file):
            import pyarrow.parquet as pq

            return [str(c).strip() for c in pq.read_schema(file).names]
        with open(file, "rb") as handle:
            head = handle.read(MAX_LINE_BYTES + 1)
    except _READ_ERRORS:
        return []
    first = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    if len(first) > MAX_LINE_BYTES:
        return []
    encoding = detect_encoding(first)[0]
    text = first.decode(encoding, errors="replace").rstrip("\r")
    separator = sniff_separator(head[: 64 * 1024].decode(encoding, errors="replace"))
    try:
        return [name.strip() for name in next(csv.reader([text], delimiter=separator), [])]
    except csv.Error:
        return []


def describe_file(path: str | Path) -> dict[str, str]:
    """Name, path and SHA-256 of an input file, for the report index."""
    file = Path(path)
    return {"name": file.name, "path": str(file), "sha256": file_sha256(file)}
