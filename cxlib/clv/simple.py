"""A simple CLV for the CFO, and what more retention is worth, with bootstrap intervals.

Where no purchase model is at hand, the customer lifetime value of Gupta & Lehmann (2003) needs
three numbers: a yearly margin ``m`` per customer, the yearly retention rate ``r`` and a discount
rate ``i``. A customer pays ``m`` now and again each year they stay, so

    CLV = m (1 + i) / (1 + i - r)        (margin per year in the data's currency).

:func:`retention_value` estimates ``m`` and ``r`` from a customer table (each customer's margin
in the next year and whether they were kept) and shows what ``uplift`` more points of retention
would add, with percentile intervals from resampling customers (both ``m`` and ``r`` vary).

References
----------
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing 17(1),
9-24.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.estimate import z_value
from cxlib.validate import CXDataError, check_choice, check_no_missing, check_numeric

__all__ = ["RetentionValue", "retention_value", "simple_clv"]


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
