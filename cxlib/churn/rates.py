"""How many customers do we lose? Churn rates (Kundenabwanderung) of a customer base.

:func:`churn_rate` gives the rate of one period, :func:`churn_rates` one per calendar period, both
as customers lost in the period / customers active at its start, in percent points with Wilson
intervals; :func:`annualize` turns a constant per-period rate into a yearly one. Each customer is
a start date and an end date (missing while still a customer): the contractual view, where churn
is observed. For shares of a 0/1 churn flag by group see :func:`cxlib.intervals.share_by_group`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from cxlib.estimate import Estimate, z_value
from cxlib.intervals import share_interval
from cxlib.validate import (
    CXDataError,
    check_dates,
    check_weights,
    fail_rows,
    to_series,
    to_timestamp,
)

__all__ = ["annualize", "churn_rate", "churn_rates"]


def _churn_table(
    start: Any, end: Any, edges: pd.DatetimeIndex, weights: Any, level: float
) -> dict[str, np.ndarray]:
    """Churn per period [edges[k], edges[k+1]) among customers active at edges[k]."""
    s = to_series(start, name="start")
    e = to_series(end, name="end")
    if len(s) != len(e):
        raise CXDataError(f"start and end must have one value per customer: {len(s)} vs {len(e)}.")
    if isinstance(start, pd.Series) and isinstance(end, pd.Series) and not s.index.equals(e.index):
        raise CXDataError("start and end must be aligned: their indexes differ.")
    frame = pd.DataFrame({"start": s.to_numpy(), "end": e.to_numpy()})
    frame = frame.assign(start=check_dates(frame, "start"), end=check_dates(frame, "end"))
    fail_rows(frame, frame["start"].isna(), "start", "not be missing (every customer has a start)")
    fail_rows(frame, frame["end"] < frame["start"], ["start", "end"], "satisfy end >= start")
    if weights is None:
        w = np.ones(len(frame))
    else:
        w = check_weights(
            weights, len(frame), index=s.index if isinstance(weights, pd.Series) else None
        )
    n_periods = len(edges) - 1
    start_bin = edges.searchsorted(frame["start"], side="right") - 1
    end_bin = edges.searchsorted(frame["end"].fillna(edges[-1]), side="right") - 1
    end_bin = np.where(frame["end"].isna().to_numpy(), n_periods + 1, end_bin)
    # active at edges[k]: started before it, not yet ended: #(start_bin < k) - #(end_bin < k)
    sb = np.clip(start_bin + 1, 0, n_periods + 1)
    eb = np.clip(end_bin + 1, 0, n_periods + 1)

    def active(weight: np.ndarray) -> np.ndarray:
        began = np.cumsum(np.bincount(sb, weights=weight, minlength=n_periods + 2))[:n_periods]
        ended = np.cumsum(np.bincount(eb, weights=weight, minlength=n_periods + 2))[:n_periods]
        return began - ended

    lost_mask = (start_bin < end_bin) & (end_bin >= 0) & (end_bin < n_periods)
    lost_w = np.bincount(end_bin[lost_mask], weights=w[lost_mask], minlength=n_periods)
    lost_n = np.bincount(end_bin[lost_mask], minlength=n_periods)
    n = np.rint(active(np.ones(len(frame)))).astype(np.int64)
    sw, sw2 = active(w), active(w * w)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sw2 > 0, sw**2 / np.where(sw2 > 0, sw2, 1), 0.0)
        rate = np.where(sw > 0, lost_w / np.where(sw > 0, sw, 1), np.nan)
        rate = np.clip(rate, 0, 1)
        low, high = share_interval(rate, n_eff, level=level)
    return {
        "estimate": 100 * rate,
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "n": n,
        "n_eff": n_eff,
        "lost": lost_n.astype(np.int64),
    }


def churn_rate(
    start: Any,
    end: Any,
    *,
    period_start: Any,
    period_end: Any,
    weights: Any = None,
    level: float = 0.95,
) -> Estimate:
    """Churn rate (Abwanderungsrate, Kundenabwanderung) of one period, in percent points.

    The period is half-open, ``[period_start, period_end)``: pass the first instant *after* it
    as ``period_end`` (for January 2024, ``"2024-01-01"`` and ``"2024-02-01"``). The rate is

        customers lost in the period / customers active at its start,

    where a customer is active at ``period_start`` if ``start < period_start`` and their ``end``
    is missing (NaT, still a customer) or ``end >= period_start``, and is lost in the period if
    ``period_start <= end < period_end``. Customers acquired during the period are excluded from
    numerator and denominator (the customers-at-start definition); including them mixes two
    cohorts and understates churn in growing businesses.

    Parameters
    ----------
    start, end : Series or array-like of dates
        Each customer's first day and the date they left (NaT = still a customer). ``start`` must
        be present; ``end >= start``.
    period_start, period_end : date-like
        Bounds of the period, ``period_start < period_end``.
    weights : optional
        Per-customer weights (e.g. monthly revenue for a revenue churn rate); the interval then
        uses Kish's ``n_eff``.
    level : float
        Confidence level of the Wilson interval (customers as independent trials).

    Returns
    -------
    Estimate
        In percent points; ``n`` = customers active at ``period_start``.

    Examples
    --------
    >>> start = pd.to_datetime(["2023-06-01", "2023-07-01", "2024-01-10", "2023-01-01"])
    >>> end = pd.to_datetime(["2024-01-15", None, "2024-01-20", "2023-12-01"])
    >>> churn_rate(start, end, period_start="2024-01-01", period_end="2024-02-01").estimate
    50.0
    """
    z_value(level)
    lo = to_timestamp(period_start, name="period_start")
    hi = to_timestamp(period_end, name="period_end")
    if not lo < hi:
        raise CXDataError(f"period_start must be before period_end; got {lo} and {hi}.")
    res = _churn_table(start, end, pd.DatetimeIndex([lo, hi]), weights, level)
    return Estimate.from_arrays(res, level=level, method="wilson", unit="pct")


def churn_rates(
    start: Any,
    end: Any,
    *,
    freq: str = "MS",
    period_start: Any = None,
    period_end: Any = None,
    weights: Any = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Churn rate per calendar period (default: month), as a tidy DataFrame in percent points.

    Each row applies :func:`churn_rate` to one period ``[period_start, period_end)``.

    Parameters
    ----------
    start, end : Series or array-like of dates
        As for :func:`churn_rate`.
    freq : str
        pandas frequency of the period starts: ``"MS"`` month, ``"QS"`` quarter, ``"YS"`` year,
        ``"W-MON"`` weeks starting Monday.
    period_start, period_end : date-like, optional
        First period start and end of the last period (exclusive). Defaults: the first period
        boundary after the earliest ``start`` (so someone is active), and the last boundary on or
        before the latest date seen (so the last period is complete). Pass ``period_end`` = your
        observation end.
    weights, level
        As for :func:`churn_rate`.

    Returns
    -------
    DataFrame
        ``period_start, period_end``, the Estimate columns and ``lost`` (customers lost).

    Examples
    --------
    >>> start = pd.to_datetime(["2023-06-01", "2023-07-01", "2023-06-10", "2023-01-01"])
    >>> end = pd.to_datetime(["2024-01-15", None, "2024-02-20", "2023-12-01"])
    >>> churn_rates(start, end, period_start="2024-01-01", period_end="2024-03-01")[
    ...     ["estimate", "n", "lost"]].round(1)
       estimate  n  lost
    0      33.3  3     1
    1      50.0  2     1
    """
    z_value(level)
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError):
        raise CXDataError(f"freq must be a pandas frequency such as 'MS'; got {freq!r}.") from None
    if period_start is None or period_end is None:
        s = pd.to_datetime(to_series(start, name="start"), errors="coerce")
        e = pd.to_datetime(to_series(end, name="end"), errors="coerce")
        if s.notna().sum() == 0:
            raise CXDataError("start has no dates.")
    first = (
        offset.rollback(s.min()) + offset
        if period_start is None
        else to_timestamp(period_start, name="period_start")
    )
    last = (
        offset.rollback(max(s.max(), e.max() if e.notna().any() else s.max()))
        if period_end is None
        else to_timestamp(period_end, name="period_end")
    )
    edges = pd.date_range(first, last, freq=offset)
    if len(edges) < 2:
        raise CXDataError(
            f"churn_rates needs at least one whole period between {first} and {last} "
            f"at freq {freq!r}."
        )
    res = _churn_table(start, end, edges, weights, level)
    return pd.DataFrame(
        {
            "period_start": edges[:-1],
            "period_end": edges[1:],
            "estimate": res["estimate"],
            "ci_low": res["ci_low"],
            "ci_high": res["ci_high"],
            "n": res["n"],
            "n_eff": res["n_eff"],
            "level": level,
            "method": "wilson",
            "unit": "pct",
            "lost": res["lost"],
        }
    )


def annualize(rate: Any, periods: float = 12) -> Any:
    """Annual churn rate from a constant per-period rate ``m``: ``1 - (1 - m)^periods``, in pct.

    Assumes the same rate every period and that a customer lost is not won back; a 2 % monthly
    rate is 21.5 % a year, not 24 % (multiplying by 12 is a common mistake).

    Parameters
    ----------
    rate : float, array-like, Series or Estimate
        Per-period churn rate(s) in percent points, in [0, 100]. An Estimate's bounds are
        transformed too (the map is increasing, so the interval stays valid).
    periods : float
        Periods per year: 12 for monthly, 4 for quarterly, 52 for weekly rates.

    Returns
    -------
    Same type as ``rate``
        Annual rate(s) in percent points.

    Examples
    --------
    >>> round(annualize(2.0), 2)
    21.53
    """
    if isinstance(periods, bool) or not isinstance(periods, int | float) or not periods > 0:
        raise CXDataError(f"periods must be a positive number; got {periods!r}.")

    def convert(m: Any) -> Any:
        arr = np.asarray(m, dtype=float)
        if np.any((arr < 0) | (arr > 100)):
            raise CXDataError("rate must be in percent points, within [0, 100].")
        return 100 * (1 - (1 - arr / 100) ** periods)

    if isinstance(rate, Estimate):
        return dataclasses.replace(
            rate,
            estimate=float(convert(rate.estimate)),
            ci_low=float(convert(rate.ci_low)),
            ci_high=float(convert(rate.ci_high)),
        )
    if isinstance(rate, pd.Series):
        return pd.Series(convert(rate.to_numpy(dtype=float)), index=rate.index, name=rate.name)
    out = convert(rate)
    return float(out) if out.ndim == 0 else out
