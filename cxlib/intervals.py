"""Confidence intervals for shares and the NPS, and shares of 0/1 outcomes by group.

The kernels :func:`share_ci` and :func:`nps_ci` are vectorised over arrays of counts, so coverage
simulations with many replications run in one call; :func:`share` gives one share as an
:class:`~cxlib.estimate.Estimate` and :func:`share_by_group` a tidy table of shares (churned,
bought again, answered) per group. Shares are in percent points unless a function is asked for
a rate in [0, 1] (``unit="rate"``).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22(158), 209-212.
Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval estimation of
    binomial proportions. The American Statistician 52(2), 119-126.
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American Statistician
    70(4), 365-372.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxlib.estimate import ESTIMATE_COLUMNS, Estimate, z_value
from cxlib.validate import CXDataError, check_choice, check_columns, check_no_missing, check_option

__all__ = [
    "nps_ci",
    "nps_interval",
    "share",
    "share_by_group",
    "share_ci",
    "share_interval",
]

ShareMethod = Literal["wilson", "wald"]
NpsMethod = Literal["adjusted-wald", "wald"]
ShareUnit = Literal["pct", "rate"]

_SCALE: dict[str, float] = {"pct": 100.0, "rate": 1.0}


def _wilson(share: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share in [0, 1] from ``n`` (effective) observations."""
    z2 = z * z
    denom = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denom
    half = z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denom
    # exact ends at shares 0 and 1 (rounding would put them a hair outside [0, 1])
    low = np.where(share == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(share == 1, 1.0, np.clip(centre + half, 0, 1))
    return low, high


def _wald(share: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval ``p +- z sqrt(p (1 - p) / n)``, clipped to [0, 1]."""
    half = z * np.sqrt(share * (1 - share) / n)
    return np.clip(share - half, 0, 1), np.clip(share + half, 0, 1)


_SHARE_METHODS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "wilson": _wilson,
    "wald": _wald,
}


def _nps_adjusted_wald(
    p: np.ndarray, d: np.ndarray, n: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rocks (2016) adjusted Wald: 3/4 added to promoters and detractors, 3 to n."""
    n_adj = n + 3
    p_adj = (p * n + 0.75) / n_adj
    d_adj = (d * n + 0.75) / n_adj
    centre = p_adj - d_adj
    half = z * np.sqrt((p_adj + d_adj - centre**2) / n_adj)
    return np.clip(centre - half, -1, 1), np.clip(centre + half, -1, 1)


def _nps_wald(
    p: np.ndarray, d: np.ndarray, n: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval for NPS = p - d with variance (p + d - (p - d)^2) / n, clipped to [-1, 1]."""
    centre = p - d
    half = z * np.sqrt((p + d - centre**2) / n)
    return np.clip(centre - half, -1, 1), np.clip(centre + half, -1, 1)


_NPS_METHODS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "adjusted-wald": _nps_adjusted_wald,
    "wald": _nps_wald,
}


def share_interval(
    share: Any, n: Any, *, level: float = 0.95, method: str = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Interval kernel on shares as rates: ``share`` in [0, 1] from ``n`` (effective) observations.

    For callers that already hold weighted shares and Kish's effective sample size. Where
    ``n`` is 0 the bounds are NaN. Returns (low, high) as rates in [0, 1].
    """
    return _kernel(_SHARE_METHODS, method, "share_interval", level, n, share)


def nps_interval(
    promoter_share: Any,
    detractor_share: Any,
    n: Any,
    *,
    level: float = 0.95,
    method: str = "adjusted-wald",
) -> tuple[np.ndarray, np.ndarray]:
    """Interval kernel for the NPS as a difference of rates, ``p - d`` in [-1, 1], from ``n``.

    As :func:`nps_ci` but on shares (rates) and effective sample sizes; NaN where ``n`` is 0.
    """
    return _kernel(_NPS_METHODS, method, "nps_interval", level, n, promoter_share, detractor_share)


def _kernel(
    methods: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]],
    method: str,
    function: str,
    level: float,
    n: Any,
    *shares: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``methods[method]`` on float arrays of ``shares`` and ``n`` (NaN where n <= 0)."""
    check_option(method, methods, parameter="method", function=function)
    z = z_value(level)
    m = np.asarray(n, dtype=float)
    rates = [np.asarray(v, dtype=float) for v in shares]
    with np.errstate(invalid="ignore", divide="ignore"):
        return methods[method](*rates, np.where(m > 0, m, np.nan), z)


def share_ci(
    count: Any,
    n: Any,
    *,
    level: float = 0.95,
    method: ShareMethod = "wilson",
    unit: ShareUnit = "pct",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a share, vectorised over arrays of counts.

    Parameters
    ----------
    count : array-like of float
        Answers in the category (may be fractional: weighted share times ``n_eff``).
    n : array-like of float
        Answers in total (or the effective sample size), > 0.
    level : float
        Confidence level in (0, 1).
    method : {'wilson', 'wald'}
        ``'wilson'``: Wilson (1927) score interval, identical to statsmodels
        ``proportion_confint(count, n, method="wilson")``. ``'wald'``: ``p +- z sqrt(p(1-p)/n)``,
        clipped to [0, 100]; it undercovers for small ``n`` or shares near 0 or 100 %
        (Agresti & Coull 1998).
    unit : {'pct', 'rate'}
        Bounds in percent points (default, as every share of cxlib) or as a rate in [0, 1]
        (to set beside predicted probabilities).

    Returns
    -------
    (low, high) : tuple of ndarray
        Interval bounds in ``unit``. For one share as an :class:`Estimate` see :func:`share`.

    Examples
    --------
    >>> low, high = share_ci(8, 10)
    >>> round(float(low), 1), round(float(high), 1)
    (49.0, 94.3)
    """
    check_option(method, _SHARE_METHODS, parameter="method", function="share_ci")
    check_option(unit, _SCALE, parameter="unit", function="share_ci")
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any(count < 0) or np.any(count > n):
        raise CXDataError("share_ci needs n > 0 and 0 <= count <= n for every element.")
    low, high = share_interval(count / n, n, level=level, method=method)
    return _SCALE[unit] * low, _SCALE[unit] * high


def nps_ci(
    promoters: Any,
    detractors: Any,
    n: Any,
    *,
    level: float = 0.95,
    method: NpsMethod = "adjusted-wald",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for the NPS, vectorised over arrays of counts, in percent points.

    Parameters
    ----------
    promoters, detractors : array-like of float
        Counts of answers 9-10 and 0-6 (may be fractional: weighted share times ``n_eff``).
    n : array-like of float
        All answers, passives (7-8) included, > 0.
    level : float
        Confidence level in (0, 1).
    method : {'adjusted-wald', 'wald'}
        ``'adjusted-wald'`` (Rocks 2016): ``n' = n + 3``, ``p' = (P + 3/4) / n'``,
        ``d' = (D + 3/4) / n'``, interval
        ``100 (p' - d') +- z 100 sqrt((p' + d' - (p' - d')^2) / n')``.
        ``'wald'``: the same without the adjustment. Both clipped to [-100, 100].

    Returns
    -------
    (low, high) : tuple of ndarray
        Interval bounds in NPS points (percent points).

    Examples
    --------
    >>> low, high = nps_ci(5, 2, 10)
    >>> round(float(low), 1), round(float(high), 1)
    (-19.1, 65.2)
    """
    check_option(method, _NPS_METHODS, parameter="method", function="nps_ci")
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    if (
        np.any(n <= 0)
        or np.any(promoters < 0)
        or np.any(detractors < 0)
        or np.any(promoters + detractors > n * (1 + 1e-12))
    ):
        raise CXDataError("nps_ci needs n > 0, promoters >= 0, detractors >= 0 and their sum <= n.")
    low, high = nps_interval(promoters / n, detractors / n, n, level=level, method=method)
    return 100 * low, 100 * high


def share(
    count: float, n: float, *, level: float = 0.95, method: ShareMethod = "wilson"
) -> Estimate:
    """One share ``count / n`` with its interval, in percent points.

    Examples
    --------
    >>> share(8, 10)
    Estimate(80.0 pct, 95% CI [49.0, 94.3], n=10, n_eff=10.0, method='wilson')
    """
    low, high = share_ci(count, n, level=level, method=method)
    return Estimate(
        estimate=100 * float(count) / float(n),
        ci_low=float(low),
        ci_high=float(high),
        n=int(round(float(n))),
        n_eff=float(n),
        level=level,
        method=method,
        unit="pct",
    )


def share_by_group(
    frame: pd.DataFrame,
    *,
    outcome: str,
    by: str | list[str],
    level: float = 0.95,
    method: ShareMethod = "wilson",
) -> pd.DataFrame:
    """Share of a 0/1 outcome (churned, bought again) per group, with intervals, in percent points.

    Parameters
    ----------
    frame : DataFrame
        One row per customer. Not modified.
    outcome : str
        Column of 0/1 or bool values (1 / True = the event happened); no missing values.
    by : str or list of str
        Grouping column(s); groups are the observed combinations, sorted.
    level, method
        As for :func:`share_ci`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``count`` (customers with the outcome), then the Estimate columns
        ``estimate, ci_low, ci_high, n, n_eff, level, method, unit`` (``unit`` = "pct").

    Examples
    --------
    >>> frame = pd.DataFrame({"contract": ["month", "month", "year", "year", "year"],
    ...                       "churn": [1, 0, 0, 0, 1]})
    >>> table = share_by_group(frame, outcome="churn", by="contract")
    >>> table[["contract", "count", "estimate", "n"]].round(1)
      contract  count  estimate  n
    0    month      1      50.0  2
    1     year      1      33.3  3
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise CXDataError("by must name at least one grouping column.")
    check_columns(frame, [outcome, *by], name="frame")
    check_no_missing(frame, outcome)
    check_choice(frame, outcome, [0, 1, True, False])
    grouped = (
        frame[[*by, outcome]]
        .assign(**{outcome: frame[outcome].astype(int)})
        .groupby(by, observed=True, sort=True)[outcome]
    )
    table = grouped.agg(count="sum", n="size").reset_index()
    low, high = share_ci(table["count"], table["n"], level=level, method=method)
    table = table.assign(
        estimate=100 * table["count"] / table["n"],
        ci_low=low,
        ci_high=high,
        n_eff=table["n"].astype(float),
        level=level,
        method=method,
        unit="pct",
    )
    return table[[*by, "count", *ESTIMATE_COLUMNS]]
