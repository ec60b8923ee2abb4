"""Model checks from the papers: holdout conditional expectations, tracking, frequency histogram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.clv._core import (
    _as_float,
    _nonneg_time,
)
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.validate import CXDataError, check_columns, fail_rows


@dataclass(frozen=True)
class HoldoutEvaluation:
    """Predicted against actual purchases in a holdout period.

    Attributes
    ----------
    per_customer : DataFrame
        ``frequency`` (calibration), ``actual`` and ``predicted`` holdout purchases; the
        summary's index.
    by_frequency : DataFrame
        Mean actual and predicted holdout purchases by calibration frequency (last bin "k+"), with
        ``n_customers``: the conditional-expectation check of Fader, Hardie & Lee (2005a), Fig. 4.
    total_actual, total_predicted : float
        Holdout purchases of all customers, actual and predicted.
    mae, rmse, correlation : float
        Per-customer mean absolute error, root mean squared error and Pearson correlation.
    holdout_length : float
        Length of the holdout period in ``time_unit``.
    time_unit : str
    """

    per_customer: pd.DataFrame
    by_frequency: pd.DataFrame
    total_actual: float
    total_predicted: float
    mae: float
    rmse: float
    correlation: float
    holdout_length: float
    time_unit: str

    @property
    def total_error_pct(self) -> float:
        """(predicted - actual) / actual total, in percent points."""
        return 100.0 * (self.total_predicted - self.total_actual) / self.total_actual

    def __repr__(self) -> str:
        return (
            f"HoldoutEvaluation({len(self.per_customer)} customers, {self.holdout_length:.4g} "
            f"{self.time_unit}: actual {self.total_actual:,.0f}, "
            f"predicted {self.total_predicted:,.1f} "
            f"({self.total_error_pct:+.1f} pct), MAE={self.mae:.3f}, r={self.correlation:.3f})"
        )


def holdout_evaluation(
    model: BGNBD | ParetoNBD,
    summary: pd.DataFrame,
    *,
    holdout_length: float,
    max_frequency: int = 7,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    holdout_frequency: str = "holdout_frequency",
) -> HoldoutEvaluation:
    """Compare a fitted model's conditional expectations with actual holdout purchases.

    Parameters
    ----------
    model : BGNBD or ParetoNBD
        Fitted on the calibration period of ``summary``.
    summary : DataFrame
        Calibration frequency, recency, T and the actual holdout purchases (``holdout_frequency``,
        as from ``customer_summary(..., calibration_end=...)``).
    holdout_length : float
        Length of the holdout period in the model's ``time_unit_`` (39 weeks for CDNOW).
    max_frequency : int, default 7
        Calibration frequencies from this value up are pooled into one bin "k+".
    """
    model._check_fitted()
    check_columns(summary, [frequency, recency, T, holdout_frequency], name="summary")
    actual = _as_float(summary[holdout_frequency], holdout_frequency)
    fail_rows(summary, ~(actual >= 0), holdout_frequency, "hold non-negative counts")
    predicted = np.asarray(
        model.conditional_expected_purchases(
            holdout_length,
            summary[frequency].to_numpy(dtype=float),
            summary[recency].to_numpy(dtype=float),
            summary[T].to_numpy(dtype=float),
        )
    )
    x = summary[frequency].to_numpy(dtype=float)
    per = pd.DataFrame(
        {"frequency": x.astype(np.int64), "actual": actual, "predicted": predicted},
        index=summary.index,
    )
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    bins = pd.Categorical.from_codes(np.minimum(x, max_frequency).astype(int), labels)
    by = per.groupby(bins, observed=False).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    by.index.name = "calibration_frequency"
    err = predicted - actual
    corr = float(np.corrcoef(actual, predicted)[0, 1]) if len(per) > 1 else float("nan")
    return HoldoutEvaluation(
        per,
        by,
        float(actual.sum()),
        float(predicted.sum()),
        float(np.mean(np.abs(err))),
        float(np.sqrt(np.mean(err**2))),
        corr,
        float(holdout_length),
        model.time_unit_,
    )


def expected_cumulative_purchases(model: BGNBD | ParetoNBD, *, birth: Any, times: Any) -> pd.Series:
    """Expected cumulative repeat purchases of a cohort at calendar ``times`` (tracking plot).

    Sum over customers of E[X(t - birth_i)] for t > birth_i, where ``birth`` is each customer's
    first purchase and ``times`` the evaluation points, both in periods of the model's
    ``time_unit_`` from a common origin (e.g. weeks since the cohort's first day). Customers who
    share a birth time are computed once.

    Returns
    -------
    Series
        Indexed by ``times``, named ``expected_cumulative_purchases``.
    """
    model._check_fitted()
    b = _as_float(birth, "birth")
    t = _as_float(times, "times")
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(t))):
        raise CXDataError("birth and times must be finite numbers of periods.")
    ub, counts = np.unique(b, return_counts=True)
    age = np.clip(t[:, None] - ub[None, :], 0, None)
    cum = model._expected(age.ravel()).reshape(age.shape) @ counts
    return pd.Series(cum, index=pd.Index(t, name="time"), name="expected_cumulative_purchases")


def expected_frequency_histogram(
    model: BGNBD | ParetoNBD, T: Any, *, max_frequency: int = 7
) -> pd.Series:
    """Expected number of customers with 0, 1, ..., ``max_frequency``+ repeat purchases.

    Sums P(X(T_i) = k) over customers with observation lengths ``T`` (the calibration histogram
    check of Fader, Hardie & Lee 2005a, Fig. 2). The last bin holds the rest of the probability.
    """
    model._check_fitted()
    big_t = _nonneg_time(T, "T")
    ut, counts = np.unique(big_t, return_counts=True)
    k = np.arange(max_frequency, dtype=float)
    probs = np.asarray(model.probability_of_purchases(k[None, :], ut[:, None]))
    expected = counts @ probs
    values = np.append(expected, counts.sum() - expected.sum())
    labels = [str(j) for j in range(max_frequency)] + [f"{max_frequency}+"]
    return pd.Series(values, index=pd.Index(labels, name="frequency"), name="expected_customers")
