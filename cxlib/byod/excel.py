"""Excel workbooks (.xlsx, .xlsm): one sheet, with dates and numbers as Excel typed them.

A workbook is read through pandas with openpyxl (``pip install openpyxl``, part of the
``report`` extra). Which sheet is read must be clear: a workbook with one sheet is read as it
is; with several, ``sheet`` names it (``--sheet Umsaetze``) or gives its position from 0
(``--sheet 0``); a sheet whose name is the text given wins over a position (in Python, an
``int`` is always a position). Without ``sheet``
a workbook with several sheets is refused, listing them, so that a report is never built
silently from the wrong one.

The first row holds the column names; a name that appears twice is refused (pandas would
rename the second to ``amount.1``). Cells keep the type Excel gave them: a cell formatted as a
date is a date, a number is a number, text is text (so ``12,50`` typed as text is judged by the
decimal mark like a CSV cell, and ``12.5`` typed as a number is not). Each column's kind is
recorded as for parquet (``"datetime"``, ``"integer"``, ``"float"``, ``"bool"``, ``"text"``;
a column mixing kinds counts as ``"text"``), so the same rules decide what a column may hold.
Rows are numbered as Excel numbers them (header = row 1); rows with no value at all are left
out, as blank lines are in a CSV file. Formulas are read as the value Excel last computed.

Old ``.xls`` and OpenDocument ``.ods`` files are refused with a hint (they need other readers).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from cxlib.byod.scan import duplicate_names

__all__ = ["EXCEL_SUFFIXES", "OTHER_SPREADSHEETS", "excel_header", "read_excel", "resolve_sheet"]

#: File name endings read as Excel workbooks.
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
#: Spreadsheet formats that are refused with a hint to save them as .xlsx or CSV.
OTHER_SPREADSHEETS = frozenset({".xls", ".ods"})

_MISSING_READER = (
    "reading .xlsx needs openpyxl (pip install openpyxl, or the report extra: "
    "pip install 'cxlib[report]'); or save the sheet as CSV (UTF-8)."
)


def resolve_sheet(names: list[str], sheet: str | int | None) -> tuple[str | None, str | None]:
    """The sheet to read and None, or None and the reason it cannot be chosen.

    Examples
    --------
    >>> resolve_sheet(["Umsätze", "Retouren"], "1")
    ('Retouren', None)
    >>> resolve_sheet(["Umsätze"], None)
    ('Umsätze', None)
    >>> print(resolve_sheet(["Umsätze", "Retouren"], None)[1])
    the workbook has 2 sheets ('Umsätze', 'Retouren'); choose one with --sheet NAME or --sheet POSITION (0 = the first).
    """  # noqa: E501
    listed = ", ".join(repr(n) for n in names)
    if sheet is None:
        if len(names) == 1:
            return names[0], None
        return None, (
            f"the workbook has {len(names)} sheets ({listed}); choose one with --sheet NAME "
            "or --sheet POSITION (0 = the first)."
        )
    text = str(sheet).strip()
    if text in names and not isinstance(sheet, int):
        return text, None
    if text.lstrip("-").isdigit():
        position = int(text)
        if 0 <= position < len(names):
            return names[position], None
        return None, (
            f"--sheet {text}: the workbook has {len(names)} sheet(s) ({listed}); positions "
            f"run from 0 to {len(names) - 1}."
        )
    close = [n for n in names if n.casefold() == text.casefold()]
    hint = f"; did you mean {close[0]!r}?" if close else "."
    return None, f"--sheet {text}: the workbook has no sheet {text!r}; it has {listed}{hint}"


def _kind(values: pd.Series) -> tuple[str, str]:
    """(kind, type name) of a column as Excel typed it; mixed kinds count as text."""
    if pd.api.types.is_bool_dtype(values):
        return "bool", "boolean"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime", "date"
    if pd.api.types.is_integer_dtype(values):
        return "integer", "whole numbers"
    if pd.api.types.is_float_dtype(values):
        return ("null", "empty cells") if values.isna().all() else ("float", "numbers")
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in {"datetime", "date", "datetime64"}:
        return "datetime", "date"
    if inferred == "empty":
        return "null", "empty cells"
    name = "text" if inferred == "string" else "text and numbers or dates mixed"
    return "text", name


def _workbook(file: Path) -> Any:
    """The pandas ``ExcelFile`` of ``file`` (openpyxl engine)."""
    return pd.ExcelFile(file, engine="openpyxl")


def excel_header(file: Path, sheet: str | int | None = None) -> list[str]:
    """Column names of the chosen sheet, stripped (empty if it cannot be chosen or read)."""
    try:
        with _workbook(file) as book:
            name, _ = resolve_sheet(list(book.sheet_names), sheet)
            if name is None:
                return []
            first = pd.read_excel(book, sheet_name=name, nrows=1, header=None)
    except (OSError, ValueError, ImportError, KeyError, zipfile.BadZipFile):
        return []
    return [] if first.empty else [str(c).strip() for c in first.iloc[0] if pd.notna(c)]


def read_excel(
    file: Path, sheet: str | int | None = None
) -> tuple[pd.DataFrame | None, list[tuple[str, str]], list[str], dict[str, tuple[str, str]]]:
    """Read one sheet: (frame or None, problems, notes, column kinds), as described above.

    The frame is indexed by the Excel row number (``row``, header = row 1), with column names
    stripped; problems are ``(column, message)`` pairs; nothing is raised for a bad file.
    """
    try:
        import openpyxl  # noqa: F401 - only to say clearly when it is missing
    except ImportError:
        return None, [("", _MISSING_READER)], [], {}
    with _workbook(file) as book:
        names = list(book.sheet_names)
        name, why = resolve_sheet(names, sheet)
        if name is None:
            return None, [("", str(why))], [], {}
        first = pd.read_excel(
            book, sheet_name=name, nrows=1, header=None, keep_default_na=False, na_values=[""]
        )
        if first.empty:
            return None, [("", f"sheet {name!r} is empty.")], [], {}
        header = ["" if pd.isna(c) else str(c) for c in first.iloc[0]]
        clashes = duplicate_names(header)
        if clashes:
            return None, clashes, [], {}
        frame = pd.read_excel(
            book, sheet_name=name, header=0, keep_default_na=False, na_values=[""]
        )
    frame.columns = [str(c).strip() for c in header[: len(frame.columns)]]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    frame = frame.loc[frame.notna().any(axis=1)]
    notes = [] if len(names) == 1 else [f"read sheet {name!r} of the workbook"]
    types = {column: _kind(frame[column]) for column in frame.columns}
    return frame, [], notes, types
