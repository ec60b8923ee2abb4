"""Shared input handling of :mod:`cxlib.journey`: the checked, sorted and coded view of a log.

Every function of the package that reads an interaction log goes through :func:`coded_log`, so
that a log is validated by the same rules (and fails with the same messages) wherever it enters:
columns present, no missing customer, touchpoint or timestamp, timestamps that parse, touchpoints
from the allowed list and none named like the start and end states of a journey. The functions
here are private to the package; users call the public functions of :mod:`cxlib.journey`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cxlib.validate import (
    CXDataError,
    check_choice,
    check_columns,
    check_dates,
    check_no_missing,
    fail_rows,
)

__all__ = [
    "END",
    "START",
    "CodedLog",
    "coded_log",
    "group_starts",
    "timestamps",
    "touchpoint_labels",
]

#: Label of the state before a journey's first touchpoint in transition tables.
START = "(start)"
#: Label of the state after a journey's last touchpoint in transition tables.
END = "(end)"


def timestamps(log: pd.DataFrame, timestamp: str) -> pd.Series:
    """The ``timestamp`` column as datetime64, raising :class:`CXDataError` if one is missing.

    Text is parsed (unparsable values raise, naming the rows); every interaction must have a time.
    """
    times = check_dates(log, timestamp)
    rule = "hold a timestamp for every interaction (missing found)"
    fail_rows(log, times.isna(), timestamp, rule)
    return times


def touchpoint_labels(
    frame: pd.DataFrame, touchpoint: str, touchpoints: Sequence[Any] | None
) -> list[Any]:
    """The ordered touchpoint labels of ``frame[touchpoint]``, checked.

    The labels are ``touchpoints`` when given (and then every value of the column must be one of
    them), else the categories of a categorical column, else the sorted values present. Labels may
    not repeat and may not be :data:`START` or :data:`END`, which name the states before and after
    a journey in transition tables.
    """
    series = frame[touchpoint]
    if touchpoints is not None:
        labels = list(touchpoints)
        if len(set(labels)) != len(labels):
            raise CXDataError(f"touchpoints must not repeat a label; got {labels}.")
        check_choice(frame, touchpoint, labels)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        labels = list(series.cat.categories)
    else:
        labels = sorted(pd.unique(series.dropna()).tolist(), key=str)
    clash = [label for label in labels if label in (START, END)]
    if clash:
        raise CXDataError(
            f"Touchpoint labels {clash} are reserved for the start and end states of a journey; "
            "rename them in your data."
        )
    return labels


class CodedLog(NamedTuple):
    """A validated interaction log, sorted, with its touchpoints coded (see :func:`coded_log`)."""

    #: The rows of the log in sorted order (a new object; timestamps parsed to datetime64).
    frame: pd.DataFrame
    #: int64 position of each row's touchpoint in ``labels``.
    codes: np.ndarray
    #: int64 timestamps in nanoseconds since the epoch (UTC for time-zone aware input).
    t_ns: np.ndarray
    #: Touchpoint labels, in the order used by ``codes``.
    labels: list[Any]


def coded_log(
    log: Any,
    *,
    customer_id: str,
    timestamp: str,
    touchpoint: str,
    touchpoints: Sequence[Any] | None,
    extra: Sequence[str] = (),
    sort_first: str | None = None,
) -> CodedLog:
    """Validate an interaction log and return it sorted, with touchpoint codes and times in ns.

    Rows are ordered by ``sort_first`` (if given, e.g. the session), then customer, timestamp
    and original position (stable: simultaneous events keep the order of the input).

    Parameters
    ----------
    log : DataFrame
        Interaction log, one row per interaction, in any order; not modified.
    customer_id, timestamp, touchpoint : str
        Column names; none of these columns may have missing values.
    touchpoints : sequence, optional
        Allowed touchpoint labels (see :func:`touchpoint_labels`).
    extra : sequence of str
        Further columns that must be present and complete (e.g. the session column).
    sort_first : str, optional
        Column to sort by before customer and time.

    Returns
    -------
    CodedLog
        ``(frame, codes, t_ns, labels)``.

    Raises
    ------
    CXDataError
        Missing columns or values, unparsable timestamps, touchpoints not allowed or reserved.
    """
    required = [customer_id, timestamp, touchpoint, *extra]
    check_columns(log, list(dict.fromkeys(required)), name="log")
    for column in [customer_id, touchpoint, *extra]:
        check_no_missing(log, column)
    times = timestamps(log, timestamp)
    labels = touchpoint_labels(log, touchpoint, touchpoints)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    t_ns = times.to_numpy().astype("datetime64[ns]").view("int64")
    codes = pd.Categorical(log[touchpoint], categories=labels).codes.astype(np.int64)
    fail_rows(log, codes < 0, touchpoint, f"be one of {labels}")  # categories outside labels
    cust_codes = pd.factorize(log[customer_id], sort=True)[0]
    keys = [np.arange(len(log)), t_ns, cust_codes]
    if sort_first is not None:
        keys.append(pd.factorize(log[sort_first], sort=True)[0])
    order = np.lexsort(keys)
    frame = log.iloc[order].copy()
    if times is not log[timestamp]:
        frame[timestamp] = times.iloc[order].to_numpy()
    return CodedLog(frame, codes[order], t_ns[order], labels)


def group_starts(*keys: np.ndarray) -> np.ndarray:
    """True where any of the (sorted) key arrays changes value, and at position 0.

    Examples
    --------
    >>> group_starts(np.array([1, 1, 2, 2]), np.array([5, 6, 6, 6])).tolist()
    [True, True, True, False]
    """
    n = len(keys[0])
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
        for key in keys:
            new[1:] |= key[1:] != key[:-1]
    return new
