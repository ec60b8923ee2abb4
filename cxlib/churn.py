"""Churn (Kundenabwanderung) model evaluation and contractual retention models.

Evaluation of a churn score on labelled customers, from ranking to money:

- :func:`lift_table`: lift and cumulative gains by score decile, ties never split between deciles.
- :func:`calibration_table` and :func:`brier_score`: do predicted probabilities mean what they say?
  Brier score with Murphy's decomposition and the skill against always predicting the base rate.
- :func:`campaign_profit`: profit of a retention campaign for every targeted fraction, and the
  best fraction and threshold (the maximum-profit idea of Verbraken, Verbeke & Baesens 2013).

Retention of a cohort in a contractual setting:

- :class:`ShiftedBetaGeometric`: the sBG model of Fader & Hardie (2007), fitted on a retention
  curve (customers alive per period) or on individual durations with right censoring.

Labels ``y_true`` are 0/1 or bool (1 / True = the customer churned); scores and probabilities
are aligned with them by position. Inputs are never modified.

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. Journal of Interactive
Marketing 21(1), 76-90.
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the perils
of ignoring heterogeneity. Marketing Science 29(1), 85-93.
Murphy, A. H. (1973). A new vector partition of the probability score. Journal of Applied
Meteorology 12(4), 595-600.
Verbraken, T., Verbeke, W. & Baesens, B. (2013). A novel profit maximizing metric for measuring
classification performance of customer churn prediction models. IEEE Transactions on Knowledge
and Data Engineering 25(5), 961-973.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special

from cxlib.estimate import z_value
from cxlib.fitting import maximise, warn_not_converged
from cxlib.metrics import share_ci
from cxlib.validate import (
    CXDataError,
    check_choice,
    check_integer,
    check_no_missing,
    check_numeric,
    check_range,
    fail_rows,
    to_series,
)

__all__ = [
    "BrierScore",
    "CampaignProfit",
    "ShiftedBetaGeometric",
    "brier_score",
    "calibration_table",
    "campaign_profit",
    "lift_table",
]

_STRATEGIES = ("quantile", "uniform")


# ----------------------------------------------------------------------------- input checks
def _labels_and_values(
    y_true: Any, values: Any, *, name: str, probability: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Check labels (0/1 or bool) and scores/probabilities; return them as bool and float arrays."""
    y = to_series(y_true, name="y_true")
    v = to_series(values, name=name)
    if len(y) != len(v):
        raise CXDataError(
            f"y_true and {name} must have the same length (one value per customer); "
            f"got {len(y)} and {len(v)}."
        )
    if len(y) == 0:
        raise CXDataError("y_true is empty: at least one customer is needed.")
    frame = pd.DataFrame({"y_true": y.to_numpy(), name: v.to_numpy()}, index=y.index)
    check_no_missing(frame, "y_true")
    check_choice(frame, "y_true", [0, 1, True, False])
    check_no_missing(frame, name)
    check_numeric(frame, name)
    values_arr = frame[name].to_numpy(dtype=float)
    fail_rows(frame, ~np.isfinite(values_arr), name, "hold finite numbers")
    if probability:
        check_range(frame, name, low=0, high=1)
    return frame["y_true"].to_numpy().astype(bool), values_arr


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


# ----------------------------------------------------------------------------- lift and gains
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
    y, s = _labels_and_values(y_true, score, name="score", probability=False)
    bins = _check_bins(bins)
    n_churners = int(y.sum())
    if n_churners == 0:
        raise CXDataError("y_true has no churners (no 1 / True): lift and gains are undefined.")
    base_rate = n_churners / len(y)
    frame = pd.DataFrame({"bin": _tie_safe_bins(s, bins, descending=True), "score": s, "y": y})
    table = (
        frame.groupby("bin", sort=True)
        .agg(
            score_min=("score", "min"),
            score_max=("score", "max"),
            customers=("y", "size"),
            churners=("y", "sum"),
        )
        .reset_index()
    )
    table["churners"] = table["churners"].astype(np.int64)
    table["churn_rate"] = table["churners"] / table["customers"]
    table["lift"] = table["churn_rate"] / base_rate
    table["cum_customers_share"] = table["customers"].cumsum() / len(y)
    table["gains"] = table["churners"].cumsum() / n_churners
    table["cum_lift"] = table["gains"] / table["cum_customers_share"]
    return table


# ----------------------------------------------------------------------------- calibration
def _calibration_bins(p: np.ndarray, bins: int, strategy: str) -> np.ndarray:
    if strategy not in _STRATEGIES:
        raise CXDataError(
            f"The 'strategy' parameter must be one of {set(_STRATEGIES)}. Got {strategy!r} instead."
        )
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
    y, p = _labels_and_values(y_true, prob, name="prob", probability=True)
    bins = _check_bins(bins)
    frame = pd.DataFrame({"bin": _calibration_bins(p, bins, strategy), "p": p, "y": y})
    table = (
        frame.groupby("bin", sort=True)
        .agg(
            prob_min=("p", "min"),
            prob_max=("p", "max"),
            n=("y", "size"),
            churners=("y", "sum"),
            mean_predicted=("p", "mean"),
        )
        .reset_index()
    )
    table["churners"] = table["churners"].astype(np.int64)
    table["observed_rate"] = table["churners"] / table["n"]
    low_pct, high_pct = share_ci(table["churners"], table["n"], level=level, method="wilson")
    table["ci_low"] = low_pct / 100
    table["ci_high"] = high_pct / 100
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
    y, p = _labels_and_values(y_true, prob, name="prob", probability=True)
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


# ----------------------------------------------------------------------------- campaign profit
@dataclass(frozen=True)
class CampaignProfit:
    """Profit of a retention campaign that targets the customers with the highest churn scores.

    Attributes
    ----------
    curve : DataFrame
        One row per possible threshold (targeting everyone whose probability is at least
        ``threshold``; first row: nobody, threshold = inf): ``threshold``, ``targeted``,
        ``targeted_share`` (fraction of customers, in [0, 1]), ``churners_targeted``, ``profit``
        (total, in the currency of ``value``), ``profit_per_customer`` (total / all customers).
    best_threshold, best_share, best_profit : float
        Where ``profit`` is highest (the smallest campaign among equals).
    value, contact_cost, incentive_cost, acceptance_rate : float
        The settings used.
    assumptions : str
        The assumptions behind the profit formula, in words.
    """

    curve: pd.DataFrame
    best_threshold: float
    best_share: float
    best_profit: float
    value: float
    contact_cost: float
    incentive_cost: float
    acceptance_rate: float
    assumptions: str = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"CampaignProfit(best: target {self.best_share:.1%} (prob >= {self.best_threshold:.3f})"
            f" for profit {self.best_profit:,.0f}; value={self.value:g}, contact_cost="
            f"{self.contact_cost:g}, incentive_cost={self.incentive_cost:g}, "
            f"acceptance_rate={self.acceptance_rate:g})"
        )

    def at_threshold(self, threshold: float) -> pd.Series:
        """The curve's row for targeting everyone with probability >= ``threshold``."""
        rows = self.curve[self.curve["threshold"] >= threshold]
        return rows.iloc[-1]


_PROFIT_ASSUMPTIONS = (
    "Every targeted customer costs contact_cost. A targeted would-be churner accepts the offer "
    "with probability acceptance_rate, then stays and is worth value minus incentive_cost; one who "
    "declines leaves (worth 0). A targeted customer who would have stayed anyway accepts the "
    "incentive too (cost incentive_cost, no gain). Customers not targeted behave as labelled. "
    "No fixed campaign cost; the labelled customers stand for the population "
    "(Neslin et al. 2006; Verbraken, Verbeke & Baesens 2013, maximum profit with a fixed "
    "acceptance rate)."
)


def campaign_profit(
    y_true: Any,
    prob: Any,
    *,
    value: float,
    contact_cost: float,
    incentive_cost: float,
    acceptance_rate: float,
) -> CampaignProfit:
    """Profit of a retention campaign for every targeted fraction, and the most profitable one.

    Customers are targeted from the highest churn probability down; a threshold ``t`` targets
    everyone with ``prob >= t``, so tied customers are targeted together. For ``k`` churners and
    ``m`` non-churners targeted, the profit is (Verbraken, Verbeke & Baesens 2013, eq. 4, with
    CLV = ``value``, d = ``incentive_cost``, f = ``contact_cost``, gamma = ``acceptance_rate``)::

        profit = k * (gamma * (value - incentive_cost) - contact_cost)
                 - m * (incentive_cost + contact_cost)

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 / True where the customer churned (e.g. on a held-out set).
    prob : array-like of float in [0, 1]
        Predicted churn probabilities, aligned by position.
    value : float
        Value of a retained customer (e.g. remaining customer lifetime value), in currency.
    contact_cost : float
        Cost of contacting one customer, in the same currency.
    incentive_cost : float
        Cost of the retention incentive for one customer who accepts it.
    acceptance_rate : float
        Probability that a would-be churner accepts the offer and stays, in [0, 1].

    Returns
    -------
    CampaignProfit
        The profit curve, the best threshold and share, and the assumptions in words.
    """
    y, p = _labels_and_values(y_true, prob, name="prob", probability=True)
    settings = pd.DataFrame(
        {
            "value": [value],
            "contact_cost": [contact_cost],
            "incentive_cost": [incentive_cost],
            "acceptance_rate": [acceptance_rate],
        }
    )
    for col in settings.columns:
        try:
            settings[col] = settings[col].astype(float)
        except (TypeError, ValueError):
            got = settings[col][0]
            raise CXDataError(f"The '{col}' parameter must be a number. Got {got!r}.") from None
        fail_rows(settings, ~np.isfinite(settings[col].to_numpy()), col, "be a finite number")
        check_range(settings, col, low=0, high=1 if col == "acceptance_rate" else None)
    gain_churner = acceptance_rate * (value - incentive_cost) - contact_cost
    loss_stayer = incentive_cost + contact_cost
    # one row per distinct probability, highest first; tied customers are targeted together
    uniq, inverse = np.unique(-p, return_inverse=True)
    churners_at = np.bincount(inverse, weights=y.astype(float), minlength=len(uniq))
    n_at = np.bincount(inverse, minlength=len(uniq)).astype(float)
    targeted = np.concatenate([[0.0], np.cumsum(n_at)])
    churners = np.concatenate([[0.0], np.cumsum(churners_at)])
    profit = churners * gain_churner - (targeted - churners) * loss_stayer
    curve = pd.DataFrame(
        {
            "threshold": np.concatenate([[np.inf], -uniq]),
            "targeted": targeted.astype(np.int64),
            "targeted_share": targeted / len(p),
            "churners_targeted": churners.astype(np.int64),
            "profit": profit,
            "profit_per_customer": profit / len(p),
        }
    )
    best = int(np.argmax(profit))  # first maximum = smallest campaign among equals
    return CampaignProfit(
        curve=curve,
        best_threshold=float(curve["threshold"].iloc[best]),
        best_share=float(curve["targeted_share"].iloc[best]),
        best_profit=float(profit[best]),
        value=float(value),
        contact_cost=float(contact_cost),
        incentive_cost=float(incentive_cost),
        acceptance_rate=float(acceptance_rate),
        assumptions=_PROFIT_ASSUMPTIONS,
    )


# ----------------------------------------------------------------------------- shifted-beta-geometr
class ShiftedBetaGeometric:
    """Shifted-beta-geometric (sBG) model of retention in a contractual setting.

    Each customer renews at the end of every period with her own probability ``1 - theta`` and
    leaves for good at the first non-renewal (geometric lifetime, ``T >= 1`` periods); churn
    probabilities ``theta`` vary between customers as Beta(alpha, beta). Then (Fader & Hardie
    2007, eqs. 4-7)::

        P(T = t)  = B(alpha + 1, beta + t - 1) / B(alpha, beta)
        S(t)      = B(alpha, beta + t) / B(alpha, beta)          (still a customer after t periods)
        r(t)      = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

    The retention rate ``r(t)`` rises with ``t`` although no customer's own probability changes:
    the customers with high ``theta`` leave first (heterogeneity, not growing loyalty).

    Where the data show no heterogeneity, the likelihood rises without end as alpha and beta grow
    with their ratio fixed: its maximum is the limit alpha, beta -> infinity, in which every
    customer has the same churn probability ``p = churn_mean_`` (a geometric lifetime,
    ``polarization_ = 0``). The fit recognises this case (the score for heterogeneity at the
    geometric maximum is not positive), reports ``alpha = beta = inf`` and predicts from the
    limit: ``S(t) = (1 - p)^t``, ``r(t) = 1 - p``.

    Parameters
    ----------
    time_unit : str, default "period"
        What one period is ("year", "month"); shown in ``repr`` and ``summary``.
    level : float, default 0.95
        Confidence level of the intervals in :meth:`summary`.
    start : dict, optional
        Starting values of ``alpha`` and ``beta`` for the fit; default 1 and 1.

    Attributes
    ----------
    params_ : Series
        ``alpha`` and ``beta``.
    loglik_ : float
        Maximised log-likelihood.
    converged_ : bool
        Whether the fit reached a unique maximum (Newton-polished, gradient checked; see
        :mod:`cxlib.fitting`). A :class:`~cxlib.fitting.ConvergenceWarning` says why not.
    n_obs_ : int
        Customers in the data.
    n_periods_ : int
        Periods observed (length of the curve minus one, or the longest duration).
    churn_mean_ : float
        Mean churn probability per period, alpha / (alpha + beta).
    polarization_ : float
        Polarization index 1 / (alpha + beta + 1) in [0, 1): 0 when all customers share one
        churn probability, towards 1 when each either stays for ever or leaves at once (Fader,
        Hardie, Liu, Davin & Steenburgh 2018).

    Examples
    --------
    >>> alive = [1000, 631, 468, 382, 326, 289, 262, 241]  # Fader & Hardie 2007, "regular"
    >>> m = ShiftedBetaGeometric(time_unit="year").fit(alive)
    >>> m.params_.round(3).tolist()
    [0.704, 1.182]
    """

    def __init__(
        self,
        *,
        time_unit: str = "period",
        level: float = 0.95,
        start: dict[str, float] | None = None,
    ) -> None:
        self.time_unit = time_unit
        self.level = level
        self.start = start

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"ShiftedBetaGeometric(time_unit={self.time_unit!r}, unfitted)"
        a, b = self.params_
        return (
            f"ShiftedBetaGeometric(alpha={a:.4g}, beta={b:.4g}, loglik={self.loglik_:.1f}, "
            f"n={self.n_obs_}, time_unit={self.time_unit!r})"
        )

    @property
    def churn_mean_(self) -> float:
        """Mean churn probability per period, alpha / (alpha + beta) (the limit p if infinite)."""
        a, b = self._check_fitted()
        return self._p if self._homogeneous else a / (a + b)

    @property
    def polarization_(self) -> float:
        """Polarization index 1 / (alpha + beta + 1): 0 = one churn probability for all."""
        a, b = self._check_fitted()
        return 0.0 if self._homogeneous else 1 / (a + b + 1)

    # -- likelihood -------------------------------------------------------------------------
    @staticmethod
    def _log_surv(t: np.ndarray, a: float, b: float) -> np.ndarray:
        """log S(t) = log B(a, b + t) - log B(a, b).

        For whole t as -sum_{i<t} log1p(a / (b + i)) (product of the retention rates), which
        stays exact where alpha and beta are huge and the beta functions would cancel.
        """
        t = np.asarray(t, dtype=float)
        if t.size and np.all(t == np.round(t)) and t.max() <= 1e6:
            steps = np.log1p(a / (b + np.arange(int(t.max()))))
            return np.concatenate([[0.0], -np.cumsum(steps)])[t.astype(np.int64)]
        return special.betaln(a, b + t) - special.betaln(a, b)

    @classmethod
    def _log_pmf(cls, t: np.ndarray, a: float, b: float) -> np.ndarray:
        """log P(T = t) = log S(t - 1) + log(alpha / (alpha + beta + t - 1))."""
        t = np.asarray(t, dtype=float)
        return cls._log_surv(t - 1, a, b) + np.log(a) - np.log(a + b + t - 1)

    def _loglik(self, log_params: np.ndarray) -> float:
        return self._loglik_and_gradient(log_params)[0]

    def _loglik_and_gradient(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (log alpha, log beta).

        With u_i = alpha / (alpha + beta + i): d log S(t) / d log alpha = -sum_{i<t} u_i and
        d log S(t) / d log beta = sum_{i<t} u_i beta / (beta + i); the last step of P(T = t)
        adds (beta + t - 1) / (alpha + beta + t - 1) and -beta / (alpha + beta + t - 1).
        Computed once for periods 0..max and indexed by each customer's period.
        """
        a, b = np.exp(log_params)
        lt, lw, ct, cw = self._lost_t, self._lost_w, self._cens_t, self._cens_w
        i = np.arange(self.n_periods_ + 1, dtype=float)
        u = a / (a + b + i)
        log_s = np.concatenate([[0.0], -np.cumsum(np.log1p(a / (b + i)))])
        ds_a = np.concatenate([[0.0], -np.cumsum(u)])
        ds_b = np.concatenate([[0.0], np.cumsum(u * b / (b + i))])
        lost, cens = lt.astype(np.int64), ct.astype(np.int64)
        last = a + b + lt - 1
        ll = np.sum(lw * (log_s[lost - 1] + np.log(a) - np.log(last))) + np.sum(cw * log_s[cens])
        g_a = np.sum(lw * (ds_a[lost - 1] + (b + lt - 1) / last)) + np.sum(cw * ds_a[cens])
        g_b = np.sum(lw * (ds_b[lost - 1] - b / last)) + np.sum(cw * ds_b[cens])
        return float(ll), np.array([g_a, g_b])

    # -- fitting ----------------------------------------------------------------------------
    def fit(
        self,
        alive: Any = None,
        *,
        durations: Any = None,
        churned: Any = None,
    ) -> ShiftedBetaGeometric:
        """Fit alpha and beta by maximum likelihood.

        Give either ``alive`` or ``durations`` with ``churned``.

        Parameters
        ----------
        alive : array-like of int, optional
            Customers of one cohort still active at the start (period 0) and after each period
            1, 2, ...; non-increasing. Those lost between ``t - 1`` and ``t`` have ``T = t``;
            those alive at the last period are right-censored.
        durations : array-like of int, optional
            Per customer, whole periods as a customer (>= 0). With ``churned`` True the customer
            left after that many periods (``T = duration``, must be >= 1); with False she was
            still a customer (censored: ``T > duration``).
        churned : array-like of 0/1 or bool, optional
            Whether each customer has left; aligned with ``durations`` by position.

        Returns
        -------
        self
        """
        if (alive is None) == (durations is None):
            raise CXDataError(
                "Give either 'alive' (a retention curve) or 'durations' with 'churned'."
            )
        if alive is not None:
            self._set_curve(alive)
        else:
            self._set_durations(durations, churned)
        start = self.start or {"alpha": 1.0, "beta": 1.0}
        with np.errstate(invalid="ignore", divide="ignore"):
            theta0 = np.log([start.get("alpha", np.nan), start.get("beta", np.nan)])
        if set(start) != {"alpha", "beta"} or not np.all(np.isfinite(theta0)):
            raise CXDataError(f"start must give positive 'alpha' and 'beta'; got {start!r}.")
        result = maximise(
            self._loglik, theta0, n_obs=self.n_obs_, value_and_grad=self._loglik_and_gradient
        )
        self._homogeneous = False
        self._p = self._geometric_p()
        if self._geometric_is_maximum(self._p, result.loglik if result.converged else -np.inf):
            self._homogeneous = True
            self.params_ = pd.Series({"alpha": np.inf, "beta": np.inf}, name="estimate")
            self.loglik_ = self._geometric_loglik(self._p)
            self.converged_ = True
            self._hessian = np.full((2, 2), np.nan)
            return self
        a, b = np.exp(result.theta)
        self.params_ = pd.Series({"alpha": a, "beta": b}, name="estimate")
        self.loglik_ = result.loglik
        self.converged_ = result.converged
        self._hessian = result.hessian
        warn_not_converged(type(self).__name__, result, ("alpha", "beta"))
        return self

    def _geometric_loglik(self, p: float) -> float:
        """Log-likelihood of the limit alpha, beta -> inf: one churn probability p for all."""
        lost = np.sum(self._lost_w * (special.xlogy(1, p) + special.xlog1py(self._lost_t - 1, -p)))
        return float(lost + np.sum(self._cens_w * special.xlog1py(self._cens_t, -p)))

    def _geometric_p(self) -> float:
        """Churn probability of the model without heterogeneity: churners / periods at risk."""
        at_risk = np.sum(self._lost_w * self._lost_t) + np.sum(self._cens_w * self._cens_t)
        return float(np.sum(self._lost_w) / at_risk) if at_risk > 0 else 0.0

    def _geometric_is_maximum(self, p: float, loglik: float) -> bool:
        """Whether the likelihood is highest at no heterogeneity (alpha, beta -> infinity).

        ``loglik`` is that of an interior maximum (-inf if the fit found none).
        ``p`` is the geometric maximum (:meth:`_geometric_p`). In the polarization index phi
        (the model at phi = 0 is the geometric one) the score at phi = 0 is
        sum_lost w [(t-1)(t-2)/2 p/(1-p) - (t-1)] + sum_censored w t(t-1)/2 p/(1-p);
        if it is not positive, heterogeneity lowers the likelihood and the limit is the maximum.
        """
        lt, lw, ct, cw = self._lost_t, self._lost_w, self._cens_t, self._cens_w
        if p >= 1:
            return False  # everyone left after one period: the limit is not geometric
        odds = p / (1 - p)
        score = np.sum(lw * ((lt - 1) * (lt - 2) / 2 * odds - (lt - 1)))
        score += np.sum(cw * ct * (ct - 1) / 2 * odds)
        return bool(score <= 1e-9 * max(1.0, self.n_obs_)) and self._geometric_loglik(p) >= loglik

    def _set_curve(self, alive: Any) -> None:
        s = to_series(alive, name="alive")
        frame = pd.DataFrame({"alive": s.to_numpy()})
        check_no_missing(frame, "alive")
        check_integer(frame, "alive")
        check_range(frame, "alive", low=0)
        n = frame["alive"].to_numpy(dtype=float)
        if len(n) < 2 or n[0] <= 0:
            raise CXDataError(
                "alive needs a positive start (period 0) and at least one later period."
            )
        fail_rows(
            frame,
            np.concatenate([[False], np.diff(n) > 0]),
            "alive",
            "not increase from one period to the next (one cohort, no new customers)",
        )
        self._lost_t = np.arange(1, len(n), dtype=float)
        self._lost_w = n[:-1] - n[1:]
        self._cens_t = np.array([len(n) - 1], dtype=float)
        self._cens_w = np.array([n[-1]])
        self.n_obs_ = int(n[0])
        self.n_periods_ = len(n) - 1

    def _set_durations(self, durations: Any, churned: Any) -> None:
        if churned is None:
            raise CXDataError("durations need 'churned' (True = left, False = still a customer).")
        c, d = _labels_and_values(churned, durations, name="durations", probability=False)
        frame = pd.DataFrame({"durations": d, "churned": c})
        check_integer(frame, "durations")
        check_range(frame, "durations", low=0)
        fail_rows(
            frame,
            c & (d < 1),
            ["durations", "churned"],
            "be at least 1 for churned customers (T counts periods as a customer)",
        )
        lost_t, lost_w = np.unique(d[c], return_counts=True)
        cens_t, cens_w = np.unique(d[~c], return_counts=True)
        self._lost_t, self._lost_w = lost_t.astype(float), lost_w.astype(float)
        self._cens_t, self._cens_w = cens_t.astype(float), cens_w.astype(float)
        self.n_obs_ = len(d)
        self.n_periods_ = int(d.max())

    def _check_fitted(self) -> tuple[float, float]:
        if not hasattr(self, "params_"):
            raise CXDataError("This ShiftedBetaGeometric is not fitted yet: call fit(...) first.")
        return float(self.params_["alpha"]), float(self.params_["beta"])

    # -- results ----------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """alpha and beta with standard errors and intervals.

        Standard errors come from the inverse of the Hessian of the log-likelihood at the maximum
        in (log alpha, log beta) (central differences of the analytic gradient); the interval is
        formed on the log scale and transformed back (so it stays positive), and ``se`` is the
        delta-method standard error on the original scale. In the limit of no heterogeneity
        (alpha = beta = inf) they are NaN: see ``churn_mean_``.
        """
        a, b = self._check_fitted()
        try:
            cov = np.linalg.inv(self._hessian) if self.converged_ else np.full((2, 2), np.nan)
        except np.linalg.LinAlgError:
            cov = np.full((2, 2), np.nan)
        se_log = np.sqrt(np.diag(cov))
        est = np.array([a, b])
        z = z_value(self.level)
        return pd.DataFrame(
            {
                "estimate": est,
                "se": est * se_log,
                "ci_low": est * np.exp(-z * se_log),
                "ci_high": est * np.exp(z * se_log),
                "level": self.level,
            },
            index=pd.Index(["alpha", "beta"], name="parameter"),
        )

    def _t(self, t: Any) -> np.ndarray:
        arr = np.asarray(t, dtype=float)
        if np.any(arr < 0) or not np.all(np.isfinite(arr)):
            raise CXDataError(f"t must be finite and >= 0 ({self.time_unit}s); got {t!r}.")
        return arr

    def survival(self, t: Any) -> np.ndarray:
        """S(t): share of a new cohort still a customer after ``t`` periods (S(0) = 1)."""
        a, b = self._check_fitted()
        if self._homogeneous:
            return np.exp(special.xlog1py(self._t(t), -self._p))
        return np.exp(self._log_surv(self._t(t), a, b))

    def churn_probability(self, t: Any) -> np.ndarray:
        """P(T = t): share of a new cohort lost at the end of period ``t`` (t >= 1)."""
        a, b = self._check_fitted()
        t = self._t(t)
        if np.any(t < 1):
            raise CXDataError("churn_probability needs t >= 1 (the first renewal is at t = 1).")
        if self._homogeneous:
            return self._p * np.exp(special.xlog1py(t - 1, -self._p))
        return np.exp(self._log_pmf(t, a, b))

    def retention_rate(self, t: Any) -> np.ndarray:
        """r(t) = S(t) / S(t - 1): share of those active after ``t - 1`` periods who renew at t."""
        a, b = self._check_fitted()
        t = self._t(t)
        if np.any(t < 1):
            raise CXDataError("retention_rate needs t >= 1.")
        if self._homogeneous:
            return np.full(t.shape, 1 - self._p)
        return (b + t - 1) / (a + b + t - 1)

    def expected_alive(self, t: Any) -> np.ndarray:
        """Expected customers still active after ``t`` periods out of the ``n_obs_`` fitted."""
        return self.n_obs_ * self.survival(t)

    def discounted_expected_residual_lifetime(
        self, *, discount_rate: float, renewals: Any = 0
    ) -> np.ndarray:
        """DERL: expected discounted number of future payments (Fader & Hardie 2010, eq. 6).

        A customer pays once per period, at its start. For one who has made ``renewals`` = n
        renewals (0 = a new customer who has just paid for period 1), the expected number of
        further payments, the next one a period from now, each discounted at ``d`` =
        ``discount_rate`` per period, is ``sum_k S(n + k) / S(n) / (1 + d)^k`` over k >= 1, in
        closed form::

            DERL = (beta + n) / (alpha + beta + n) / (1 + d)
                   * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))

        (Fader & Hardie 2010 count the next payment undiscounted, which multiplies by 1 + d.)
        Multiply by the margin per period for the residual lifetime value. The expected
        discounted lifetime of a new customer including the first payment is ``1 + DERL(0)``
        ``= 2F1(1, beta; alpha + beta; 1 / (1 + d))`` (their DEL). Without heterogeneity
        (alpha = beta = inf, churn probability p) it is ``(1 - p) / (d + p)`` for every n.
        """
        a, b = self._check_fitted()
        if not discount_rate > 0:
            raise CXDataError(
                f"discount_rate must be > 0 per {self.time_unit}; got {discount_rate!r}."
            )
        n = self._t(renewals)
        if self._homogeneous:
            return np.full(n.shape, (1 - self._p) / (discount_rate + self._p))
        x = 1 / (1 + discount_rate)
        return (b + n) / (a + b + n) * x * special.hyp2f1(1, b + n + 1, a + b + n + 1, x)
