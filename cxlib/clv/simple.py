"""A simple CLV for the CFO, what more retention is worth, and the same when customers differ.

Where no purchase model is at hand, the customer lifetime value of Gupta & Lehmann (2003) needs
three numbers: a yearly margin ``m`` per customer, the yearly retention rate ``r`` and a discount
rate ``i``. A customer pays ``m`` now and again each year they stay, so

    CLV = m (1 + i) / (1 + i - r)        (margin per year in the data's currency).

:func:`retention_value` estimates ``m`` and ``r`` from a customer table (each customer's margin
in the next year and whether they were kept) and shows what ``uplift`` more points of retention
would add, with percentile intervals from resampling customers (both ``m`` and ``r`` vary).

That formula treats every customer as having the same retention ``r`` for ever. Customers differ:
the risky ones leave first, the base's retention rises with time, and the gain from "5 points
more" is smaller than the formula says (Fader & Hardie 2010). :func:`retention_gain` computes it
for customers with their own churn probabilities (known in a simulation, or drawn from a fitted
distribution, as :meth:`cxlib.clv.ShiftedBetaGeometric.retention_uplift` does), and
:func:`discounted_payments` values any retention curve, e.g. a Kaplan-Meier curve within the data.

References
----------
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing 17(1),
9-24.
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the perils
of ignoring heterogeneity. Marketing Science 29(1), 85-93.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from cxlib.estimate import z_value
from cxlib.validate import CXDataError, check_choice, check_no_missing, check_numeric, check_range

__all__ = [
    "RetentionGain",
    "RetentionValue",
    "discounted_payments",
    "retention_gain",
    "retention_value",
    "simple_clv",
]


def simple_clv(margin_per_year: Any, retention: Any, *, discount_rate: float) -> Any:
    """CLV = m (1 + i) / (1 + i - r) of Gupta & Lehmann (2003), vectorised.

    ``margin_per_year`` in the data's currency, ``retention`` a rate in [0, 1] (yearly),
    ``discount_rate`` yearly (0.10 = 10 %). The first year's margin is counted undiscounted.

    Examples
    --------
    >>> round(simple_clv(100.0, 0.8, discount_rate=0.10), 2)
    366.67
    """
    r = np.asarray(retention, dtype=float)
    if np.any((r < 0) | (r > 1)) or not discount_rate > 0:
        raise CXDataError("retention must be a rate in [0, 1] and discount_rate > 0.")
    value = np.asarray(margin_per_year, dtype=float) * (1 + discount_rate) / (1 + discount_rate - r)
    return float(value) if value.ndim == 0 else value


@dataclass(frozen=True)
class RetentionValue:
    """The simple CLV now and at ``uplift_pp`` more points of retention, with intervals.

    Attributes
    ----------
    table : DataFrame
        Rows ``retention (%)``, ``margin per customer and year``, ``CLV now``,
        ``CLV at +<uplift> pp retention``, ``gain per customer`` (money in the data's currency);
        columns ``estimate, ci_low, ci_high`` (bootstrap percentile interval at ``level``).
    gain, gain_share : float
        Gain per customer (currency) and as a share of today's CLV (0.24 = +24 %).
    n, n_boot, level, uplift_pp, discount_rate
        Customers, resamples, confidence level, retention uplift in percent points, yearly
        discount rate.
    """

    table: pd.DataFrame
    gain: float
    gain_share: float
    n: int
    n_boot: int
    level: float
    uplift_pp: float
    discount_rate: float

    def __repr__(self) -> str:
        return (
            f"RetentionValue(+{self.uplift_pp:g} pp retention: +{self.gain:,.0f} per customer "
            f"({self.gain_share:+.0%}), n={self.n}, {self.n_boot} resamples)"
        )

    def _repr_html_(self) -> str:
        return str(self.table.to_html())


def retention_value(
    margin_per_year: Any,
    retained: Any,
    *,
    uplift_pp: float = 5.0,
    discount_rate: float = 0.10,
    n_boot: int = 1000,
    seed: Any = 0,
    level: float = 0.95,
    currency: str = "",
) -> RetentionValue:
    """What ``uplift_pp`` more points of yearly retention are worth, by the simple CLV.

    Parameters
    ----------
    margin_per_year : array-like of float
        Each customer's margin over the next year (currency), e.g. margin x revenue.
    retained : array-like of bool or 0/1
        Whether each customer was still a customer a year later.
    uplift_pp : float, default 5
        Retention uplift in percent points (retention is capped at 100 %).
    discount_rate : float, default 0.10
        Yearly discount rate.
    n_boot : int, default 1000
        Bootstrap resamples of customers (rows drawn with replacement, ``seed``).
    seed : int or numpy.random.Generator
    level : float
        Confidence level of the percentile intervals.
    currency : str, optional
        Shown in the labels of the money rows, e.g. "EUR".
    """
    z_value(level)  # checks the level
    frame = pd.DataFrame({"margin_per_year": np.asarray(margin_per_year),
                          "retained": np.asarray(retained)})  # fmt: skip
    for column in frame.columns:
        check_no_missing(frame, column)
    check_numeric(frame, "margin_per_year")
    check_choice(frame, "retained", [0, 1, True, False])
    if len(frame) == 0:
        raise CXDataError("retention_value needs at least one customer.")
    m = frame["margin_per_year"].to_numpy(dtype=float)
    kept = frame["retained"].to_numpy(dtype=float)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 2:
        raise CXDataError(f"n_boot must be a whole number >= 2; got {n_boot!r}.")
    uplift = uplift_pp / 100
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(m), size=(n_boot, len(m)))
    m_b, r_b = m[idx].mean(axis=1), kept[idx].mean(axis=1)
    m_hat, r_hat = float(m.mean()), float(kept.mean())

    def rows(margin: Any, r: Any) -> list[Any]:
        now = simple_clv(margin, r, discount_rate=discount_rate)
        later = simple_clv(margin, np.minimum(r + uplift, 1.0), discount_rate=discount_rate)
        return [100 * np.asarray(r), margin, now, later, later - now]

    alpha = (1 - level) / 2
    boot = rows(m_b, r_b)
    table = pd.DataFrame(
        {
            "estimate": [float(v) for v in rows(m_hat, r_hat)],
            "ci_low": [float(np.quantile(v, alpha)) for v in boot],
            "ci_high": [float(np.quantile(v, 1 - alpha)) for v in boot],
        },
        index=[
            "retention (%)",
            "margin per customer and year",
            "CLV now",
            f"CLV at +{uplift_pp:g} pp retention",
            "gain per customer",
        ],
    )
    gain = float(table.loc["gain per customer", "estimate"])
    share = gain / float(table.loc["CLV now", "estimate"])
    if currency:
        table.index = [*table.index[:1], *(f"{label} ({currency})" for label in table.index[1:])]
    return RetentionValue(
        table,
        gain,
        share,
        len(m),
        n_boot,
        level,
        float(uplift_pp),
        float(discount_rate),
    )


def _per_period_rate(discount_rate: float, periods_per_year: Any) -> float:
    """The per-period equivalent of a yearly discount rate, after checking both."""
    if not (isinstance(discount_rate, int | float) and discount_rate > 0):
        raise CXDataError(f"discount_rate must be a yearly rate > 0; got {discount_rate!r}.")
    if (
        isinstance(periods_per_year, bool)
        or not isinstance(periods_per_year, int | np.integer)
        or periods_per_year < 1
    ):
        raise CXDataError(
            f"periods_per_year must be a whole number >= 1; got {periods_per_year!r}."
        )
    return float((1 + discount_rate) ** (1 / int(periods_per_year)) - 1)


def discounted_payments(
    survival: Any, *, discount_rate: float = 0.10, periods_per_year: int = 1
) -> float:
    """Expected discounted payments of a new customer, from a retention curve.

    A customer pays once per period, at its start, while still a customer: with ``S(t)`` the
    share of a cohort still a customer at the start of period ``t`` (``S(0) = 1``), the expected
    number of payments, each discounted to today, is ``sum_t S(t) / (1 + d)^t`` over the periods
    given, ``d`` the per-period equivalent of the yearly ``discount_rate``. Multiply by the margin
    per period for the lifetime value *within* the periods given: for a Kaplan-Meier curve this is
    the value the data show, without any projection beyond them.

    Parameters
    ----------
    survival : array-like of float in [0, 1]
        ``S(0), S(1), ...``: the curve at the start of each period (non-increasing, no gaps).
    discount_rate : float, default 0.10
        Yearly discount rate.
    periods_per_year : int, default 1
        12 for a monthly curve.

    Returns
    -------
    float
        Discounted payments (in periods' worth of margin).

    Examples
    --------
    >>> round(discounted_payments([1.0, 0.8, 0.64], discount_rate=0.10), 4)  # 1 + .8/1.1 + .64/1.21
    2.2562
    """
    d = _per_period_rate(discount_rate, periods_per_year)
    frame = pd.DataFrame({"survival": np.asarray(survival, dtype=float).ravel()})
    if frame.empty:
        raise CXDataError("survival needs at least one period (S(0) = 1).")
    check_no_missing(frame, "survival")
    check_range(frame, "survival", low=0, high=1)
    s = frame["survival"].to_numpy()
    return float(np.sum(s / (1 + d) ** np.arange(len(s))))


@dataclass(frozen=True)
class RetentionGain:
    """What more one-year retention is worth when every customer has her own churn risk.

    Attributes
    ----------
    retention, target : float
        Mean one-year retention of the customers now, and ``retention + uplift`` (rates in
        [0, 1]).
    churn_scale : float
        The factor on every customer's churn probability that reaches ``target`` (NaN when the
        target is 1 or more: impossible).
    value_now, value_after : float
        Mean lifetime value per customer now and at the target, discounted (in the unit of
        ``margin`` per period; periods' worth of payments when ``margin`` is 1).
    gain, gain_share : float
        ``value_after - value_now`` per customer, and as a share of ``value_now`` (0.16 = +16 %).
    n, periods_per_year, discount_rate, uplift
        Customers, periods per year, yearly discount rate, uplift in retention (a rate).
    """

    retention: float
    target: float
    churn_scale: float
    value_now: float
    value_after: float
    gain: float
    gain_share: float
    n: int
    periods_per_year: int
    discount_rate: float
    uplift: float

    def __repr__(self) -> str:
        return (
            f"RetentionGain(one-year retention {self.retention:.3f} -> {self.target:.3f}: churn x "
            f"{self.churn_scale:.3f}, value per customer {self.value_now:,.4g} -> "
            f"{self.value_after:,.4g} ({self.gain_share:+.1%}), n={self.n})"
        )


def retention_gain(
    churn_prob: Any,
    margin: Any = 1.0,
    *,
    uplift: float = 0.05,
    discount_rate: float = 0.10,
    periods_per_year: int = 1,
) -> RetentionGain:
    """What ``uplift`` more one-year retention is worth for customers with their own churn risk.

    Customer ``i`` leaves at the end of each period with her own constant probability
    ``theta_i`` and pays ``m_i`` at the start of every period she is a customer, so her expected
    discounted lifetime value is (payments at period starts, ``d`` per period)::

        CLV_i = m_i * sum_{t >= 0} ((1 - theta_i) / (1 + d))^t = m_i (1 + d) / (d + theta_i)

    The base's one-year retention is ``mean_i (1 - theta_i)^P`` (``P`` periods a year). A
    retention programme is taken to remove the same share of every customer's risk: every
    ``theta_i`` is scaled by one factor ``k``, found (Brent's method) so that one-year retention
    rises by ``uplift``; the result compares ``mean_i CLV_i`` before and after. With a single
    churn probability for all and yearly periods this is the textbook formula of
    :func:`simple_clv`: ``gain_share = (1 + d - r) / (1 + d - r - uplift) - 1``. With differing
    risks the gain is smaller, because much of the scaling goes to customers who leave soon
    anyway (Fader & Hardie 2010); :meth:`cxlib.clv.ShiftedBetaGeometric.retention_uplift` is this
    function on the sBG's Beta distribution of churn probabilities.

    Parameters
    ----------
    churn_prob : array-like of float in [0, 1]
        Each customer's churn probability per period.
    margin : float or array-like of float, default 1.0
        Each customer's margin per period (currency), or one value for all; 1 gives values in
        periods' worth of payments.
    uplift : float, default 0.05
        Rise in one-year retention, a rate in (0, 1) (0.05 = 5 percentage points).
    discount_rate : float, default 0.10
        Yearly discount rate.
    periods_per_year : int, default 1
        12 when ``churn_prob`` and ``margin`` are per month.

    Returns
    -------
    RetentionGain
        All NaN but ``retention`` and ``target`` when the target is 1 or more (impossible).

    Examples
    --------
    >>> g = retention_gain([0.2], uplift=0.05, discount_rate=0.10)  # one risk: the textbook formula
    >>> round(g.gain_share, 4), round((1.1 - 0.8) / (1.1 - 0.85) - 1, 4)
    (0.2, 0.2)
    >>> round(retention_gain([0.05, 0.35], uplift=0.05).gain_share, 3)  # same mean risk: less
    0.129
    """
    d = _per_period_rate(discount_rate, periods_per_year)
    if not (isinstance(uplift, int | float) and 0 < uplift < 1):
        raise CXDataError(f"uplift must be a rate in (0, 1); got {uplift!r}.")
    theta = np.asarray(churn_prob, dtype=float).ravel()
    frame = pd.DataFrame({"churn_prob": theta})
    if frame.empty:
        raise CXDataError("retention_gain needs at least one customer.")
    check_no_missing(frame, "churn_prob")
    check_range(frame, "churn_prob", low=0, high=1)
    m = np.broadcast_to(np.asarray(margin, dtype=float), theta.shape)
    margins = pd.DataFrame({"margin": m.ravel()})
    check_no_missing(margins, "margin")
    year = int(periods_per_year)

    def retention(k: float) -> float:
        return float(np.mean((1 - k * theta) ** year))

    def value(k: float) -> float:
        return float(np.mean(m * (1 + d) / (d + k * theta)))

    now, target = retention(1.0), retention(1.0) + uplift
    nan = float("nan")
    if target >= 1:  # retention already above 1 - uplift: the uplift is impossible
        return RetentionGain(
            now, target, nan, nan, nan, nan, nan, len(theta), year, float(discount_rate), uplift
        )
    k = float(optimize.brentq(lambda k: retention(k) - target, 0.0, 1.0, xtol=1e-14))
    before, after = value(1.0), value(k)
    return RetentionGain(
        retention=now,
        target=target,
        churn_scale=k,
        value_now=before,
        value_after=after,
        gain=after - before,
        gain_share=after / before - 1,
        n=len(theta),
        periods_per_year=year,
        discount_rate=float(discount_rate),
        uplift=float(uplift),
    )
