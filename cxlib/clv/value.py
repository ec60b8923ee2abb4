"""Customer lifetime value: discounted expected purchases x expected spend x margin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlib.clv._core import (
    PERIODS_PER_YEAR,
    _customers,
    _delta,
    _time_unit,
)
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.gammagamma import GammaGamma
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.validate import CXDataError, check_columns


def period_discount_rate(annual_rate: float, *, time_unit: str) -> float:
    """Discount rate per period equivalent to ``annual_rate`` (compound): (1+annual)^(1/k) - 1.

    k periods per year: 365.25 days, 365.25/7 weeks or 12 months. 10 % a year is 0.183 % a week.
    """
    unit = _time_unit(time_unit)
    if not np.isfinite(annual_rate) or annual_rate <= -1:
        raise CXDataError(f"annual_rate must be a number > -1; got {annual_rate!r}.")
    return float(np.expm1(np.log1p(annual_rate) / PERIODS_PER_YEAR[unit]))


@dataclass(frozen=True)
class CLVResult:
    """Customer lifetime values with the settings that define them.

    Attributes
    ----------
    values : DataFrame
        One row per customer (the summary's index): ``expected_purchases`` (undiscounted, within
        the horizon), ``discounted_purchases``, ``expected_spend`` (per purchase, currency),
        ``clv`` (= margin x expected_spend x discounted_purchases, currency).
    time_unit : str
        Unit of ``horizon`` and of ``discount_rate``.
    horizon : float or None
        Periods after the end of calibration (None: the remaining lifetime).
    discount_rate : float
        Discount rate per period of ``time_unit``.
    margin : float
        Share of spend that is profit (1.0: the CLV is revenue).
    method : str
        How purchases were discounted.
    """

    values: pd.DataFrame
    time_unit: str
    horizon: float | None
    discount_rate: float
    margin: float
    method: str

    def __repr__(self) -> str:
        horizon = (
            "remaining lifetime" if self.horizon is None else f"{self.horizon:g} {self.time_unit}"
        )
        return (
            f"CLVResult({len(self.values)} customers, horizon={horizon}, discount rate "
            f"{self.discount_rate:.4%} per {self.time_unit[:-1]}, margin={self.margin:g}, "
            f"total clv={self.values['clv'].sum():,.0f}, method={self.method!r})"
        )


def customer_lifetime_value(
    transaction_model: BGNBD | ParetoNBD,
    spend_model: GammaGamma,
    summary: pd.DataFrame,
    *,
    time_unit: str,
    horizon: float | None,
    discount_rate: float,
    margin: float = 1.0,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
) -> CLVResult:
    """Residual customer lifetime value: discounted expected purchases x expected spend x margin.

    Parameters
    ----------
    transaction_model : BGNBD or ParetoNBD
        Fitted; its ``time_unit_`` must equal ``time_unit`` (a guard against mixing weeks and days).
    spend_model : GammaGamma
        Fitted spend model.
    summary : DataFrame
        One row per customer with frequency, recency, T (in ``time_unit``) and monetary value.
    time_unit : str
        Unit of ``horizon`` and ``discount_rate``; must match the transaction model.
    horizon : float or None
        Periods after the end of calibration to value. None (the whole remaining lifetime) is
        available for Pareto/NBD, whose DERT has a closed form.
    discount_rate : float
        Discount rate per period (see :func:`period_discount_rate`).
    margin : float, default 1.0
        Profit share of spend, in (0, 1].

    Returns
    -------
    CLVResult
        Per-customer values and the settings (unit, horizon, rate, margin, method).

    Notes
    -----
    Pareto/NBD: DERT in closed form with continuous discounting at log(1 + discount_rate) per
    period (Fader, Hardie & Lee 2005b). BG/NBD: purchases expected in period k (the increment
    of the conditional expectation) discounted by (1 + discount_rate)^-k, k = 1..horizon; a
    fractional last period is discounted at the horizon.
    """
    unit = _time_unit(time_unit)
    transaction_model._check_fitted()
    spend_model._check_fitted()
    if transaction_model.time_unit_ != unit:
        raise CXDataError(
            f"time_unit is {unit!r} but the transaction model was fitted in "
            f"{transaction_model.time_unit_!r}: horizon and discount rate must be in the "
            "model's unit."
        )
    if not 0 < margin <= 1:
        raise CXDataError(f"margin must lie in (0, 1]; got {margin!r}.")
    check_columns(summary, [frequency, recency, T, monetary_value], name="summary")
    x, tx, big_t, _ = _customers(
        summary[frequency], summary[recency], summary[T], names=(frequency, recency, T)
    )
    spend = np.asarray(
        spend_model.conditional_expected_spend(
            summary[frequency].to_numpy(dtype=float), summary[monetary_value].to_numpy(dtype=float)
        )
    )
    delta = _delta(discount_rate)
    if isinstance(transaction_model, ParetoNBD):
        dert = np.asarray(
            transaction_model.discounted_expected_transactions(
                x, tx, big_t, discount_rate=discount_rate, horizon=horizon
            )
        )
        expected = (
            transaction_model._cond_expected(np.asarray(float(horizon)), x, tx, big_t)
            if horizon is not None
            else np.full(len(x), np.nan)
        )
        method = "Pareto/NBD DERT, continuous discounting"
    else:
        if horizon is None:
            raise CXDataError(
                "horizon=None (remaining lifetime) needs ParetoNBD; give BG/NBD a horizon."
            )
        if not np.isfinite(horizon) or horizon <= 0:
            raise CXDataError(f"horizon must be a positive number of periods; got {horizon!r}.")
        steps = np.append(np.arange(1.0, np.floor(horizon) + 1), horizon)
        steps = np.unique(steps)
        cum = transaction_model._cond_expected(
            steps[None, :], x[:, None], tx[:, None], big_t[:, None]
        )
        increments = np.diff(np.column_stack([np.zeros(len(x)), cum]), axis=1)
        dert = increments @ np.exp(-delta * np.ceil(steps - 1e-12))
        expected = cum[:, -1]
        method = "BG/NBD, per-period discounting"
    values = pd.DataFrame(
        {"expected_purchases": expected, "discounted_purchases": dert, "expected_spend": spend},
        index=summary.index,
    )
    values["clv"] = margin * values["expected_spend"] * values["discounted_purchases"]
    return CLVResult(
        values,
        unit,
        None if horizon is None else float(horizon),
        float(discount_rate),
        float(margin),
        method,
    )
