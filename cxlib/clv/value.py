"""Customer lifetime value: discounted expected purchases x expected spend x margin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlib.clv._core import TransactionModel, _customers
from cxlib.clv.gammagamma import GammaGamma
from cxlib.fitting import check_is_fitted
from cxlib.units import PERIODS_PER_YEAR, check_time_unit, recorded_time_unit
from cxlib.validate import CXDataError, check_columns


def period_discount_rate(annual_rate: float, *, time_unit: str) -> float:
    """Discount rate per period equivalent to ``annual_rate`` (compound): (1+annual)^(1/k) - 1.

    k periods per year: 365.25 days, 365.25/7 weeks, 12 months or 1 year. 10 % a year is
    0.183 % a week.
    """
    unit = check_time_unit(time_unit)
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
    transaction_model: TransactionModel,
    spend_model: GammaGamma,
    summary: pd.DataFrame,
    *,
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
        Fitted. Its ``time_unit_`` is the unit of ``horizon`` and ``discount_rate``, and of the
        summary's durations (checked where the summary records its unit).
    spend_model : GammaGamma
        Fitted spend model.
    summary : DataFrame
        One row per customer with frequency, recency, T and monetary value.
    horizon : float or None
        Periods of the model's time unit after the end of calibration. None (the whole
        remaining lifetime) is available for Pareto/NBD, whose DERT has a closed form.
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
    Discounted purchases come from the model's ``discounted_expected_purchases``: for the
    Pareto/NBD the DERT in closed form with continuous discounting at log(1 + discount_rate) per
    period (Fader, Hardie & Lee 2005b); for the BG/NBD the purchases expected in period k
    discounted by (1 + discount_rate)^-k, a fractional last period at the horizon.
    """
    check_is_fitted(transaction_model)
    check_is_fitted(spend_model)
    unit = transaction_model.time_unit_
    recorded = recorded_time_unit(summary)
    if recorded is not None and recorded != unit:
        raise CXDataError(
            f"The summary's durations are in {recorded!r} but the transaction model was fitted "
            f"in {unit!r}: value customers with a summary in the model's unit."
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
    dert = np.asarray(
        transaction_model.discounted_expected_purchases(
            x, tx, big_t, discount_rate=discount_rate, horizon=horizon
        )
    )
    expected = (
        np.asarray(transaction_model.conditional_expected_purchases(horizon, x, tx, big_t))
        if horizon is not None
        else np.full(len(x), np.nan)
    )
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
        transaction_model.discounting,
    )
