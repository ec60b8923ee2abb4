"""Reading your exports: CSV or parquet, encodings, separators, decimal commas, ``--column``.

CSV files may use ``,`` ``;`` tab or ``|`` as separator and be UTF-8 (with or without BOM) or
Windows-1252 (Excel's "CSV" on German Windows). Cells are read as text, so that the checks in
:mod:`cxlib.byod.check` can show offending values as written; numbers are converted afterwards
by :func:`to_numbers`, which is told the decimal mark explicitly.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxlib.data import file_sha256
from cxlib.validate import CXDataError

__all__ = [
    "describe_file",
    "is_parquet",
    "parse_columns",
    "read_header",
    "read_table",
    "to_numbers",
]

_PARQUET = {".parquet", ".pq"}
_SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}
_READ_ERRORS = (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError)


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


def _read_csv(path: Path, **options: Any) -> pd.DataFrame:
    """``pd.read_csv`` with the file's own encoding and separator."""
    encoding = _encoding(path)
    return pd.read_csv(path, sep=_sniff_separator(path, encoding), encoding=encoding, **options)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (any of ``, ; tab |`` as separator) or parquet file, CSV cells as text.

    CSV cells are read as text so that the checks can show the offending values as written;
    the index is the line number in the file (header = line 1). The encoding is UTF-8 (with or
    without BOM), or Windows-1252 when the file is not valid UTF-8 (Excel's "CSV" on German
    Windows). Parquet keeps its dtypes and numbers rows from 1. Excel workbooks are refused with
    a hint to save them as CSV. Raises :class:`CXDataError` when the file is missing or
    unreadable. Numbers are converted by :func:`to_numbers`, given the decimal mark.
    """
    file = Path(path)
    if not file.is_file():
        raise CXDataError(f"{file}: file not found.")
    if file.suffix.lower() in _SPREADSHEETS:
        raise CXDataError(
            f"{file}: spreadsheets are not read directly; save the sheet as CSV (UTF-8) or parquet."
        )
    try:
        if is_parquet(file):
            frame = pd.read_parquet(file)
            frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
        else:
            frame = _read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
            frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    except _READ_ERRORS as err:
        raise CXDataError(
            f"{file}: cannot be read as CSV or parquet ({type(err).__name__}: {err})."
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_header(path: str | Path) -> list[str]:
    """Column names of a CSV or parquet file (empty if it cannot be read; check_input says why)."""
    file = Path(path)
    try:
        if is_parquet(file):
            return [str(c) for c in pd.read_parquet(file).columns]
        return [str(c).strip() for c in _read_csv(file, nrows=0).columns]
    except _READ_ERRORS:
        return []


def to_numbers(values: pd.Series, *, decimal: str = ".") -> pd.Series:
    """``values`` as float; text that is not a number becomes NaN.

    Numeric columns (parquet) are returned as float. Text is stripped; with a decimal mark other
    than ``"."`` (``","`` for German exports), points are dropped as thousands separators and the
    mark becomes the point. The input is not modified.

    Examples
    --------
    >>> to_numbers(pd.Series(["1.234,5", " 46,02", "x"]), decimal=",").tolist()
    [1234.5, 46.02, nan]
    >>> to_numbers(pd.Series(["46.02", None])).tolist()
    [46.02, nan]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.astype("str").str.strip()
    if decimal != ".":
        text = text.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def describe_file(path: str | Path) -> dict[str, str]:
    """Name, path and SHA-256 of an input file, for the report index."""
    file = Path(path)
    return {"name": file.name, "path": str(file), "sha256": file_sha256(file)}
