"""Shared machinery of cxlib.clv: input checks, time units, likelihood maximisation, pooled data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg

from cxlib.estimate import z_value
from cxlib.fitting import maximise, warn_not_converged
from cxlib.validate import CXDataError, check_columns, check_weights, fail_rows

TIME_UNITS: dict[str, str] = {
    "D": "days",
    "day": "days",
    "days": "days",
    "W": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "M": "months",
    "month": "months",
    "months": "months",
}


PERIODS_PER_YEAR: dict[str, float] = {"days": 365.25, "weeks": 365.25 / 7, "months": 12.0}


def _time_unit(value: Any) -> str:
    if value not in TIME_UNITS:
        raise CXDataError(
            f"The 'time_unit' parameter must be one of {sorted(set(TIME_UNITS))}. "
            f"Got {value!r} instead."
        )
    return TIME_UNITS[value]


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
    summary: pd.DataFrame,
    *,
    columns: tuple[str, ...] = ("frequency", "recency", "T"),
    weight: str = "n_customers",
) -> pd.DataFrame:
    """Collapse customers with identical ``columns`` into one row with a count column.

    Fitting the result with ``weights=weight`` gives exactly the same estimates as fitting every
    customer, in a fraction of the time: purchase data recorded by day have many identical rows
    (all one-time buyers of a cohort day share ``(0, 0, T)``).

    Returns
    -------
    DataFrame
        One row per distinct combination of ``columns`` (sorted), plus ``weight`` (int64).
    """
    check_columns(summary, list(columns), name="summary")
    out = summary.groupby(list(columns), sort=True, observed=True).size()
    return out.rename(weight).reset_index()


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product of two vectors without BLAS: OpenBLAS threads stall on a busy machine."""
    return float(np.einsum("i,i->", u, v))


class _Fitted:
    """Shared machinery: optimisation on the log scale, Hessian standard errors, summary, repr."""

    _names: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: dict[str, float], **settings: Any):
        """A model with given parameters (e.g. published ones), usable for prediction.

        ``settings`` go to the constructor (``time_unit`` for the transaction models). Standard
        errors and the log-likelihood are unknown (NaN); ``n_obs_`` is 0.
        """
        model = cls(**settings)
        missing = [k for k in cls._names if k not in params]
        values = np.array([params.get(k, np.nan) for k in cls._names], dtype=float)
        if missing or not np.all(values > 0):
            raise CXDataError(
                f"params must give positive values for {list(cls._names)}; got {params!r}."
            )
        if hasattr(model, "time_unit"):
            model.time_unit_ = _time_unit(model.time_unit)
        model.params_ = dict(zip(cls._names, map(float, values), strict=True))
        model.loglik_ = float("nan")
        model.converged_ = False
        model.n_obs_ = 0.0
        model.n_iter_ = 0
        model._theta = np.log(values)
        model._cov_log = np.full((len(values), len(values)), np.nan)
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise CXDataError(
                f"This {type(self).__name__} is not fitted yet: call fit(summary) before using it."
            )

    def _start_values(self, theta0: np.ndarray) -> np.ndarray:
        """Log of the ``start`` values given to the constructor, else ``theta0`` (from the data)."""
        start = getattr(self, "start", None)
        if start is None:
            return theta0
        values = np.array([start.get(k, np.nan) for k in self._names], dtype=float)
        if set(start) != set(self._names) or not np.all(np.isfinite(values) & (values > 0)):
            raise CXDataError(
                f"start must give a positive value for each of {list(self._names)}; "
                f"got {start!r}."
            )
        return np.log(values)

    def _maximise(
        self,
        loglik: Callable[[np.ndarray], float],
        theta0: np.ndarray,
        n_obs: float,
        value_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
    ) -> None:
        """Maximise the total log-likelihood over log-parameters; set the fitted attributes.

        See :func:`cxlib.fitting.maximise`: L-BFGS-B, then Newton steps to the optimum; the
        covariance of the log-parameters is the inverse of the Hessian of the total negative
        log-likelihood there. ``fit`` warns if the fit did not converge.
        """
        result = maximise(
            loglik,
            self._start_values(theta0),
            n_obs=n_obs,
            value_and_grad=value_and_grad,
            maxiter=self.maxiter,
        )
        try:
            cov_log = linalg.inv(result.hessian) if result.converged else None
        except (linalg.LinAlgError, ValueError):
            cov_log = None
        k = len(self._names)
        self.params_ = {n: float(v) for n, v in zip(self._names, np.exp(result.theta), strict=True)}
        self.loglik_ = result.loglik
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self._theta = result.theta
        self._cov_log = np.full((k, k), np.nan) if cov_log is None else cov_log
        self._mle = result

    @property
    def cov_(self) -> pd.DataFrame:
        """Covariance matrix of the parameter estimates (delta method from the log scale)."""
        self._check_fitted()
        est = np.exp(self._theta)
        cov = self._cov_log * np.outer(est, est)
        return pd.DataFrame(cov, index=list(self._names), columns=list(self._names))

    def summary(self, *, level: float = 0.95) -> pd.DataFrame:
        """Parameter table: ``estimate, se, ci_low, ci_high, level`` indexed by parameter.

        ``se`` comes from the inverse Hessian of the log-likelihood (delta method); the interval
        is a Wald interval on the log scale, exp(log estimate +/- z se_log), so it stays positive.
        ``alpha`` and ``beta`` (BG/NBD, Pareto/NBD) are in the model's ``time_unit_``.
        """
        self._check_fitted()
        z = z_value(level)
        est = np.exp(self._theta)
        se_log = np.sqrt(np.clip(np.diag(self._cov_log), 0, None))
        frame = pd.DataFrame(
            {
                "estimate": est,
                "se": est * se_log,
                "ci_low": np.exp(self._theta - z * se_log),
                "ci_high": np.exp(self._theta + z * se_log),
                "level": level,
            },
            index=pd.Index(list(self._names), name="parameter"),
        )
        frame.attrs["time_unit"] = getattr(self, "time_unit_", None)
        frame.attrs["loglik"] = self.loglik_
        return frame

    def __repr__(self) -> str:
        unit = getattr(self, "time_unit", None)
        parts = [f"time_unit={TIME_UNITS.get(unit, unit)!r}"] if unit is not None else []
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}({', '.join(parts)}) [not fitted]"
        parts += [f"{k}={v:.4g}" for k, v in self.params_.items()]
        parts += [f"loglik={self.loglik_:.2f}", f"n={self.n_obs_:g}"]
        return f"{type(self).__name__}({', '.join(parts)})"


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of the distinct values (hash-based, in order of appearance) and their count."""
    codes, uniques = pd.factorize(values, sort=False)
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
        self.xip, self.txp, self.Tp, self.wp = xip, txp, tp, wp
        self.xp = xip.astype(float)
        self.c_tx, self.c_t = c_tx, c_t


class _TransactionModel(_Fitted):
    """Base of BG/NBD and Pareto/NBD: fitting on a customer summary, shared predictions."""

    def __init__(
        self, *, time_unit: str, start: dict[str, float] | None = None, maxiter: int = 2000
    ) -> None:
        self.time_unit = time_unit
        self.start = start
        self.maxiter = maxiter

    def fit(
        self,
        summary: pd.DataFrame,
        *,
        weights: Any = None,
        frequency: str = "frequency",
        recency: str = "recency",
        T: str = "T",
    ) -> _TransactionModel:
        """Fit by maximum likelihood to one row per customer.

        Parameters
        ----------
        summary : DataFrame
            One row per customer (or per group of identical customers, see ``weights``) with
            repeat purchases, recency and T, the durations in the model's ``time_unit``.
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
        unit = _time_unit(self.time_unit)
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
        t = _nonneg_time(t, "t")
        x, tx, big_t, index = _customers(frequency, recency, T)
        return _wrap(self._cond_expected(t, x, tx, big_t), index, "expected_purchases")

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases of a new customer in their first ``t`` periods (E[X(t)])."""
        self._check_fitted()
        index = t.index if isinstance(t, pd.Series) else None
        tt = _nonneg_time(t, "t")
        return _wrap(self._expected(tt), index, "expected_purchases")

    def _expected(self, t: np.ndarray) -> np.ndarray:
        zero = np.zeros_like(t)
        return self._cond_expected(t, zero, zero, zero)

    def _log_palive(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover  (abstract)

    def _cond_expected(self, t, x, tx, big_t):  # pragma: no cover  (abstract)
        raise NotImplementedError

    def _fit_data(self, data: _Data, total: float) -> None:  # pragma: no cover  (abstract)
        raise NotImplementedError


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
