"""Is a churn score any good? Lift and gains, calibration and the Brier score.

Evaluation of a churn score on labelled customers, from ranking to calibration:

- :func:`lift_table`: lift and cumulative gains by score decile, ties never split between deciles.
- :func:`calibration_table` and :func:`brier_score`: do predicted probabilities mean what they say?
  Brier score with Murphy's decomposition and the skill against always predicting the base rate.

Labels ``y_true`` are 0/1 or bool (1 / True = the customer churned); scores and probabilities
are aligned with them by position. Probabilities and observed churn rates are rates in [0, 1].
Inputs are never modified. What a campaign earns is in :mod:`cxlib.churn.profit`.

References
----------
Murphy, A. H. (1973). A new vector partition of the probability score. Journal of Applied
Meteorology 12(4), 595-600.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxlib.intervals import share_ci
from cxlib.validate import CXDataError, check_labels, check_option

__all__ = ["BrierScore", "brier_score", "calibration_table", "lift_table"]

_STRATEGIES = ("quantile", "uniform")


def _by_bin(
    bins: np.ndarray, values: np.ndarray, y: np.ndarray, *, value: str, count: str
) -> pd.DataFrame:
    """Per non-empty bin: ``bin``, ``<value>_min``, ``<value>_max``, ``<count>``, ``churners``
    and ``mean`` (of the values)."""
    frame = pd.DataFrame({"bin": bins, "v": values, "y": y})
    table = (
        frame.groupby("bin", sort=True)
        .agg(
            v_min=("v", "min"),
            v_max=("v", "max"),
            n=("y", "size"),
            churners=("y", "sum"),
            mean=("v", "mean"),
        )
        .reset_index()
        .rename(columns={"v_min": f"{value}_min", "v_max": f"{value}_max", "n": count})
    )
    table["churners"] = table["churners"].astype(np.int64)
    return table


def _check_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise CXDataError(f"The 'bins' parameter must be a positive integer. Got {bins!r} instead.")
    return int(bins)


def _tie_safe_bins(values: np.ndarray, bins: int, *, descending: bool) -> np.ndarray:
    """Quantile bin (1..bins) of each value; equal values always share one bin.

    Values are ranked (highest first when ``descending``); a group of tied values occupies the
    rank positions ``first .. first + count - 1`` and goes, as a whole, to the bin that holds the
    middle of those positions: ``floor((first + (count - 1) / 2) * bins / n) + 1``. Without ties
    every bin gets ``n / bins`` values (rounded); with ties some bins get more, some fewer or none.
    """
    n = len(values)
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    if descending:
        first = np.cumsum(counts[::-1])[::-1] - counts  # values strictly greater
    else:
        first = np.cumsum(counts) - counts  # values strictly smaller
    # integer arithmetic: 2 * middle position = 2 * first + count - 1
    group_bin = ((2 * first + counts - 1) * bins) // (2 * n) + 1
    return group_bin[inverse].astype(np.int64)


def lift_table(y_true: Any, score: Any, *, bins: int = 10) -> pd.DataFrame:
    """Lift and cumulative gains by score decile (or other quantile bins), highest scores first.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 / True where the customer churned.
    score : array-like of float
        Any score that ranks customers by churn risk (higher = riskier), aligned by position.
    bins : int, default 10
        Number of quantile bins (10 = deciles). Tied scores are never split between bins: a tie
        group goes, as a whole, to the bin holding the middle of its ranks, so bins can differ in
        size and bins left empty by large ties are not shown.

    Returns
    -------
    DataFrame
        One row per non-empty bin, bin 1 = highest scores: ``bin``, ``score_min``, ``score_max``,
        ``customers``, ``churners``, ``churn_rate`` (churners / customers, in [0, 1]), ``lift``
        (churn rate in the bin / overall churn rate), ``cum_customers_share`` (share of all
        customers in this and higher bins), ``gains`` (share of all churners captured by this
        and higher bins, the cumulative gains curve), ``cum_lift`` (gains / cum_customers_share).

    Examples
    --------
    >>> t = lift_table([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], bins=2)
    >>> t[["bin", "churners", "lift", "gains"]].to_numpy().tolist()
    [[1.0, 1.0, 1.0, 0.5], [2.0, 1.0, 1.0, 1.0]]
    """
    y, s = check_labels(y_true, score, values_name="score")
    bins = _check_bins(bins)
    n_churners = int(y.sum())
    if n_churners == 0:
        raise CXDataError("y_true has no churners (no 1 / True): lift and gains are undefined.")
    base_rate = n_churners / len(y)
    ranked = _tie_safe_bins(s, bins, descending=True)
    table = _by_bin(ranked, s, y, value="score", count="customers").drop(columns="mean")
    table["churn_rate"] = table["churners"] / table["customers"]
    table["lift"] = table["churn_rate"] / base_rate
    table["cum_customers_share"] = table["customers"].cumsum() / len(y)
    table["gains"] = table["churners"].cumsum() / n_churners
    table["cum_lift"] = table["gains"] / table["cum_customers_share"]
    return table


# ----------------------------------------------------------------------------- calibration
def _calibration_bins(p: np.ndarray, bins: int, strategy: str) -> np.ndarray:
    check_option(strategy, _STRATEGIES, parameter="strategy", function="calibration_table")
    if strategy == "quantile":
        return _tie_safe_bins(p, bins, descending=False)
    # uniform: [0, 1/bins), [1/bins, 2/bins), ..., [(bins-1)/bins, 1]
    return np.minimum(np.floor(p * bins).astype(np.int64), bins - 1) + 1


def calibration_table(
    y_true: Any,
    prob: Any,
    *,
    bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
    level: float = 0.95,
) -> pd.DataFrame:
    """Observed churn rate against mean predicted probability, per probability bin.

    A well-calibrated model has ``observed_rate`` close to ``mean_predicted`` in every bin.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 / True where the customer churned.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities, aligned by position.
    bins : int, default 10
        Number of bins.
    strategy : {"quantile", "uniform"}, default "quantile"
        "quantile": bins with about equal numbers of customers, tied probabilities never split
        (lowest probabilities in bin 1). "uniform": bins of equal width on [0, 1].
    level : float, default 0.95
        Confidence level of the Wilson interval for the observed rate.

    Returns
    -------
    DataFrame
        One row per non-empty bin: ``bin``, ``prob_min``, ``prob_max``, ``n``, ``churners``,
        ``mean_predicted``, ``observed_rate`` (both fractions in [0, 1]), ``ci_low``, ``ci_high``
        (Wilson interval of ``observed_rate``), ``level``.
    """
    y, p = check_labels(y_true, prob, values_name="prob", probability=True)
    bins = _check_bins(bins)
    table = _by_bin(_calibration_bins(p, bins, strategy), p, y, value="prob", count="n")
    table["mean_predicted"] = table.pop("mean")
    table["observed_rate"] = table["churners"] / table["n"]
    table["ci_low"], table["ci_high"] = share_ci(
        table["churners"], table["n"], level=level, method="wilson", unit="rate"
    )
    table["level"] = level
    return table


@dataclass(frozen=True)
class BrierScore:
    """The Brier score and Murphy's (1973) decomposition, computed over probability bins.

    ``brier = reliability - resolution + uncertainty + residual``. The decomposition is exact
    (``residual = 0``) when every bin holds a single predicted value; otherwise ``residual``
    collects the within-bin terms (Stephenson, Coelho & Jolliffe 2008).

    Attributes
    ----------
    brier : float
        Mean squared difference between probability and outcome (0 = perfect; lower is better).
    reliability : float
        Calibration error: weighted mean of (mean predicted - observed rate)^2 over bins (lower
        is better).
    resolution : float
        How far the bins' observed rates spread around the base rate (higher is better).
    uncertainty : float
        ``base_rate * (1 - base_rate)``: the Brier score of always predicting the base rate.
    residual : float
        Within-bin terms, ``brier - (reliability - resolution + uncertainty)``.
    skill : float
        Brier skill score ``1 - brier / uncertainty``: share of the base-rate forecast's error
        removed by the model (0 = no better than the base rate, 1 = perfect, NaN if one class).
    base_rate : float
        Share of churners.
    n : int
        Customers.
    bins : int
        Bins used for the decomposition (non-empty).
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    residual: float
    skill: float
    base_rate: float
    n: int
    bins: int

    def __repr__(self) -> str:
        return (
            f"BrierScore({self.brier:.4f} = REL {self.reliability:.4f} - RES {self.resolution:.4f}"
            f" + UNC {self.uncertainty:.4f} + {self.residual:.4f}, skill={self.skill:.3f}, "
            f"n={self.n})"
        )


def brier_score(
    y_true: Any,
    prob: Any,
    *,
    bins: int | None = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
) -> BrierScore:
    """Brier score of churn probabilities, its decomposition and its skill against the base rate.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 / True where the customer churned.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities, aligned by position.
    bins : int or None, default 10
        Bins for reliability and resolution (see :func:`calibration_table`); None groups by each
        distinct predicted value, which makes the decomposition exact.
    strategy : {"quantile", "uniform"}, default "quantile"
        How the bins are formed when ``bins`` is an integer.

    Returns
    -------
    BrierScore

    References
    ----------
    Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. Monthly
    Weather Review 78(1), 1-3. Murphy (1973), see the module docstring.
    """
    y, p = check_labels(y_true, prob, values_name="prob", probability=True)
    yf = y.astype(float)
    if bins is None:
        group = np.unique(p, return_inverse=True)[1]
    else:
        group = _calibration_bins(p, _check_bins(bins), strategy)
    frame = pd.DataFrame({"g": group, "p": p, "y": yf})
    per_bin = frame.groupby("g").agg(n=("y", "size"), p=("p", "mean"), o=("y", "mean"))
    n = len(yf)
    base = float(yf.mean())
    brier = float(np.mean((p - yf) ** 2))
    w = per_bin["n"].to_numpy() / n
    reliability = float(np.sum(w * (per_bin["p"] - per_bin["o"]) ** 2))
    resolution = float(np.sum(w * (per_bin["o"] - base) ** 2))
    uncertainty = base * (1 - base)
    residual = brier - (reliability - resolution + uncertainty)
    skill = 1 - brier / uncertainty if uncertainty > 0 else float("nan")
    return BrierScore(
        brier=brier,
        reliability=reliability,
        resolution=resolution,
        uncertainty=uncertainty,
        residual=residual,
        skill=skill,
        base_rate=base,
        n=n,
        bins=len(per_bin),
    )
