"""Shared machinery of cxlib.clv: input checks, time units, likelihood maximisation, pooled data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cxlib.fitting import FittedModel, warn_not_converged
from cxlib.units import check_time_unit, recorded_time_unit
from cxlib.validate import CXDataError, check_columns, check_weights, fail_rows


def _as_float(values: Any, name: str, *, ndim: int = 1) -> np.ndarray:
    arr = values.to_numpy(dtype=float, na_value=np.nan) if isinstance(values, pd.Series) else values
    try:
        arr = np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        raise CXDataError(f"{name} must hold numbers.") from None
    if arr.ndim > ndim:
        raise CXDataError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    return arr


def _customers(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    names: tuple[str, str, str] = ("frequency", "recency", "T"),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None]:
    """Validated float arrays (broadcast to one length) and the index of the first Series input."""
    index = next((v.index for v in (frequency, recency, T) if isinstance(v, pd.Series)), None)
    x, tx, big_t = (_as_float(v, n) for v, n in zip((frequency, recency, T), names, strict=True))
    try:
        x, tx, big_t = np.broadcast_arrays(x, tx, big_t)
    except ValueError:
        raise CXDataError(
            f"{', '.join(names)} must have the same length: "
            f"got {x.shape}, {tx.shape}, {big_t.shape}."
        ) from None
    _check_customers(x.ravel(), tx.ravel(), big_t.ravel(), names)
    return x, tx, big_t, index


def _check_customers(
    x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, names: tuple[str, ...]
) -> None:
    fx, ftx, ft = names
    frame = pd.DataFrame({fx: x, ftx: tx, ft: big_t})
    for col, arr in ((fx, x), (ftx, tx), (ft, big_t)):
        fail_rows(frame, ~np.isfinite(arr), col, "hold finite numbers (no NaN)")
        fail_rows(frame, arr < 0, col, "not be negative")
    fail_rows(frame, x != np.round(x), fx, "hold whole numbers (repeat purchases)")
    fail_rows(frame, tx > big_t * (1 + 1e-12), [ftx, ft], f"satisfy {ftx} <= {ft}")
    fail_rows(frame, (x == 0) & (tx > 0), [fx, ftx], f"have {ftx} == 0 where {fx} == 0")


def _wrap(values: np.ndarray, index: pd.Index | None, name: str) -> Any:
    """Series with the input's index, a float for scalar input, else an array."""
    if index is not None:
        return pd.Series(np.asarray(values, dtype=float).ravel(), index=index, name=name)
    if np.ndim(values) == 0:
        return float(values)
    return np.asarray(values, dtype=float)


def _frame_columns(
    summary: Any, columns: list[str], weights: Any
) -> tuple[list[np.ndarray], np.ndarray, pd.DataFrame]:
    check_columns(summary, columns, name="summary")
    arrays = [_as_float(summary[c], c) for c in columns]
    if weights is None:
        w = np.ones(len(summary))
    elif isinstance(weights, str):
        check_columns(summary, [weights], name="summary")
        w = check_weights(summary[weights], len(summary))
    else:
        w = check_weights(weights, len(summary), index=summary.index)
    return arrays, w, summary


def aggregate_customers(
    summary: Any,
    *,
    columns: tuple[str, ...] = ("frequency", "recency", "T"),
    weight: str = "n_customers",
) -> pd.DataFrame:
    """Collapse customers with identical ``columns`` into one row with a count column.

    Fitting the result with ``weights=weight`` gives exactly the same estimates as fitting every
    customer, in a fraction of the time: purchase data recorded by day have many identical rows
    (all one-time buyers of a cohort day share ``(0, 0, T)``).

    Parameters
    ----------
    summary : DataFrame
        One row per customer with ``columns`` (e.g. from
        :func:`cxlib.customers.customer_summary`). A per-customer table held in another engine
        (a PySpark or polars frame, a DuckDB relation) is pooled there, and only the pooled
        rows come back; from raw transactions, :func:`cxlib.customers.pooled_summary` does
        the whole step in the engine.
    columns : tuple of str
        Columns whose combinations define a pool.
    weight : str
        Name of the count column.

    Returns
    -------
    DataFrame
        pandas, one row per distinct combination of ``columns`` (sorted), plus ``weight``
        (int64). Rows with a missing value in ``columns`` are left out, as pandas does.
    """
    if not isinstance(summary, pd.DataFrame):
        return _aggregate_in_engine(summary, list(columns), weight)
    check_columns(summary, list(columns), name="summary")
    out = summary.groupby(list(columns), sort=True, observed=True).size()
    return out.rename(weight).reset_index()


def _aggregate_in_engine(summary: Any, columns: list[str], weight: str) -> pd.DataFrame:
    """:func:`aggregate_customers` for a frame of another engine, pooled by that engine."""
    import narwhals as nw

    try:
        frame = nw.from_native(summary)
    except TypeError:
        raise CXDataError(
            f"summary must be a data frame (pandas, polars, DuckDB, PySpark, ...); "
            f"got {type(summary).__name__}."
        ) from None
    if not isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        raise CXDataError(f"summary must be a data frame; got {type(summary).__name__}.")
    names = list(frame.collect_schema().names())
    missing = [c for c in columns if c not in names]
    if missing:
        raise CXDataError(
            f"summary is missing the required column(s) {missing}; it has {names}. "
            "Pass the names of your columns as keyword arguments."
        )
    lazy = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    pooled = lazy.group_by(*columns, drop_null_keys=True).agg(nw.len().alias(weight))
    out = pooled.collect().to_pandas().sort_values(columns, kind="stable", ignore_index=True)
    out[weight] = out[weight].astype(np.int64)
    return out


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product of two vectors without BLAS: OpenBLAS threads stall on a busy machine."""
    return float(np.einsum("i,i->", u, v))


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of the distinct values, in ascending order of value, and their count.

    Codes follow the values, not the order of appearance, so that groups (and every sum over
    them) come out in the same order however the customers' rows are ordered.
    """
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), len(uniques)


def _first_of_group(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Index of one row (the first) of each group."""
    first = np.empty(n_groups, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


class _Data:
    """Customers prepared for the likelihood; the inputs are not modified.

    The likelihood depends on (x, t_x, T) only, so work is shared where customers agree: terms of
    x alone are computed once per distinct x, customers without repeat purchases (t_x = 0) are
    pooled by T, and repeat buyers with identical (x, t_x, T) are pooled when recency takes few
    distinct values (purchase data recorded by day). Weights add up.

    Groups and rows are held in ascending order of (x, t_x, T), never in the order of the
    summary's rows: a fit must not change when the rows are shuffled, or sorted by customer ids
    that are pseudonyms under another key.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, w: np.ndarray) -> None:
        xi = x.astype(np.int64)
        counts = np.bincount(xi, weights=w)
        self.ux = np.flatnonzero(counts).astype(float)
        self.wx = counts[self.ux.astype(np.int64)]
        self.W = float(w.sum())
        zero = xi == 0
        codes, n0 = _codes(big_t[zero])
        self.T0 = big_t[zero][_first_of_group(codes, n0)] if n0 else np.zeros(0)
        self.w0 = np.bincount(codes, weights=w[zero], minlength=n0)
        pos = ~zero
        xip, txp, tp, wp = xi[pos], tx[pos], big_t[pos], w[pos]
        c_tx, self.n_tx = _codes(txp)
        c_t, self.n_t = _codes(tp)
        if self.n_tx <= len(txp) // 2:  # discrete recency: pool identical repeat buyers
            g, n_g = _codes((xip * self.n_tx + c_tx) * self.n_t + c_t)
            first = _first_of_group(g, n_g)
            wp = np.bincount(g, weights=wp, minlength=n_g)
            xip, txp, tp, c_tx, c_t = xip[first], txp[first], tp[first], c_tx[first], c_t[first]
        else:  # continuous recency: every repeat buyer is a row; put them in value order
            order = np.lexsort((c_t, c_tx, xip))
            xip, txp, tp, wp, c_tx, c_t = (a[order] for a in (xip, txp, tp, wp, c_tx, c_t))
        self.xip, self.txp, self.Tp, self.wp = xip, txp, tp, wp
        self.xp = xip.astype(float)
        self.c_tx, self.c_t = c_tx, c_t


class TransactionModel(FittedModel):
    """Base of BG/NBD and Pareto/NBD: fitting on a customer summary, shared predictions.

    Parameters
    ----------
    time_unit : {"days", "weeks", "months", "years"}, optional
        Unit of ``recency``, ``T`` and every ``t``; recorded as ``time_unit_``. Default: the unit
        the summary records (``customer_summary(..., time_unit=...)``); given both, they must
        agree.
    start : dict, optional
        Starting values of the model's parameters; default: from the data.
    maxiter : int, default 2000
        Iteration limit of the first stage of the fit (L-BFGS-B), before Newton steps to the
        optimum (:func:`cxlib.fitting.maximise`).
    """

    #: How :meth:`discounted_expected_purchases` discounts, shown in CLV results.
    discounting = "per-period discounting"

    def __init__(
        self,
        *,
        time_unit: str | None = None,
        start: Mapping[str, float] | None = None,
        maxiter: int = 2000,
    ) -> None:
        super().__init__(start=start, maxiter=maxiter)
        self.time_unit = time_unit

    def fit(
        self,
        summary: pd.DataFrame,
        *,
        weights: Any = None,
        frequency: str = "frequency",
        recency: str = "recency",
        T: str = "T",
    ) -> TransactionModel:
        """Fit by maximum likelihood to one row per customer.

        Parameters
        ----------
        summary : DataFrame
            One row per customer (or per group of identical customers, see ``weights``) with
            repeat purchases, recency and T, the durations in the time unit the summary records
            (``customer_summary``) or the model's ``time_unit``.
        weights : str or array-like, optional
            Number of customers each row stands for (a column name or values aligned with
            ``summary``): rows from :func:`aggregate_customers` with ``weights="n_customers"``.
        frequency, recency, T : str
            Column names.

        Returns
        -------
        self
            With ``params_`` (dict), ``loglik_`` (total log-likelihood), ``converged_``,
            ``n_obs_`` (customers, the sum of weights), ``time_unit_`` and ``cov_``.
        """
        unit = self._unit_of(summary)
        (x, tx, big_t), w, _ = _frame_columns(summary, [frequency, recency, T], weights)
        _check_customers(x, tx, big_t, (frequency, recency, T))
        keep = w > 0
        data = _Data(x[keep], tx[keep], big_t[keep], w[keep])
        total = data.W
        if total == 0 or len(data.xp) == 0:
            raise CXDataError(
                f"Column {frequency!r} must show some repeat purchases: the model cannot be fitted "
                "to customers who never bought again."
            )
        self.time_unit_ = unit
        self.n_obs_ = total
        self._fit_data(data, total)
        warn_not_converged(type(self).__name__, self._mle, self._names)
        return self

    def _unit_of(self, summary: Any) -> str:
        """The time unit of ``summary``'s durations: recorded by it, or the constructor's."""
        recorded = recorded_time_unit(summary)
        if self.time_unit is None and recorded is None:
            raise CXDataError(
                "The time unit of recency and T is unknown: fit a summary from "
                "cxlib.customers.customer_summary (it records its unit) or pass "
                f"{type(self).__name__}(time_unit='weeks') (or 'days', 'months')."
            )
        unit = check_time_unit(self.time_unit if self.time_unit is not None else recorded)
        if recorded is not None and recorded != unit:
            raise CXDataError(
                f"The summary's durations are in {recorded!r} but the model was given "
                f"time_unit={self.time_unit!r}: use one unit (e.g. recompute the summary)."
            )
        return unit

    def _from_params_settings(self) -> None:
        if self.time_unit is None:
            raise CXDataError(f"from_params needs time_unit (e.g. {type(self).__name__}"
                              ".from_params(params, time_unit='weeks')).")  # fmt: skip
        self.time_unit_ = check_time_unit(self.time_unit)

    def _param_units(self) -> list[str]:
        return [self.time_unit_ if name in ("alpha", "beta") else "" for name in self._names]

    def _repr_settings(self) -> list[str]:
        unit = getattr(self, "time_unit_", None) or self.time_unit
        return [] if unit is None else [f"time_unit={check_time_unit(unit)!r}"]

    def _start(self, data: _Data) -> np.ndarray:
        """r = 1, alpha from the mean purchase rate, and 1 for the dropout parameters."""
        exposure = _dot(data.w0, data.T0) + _dot(data.wp, data.Tp)
        rate = _dot(data.wp, data.xp) / max(exposure, 1e-12)  # repeat purchases per unit
        return np.log([1.0, 1.0 / max(rate, 1e-8), 1.0, 1.0])

    def loglik_customers(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Log-likelihood of each customer's history under the fitted parameters."""
        self._check_fitted()
        x, tx, big_t, index = _customers(frequency, recency, T)
        return _wrap(self._log_lik(x, tx, big_t), index, "loglik")

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with history (frequency, recency, T) is still alive at T."""
        self._check_fitted()
        x, tx, big_t, index = _customers(frequency, recency, T)
        return _wrap(np.exp(self._log_palive(x, tx, big_t)), index, "p_alive")

    def conditional_expected_purchases(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the ``t`` periods (``time_unit_``) after T, given the history."""
        self._check_fitted()
        periods = _nonneg_time(t, "t")
        x, tx, big_t, index = _customers(frequency, recency, T)
        return _wrap(self._cond_expected(periods, x, tx, big_t), index, "expected_purchases")

    def discounted_expected_purchases(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        *,
        discount_rate: float,
        horizon: float | None,
    ) -> Any:
        """Expected purchases in the ``horizon`` periods after T, each discounted to T.

        Purchases expected in period k after T (the increment of
        :meth:`conditional_expected_purchases` over ``(k - 1, k]``) are discounted by
        ``(1 + discount_rate)^-k``, k = 1, 2, ...; a fractional last period ``(floor(H), H]`` is
        discounted at the horizon H (end-of-period convention throughout).

        Parameters
        ----------
        discount_rate : float
            Discount rate per period of ``time_unit_`` (see :func:`period_discount_rate`).
        horizon : float
            Periods of ``time_unit_`` after T, > 0.
        """
        self._check_fitted()
        x, tx, big_t, index = _customers(frequency, recency, T)
        delta = _delta(discount_rate)
        if horizon is None or not np.isfinite(horizon) or horizon <= 0:
            raise CXDataError(
                f"horizon must be a positive number of periods; got {horizon!r}."
                + (
                    " The remaining lifetime (None) has a closed form for ParetoNBD only."
                    if horizon is None
                    else ""
                )  # fmt: skip
            )
        steps = np.unique(np.append(np.arange(1.0, np.floor(horizon) + 1), horizon))
        x, tx, big_t = (np.ravel(v) for v in (x, tx, big_t))
        cum = self._cond_expected(steps[None, :], x[:, None], tx[:, None], big_t[:, None])
        increments = np.diff(np.column_stack([np.zeros(len(x)), cum]), axis=1)
        return _wrap(increments @ np.exp(-delta * steps), index, "discounted_expected_purchases")

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases of a new customer in their first ``t`` periods (E[X(t)])."""
        self._check_fitted()
        index = t.index if isinstance(t, pd.Series) else None
        tt = _nonneg_time(t, "t")
        return _wrap(self._expected(tt), index, "expected_purchases")

    def _expected(self, t: np.ndarray) -> np.ndarray:
        zero = np.zeros_like(t)
        return self._cond_expected(t, zero, zero, zero)

    # Each model defines _log_lik, _log_palive, _cond_expected and _fit_data.
    def _log_lik(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover  (abstract)

    def _log_palive(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover  (abstract)

    def _cond_expected(
        self, t: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover  (abstract)

    def _fit_data(self, data: _Data, total: float) -> None:
        raise NotImplementedError  # pragma: no cover  (abstract)

    def probability_of_purchases(self, k: Any, t: Any) -> Any:
        """P(X(t) = k): probability that a new customer makes k repeat purchases in t periods."""
        raise NotImplementedError  # pragma: no cover  (abstract)


def _nonneg_time(t: Any, name: str, *, ndim: int = 1) -> np.ndarray:
    arr = _as_float(t, name, ndim=ndim)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise CXDataError(
            f"{name} must be finite and not negative (periods of the model's time unit)."
        )
    return arr


def _delta(discount_rate: float) -> float:
    if not np.isfinite(discount_rate) or discount_rate <= 0:
        raise CXDataError(
            f"discount_rate must be a positive rate per period; got {discount_rate!r}. "
            "Use period_discount_rate(annual_rate, time_unit=...) to convert an annual rate."
        )
    return float(np.log1p(discount_rate))
