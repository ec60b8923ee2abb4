r"""What a tested change is worth: customer value gained per customer against its cost.

A retention action pays off through the customers it keeps and what they buy. A randomised test
observes a year, so the value of a customer is measured as

.. math:: V_i = m \cdot R_i + K_i \cdot W_i

with :math:`R_i` the revenue in the follow-up year, :math:`m` the margin, :math:`K_i` = 1 if the
customer is still a customer at its end and :math:`W_i` the customer lifetime value (*Kundenwert*)
of a customer kept, valued before the test (so the change cannot affect it):
:func:`customer_value`, with :func:`cxlib.clv.simple_clv` for :math:`W_i` by default.

:func:`value_return` compares the mean value per customer assigned to the change with the
control group: the value gained, the net gain after the cost per customer and the return on the
cost, each with a percentile interval from a bootstrap that resamples customers within each group
(stratified, so both groups keep their size).

References
----------
Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall (ch. 13,
    percentile intervals).
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing 17(1),
    9-24.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.clv.simple import simple_clv
from cxlib.estimate import z_value
from cxlib.experiment.adjustment import covariate_names, cuped_values
from cxlib.experiment.analysis import _numeric_outcome, treatment_mask, welch
from cxlib.validate import CXDataError, check_columns, check_no_missing

__all__ = ["ValueReturn", "customer_value", "value_return"]

#: Resamples drawn at once in :func:`value_return` (bounds the memory to chunk x customers).
CHUNK = 100


def customer_value(
    revenue: Any,
    retained: Any,
    margin_per_year_before: Any,
    *,
    margin: float,
    retention: float,
    discount_rate: float,
) -> np.ndarray:
    """Value of each customer at the end of a one-year test, discounted to its start.

    ``margin * revenue`` earned in the year plus, for a customer still retained, the simple CLV
    (Gupta & Lehmann 2003) of the years after, discounted by one year:
    ``simple_clv(margin_per_year_before, retention, discount_rate) / (1 + discount_rate)``.

    Parameters
    ----------
    revenue : array-like of float
        Revenue of each customer in the test year (currency).
    retained : array-like of bool or 0/1
        Whether the customer was still a customer at the end of the year.
    margin_per_year_before : array-like of float
        Each customer's margin in the year **before** the test (currency), the basis of the
        future value; measured before the assignment, so the change cannot move it.
    margin : float
        Margin on revenue, in [0, 1].
    retention : float
        Yearly retention rate assumed for the years after the test, in [0, 1) (e.g. the control
        group's).
    discount_rate : float
        Yearly discount rate (0.10 = 10 %).

    Returns
    -------
    ndarray
        Value per customer in the currency of ``revenue``.

    Examples
    --------
    >>> customer_value([100.0, 100.0], [True, False], [30.0, 30.0], margin=0.3,
    ...                retention=0.8, discount_rate=0.1).round(2).tolist()
    [130.0, 30.0]
    """
    rev = np.asarray(revenue, dtype=float)
    kept = np.asarray(retained)
    before = np.asarray(margin_per_year_before, dtype=float)
    if not rev.shape == kept.shape == before.shape or rev.ndim != 1:
        raise CXDataError("revenue, retained and margin_per_year_before must be 1-d and aligned.")
    if not np.all(np.isin(kept, [0, 1])):
        raise CXDataError("retained must be 0/1 or bool for every customer.")
    if not (np.all(np.isfinite(rev)) and np.all(np.isfinite(before))):
        raise CXDataError("revenue and margin_per_year_before must be finite numbers.")
    if not 0 <= margin <= 1 or not 0 <= retention < 1:
        raise CXDataError("margin must lie in [0, 1] and retention in [0, 1).")
    future = simple_clv(before, retention, discount_rate=discount_rate) / (1 + discount_rate)
    return np.asarray(margin * rev + kept.astype(float) * future, dtype=float)


@dataclass(frozen=True)
class ValueReturn:
    """Value gained by a tested change per customer assigned to it, against its cost.

    Attributes
    ----------
    table : DataFrame
        Rows ``value per customer, control``, ``value per customer, treatment``, ``value
        gained per customer``, ``net gain per customer`` (gained minus cost) and ``return on
        cost`` (net gain over cost, 0.5 = +50 %); columns ``estimate, ci_low, ci_high``
        (bootstrap percentile interval at ``level``).
    gain, net_gain, roi : float
        Point estimates: value gained, net gain (currency) and return on cost (a rate).
    cost : float
        Cost per customer assigned to the change (currency).
    welch : Comparison
        Welch's interval of the value gained, beside the bootstrap one.
    n_control, n_treatment, n_boot, level, currency
        Group sizes, resamples, confidence level and the currency label.
    """

    table: pd.DataFrame
    gain: float
    net_gain: float
    roi: float
    cost: float
    welch: Any
    n_control: int
    n_treatment: int
    n_boot: int
    level: float
    currency: str

    def __repr__(self) -> str:
        money = f"ValueReturn(gain {self.gain:+,.2f} {self.currency}".rstrip()
        if "return on cost" not in self.table.index:
            return f"{money} per customer at no cost; {self.n_boot} resamples)"
        row = self.table.loc["return on cost"]
        return (
            f"{money} per customer at cost {self.cost:,.2f}: return {self.roi:+.0%}, "
            f"{self.level:.0%} CI [{row['ci_low']:+.0%}, {row['ci_high']:+.0%}]; "
            f"{self.n_boot} resamples)"
        )

    def _repr_html_(self) -> str:
        return str(self.table.to_html())


def value_return(
    data: pd.DataFrame,
    *,
    value: str,
    cost_per_customer: float,
    treatment: str = "treated",
    covariates: str | Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int | np.random.Generator = 0,
    level: float = 0.95,
    currency: str = "",
) -> ValueReturn:
    """Customer value gained by a change tested at random, its net gain and return on cost.

    Parameters
    ----------
    data : DataFrame
        One row per customer assigned, with the ``treatment`` column (1/True = the change) and a
        value per customer (e.g. from :func:`customer_value`).
    value : str
        Column with each customer's value (currency); no missing values.
    cost_per_customer : float
        What the change costs per customer **assigned** to it (e.g. a call attempt), >= 0.
    treatment : str, default "treated"
    covariates : str or sequence of str, optional
        Columns measured before the test (e.g. last year's revenue): the values are
        CUPED-adjusted first (:func:`cxlib.experiment.cuped_values`, slopes pooled over both
        groups and held fixed in the resamples), which narrows every interval and leaves the
        estimates unbiased. The group rows then show adjusted means.
    n_boot : int, default 2000
        Bootstrap resamples (customers drawn with replacement within each group).
    seed : int or numpy.random.Generator
        Source of the resampling; the same seed gives the same intervals.
    level : float, default 0.95
    currency : str, optional
        Label for the money rows, e.g. ``"EUR"``.

    Returns
    -------
    ValueReturn

    Examples
    --------
    >>> test = pd.DataFrame({"treated": [0, 1] * 200, "value": [100.0, 130.0] * 200})
    >>> value_return(test, value="value", cost_per_customer=20.0, n_boot=200).roi
    0.5
    """
    check_columns(data, [value, treatment])
    z_value(level)
    treated = treatment_mask(data, treatment)
    check_no_missing(data, value)
    v = _numeric_outcome(data, value, "mean")
    if covariates is not None:
        names = covariate_names(data, covariates)
        v, _ = cuped_values(v, data[names].to_numpy(dtype=float))
    if isinstance(cost_per_customer, bool) or not isinstance(cost_per_customer, int | float):
        raise CXDataError(f"cost_per_customer must be a number; got {cost_per_customer!r}.")
    if not np.isfinite(cost_per_customer) or cost_per_customer < 0:
        raise CXDataError(f"cost_per_customer must be >= 0; got {cost_per_customer!r}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 2:
        raise CXDataError(f"n_boot must be a whole number >= 2; got {n_boot!r}.")
    control, change = v[~treated], v[treated]
    if min(control.size, change.size) < 2:
        raise CXDataError("value_return needs two or more customers in each group.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    means = np.empty((n_boot, 2))
    for start in range(0, n_boot, CHUNK):  # a loop over chunks of resamples
        size = min(CHUNK, n_boot - start)
        for j, group in enumerate((control, change)):
            idx = rng.integers(0, group.size, size=(size, group.size))
            means[start : start + size, j] = group[idx].mean(axis=1)
    cost = float(cost_per_customer)
    boot_gain = means[:, 1] - means[:, 0]
    point = [float(control.mean()), float(change.mean())]
    gain = point[1] - point[0]
    rows: dict[str, tuple[float, np.ndarray]] = {
        "value per customer, control": (point[0], means[:, 0]),
        "value per customer, treatment": (point[1], means[:, 1]),
        "value gained per customer": (gain, boot_gain),
        "net gain per customer": (gain - cost, boot_gain - cost),
    }
    if cost > 0:
        rows["return on cost"] = ((gain - cost) / cost, (boot_gain - cost) / cost)
    alpha = (1 - level) / 2
    table = pd.DataFrame(
        {
            "estimate": [r[0] for r in rows.values()],
            "ci_low": [float(np.quantile(r[1], alpha)) for r in rows.values()],
            "ci_high": [float(np.quantile(r[1], 1 - alpha)) for r in rows.values()],
        },
        index=list(rows),
    )
    if currency:
        table.index = [f"{i} ({currency})" if i != "return on cost" else i for i in table.index]
    return ValueReturn(
        table=table,
        gain=gain,
        net_gain=gain - cost,
        roi=(gain - cost) / cost if cost > 0 else float("nan"),
        cost=cost,
        welch=welch(control, change, level=level, unit=currency, n_missing=(0, 0)),
        n_control=int(control.size),
        n_treatment=int(change.size),
        n_boot=n_boot,
        level=level,
        currency=currency,
    )
