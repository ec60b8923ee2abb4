"""Maximum-likelihood fitting shared by every model in cxlib: to the optimum, not near it.

Every model (BG/NBD, Pareto/NBD, Gamma-Gamma, shifted-beta-geometric) derives from
:class:`FittedModel`: settings in the constructor, ``fit`` returns ``self`` and sets ``params_``
(a dict), ``loglik_``, ``converged_``, ``n_obs_`` and ``n_iter_``; ``summary(level=)`` gives
estimates, standard errors and intervals, ``cov_`` the covariance of the estimates,
``from_params`` a model with given (e.g. published) parameters, and a model used before it is
fitted raises :class:`NotFittedError`.

A quasi-Newton optimiser such as L-BFGS-B stops when the log-likelihood no longer changes by
more than a relative tolerance. Where the likelihood is flat (the Pareto/NBD ``s``/``beta`` ridge,
an sBG cohort with few periods) that point can lie far from the maximum in the parameters: the
log-likelihood agrees to 1e-6 while a parameter still moves in its fourth digit, and where exactly
the optimiser stops depends on floating-point details that differ between CPUs and BLAS kernels.

:func:`maximise` therefore runs in two stages:

1. L-BFGS-B on the mean negative log-likelihood over log-parameters (bounded, so that a parameter
   running off to 0 or infinity stops at a bound instead of overflowing);
2. Newton steps on the *total* log-likelihood, with the Hessian from central differences of the
   analytic gradient (or of a five-point numerical gradient where there is none), until a step
   changes no parameter by more than ``1e-9`` relative; then the gradient of the total
   log-likelihood is checked at the result.

A fit counts as converged only if the Newton steps converged, the Hessian is positive definite
(a unique maximum), no parameter is at a bound and the gradient is small; otherwise a
:class:`ConvergenceWarning` says why. The parameters are then the same to about nine significant
digits on every machine, so every digit a notebook prints is reproducible.

References
----------
Nocedal, J. & Wright, S. J. (2006). Numerical Optimization, 2nd ed. Springer: ch. 3 (Newton's
method with backtracking), ch. 8 (finite-difference derivatives).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import linalg, optimize
from threadpoolctl import threadpool_limits

from cxlib.estimate import z_value
from cxlib.validate import CXDataError

__all__ = [
    "ConvergenceWarning",
    "FittedModel",
    "MaximumLikelihood",
    "NotFittedError",
    "check_is_fitted",
    "hessian_from_gradient",
    "maximise",
    "numerical_gradient",
    "numerical_hessian",
    "warn_not_converged",
]

#: Log-parameters are kept in [-BOUND, BOUND] (parameters between 1.4e-11 and 7.2e10).
BOUND = 25.0
#: Newton stops when no log-parameter moves by more than this (a relative change of the parameter).
STEP_TOL = 1e-9
#: Largest |gradient| of the total log-likelihood (per log-parameter) accepted at the optimum,
#: per customer: a total of 1e-6 for 1,000 customers. At STEP_TOL the gradient is ~1e-9 per
#: customer; this leaves room for rounding in sums over a million customers.
GRAD_TOL_PER_OBS = 1e-9
#: Absolute floor of that tolerance.
GRAD_TOL_MIN = 1e-6


class ConvergenceWarning(UserWarning):
    """A fit did not reach a unique maximum of the likelihood; its estimates are not reliable."""


class NotFittedError(ValueError, AttributeError):
    """A model was used before ``fit`` (as scikit-learn's: both a ValueError and AttributeError)."""


@dataclass(frozen=True)
class MaximumLikelihood:
    """What :func:`maximise` found.

    Attributes
    ----------
    theta : ndarray
        Log-parameters at the maximum.
    loglik : float
        Total log-likelihood there.
    gradient : ndarray
        Gradient of the total log-likelihood with respect to ``theta`` at ``theta``.
    hessian : ndarray
        Hessian of the total *negative* log-likelihood (observed information on the log scale);
        its inverse is the covariance of ``theta``.
    converged : bool
        Newton converged, the Hessian is positive definite, no parameter at a bound, and the
        gradient is within tolerance.
    n_iter : int
        L-BFGS-B iterations plus Newton steps.
    message : str
        Why the fit did not converge ("" if it did).
    """

    theta: np.ndarray
    loglik: float
    gradient: np.ndarray
    hessian: np.ndarray
    converged: bool
    n_iter: int
    message: str


LogLik = Callable[[np.ndarray], float]
ValueAndGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


def numerical_gradient(fun: LogLik, theta: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Five-point central-difference gradient (error O(step^4) plus rounding / step)."""
    theta = np.asarray(theta, dtype=float)
    grad = np.empty(len(theta))
    for i, e in enumerate(np.eye(len(theta)) * step):  # one loop step per parameter
        outer = fun(theta - 2 * e) - fun(theta + 2 * e)
        inner = fun(theta + e) - fun(theta - e)
        grad[i] = (outer + 8 * inner) / (12 * step)
    return grad


def hessian_from_gradient(
    grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, step: float = 1e-4
) -> np.ndarray:
    """Central-difference Jacobian of an analytic gradient, symmetrised: the Hessian."""
    cols = [(grad(theta + e) - grad(theta - e)) / (2 * step) for e in np.eye(len(theta)) * step]
    hess = np.column_stack(cols)
    return (hess + hess.T) / 2


def numerical_hessian(fun: LogLik, theta: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central second differences of a function: 1 + 2k + 2k(k - 1) evaluations."""
    k = len(theta)
    hess = np.empty((k, k))
    f0 = fun(theta)
    eye = np.eye(k) * step
    for i in range(k):  # k parameters, not a loop over customers
        hess[i, i] = (fun(theta + eye[i]) - 2 * f0 + fun(theta - eye[i])) / step**2
        for j in range(i):
            hess[i, j] = hess[j, i] = (
                fun(theta + eye[i] + eye[j])
                - fun(theta + eye[i] - eye[j])
                - fun(theta - eye[i] + eye[j])
                + fun(theta - eye[i] - eye[j])
            ) / (4 * step**2)
    return hess


def maximise(
    loglik: LogLik,
    theta0: np.ndarray,
    *,
    n_obs: float,
    value_and_grad: ValueAndGrad | None = None,
    maxiter: int = 2000,
    max_newton: int = 30,
) -> MaximumLikelihood:
    """Maximise a total log-likelihood over log-parameters, to the optimum.

    Parameters
    ----------
    loglik : callable
        ``theta -> total log-likelihood`` (a float; -inf or NaN where undefined).
    theta0 : ndarray
        Starting log-parameters.
    n_obs : float
        Number of observations (customers); the first stage works on the mean for scaling, and
        the gradient tolerance grows with it (rounding in long sums).
    value_and_grad : callable, optional
        ``theta -> (total log-likelihood, its gradient)``, analytic. Without it the gradient is a
        five-point numerical one (about 16 evaluations for four parameters).
    maxiter : int
        Iteration limit of the first stage.
    max_newton : int
        Limit on Newton steps in the second stage.
    """
    theta0 = np.clip(np.asarray(theta0, dtype=float), -BOUND, BOUND)
    scale = 1.0 / max(float(n_obs), 1.0)
    if value_and_grad is None:

        def grad(th: np.ndarray) -> np.ndarray:
            return numerical_gradient(loglik, th)

        def first(th: np.ndarray) -> float:
            value = loglik(th)
            return -value * scale if np.isfinite(value) else np.inf

        jac: bool = False
    else:

        def grad(th: np.ndarray) -> np.ndarray:
            return value_and_grad(th)[1]

        def first(th: np.ndarray) -> tuple[float, np.ndarray]:  # type: ignore[misc]
            value, g = value_and_grad(th)
            if not np.isfinite(value):
                return np.inf, np.zeros_like(th)
            return -value * scale, -g * scale

        jac = True
    bounds = [(-BOUND, BOUND)] * len(theta0)
    options = {"maxiter": maxiter, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 20}
    # The optimisers call BLAS on vectors of a few entries: threads only add wake-up latency.
    with threadpool_limits(limits=1, user_api="blas"):
        res = optimize.minimize(
            first, theta0, jac=jac, method="L-BFGS-B", bounds=bounds, options=options
        )
        return _newton(
            loglik,
            grad,
            res.x,
            n_obs=n_obs,
            n_iter=int(res.nit),
            max_newton=max_newton,
            numeric=value_and_grad is None,
        )


def _newton(
    loglik: LogLik,
    grad: Callable[[np.ndarray], np.ndarray],
    theta: np.ndarray,
    *,
    n_obs: float,
    n_iter: int,
    max_newton: int,
    numeric: bool,
) -> MaximumLikelihood:
    """Newton steps with backtracking from ``theta`` until the step is below STEP_TOL."""
    value = loglik(theta)
    message = f"Newton steps did not settle within {max_newton} steps"
    step_ok = False
    hess = np.full((len(theta), len(theta)), np.nan)
    for _ in range(max_newton):
        g = grad(theta)
        hess = -numerical_hessian(loglik, theta) if numeric else -hessian_from_gradient(grad, theta)
        try:
            factor = linalg.cho_factor(hess)
        except (linalg.LinAlgError, ValueError):
            message = (
                "the Hessian is not positive definite: the likelihood has no unique maximum here "
                "(a flat direction, or a parameter running off towards 0 or infinity)"
            )
            break
        step = linalg.cho_solve(factor, g)
        size = float(np.max(np.abs(step)))
        # backtracking: accept a step that does not lower the log-likelihood beyond rounding
        noise = 1e-12 * max(1.0, abs(value))
        t = 1.0
        while t > 1e-4:
            new = np.clip(theta + t * step, -BOUND, BOUND)
            new_value = loglik(new)
            if np.isfinite(new_value) and new_value >= value - noise:
                break
            t /= 2
        else:
            message = "no Newton step raises the log-likelihood: the maximum is not well defined"
            break
        theta, value = new, new_value
        n_iter += 1
        if t * size <= STEP_TOL:
            step_ok = True
            break
    gradient = grad(theta)
    grad_tol = max(GRAD_TOL_MIN, GRAD_TOL_PER_OBS * float(n_obs))
    at_bound = np.abs(theta) >= BOUND - 1e-6
    if step_ok and at_bound.any():
        step_ok, message = False, "a parameter is at the bound of the search (0 or infinity)"
    if step_ok and not np.max(np.abs(gradient)) <= grad_tol:
        step_ok = False
        message = (
            f"the gradient of the log-likelihood is {np.max(np.abs(gradient)):.2g} at the end, "
            f"above the tolerance {grad_tol:.2g}"
        )
    return MaximumLikelihood(
        theta=theta,
        loglik=float(value),
        gradient=gradient,
        hessian=hess,
        converged=step_ok,
        n_iter=n_iter,
        message="" if step_ok else message,
    )


def warn_not_converged(
    model: str, result: MaximumLikelihood, names: tuple[str, ...], *, stacklevel: int = 2
) -> None:
    """Issue a :class:`ConvergenceWarning` for a fit that did not converge, saying why.

    ``stacklevel`` counts from the caller of this function (2: the caller's caller), so that the
    warning points at the user's call to ``fit``.
    """
    if result.converged:
        return
    params = ", ".join(f"{n}={v:.4g}" for n, v in zip(names, np.exp(result.theta), strict=True))
    warnings.warn(
        f"{model} did not converge: {result.message}. Estimates ({params}) are not reliable; "
        "check the data (enough repeat customers? a long enough period?) before using them.",
        ConvergenceWarning,
        stacklevel=stacklevel + 1,
    )


def check_is_fitted(model: FittedModel) -> None:
    """Raise :class:`NotFittedError` unless ``model`` has been fitted (or made by from_params)."""
    if not hasattr(model, "params_"):
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet: call fit(...) before using it."
        )


class FittedModel:
    """Base of every maximum-likelihood model: fitting on log-parameters, results, repr.

    A subclass names its parameters in ``_names`` (all positive), stores its settings in the
    constructor (``start`` and ``maxiter`` here, others in its own), and its ``fit`` calls
    :meth:`_maximise`
    with the total log-likelihood as a function of the log-parameters, sets ``n_obs_`` and ends
    with :func:`warn_not_converged`. ``_param_units`` says the unit of each parameter for
    :meth:`summary`.
    """

    _names: tuple[str, ...] = ()
    # set by fit (or from_params)
    params_: dict[str, float]
    loglik_: float
    converged_: bool
    n_obs_: float
    n_iter_: int

    def __init__(self, *, start: Mapping[str, float] | None = None, maxiter: int = 2000) -> None:
        """Settings only (scikit-learn habit): ``start`` values of the parameters for the fit
        (default: from the data) and the iteration limit of its first stage."""
        self.start = start
        self.maxiter = maxiter

    @classmethod
    def from_params(cls, params: Mapping[str, float], **settings: Any) -> Self:
        """A model with given parameters (e.g. published ones), usable for prediction.

        ``settings`` go to the constructor (e.g. ``time_unit``). Standard errors and the
        log-likelihood are unknown (NaN), ``n_obs_`` is 0 and ``converged_`` False (no fit).
        """
        model = cls(**settings)
        values = np.array([params.get(k, np.nan) for k in cls._names], dtype=float)
        if set(params) != set(cls._names) or not np.all(np.isfinite(values) & (values > 0)):
            raise CXDataError(
                f"params must give a positive value for each of {list(cls._names)}; "
                f"got {dict(params)!r}."
            )
        model._from_params_settings()
        model._set_params(np.log(values), np.full((len(values), len(values)), np.nan))
        model.loglik_ = float("nan")
        model.converged_ = False
        model.n_obs_ = 0.0
        model.n_iter_ = 0
        return model

    def _from_params_settings(self) -> None:
        """Fitted settings that ``from_params`` must set (e.g. ``time_unit_``); none here."""

    def _set_params(self, theta: np.ndarray, cov_log: np.ndarray) -> None:
        self.params_ = {n: float(v) for n, v in zip(self._names, np.exp(theta), strict=True)}
        self._theta = theta
        self._cov_log = cov_log

    def _check_fitted(self) -> None:
        check_is_fitted(self)

    def _start_values(self, theta0: np.ndarray) -> np.ndarray:
        """Log of the ``start`` values given to the constructor, else ``theta0`` (from the data)."""
        if self.start is None:
            return theta0
        values = np.array([self.start.get(k, np.nan) for k in self._names], dtype=float)
        if set(self.start) != set(self._names) or not np.all(np.isfinite(values) & (values > 0)):
            raise CXDataError(
                f"start must give a positive value for each of {list(self._names)}; "
                f"got {dict(self.start)!r}."
            )
        return np.log(values)

    def _maximise(
        self,
        loglik: LogLik,
        theta0: np.ndarray,
        n_obs: float,
        value_and_grad: ValueAndGrad | None = None,
    ) -> MaximumLikelihood:
        """Maximise the total log-likelihood over log-parameters (:func:`maximise`); set results.

        The covariance of the log-parameters is the inverse of the Hessian of the total negative
        log-likelihood at the maximum; NaN if the fit did not converge.
        """
        result = maximise(
            loglik,
            self._start_values(theta0),
            n_obs=n_obs,
            value_and_grad=value_and_grad,
            maxiter=self.maxiter,
        )
        k = len(self._names)
        cov_log = np.full((k, k), np.nan)
        if result.converged:
            cov_log = linalg.inv(result.hessian)  # positive definite: checked by maximise
        self._set_params(result.theta, cov_log)
        self.loglik_ = result.loglik
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self._mle = result
        return result

    def _param_units(self) -> list[str]:
        """Unit of each parameter, shown by :meth:`summary` ("" = none)."""
        return [""] * len(self._names)

    @property
    def cov_(self) -> pd.DataFrame:
        """Covariance matrix of the parameter estimates (delta method from the log scale)."""
        self._check_fitted()
        est = np.exp(self._theta)
        cov = self._cov_log * np.outer(est, est)
        return pd.DataFrame(cov, index=list(self._names), columns=list(self._names))

    def summary(self, *, level: float = 0.95) -> pd.DataFrame:
        """Parameter table: ``estimate, se, ci_low, ci_high, level, unit`` indexed by parameter.

        ``se`` comes from the inverse Hessian of the log-likelihood (delta method); the interval
        is a Wald interval on the log scale, exp(log estimate +/- z se_log), so it stays positive.
        ``unit`` says what a parameter is measured in (e.g. ``alpha`` in the model's time unit).
        """
        self._check_fitted()
        z = z_value(level)
        est = np.exp(self._theta)
        se_log = np.sqrt(np.clip(np.diag(self._cov_log), 0, None))
        return pd.DataFrame(
            {
                "estimate": est,
                "se": est * se_log,
                "ci_low": np.exp(self._theta - z * se_log),
                "ci_high": np.exp(self._theta + z * se_log),
                "level": level,
                "unit": self._param_units(),
            },
            index=pd.Index(list(self._names), name="parameter"),
        )

    def _repr_settings(self) -> list[str]:
        """Settings shown first in the repr (e.g. the time unit)."""
        return []

    def __repr__(self) -> str:
        parts = self._repr_settings()
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}({', '.join(parts)}) [not fitted]"
        parts += [f"{k}={v:.4g}" for k, v in self.params_.items()]
        parts += [f"loglik={self.loglik_:.2f}", f"n={self.n_obs_:g}"]
        return f"{type(self).__name__}({', '.join(parts)})"
