"""Probabilistic customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma ("buy till you die").

The models work on one row per customer (see :func:`cxlib.summary.customer_summary`):

- ``frequency`` x: repeat purchases in the calibration period (purchase days after the first,
  same-day purchases counted once),
- ``recency`` t_x: time of the last repeat purchase, measured from the first purchase
  (0 when x = 0),
- ``T``: time from the first purchase to the end of the calibration period,
- ``monetary_value``: mean spend of the repeat purchases (Gamma-Gamma only).

Every model records the unit of these durations (``time_unit_``: "days", "weeks" or "months") and
shows it in its repr, in :meth:`summary` and in every result that depends on it: ``alpha`` and
``beta`` are in that unit, a rate ``r / alpha`` is purchases per unit, and ``t`` arguments count
units. Nothing is rescaled behind the user's back.

Likelihoods are computed in log space. The Pareto/NBD likelihood is written as a sum of two
positive terms (no difference of hypergeometric functions, so it is exact at ``recency == T``), the
Gauss hypergeometric functions are evaluated after a Pfaff transformation that keeps them in (0, 1],
and the branch ``alpha >= beta`` / ``alpha < beta`` keeps the argument in [0, 1). Standard errors
come from a numerical Hessian of the log-likelihood at the maximum (on the log scale of the
parameters, so that intervals stay positive).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research 42(4), 415-430.
Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. http://brucehardie.com/notes/009/
Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are they
and what will they do next? Management Science 33(1), 1-24.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special
from threadpoolctl import threadpool_limits

from cxlib.estimate import z_value
from cxlib.validate import CXDataError, check_columns, check_weights, fail_rows

__all__ = [
    "BGNBD",
    "CLVResult",
    "GammaGamma",
    "HoldoutEvaluation",
    "ParetoNBD",
    "aggregate_customers",
    "customer_lifetime_value",
    "expected_cumulative_purchases",
    "expected_frequency_histogram",
    "holdout_evaluation",
    "period_discount_rate",
    "simulate_bgnbd",
    "simulate_paretonbd",
]

#: Accepted spellings of the time unit -> the name recorded on a model.
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
#: Length of a year in each time unit (Gregorian: 365.25 days).
PERIODS_PER_YEAR: dict[str, float] = {"days": 365.25, "weeks": 365.25 / 7, "months": 12.0}

_BOUND = 25.0  # log-parameters are kept in [-25, 25] while fitting


def _time_unit(value: Any) -> str:
    if value not in TIME_UNITS:
        raise CXDataError(
            f"The 'time_unit' parameter must be one of {sorted(set(TIME_UNITS))}. "
            f"Got {value!r} instead."
        )
    return TIME_UNITS[value]


# ----------------------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------
# Numerical helpers
# ----------------------------------------------------------------------------------------------
def _log_hyp2f1_tanh_sinh(
    a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray
) -> np.ndarray:
    """log 2F1(a, b; a+1; z) = log(a integral_0^1 v^(a-1) (1 - z v)^(-b) dv) by tanh-sinh rule.

    Summed in log space (no overflow for large b with z near 1); ``zc`` = 1 - z, passed exactly.
    """
    t = np.arange(-7.0, 4.5 + 1e-9, 1 / 24)  # reaches v = exp(-1700): fine for a >= 0.01
    u = 0.5 * np.pi * np.sinh(t)
    log_v = -np.logaddexp(0.0, -2 * u)  # v = (1 + tanh u) / 2 = expit(2u)
    one_minus_v = special.expit(-2 * u)  # exact near v = 1
    log_dv = (
        np.log(0.5 * np.pi * np.cosh(t)) - 2 * np.logaddexp(u, -u) + np.log(2.0) + np.log(1 / 24)
    )
    a, b, z, zc = (np.asarray(v, dtype=float)[..., None] for v in (a, b, z, zc))
    log_f = (a - 1) * log_v - b * np.log(zc + z * one_minus_v) + log_dv
    return np.log(a[..., 0]) + special.logsumexp(log_f, axis=-1)


_SERIES_MAX_Z = 0.6  # below: Euler-transformed power series (at most ~75 terms)


def _log_hyp2f1_series(a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a+1; z) for 0 <= z <= 0.6 by Euler's transformation and its power series.

    2F1(a, b; a+1; z) = (1-z)^(1-b) sum_k (a+1-b)_k / (a+1)_k z^k. For b <= a + 1 every term is
    positive and each is at most z times the one before, so the sum has no cancellation and
    K terms leave a relative error below z^K / (1 - z); K is chosen for 1e-16.
    """
    zmax = float(z.max(initial=0.0))
    n_terms = 1 if zmax == 0 else int(np.ceil(np.log(1e-16 * (1 - zmax)) / np.log(zmax))) + 1
    c = a + 1.0 - b
    term = np.ones_like(z)
    total = np.ones_like(z)
    num, den = c.copy(), a + 1.0
    for _ in range(n_terms):
        term *= num
        term /= den
        term *= z
        total += term
        num += 1.0
        den += 1.0
    return (1.0 - b) * np.log(zc) + np.log(total)


def _log_hyp2f1_c(a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a+1; z) for a, b > 0 and 0 <= z < 1 (``zc`` = 1 - z, given exactly).

    Three routes, each where it is reliable: the Euler-transformed power series for z <= 0.6 and
    b <= a + 1 (all terms positive; fast, vectorised); elsewhere SciPy's ``hyp2f1`` where its value
    is plausible, i.e. lies in [1, (1-z)^(-b)] (the integral representation bounds it); and where
    it is not (overflow for large b with z near 1, or a failed evaluation) the integral computed
    by tanh-sinh quadrature in log space.
    """
    a, b, z, zc = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, z, zc))
    series = (z <= _SERIES_MAX_Z) & (b <= a + 1.0)
    if series.all():
        return _log_hyp2f1_series(a, b, z, zc)
    out = np.empty(z.shape)
    if series.any():
        out[series] = _log_hyp2f1_series(a[series], b[series], z[series], zc[series])
    rest = ~series
    if rest.any():
        ar, br, zr, zcr = a[rest], b[rest], z[rest], zc[rest]
        with np.errstate(all="ignore"):
            value = np.log(special.hyp2f1(ar, br, ar + 1.0, zr))
            upper = -br * np.log(zcr)
        ok = np.isfinite(value) & (value >= -1e-12) & (value <= upper * (1 + 1e-9) + 1e-12)
        if not np.all(ok):
            bad = ~ok
            value[bad] = _log_hyp2f1_tanh_sinh(ar[bad], br[bad], zr[bad], zcr[bad])
        out[rest] = value
    return out


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product of two vectors without BLAS: OpenBLAS threads stall on a busy machine."""
    return float(np.einsum("i,i->", u, v))


def _hessian(fun: Callable[[np.ndarray], float], theta: np.ndarray, step: float) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    k = len(theta)
    hess = np.empty((k, k))
    f0 = fun(theta)
    eye = np.eye(k) * step
    for i in range(k):
        fp, fm = fun(theta + eye[i]), fun(theta - eye[i])
        hess[i, i] = (fp - 2 * f0 + fm) / step**2
        for j in range(i):
            fpp = fun(theta + eye[i] + eye[j])
            fpm = fun(theta + eye[i] - eye[j])
            fmp = fun(theta - eye[i] + eye[j])
            fmm = fun(theta - eye[i] - eye[j])
            hess[i, j] = hess[j, i] = (fpp - fpm - fmp + fmm) / (4 * step**2)
    return hess


def _hessian_from_gradient(
    grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray
) -> np.ndarray:
    k = len(theta)
    step = 1e-5
    g0 = grad(theta)  # forward differences: k + 1 gradients, error O(step) relative
    cols = [(grad(theta + step * e) - g0) / step for e in np.eye(k)]
    hess = np.column_stack(cols)
    return (hess + hess.T) / 2


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

    def _maximise(
        self,
        fun: Callable[[np.ndarray], Any],
        theta0: np.ndarray,
        total_weight: float,
        *,
        gradient: bool,
    ) -> None:
        """Minimise the mean negative log-likelihood over log-parameters; set fitted attributes.

        ``fun`` returns the mean negative log-likelihood, or with ``gradient=True`` the pair
        (value, gradient). L-BFGS-B; the Hessian for standard errors is a central difference of
        the analytic gradient, or of the function itself.
        """
        bounds = [(-_BOUND, _BOUND)] * len(theta0)
        options = {"maxiter": self.maxiter, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 20}
        # L-BFGS-B calls BLAS on vectors of 4: threads only add wake-up latency (0.5 s a fit on
        # a busy machine), so BLAS runs on one thread while fitting.
        with threadpool_limits(limits=1, user_api="blas"):
            res = optimize.minimize(
                fun, theta0, jac=gradient, method="L-BFGS-B", bounds=bounds, options=options
            )
            theta = res.x
            if gradient:
                hess = _hessian_from_gradient(lambda th: fun(th)[1], theta)
                value = fun(theta)[0]
            else:
                hess = _hessian(fun, theta, 1e-3)
                value = fun(theta)
        hess = hess * total_weight  # Hessian of the total (not mean) negative log-likelihood
        try:
            cov_log = np.linalg.inv(hess)
            ok = bool(np.all(np.linalg.eigvalsh(hess) > 0))
        except np.linalg.LinAlgError:
            cov_log, ok = np.full_like(hess, np.nan), False
        at_bound = bool(np.any(np.abs(theta) > _BOUND - 1e-6))
        self.params_ = {n: float(v) for n, v in zip(self._names, np.exp(theta), strict=True)}
        self.loglik_ = float(-value * total_weight)
        self.converged_ = bool(res.success) and ok and not at_bound
        self.n_iter_ = int(res.nit)
        self._theta = theta
        self._cov_log = cov_log

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


# ----------------------------------------------------------------------------------------------
# Transaction models (BG/NBD, Pareto/NBD)
# ----------------------------------------------------------------------------------------------
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

    def __init__(self, *, time_unit: str, maxiter: int = 2000) -> None:
        self.time_unit = time_unit
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


class BGNBD(_TransactionModel):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005a).

    While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) (per
    ``time_unit``); after each repeat purchase they drop out with probability p ~ Beta(a, b).

    Parameters
    ----------
    time_unit : {"days", "weeks", "months"} (or "D", "W", "M")
        Unit of ``recency``, ``T`` and every ``t``; recorded as ``time_unit_``.
    maxiter : int, default 2000
        Iteration limit of the optimiser (L-BFGS-B, analytic gradient).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.clv import BGNBD
    >>> summary = pd.DataFrame({"frequency": [0, 2, 5, 1, 0, 3], "recency": [0, 20.0, 30, 5, 0, 12],
    ...                         "T": [38.0, 35, 36, 30, 32, 39]})
    >>> model = BGNBD(time_unit="weeks").fit(summary)
    >>> model.time_unit_
    'weeks'
    """

    _names = ("r", "alpha", "a", "b")

    def _loglik_parts(self, theta: np.ndarray, d: _Data, gradient: bool):
        """Total log-likelihood (FHL 2005a, eq. 7) and, if asked, its gradient in log-parameters."""
        r, alpha, a, b = np.exp(theta)
        ux = d.ux
        gx = (
            special.gammaln(r + ux)
            - special.gammaln(r)
            + special.gammaln(b + ux)
            - special.gammaln(b)
            + special.gammaln(a + b)
            - special.gammaln(a + b + ux)
        )
        log_alpha = np.log(alpha)
        # customers without repeat purchases: r log(alpha / (alpha + T)), pooled by T
        log_at0 = np.log(alpha + d.T0)
        # repeat buyers: r log alpha - (r + x) log(alpha + T) + log(1 + exp(D))
        log_at = np.log(alpha + d.Tp)
        log_atx = np.log(alpha + d.txp)
        gap = log_at - log_atx
        rx = r + d.xp
        D = np.log(a) - np.log(b + d.xp - 1) + rx * gap
        ll = (
            _dot(d.wx, gx)
            + d.W * r * log_alpha
            - r * _dot(d.w0, log_at0)
            - _dot(d.wp, rx * log_at - np.logaddexp(0.0, D))
        )
        if not gradient:
            return ll, None
        wpi = d.wp * special.expit(D)
        da_x = special.digamma(a + b) - special.digamma(a + b + ux)
        inv_at = 1.0 / (alpha + d.Tp)
        g_r = (
            _dot(d.wx, special.digamma(r + ux) - special.digamma(r))
            + d.W * log_alpha
            - _dot(d.w0, log_at0)
            - _dot(d.wp, log_at)
            + _dot(wpi, gap)
        )
        g_alpha = (
            d.W * r / alpha
            - r * _dot(d.w0, 1.0 / (alpha + d.T0))
            - _dot(d.wp * rx, inv_at)
            + _dot(wpi * rx, inv_at - 1.0 / (alpha + d.txp))
        )
        g_a = _dot(d.wx, da_x) + wpi.sum() / a
        g_b = _dot(d.wx, special.digamma(b + ux) - special.digamma(b) + da_x) - _dot(
            wpi, 1.0 / (b + d.xp - 1)
        )
        grad = np.array([g_r, g_alpha, g_a, g_b]) * np.exp(theta)  # chain rule to log-parameters
        return ll, grad

    def _fit_data(self, data: _Data, total: float) -> None:
        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = self._loglik_parts(theta, data, True)
            return -ll / total, -grad / total

        self._maximise(fun, self._start(data), total, gradient=True)

    def _log_lik(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = (self.params_[k] for k in self._names)
        base = (
            special.gammaln(r + x)
            - special.gammaln(r)
            + special.betaln(a, b + x)
            - special.betaln(a, b)
            + r * np.log(alpha)
            - (r + x) * np.log(alpha + big_t)
        )
        return base - self._log_palive(x, tx, big_t)

    def _log_palive(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = (self.params_[k] for k in self._names)
        pos = x > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            D = (
                np.log(a)
                - np.log(b + x - 1)
                + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
            )
        return -np.logaddexp(0.0, np.where(pos, D, -np.inf))

    def _cond_expected(self, t, x, tx, big_t):
        """FHL (2005a) eq. (10), with Euler's transformation of 2F1 (no overflow at large x)."""
        r, alpha, a, b = (self.params_[k] for k in self._names)
        if abs(a - 1.0) < 1e-7:  # removable singularity at a = 1: average the two sides
            return 0.5 * (
                self._cond_at(t, x, tx, big_t, r, alpha, 1 - 1e-7, b)
                + self._cond_at(t, x, tx, big_t, r, alpha, 1 + 1e-7, b)
            )
        return self._cond_at(t, x, tx, big_t, r, alpha, a, b)

    def _cond_at(self, t, x, tx, big_t, r, alpha, a, b):
        t, x, tx, big_t = np.broadcast_arrays(t, x, tx, big_t)
        z = t / (alpha + big_t + t)
        c = a + b + x - 1
        # ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)
        tail = np.exp((a - 1) * np.log1p(-z)) * special.hyp2f1(a + b - 1 - r, a - 1, c, z)
        expected = c / (a - 1) * (1.0 - tail)
        return expected * np.exp(self._log_palive(x, tx, big_t))

    def probability_of_purchases(self, k: Any, t: Any) -> Any:
        """P(X(t) = k): probability that a new customer makes k repeat purchases in t periods.

        FHL (2005a), eq. (8). ``k`` and ``t`` broadcast against each other.
        """
        self._check_fitted()
        r, alpha, a, b = (self.params_[n] for n in self._names)
        kk, tt = np.broadcast_arrays(_as_float(k, "k", ndim=2), _nonneg_time(t, "t", ndim=2))
        lbeta = special.betaln(a, b)
        log_q = np.log(alpha / (alpha + tt))
        with np.errstate(divide="ignore"):
            log_p = np.log(tt / (alpha + tt))
        first = (
            special.betaln(a, b + kk)
            - lbeta
            + special.gammaln(r + kk)
            - special.gammaln(r)
            - special.gammaln(kk + 1)
            + r * log_q
            + special.xlogy(kk, np.exp(log_p))
        )
        # sum_{j<k} NB(j) = P(NB < k) = regularised incomplete beta I_{q}(r, k)
        below = special.betainc(r, np.maximum(kk, 1), np.exp(log_q))
        second = np.where(
            kk > 0,
            np.exp(special.betaln(a + 1, b + kk - 1) - lbeta)
            * (1.0 - np.where(kk > 0, below, 0.0)),
            0.0,
        )
        return _wrap(np.exp(first) + second, None, "probability")


class ParetoNBD(_TransactionModel):
    """Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987).

    While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); lifetimes
    are exponential with rate mu ~ Gamma(s, beta), rates per ``time_unit``.

    The likelihood (Fader & Hardie 2005, eq. 22) is evaluated as the sum of two positive terms,

        L / C = s/(r+s+x) F(a, s+1; t_x) + (r+x)/(r+s+x) F(a, s; T)

    (for alpha >= beta; F(a, b; u) = 2F1(a, b; a+1; (alpha-beta)/(alpha+u)) / (alpha+u)^a,
    a = r+s+x, and the mirror image for alpha < beta), which follows from the contiguous relation
    (1-z)^(-b) = (a-b)/a 2F1(a, b; a+1; z) + b/a 2F1(a, b+1; a+1; z). It needs no subtraction, so
    it is exact at recency == T and never negative.

    Parameters
    ----------
    time_unit : {"days", "weeks", "months"} (or "D", "W", "M")
        Unit of ``recency``, ``T`` and every ``t``; recorded as ``time_unit_``.
    maxiter : int, default 2000
        Iteration limit of the optimiser (L-BFGS-B with finite-difference gradient).
    """

    _names = ("r", "alpha", "s", "beta")

    def _log_term1(self, params, x, tx):
        """log of s/(r+s+x) 2F1(..; z(t_x)) / (max(alpha, beta) + t_x)^(r+s+x) (class docstring)."""
        r, alpha, s, beta = params
        a = r + s + x
        if alpha >= beta:
            lf = _log_hyp2f1_c(
                a, s + 1.0, (alpha - beta) / (alpha + tx), (beta + tx) / (alpha + tx)
            )
            return np.log(s) - np.log(a) + lf - a * np.log(alpha + tx)
        lf = _log_hyp2f1_c(a, r + x, (beta - alpha) / (beta + tx), (alpha + tx) / (beta + tx))
        return np.log(s) - np.log(a) + lf - a * np.log(beta + tx)

    def _log_term2(self, params, x, big_t):
        """log of (r+x)/(r+s+x) 2F1(..; z(T)) / (max(alpha, beta) + T)^(r+s+x) (class docstring)."""
        r, alpha, s, beta = params
        a = r + s + x
        if alpha >= beta:
            lf = _log_hyp2f1_c(
                a, s, (alpha - beta) / (alpha + big_t), (beta + big_t) / (alpha + big_t)
            )
            return np.log(r + x) - np.log(a) + lf - a * np.log(alpha + big_t)
        lf = _log_hyp2f1_c(
            a, r + x + 1.0, (beta - alpha) / (beta + big_t), (alpha + big_t) / (beta + big_t)
        )
        return np.log(r + x) - np.log(a) + lf - a * np.log(beta + big_t)

    def _log_terms(self, params, x, tx, big_t):
        return self._log_term1(params, x, tx), self._log_term2(params, x, big_t)

    def _fit_data(self, data: _Data, total: float) -> None:
        # The hypergeometric terms depend on (x, t_x) or (x, T) only: once per distinct pair.
        p1, n1 = _codes(data.xip * data.n_tx + data.c_tx)
        p2, n2 = _codes(data.xip * data.n_t + data.c_t)
        f1, f2 = _first_of_group(p1, n1), _first_of_group(p2, n2)
        x1, tx1 = data.xp[f1], data.txp[f1]
        x2, t2 = data.xp[f2], data.Tp[f2]
        wg = data.wp
        zero = np.zeros(1)

        def negll(theta: np.ndarray) -> float:
            r, alpha, s, beta = params = np.exp(theta)
            gx = special.gammaln(r + data.ux) - special.gammaln(r)
            t1_0 = self._log_term1(params, zero, zero)  # no repeat purchase: x = t_x = 0
            t2_0 = self._log_term2(params, zero, data.T0)
            term1 = self._log_term1(params, x1, tx1)
            term2 = self._log_term2(params, x2, t2)
            ll = (
                _dot(data.wx, gx)
                + total * (r * np.log(alpha) + s * np.log(beta))
                + _dot(data.w0, np.logaddexp(t1_0, t2_0))
                + _dot(wg, np.logaddexp(term1[p1], term2[p2]))
            )
            return -ll / total if np.isfinite(ll) else np.inf

        start = self._start(data)
        start[3] = start[1]  # beta = alpha: the hypergeometric argument starts at 0
        self._maximise(negll, start, total, gradient=False)

    def _log_lik(self, x, tx, big_t):
        r, alpha, s, beta = params = np.array([self.params_[k] for k in self._names])
        term1, term2 = self._log_terms(params, x, tx, big_t)
        return (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * np.log(alpha)
            + s * np.log(beta)
            + np.logaddexp(term1, term2)
        )

    def _log_palive(self, x, tx, big_t):
        r, alpha, s, beta = (self.params_[k] for k in self._names)
        log_alive = (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * np.log(alpha)
            + s * np.log(beta)
            - (r + x) * np.log(alpha + big_t)
            - s * np.log(beta + big_t)
        )
        return np.minimum(log_alive - self._log_lik(x, tx, big_t), 0.0)

    def _cond_expected(self, t, x, tx, big_t):
        """Fader & Hardie (2005), eq. (24).

        P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)].
        """
        r, alpha, s, beta = (self.params_[k] for k in self._names)
        t, x, tx, big_t = np.broadcast_arrays(t, x, tx, big_t)
        rate = (r + x) / (alpha + big_t)
        return (
            np.exp(self._log_palive(x, tx, big_t)) * rate * _lifetime_integral(t, beta + big_t, s)
        )

    def _expected(self, t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = (self.params_[k] for k in self._names)
        return r / alpha * _lifetime_integral(t, beta, s)

    def discounted_expected_transactions(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        *,
        discount_rate: float,
        horizon: float | None = None,
    ) -> Any:
        """DERT: expected purchases after T, discounted continuously (Fader, Hardie & Lee 2005b).

        DERT = P(alive) (r+x)/(alpha+T) J with
        J = integral_0^H exp(-delta t) ((beta+T)/(beta+T+t))^s dt and
        delta = log(1 + discount_rate). With ``horizon=None`` (H infinite) J = (beta+T)^s
        delta^(s-1) U(s, s; delta (beta+T)), U the confluent hypergeometric function of the second
        kind; a finite horizon subtracts the same expression started at H.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period of ``time_unit_`` (e.g. 0.0019 per week for 10 % a year).
        horizon : float, optional
            Periods of ``time_unit_`` after T; None for the whole remaining lifetime.
        """
        self._check_fitted()
        x, tx, big_t, index = _customers(frequency, recency, T)
        delta = _delta(discount_rate)
        r, alpha, s, beta = (self.params_[k] for k in self._names)
        j = _discounted_lifetime(beta + big_t, s, delta, horizon)
        dert = np.exp(self._log_palive(x, tx, big_t)) * (r + x) / (alpha + big_t) * j
        return _wrap(dert, index, "discounted_expected_transactions")

    def probability_of_purchases(self, k: Any, t: Any, *, nodes: int = 64) -> Any:
        """P(X(t) = k) for a new customer, by Gauss-Legendre quadrature over the time of death.

        P = NB(k; r, alpha, t) (beta/(beta+t))^s + integral_0^t s beta^s/(beta+tau)^(s+1)
        NB(k; r, alpha, tau) dtau, NB the negative binomial pmf of purchases in tau periods.
        """
        self._check_fitted()
        r, alpha, s, beta = (self.params_[n] for n in self._names)
        kk, tt = np.broadcast_arrays(_as_float(k, "k", ndim=2), _nonneg_time(t, "t", ndim=2))
        u, wq = np.polynomial.legendre.leggauss(nodes)
        tau = (tt[..., None] / 2) * (u + 1)  # nodes on [0, t]

        def nbd(kv, tv):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.exp(
                    special.gammaln(r + kv)
                    - special.gammaln(r)
                    - special.gammaln(kv + 1)
                    + r * np.log(alpha / (alpha + tv))
                    + special.xlogy(kv, tv / (alpha + tv))
                )

        alive = nbd(kk, tt) * (beta / (beta + tt)) ** s
        dens = s * beta**s / (beta + tau) ** (s + 1)
        dead = (tt / 2) * np.sum(wq * dens * nbd(kk[..., None], tau), axis=-1)
        return _wrap(alive + dead, None, "probability")


def _lifetime_integral(t, b, s):
    """b/(s-1) [1 - (b/(b+t))^(s-1)] = integral_0^t (b/(b+u))^s du, computed safely at s = 1."""
    log_ratio = np.log1p(t / b)
    sm1 = s - 1.0
    if abs(sm1) < 1e-8:
        return b * log_ratio
    return -b * np.expm1(-sm1 * log_ratio) / sm1


def _delta(discount_rate: float) -> float:
    if not np.isfinite(discount_rate) or discount_rate <= 0:
        raise CXDataError(
            f"discount_rate must be a positive rate per period; got {discount_rate!r}. "
            "Use period_discount_rate(annual_rate, time_unit=...) to convert an annual rate."
        )
    return float(np.log1p(discount_rate))


def _discounted_lifetime(
    b: np.ndarray, s: float, delta: float, horizon: float | None
) -> np.ndarray:
    """integral_0^H exp(-delta t) (b/(b+t))^s dt with H = horizon (None: infinity)."""

    def full(bb):
        return np.exp(s * np.log(bb) + (s - 1) * np.log(delta)) * special.hyperu(s, s, delta * bb)

    if horizon is None:
        return full(b)
    if not np.isfinite(horizon) or horizon < 0:
        raise CXDataError(
            f"horizon must be a non-negative number of periods or None; got {horizon!r}."
        )
    tail = np.exp(-delta * horizon + s * (np.log(b) - np.log(b + horizon))) * full(b + horizon)
    return full(b) - tail


# ----------------------------------------------------------------------------------------------
# Gamma-Gamma spend model
# ----------------------------------------------------------------------------------------------
class GammaGamma(_Fitted):
    """Gamma-Gamma model of spend per purchase (Fader & Hardie 2013; Colombo & Jiang 1999).

    A customer's spends are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers, so their mean
    spend is p/nu and the population mean is p gamma / (q - 1) (in the data's currency). Fitted on
    repeat buyers only (frequency > 0): ``monetary_value`` is the mean of their repeat purchases.
    Assumes spend is independent of purchase frequency: check the correlation before using it.

    Parameters
    ----------
    maxiter : int, default 2000
        Iteration limit of the optimiser (L-BFGS-B, analytic gradient).
    """

    _names = ("p", "q", "gamma")

    def __init__(self, *, maxiter: int = 2000) -> None:
        self.maxiter = maxiter

    def fit(
        self,
        summary: pd.DataFrame,
        *,
        weights: Any = None,
        frequency: str = "frequency",
        monetary_value: str = "monetary_value",
    ) -> GammaGamma:
        """Fit to the repeat buyers in ``summary`` (rows with frequency 0 are ignored)."""
        (x, m), w, _ = _frame_columns(summary, [frequency, monetary_value], weights)
        frame = pd.DataFrame({frequency: x, monetary_value: m})
        fail_rows(
            frame,
            ~np.isfinite(x) | (x < 0) | (x != np.round(x)),
            frequency,
            "hold whole numbers >= 0",
        )
        rep = (x > 0) & (w > 0)
        fail_rows(
            frame,
            rep & ~(np.isfinite(m) & (m > 0)),
            monetary_value,
            f"be a positive number where {frequency} > 0",
        )
        x, m, w = x[rep], m[rep], w[rep]
        if len(x) < 3:
            raise CXDataError(
                f"GammaGamma needs at least 3 repeat buyers ({frequency} > 0); got {len(x)}."
            )
        total = float(w.sum())
        log_x, log_m, xm = np.log(x), np.log(m), x * m
        const = _dot(w, log_m)  # -log m per customer (Jacobian), kept so loglik_ matches Hardie

        def parts(theta, gradient):
            p, q, g = np.exp(theta)
            px = p * x
            log_gxm = np.log(g + xm)
            ll = (
                _dot(
                    w,
                    special.gammaln(px + q)
                    - special.gammaln(px)
                    - special.gammaln(q)
                    + q * np.log(g)
                    + px * (log_x + log_m)
                    - (px + q) * log_gxm,
                )
                - const
            )
            if not gradient:
                return ll, None
            dpsi = special.digamma(px + q)
            g_p = _dot(w, x * (dpsi - special.digamma(px) + log_x + log_m - log_gxm))
            g_q = _dot(w, dpsi - special.digamma(q) + np.log(g) - log_gxm)
            g_g = _dot(w, q / g - (px + q) / (g + xm))
            return ll, np.array([g_p, g_q, g_g]) * np.exp(theta)

        theta0 = np.log([1.0, 2.0, float(np.average(m, weights=w))])

        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = parts(theta, True)
            return -ll / total, -grad / total

        self._maximise(fun, theta0, total, gradient=True)
        self.n_obs_ = total
        return self

    @property
    def mean_spend_(self) -> float:
        """Population mean spend per purchase, p gamma / (q - 1) (infinite if q <= 1)."""
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._names)
        return p * g / (q - 1) if q > 1 else float("inf")

    def conditional_expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected spend per future purchase given x repeat purchases with mean ``monetary_value``.

        E[M | x, m] = (gamma + x m) p / (p x + q - 1): a weighted mean of the population mean and
        the customer's own mean. Customers with x = 0 get the population mean.
        """
        self._check_fitted()
        index = next(
            (v.index for v in (frequency, monetary_value) if isinstance(v, pd.Series)), None
        )
        x = _as_float(frequency, "frequency")
        m = _as_float(monetary_value, "monetary_value")
        x, m = np.broadcast_arrays(x, m)
        frame = pd.DataFrame({"frequency": x.ravel(), "monetary_value": m.ravel()})
        fail_rows(frame, ~np.isfinite(x.ravel()) | (x.ravel() < 0), "frequency", "be >= 0")
        fail_rows(
            frame,
            (x.ravel() > 0) & ~(m.ravel() >= 0),
            "monetary_value",
            "not be negative or missing where frequency > 0",
        )
        p, q, g = (self.params_[k] for k in self._names)
        mm = np.where(x > 0, m, 0.0)
        return _wrap((g + x * mm) * p / (p * x + q - 1), index, "expected_spend")


# ----------------------------------------------------------------------------------------------
# Customer lifetime value
# ----------------------------------------------------------------------------------------------
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
            f"total clv={self.values['clv'].sum():,.2f}, method={self.method!r})"
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


# ----------------------------------------------------------------------------------------------
# Model checks: holdout, tracking, frequency histogram
# ----------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------
# Simulation (for parameter-recovery tests and benchmarks)
# ----------------------------------------------------------------------------------------------
def _sim_setup(n: int, params: dict[str, float], names: tuple[str, ...], T: Any, seed: Any):
    missing = [k for k in names if k not in params]
    if missing or any(not params[k] > 0 for k in names):
        raise CXDataError(f"params must give positive values for {list(names)}; got {params!r}.")
    big_t = np.broadcast_to(_as_float(T, "T"), (n,)).astype(float)
    if np.any(~np.isfinite(big_t)) or np.any(big_t <= 0):
        raise CXDataError(
            "T must be positive (periods from first purchase to the end of calibration)."
        )
    return np.random.default_rng(seed), big_t


def _sim_frame(x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> pd.DataFrame:
    index = pd.RangeIndex(1, len(x) + 1, name="customer_id")
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": tx, "T": big_t}, index=index)


def simulate_bgnbd(n: int, params: dict[str, float], *, T: Any, seed: Any = 0) -> pd.DataFrame:
    """Simulate ``n`` customer summaries from the BG/NBD model (vectorised).

    Each customer draws lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b); they make repeat
    purchases as a Poisson process and drop out after the K-th repeat purchase, K ~ Geometric(p).
    With N ~ Poisson(lambda T) purchase opportunities in (0, T], x = min(N, K), and t_x is the
    x-th of N uniform order statistics on (0, T], i.e. T Beta(x, N - x + 1).

    Parameters
    ----------
    n : int
        Customers.
    params : dict
        ``r``, ``alpha``, ``a``, ``b`` (rates per period of whatever unit T is in).
    T : float or array of length n
        Observation length per customer (periods since the first purchase).
    seed : int or numpy.random.Generator
        Same seed, same customers.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, indexed by ``customer_id`` 1..n.
    """
    rng, big_t = _sim_setup(n, params, BGNBD._names, T, seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    n_events = rng.poisson(lam * big_t)
    k = rng.geometric(p)
    x = np.minimum(n_events, k)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = big_t[pos] * rng.beta(x[pos], n_events[pos] - x[pos] + 1)
    return _sim_frame(x, tx, big_t)


def simulate_paretonbd(n: int, params: dict[str, float], *, T: Any, seed: Any = 0) -> pd.DataFrame:
    """Simulate ``n`` customer summaries from the Pareto/NBD model (vectorised).

    lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta); lifetime tau ~ Exponential(mu). The
    customer buys as a Poisson process on (0, min(tau, T)]; x ~ Poisson(lambda min(tau, T)) and
    t_x, the last of x uniform times on that interval, is min(tau, T) U^(1/x).
    Parameters and return value as in :func:`simulate_bgnbd` (``r``, ``alpha``, ``s``, ``beta``).
    """
    rng, big_t = _sim_setup(n, params, ParetoNBD._names, T, seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    active = np.minimum(rng.exponential(1.0, n) / mu, big_t)
    x = rng.poisson(lam * active)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = active[pos] * rng.random(int(pos.sum())) ** (1.0 / x[pos])
    return _sim_frame(x, tx, big_t)
