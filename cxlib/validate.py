"""Input checks shared by every public cxlib function.

Each check raises :class:`CXDataError` (a ``ValueError``) that names the column, the rule that was
broken, how many rows break it, and up to five of them, so that a user can find the bad records in
their own export. Checks never modify their input.

Examples
--------
>>> import pandas as pd
>>> from cxlib.validate import check_range
>>> frame = pd.DataFrame({"csat": [5, 4, 9]})
>>> check_range(frame, "csat", low=1, high=5)
Traceback (most recent call last):
...
cxlib.validate.CXDataError: Column 'csat' must lie in [1, 5]: 1 of 3 rows do not. Examples:
   csat
2     9
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CXDataError",
    "MAX_EXAMPLES",
    "check_choice",
    "check_columns",
    "check_dates",
    "check_integer",
    "check_labels",
    "check_no_missing",
    "check_numeric",
    "check_option",
    "check_range",
    "check_unique",
    "check_weights",
    "fail_rows",
    "to_series",
    "to_timestamp",
]

MAX_EXAMPLES = 5


class CXDataError(ValueError):
    """Raised when input data break a rule that cxlib needs; the message says which and where."""


def fail_rows(frame: pd.DataFrame, mask: Any, column: str | Sequence[str], rule: str) -> None:
    """Raise :class:`CXDataError` if any row of ``frame`` is flagged in ``mask``.

    Parameters
    ----------
    frame : DataFrame
        The data the rule was checked on (only the rows shown in the message are read).
    mask : array-like of bool
        True where a row breaks the rule; aligned with ``frame`` by position.
    column : str or sequence of str
        The column (or columns) the rule is about; they are shown in the examples.
    rule : str
        What the rows should satisfy, completing the sentence "Column 'x' must ...".
    """
    bad = np.asarray(mask, dtype=bool)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return
    columns = [column] if isinstance(column, str) else list(column)
    shown = [c for c in columns if c in frame.columns]
    examples = (frame.loc[bad, shown] if shown else frame.loc[bad]).head(MAX_EXAMPLES)
    label = ", ".join(repr(c) for c in columns)
    noun = "Column" if len(columns) == 1 else "Columns"
    raise CXDataError(
        f"{noun} {label} must {rule}: {n_bad} of {len(frame)} rows do not. Examples:\n"
        f"{examples.to_string()}"
    )


def check_columns(frame: Any, columns: Iterable[str], *, name: str = "data") -> None:
    """Raise :class:`CXDataError` unless ``frame`` is a DataFrame with every one of ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise CXDataError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CXDataError(
            f"{name} is missing the required column(s) {missing}; it has {list(frame.columns)}. "
            "Pass the names of your columns as keyword arguments."
        )


def check_no_missing(frame: pd.DataFrame, column: str) -> None:
    """Raise :class:`CXDataError` if ``column`` has missing values (NaN, None, NaT)."""
    fail_rows(frame, frame[column].isna(), column, "not be missing")


def check_numeric(frame: pd.DataFrame, column: str) -> None:
    """Raise :class:`CXDataError` unless ``column`` holds numbers (bool is not a number here)."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        as_number = pd.to_numeric(series, errors="coerce")
        fail_rows(frame, as_number.isna() & series.notna(), column, "hold numbers")
        raise CXDataError(f"Column {column!r} must hold numbers; it has dtype {series.dtype}.")


def check_range(
    frame: pd.DataFrame,
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> None:
    """Raise :class:`CXDataError` if a non-missing value of ``column`` lies outside [low, high].

    Missing values are not checked here (see :func:`check_no_missing`).
    """
    check_numeric(frame, column)
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    bad = np.zeros(len(values), dtype=bool)
    if low is not None:
        bad |= values < low if low_inclusive else values <= low
    if high is not None:
        bad |= values > high if high_inclusive else values >= high
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    fail_rows(frame, bad, column, f"lie in {left}{lo}, {hi}{right}")


def check_integer(frame: pd.DataFrame, column: str) -> None:
    """Raise :class:`CXDataError` if a non-missing value of ``column`` is not a whole number."""
    check_numeric(frame, column)
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = np.isfinite(values) & (values != np.round(values)) | np.isinf(values)
    fail_rows(frame, bad, column, "hold whole numbers")


def check_choice(frame: pd.DataFrame, column: str, allowed: Iterable[Any]) -> None:
    """Raise :class:`CXDataError` if a non-missing value of ``column`` is not one of ``allowed``."""
    allowed = list(allowed)
    series = frame[column]
    bad = series.notna() & ~series.isin(allowed)
    fail_rows(frame, bad, column, f"be one of {allowed}")


def check_unique(frame: pd.DataFrame, columns: str | Sequence[str]) -> None:
    """Raise :class:`CXDataError` if ``columns`` (one or several) do not identify each row once."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    dup = frame.duplicated(subset=cols, keep=False)
    fail_rows(frame, dup, cols, "identify each row once (duplicates found)")


def check_dates(
    frame: pd.DataFrame,
    column: str,
    *,
    format: str | None = None,
    day_first: bool | None = None,
) -> pd.Series:
    """Return ``column`` as datetime64, raising :class:`CXDataError` on values that do not parse.

    Missing values stay missing (NaT); only values that are present but unparsable are errors.
    Without ``format`` the format is inferred from the first value; ``day_first`` (True/False)
    says how to read a date such as ``12/10/2023`` (None: pandas' default, month first).
    The input frame is not modified.
    """
    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    order = {} if day_first is None or format is not None else {"dayfirst": day_first}
    try:
        parsed = pd.to_datetime(series, errors="coerce", format=format, **order)
    except (TypeError, ValueError) as err:  # e.g. mixed time zones
        raise CXDataError(f"Column {column!r} must hold dates: {err}") from None
    fail_rows(frame, parsed.isna() & series.notna(), column, "hold dates that can be parsed")
    return parsed


def check_weights(weights: Any, n: int, *, index: pd.Index | None = None) -> np.ndarray:
    """Return survey weights as a float array after checking them.

    Weights must have one value per observation (aligned by index when both are Series), be
    finite and non-negative, and not all be zero.
    """
    if isinstance(weights, pd.Series) and index is not None and not weights.index.equals(index):
        if len(weights) != n or not weights.index.sort_values().equals(index.sort_values()):
            raise CXDataError(
                "weights must be aligned with the scores: their index differs "
                f"(first weight labels {list(weights.index[:5])}, "
                f"first score labels {list(index[:5])})."
            )
        weights = weights.reindex(index)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) != n:
        raise CXDataError(
            f"weights must have one value per observation: got {w.shape}, expected ({n},)."
        )
    frame = pd.DataFrame({"weights": w})
    fail_rows(frame, ~np.isfinite(w), "weights", "be finite numbers")
    fail_rows(frame, w < 0, "weights", "not be negative")
    if n > 0 and not (w > 0).any():
        raise CXDataError("weights must not all be zero.")
    return w


def check_option(value: Any, options: Iterable[str], *, parameter: str, function: str) -> None:
    """Raise :class:`CXDataError` unless ``value`` is one of the closed set ``options``.

    The message follows scikit-learn's wording: "The 'method' parameter of nps must be one of
    {'adjusted-wald', 'wald'}. Got 'wilsn' instead."
    """
    options = list(options)
    try:
        ok = isinstance(value, str) and value in options
    except TypeError:  # unhashable or odd values are simply not valid
        ok = False
    if not ok:
        valid = ", ".join(repr(o) for o in sorted(options))
        raise CXDataError(
            f"The {parameter!r} parameter of {function} must be one of {{{valid}}}. "
            f"Got {value!r} instead."
        )


def to_series(values: Any, *, name: str) -> pd.Series:
    """Return ``values`` (Series, array, list) as a Series named ``name``, keeping a Series' index.

    A DataFrame is rejected: pass one column.
    """
    if isinstance(values, pd.DataFrame):
        raise CXDataError(f"{name} must be one column (a Series or 1-d array), not a DataFrame.")
    if isinstance(values, pd.Series):
        return values.rename(name)
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise CXDataError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    return pd.Series(arr, name=name)


def to_timestamp(value: Any, *, name: str) -> pd.Timestamp:
    """Return a date-like argument (string, date, datetime, Timestamp) as a pandas Timestamp.

    Raises :class:`CXDataError` naming the argument when ``value`` is missing or not a date, so
    that a bad ``period_start=`` or ``observation_end=`` never surfaces as a pandas traceback.

    Examples
    --------
    >>> to_timestamp("2024-01-31", name="period_end")
    Timestamp('2024-01-31 00:00:00')
    >>> to_timestamp("31.02.2024", name="period_end")
    Traceback (most recent call last):
    ...
    cxlib.validate.CXDataError: period_end must be a date such as '2024-01-31'; got '31.02.2024'.
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise CXDataError(f"{name} must be a date such as '2024-01-31'; got {value!r}.")
    return stamp


def check_labels(
    labels: Any,
    values: Any,
    *,
    labels_name: str = "y_true",
    values_name: str,
    probability: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Check 0/1 (or bool) labels and the numbers that go with them, aligned by position.

    Both must be as long as each other, not empty and without missing values; labels 0/1 or
    True/False, values finite numbers (in [0, 1] with ``probability``). Returns the labels as a
    bool array and the values as a float array.
    """
    y = to_series(labels, name=labels_name)
    v = to_series(values, name=values_name)
    if len(y) != len(v):
        raise CXDataError(
            f"{labels_name} and {values_name} must have the same length (one value per customer); "
            f"got {len(y)} and {len(v)}."
        )
    if len(y) == 0:
        raise CXDataError(f"{labels_name} is empty: at least one customer is needed.")
    frame = pd.DataFrame({labels_name: y.to_numpy(), values_name: v.to_numpy()}, index=y.index)
    check_no_missing(frame, labels_name)
    check_choice(frame, labels_name, [0, 1, True, False])
    check_no_missing(frame, values_name)
    check_numeric(frame, values_name)
    numbers = frame[values_name].to_numpy(dtype=float)
    fail_rows(frame, ~np.isfinite(numbers), values_name, "hold finite numbers")
    if probability:
        check_range(frame, values_name, low=0, high=1)
    return frame[labels_name].to_numpy().astype(bool), numbers
