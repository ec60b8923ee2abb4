"""The Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from cxlib.clv._core import (
    TransactionModel,
    _as_float,
    _codes,
    _customers,
    _Data,
    _delta,
    _dot,
    _first_of_group,
    _nonneg_time,
    _wrap,
)
from cxlib.clv._hypergeometric import _log_hyp2f1_c
from cxlib.validate import CXDataError


class ParetoNBD(TransactionModel):
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
    time_unit, start, maxiter
        As for every transaction model (:class:`~cxlib.clv.TransactionModel`): the unit of the
        durations (default: the one the summary records), starting values of
        ``r, alpha, s, beta`` and the iteration limit of the fit's first stage (L-BFGS-B with a
        numerical gradient).

    Examples
    --------
    The CDNOW sample in weeks, calibration to 30 September 1997 (published: r = 0.553,
    alpha = 10.58, s = 0.606, beta = 11.67, log-likelihood -9595.0; Fader, Hardie & Lee 2005b):

    >>> from cxlib.data import load_cdnow
    >>> from cxlib.customers import customer_summary
    >>> summary = customer_summary(load_cdnow(sample=True), calibration_end="1997-09-30",
    ...                            time_unit="weeks")
    >>> ParetoNBD().fit(summary)  # doctest: +NORMALIZE_WHITESPACE
    ParetoNBD(time_unit='weeks', r=0.5533, alpha=10.58, s=0.6062, beta=11.67,
              loglik=-9594.98, n=2357)
    """

    _names = ("r", "alpha", "s", "beta")
    discounting = "Pareto/NBD DERT, continuous discounting"

    def _log_term1(self, params: np.ndarray, x: np.ndarray, tx: np.ndarray) -> np.ndarray:
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

    def _log_term2(self, params: np.ndarray, x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
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

    def _log_terms(
        self, params: np.ndarray, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
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

        def loglik(theta: np.ndarray) -> float:
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
            return float(ll) if np.isfinite(ll) else -np.inf

        start = self._start(data)
        start[3] = start[1]  # beta = alpha: the hypergeometric argument starts at 0
        self._maximise(loglik, start, total)

    def _log_lik(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = params = np.array([self.params_[k] for k in self._names])
        term1, term2 = self._log_terms(params, x, tx, big_t)
        return (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * np.log(alpha)
            + s * np.log(beta)
            + np.logaddexp(term1, term2)
        )

    def _log_palive(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
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

    def _cond_expected(
        self, t: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
    ) -> np.ndarray:
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

    def discounted_expected_purchases(
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
        return _wrap(dert, index, "discounted_expected_purchases")

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

        def nbd(kv: np.ndarray, tv: np.ndarray) -> np.ndarray:
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


def _lifetime_integral(t: np.ndarray, b: np.ndarray | float, s: float) -> np.ndarray:
    """b/(s-1) [1 - (b/(b+t))^(s-1)] = integral_0^t (b/(b+u))^s du, computed safely at s = 1."""
    log_ratio = np.log1p(t / b)
    sm1 = s - 1.0
    if abs(sm1) < 1e-8:
        return b * log_ratio
    return -b * np.expm1(-sm1 * log_ratio) / sm1


def _discounted_lifetime(
    b: np.ndarray, s: float, delta: float, horizon: float | None
) -> np.ndarray:
    """integral_0^H exp(-delta t) (b/(b+t))^s dt with H = horizon (None: infinity)."""

    def full(bb: np.ndarray) -> np.ndarray:
        return np.exp(s * np.log(bb) + (s - 1) * np.log(delta)) * special.hyperu(s, s, delta * bb)

    if horizon is None:
        return full(b)
    if not np.isfinite(horizon) or horizon < 0:
        raise CXDataError(
            f"horizon must be a non-negative number of periods or None; got {horizon!r}."
        )
    tail = np.exp(-delta * horizon + s * (np.log(b) - np.log(b + horizon))) * full(b + horizon)
    return full(b) - tail
