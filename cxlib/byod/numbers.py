"""Numbers written as text: the decimal mark, thousands separators, and a mark that looks wrong.

The rule, for a column read with decimal mark ``","`` (German exports, ``--decimal ,``): a ``.``
may appear only as a thousands separator, in groups of exactly three digits before any ``,``
(``1.234``, ``1.234.567,89``); a value like ``97.09`` or ``1,234.56`` has the wrong mark. With
``"."`` (the default) a ``,`` may appear only as a thousands separator, in groups of three digits
before any ``.`` (``1,234``, ``1,234.56``); a value like ``97,09`` or ``1.234,56`` has the wrong
mark. A column with any value of the wrong shape is refused as a whole (the check in
:mod:`cxlib.byod.rules`), so ``1,234`` is read as 1234 only when every comma of its column is a
thousands separator; values read that way are listed in a note, since ``1,234`` could also be a
German 1.234.

Cells that are numbers already (an Excel cell typed as a number, in a column that also holds
text) keep their value; only text is judged by the decimal mark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlib.validate import check_option

__all__ = ["DECIMAL_MARKS", "thousands_only", "to_numbers", "wrong_decimal_mark"]

#: Decimal marks understood in CSV files.
DECIMAL_MARKS = (".", ",")

_OTHER = {".": ",", ",": "."}
# a number whose other mark (the thousands separator) sits only between groups of three digits
_GROUPED = {
    ",": r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?",
    ".": r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?",
}


def _typed_numbers(values: pd.Series) -> np.ndarray:
    """True for cells that are numbers already (not text, not bool), in a mixed column."""
    if pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty"}:
        return np.zeros(len(values), dtype=bool)
    kinds = values.map(type, na_action="ignore")
    return kinds.isin([int, float, np.int64, np.float64]).to_numpy(dtype=bool)


def _text(values: pd.Series) -> pd.Series | None:
    """Stripped text of ``values``, or None for a numeric or bool column (no marks to judge).

    Cells that are numbers already (see :func:`_typed_numbers`) are left out (missing).
    """
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    text = values.astype("str").str.strip().where(values.notna())
    typed = _typed_numbers(values)
    return text.mask(typed) if typed.any() else text


def wrong_decimal_mark(values: pd.Series, *, decimal: str = ".") -> np.ndarray:
    """True where a text value holds the other mark in a place only a decimal mark can be.

    Examples
    --------
    >>> values = pd.Series(["97.09", "1.234,56", "1.234", "1,234.56", "12"])
    >>> wrong_decimal_mark(values, decimal=",").tolist()
    [True, False, False, True, False]
    >>> wrong_decimal_mark(pd.Series(["97,09", "1,234", "1.234,56"])).tolist()
    [True, False, True]
    """
    text = _text(values)
    if text is None:
        return np.zeros(len(values), dtype=bool)
    has_other = text.str.contains(_OTHER[decimal], regex=False)
    grouped = text.str.fullmatch(_GROUPED[decimal])
    return (has_other.fillna(False) & ~grouped.fillna(False)).to_numpy(dtype=bool)


def thousands_only(values: pd.Series, *, decimal: str = ".") -> np.ndarray:
    """True where a text value has thousands separators and no decimal mark (``1,234``)."""
    text = _text(values)
    if text is None:
        return np.zeros(len(values), dtype=bool)
    grouped = text.str.fullmatch(_GROUPED[decimal]).fillna(False)
    has_mark = text.str.contains(decimal, regex=False).fillna(False)
    return (grouped & ~has_mark).to_numpy(dtype=bool)


def to_numbers(values: pd.Series, *, decimal: str = ".") -> pd.Series:
    """``values`` as float; text that is not a number under the decimal mark becomes NaN.

    Numeric columns (parquet) are returned as float. Text is stripped; thousands separators
    (the other mark, in groups of three digits before the decimal mark) are dropped, and the
    decimal mark becomes the point. A value whose marks do not fit (``97.09`` with ``","``) is
    NaN, never a number ten or a hundred times off. The input is not modified.

    Examples
    --------
    >>> to_numbers(pd.Series(["1.234,5", " 46,02", "x", "97.09"]), decimal=",").tolist()
    [1234.5, 46.02, nan, nan]
    >>> to_numbers(pd.Series(["46.02", None, "1,234.5", "97,09"])).tolist()
    [46.02, nan, 1234.5, nan]
    """
    check_option(decimal, DECIMAL_MARKS, parameter="decimal", function="to_numbers")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    typed = _typed_numbers(values)
    if typed.any():  # numbers typed as numbers keep their value; the text is read below
        text_part = values.mask(typed)
        numbers = pd.to_numeric(values.where(typed), errors="coerce").astype("float64")
        return numbers.where(typed, to_numbers(text_part, decimal=decimal))
    text = values.astype("str").str.strip()
    grouped = text.str.fullmatch(_GROUPED[decimal]).fillna(False)
    text = text.where(~grouped, text.str.replace(_OTHER[decimal], "", regex=False))
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    return numbers.where(~wrong_decimal_mark(values, decimal=decimal))
