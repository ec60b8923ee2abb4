"""Model checks from the papers: holdout conditional expectations, tracking, frequency histogram.

Also the tables behind the usual pictures of a fitted model: the period-by-period tracking of a
cohort's repeat purchases (:func:`purchase_tracking`) and P(alive) over frequency and recency
(:func:`probability_alive_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.clv._core import TransactionModel, _as_float, _nonneg_time
from cxlib.fitting import check_is_fitted
from cxlib.units import DAYS_PER_UNIT
from cxlib.validate import CXDataError, check_columns, check_dates, fail_rows


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
    model: TransactionModel,
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
    check_is_fitted(model)
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


def expected_cumulative_purchases(model: TransactionModel, *, birth: Any, times: Any) -> pd.Series:
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
    check_is_fitted(model)
    b = _as_float(birth, "birth")
    t = _as_float(times, "times")
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(t))):
        raise CXDataError("birth and times must be finite numbers of periods.")
    ub, counts = np.unique(b, return_counts=True)
    age = np.clip(t[:, None] - ub[None, :], 0, None)
    cum = np.asarray(model.expected_purchases(age.ravel())).reshape(age.shape) @ counts
    return pd.Series(cum, index=pd.Index(t, name="time"), name="expected_cumulative_purchases")


def expected_frequency_histogram(
    model: TransactionModel, T: Any, *, max_frequency: int = 7
) -> pd.Series:
    """Expected number of customers with 0, 1, ..., ``max_frequency``+ repeat purchases.

    Sums P(X(T_i) = k) over customers with observation lengths ``T`` (the calibration histogram
    check of Fader, Hardie & Lee 2005a, Fig. 2). The last bin holds the rest of the probability.
    """
    check_is_fitted(model)
    big_t = _nonneg_time(T, "T")
    ut, counts = np.unique(big_t, return_counts=True)
    k = np.arange(max_frequency, dtype=float)
    probs = np.asarray(model.probability_of_purchases(k[None, :], ut[:, None]))
    expected = counts @ probs
    values = np.append(expected, counts.sum() - expected.sum())
    labels = [str(j) for j in range(max_frequency)] + [f"{max_frequency}+"]
    return pd.Series(values, index=pd.Index(labels, name="frequency"), name="expected_customers")


def purchase_tracking(
    transactions: pd.DataFrame,
    summary: pd.DataFrame,
    models: dict[str, TransactionModel],
    *,
    observation_end: Any,
    customer_id: str = "customer_id",
    date: str = "date",
    first_purchase: str = "first_purchase",
) -> pd.DataFrame:
    """Actual and expected repeat purchases of the summary's customers, period by period.

    The tracking check of Fader, Hardie & Lee (2005a, Fig. 3): periods of the models' time unit
    counted from the first purchase day in ``summary`` (period 1 is its first week, for weeks),
    up to ``observation_end``; *actual* counts the repeat purchase days (a customer's purchase
    days after their first; several records on one day are one purchase) of the customers in
    ``summary``, and each model's column the purchases it expects in that period
    (:func:`expected_cumulative_purchases` with each customer's first purchase as birth).

    Parameters
    ----------
    transactions : DataFrame
        Raw purchases with ``customer_id`` and ``date`` columns (pandas). Not modified.
    summary : DataFrame
        From :func:`cxlib.customers.customer_summary`, indexed by customer id, with
        ``first_purchase``; the customers tracked.
    models : dict of str to fitted BGNBD or ParetoNBD
        One column each, named by the key; all in the same time unit (days or weeks).
    observation_end : date-like
        Last day tracked (inclusive).

    Returns
    -------
    DataFrame
        ``period`` (1, 2, ...), ``actual`` and one column per model, in purchases per period.
    """
    if not models:
        raise CXDataError("models must name at least one fitted transaction model.")
    units = {model.time_unit_ for model in models.values() if hasattr(model, "time_unit_")}
    if len(units) != 1 or not units <= {"days", "weeks"}:
        raise CXDataError(
            f"The models must be fitted and share one time unit of days or weeks; got {units}."
        )
    days_per_period = DAYS_PER_UNIT[units.pop()]
    check_columns(transactions, [customer_id, date], name="transactions")
    check_columns(summary, [first_purchase], name="summary")
    end = pd.Timestamp(observation_end).normalize()
    first = pd.to_datetime(summary[first_purchase]).dt.normalize()
    origin = first.min()
    frame = transactions[[customer_id, date]]
    days = check_dates(frame, date).dt.normalize()
    mine = frame[customer_id].isin(summary.index).to_numpy() & (days <= end).to_numpy()
    visits = pd.DataFrame({"id": frame[customer_id][mine], "day": days[mine]}).drop_duplicates()
    repeat = visits["day"] > visits["id"].map(first)
    n_periods = int(np.ceil(((end - origin).days + 1) / days_per_period))
    period = ((visits.loc[repeat, "day"] - origin).dt.days // days_per_period + 1).astype(int)
    actual = np.bincount(period, minlength=n_periods + 1)[1 : n_periods + 1]
    table = pd.DataFrame({"period": np.arange(1, n_periods + 1), "actual": actual})
    birth = ((first - origin).dt.days / days_per_period).to_numpy()
    for name, model in models.items():
        times = np.arange(0, n_periods + 1, dtype=float)
        cumulative = expected_cumulative_purchases(model, birth=birth, times=times)
        table[name] = np.diff(cumulative.to_numpy())
    return table


def probability_alive_matrix(
    model: TransactionModel, T: float, *, max_frequency: int = 20, n_recency: int = 40
) -> pd.DataFrame:
    """P(alive) at T for every frequency 0..``max_frequency`` and ``n_recency`` recencies in [0, T].

    The picture of Fader, Hardie & Lee (2005a) in a table: rows are repeat purchases, columns
    the time of the last one (in the model's time unit); NaN where no history exists (recency
    > 0 without a repeat purchase).
    """
    check_is_fitted(model)
    big_t = float(_nonneg_time(T, "T"))
    freq = np.arange(0, max_frequency + 1, dtype=float)
    rec = np.linspace(0, big_t, n_recency)
    f_mesh, r_mesh = np.meshgrid(freq, rec, indexing="ij")
    possible = (f_mesh > 0) | (r_mesh == 0)
    alive = np.asarray(
        model.probability_alive(
            f_mesh.ravel(), np.where(f_mesh > 0, r_mesh, 0).ravel(), np.full(f_mesh.size, big_t)
        )
    ).reshape(f_mesh.shape)
    return pd.DataFrame(
        np.where(possible, alive, np.nan),
        index=pd.Index(freq.astype(int), name="frequency"),
        columns=pd.Index(rec, name=f"recency ({model.time_unit_})"),
    )
