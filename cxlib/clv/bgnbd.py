"""The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from scipy import special

from cxlib.clv._core import (
    TransactionModel,
    _as_float,
    _Data,
    _dot,
    _nonneg_time,
    _wrap,
)


class BGNBD(TransactionModel):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005a).

    While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) (per
    ``time_unit``); after each repeat purchase they drop out with probability p ~ Beta(a, b).

    Parameters
    ----------
    time_unit, start, maxiter
        As for every transaction model (:class:`~cxlib.clv.TransactionModel`): the unit of the
        durations (default: the one the summary records), starting values of ``r, alpha, a, b`` and
        the iteration limit of the fit's first stage (L-BFGS-B with the analytic gradient).

    Examples
    --------
    The CDNOW sample in weeks, calibration to 30 September 1997 (Fader, Hardie & Lee 2005a
    publish r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood -9582.4):

    >>> from cxlib.data import load_cdnow
    >>> from cxlib.customers import customer_summary
    >>> summary = customer_summary(load_cdnow(sample=True), calibration_end="1997-09-30",
    ...                            time_unit="weeks")
    >>> BGNBD().fit(summary)
    BGNBD(time_unit='weeks', r=0.2426, alpha=4.414, a=0.7929, b=2.426, loglik=-9582.43, n=2357)
    """

    _names = ("r", "alpha", "a", "b")
    discounting = "BG/NBD, per-period discounting"

    @overload
    def _loglik_parts(
        self, theta: np.ndarray, d: _Data, gradient: Literal[False]
    ) -> tuple[float, None]: ...

    @overload
    def _loglik_parts(
        self, theta: np.ndarray, d: _Data, gradient: Literal[True]
    ) -> tuple[float, np.ndarray]: ...

    def _loglik_parts(
        self, theta: np.ndarray, d: _Data, gradient: bool
    ) -> tuple[float, np.ndarray | None]:
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
        self._maximise(
            lambda theta: self._loglik_parts(theta, data, False)[0],
            self._start(data),
            total,
            value_and_grad=lambda theta: self._loglik_parts(theta, data, True),
        )

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

    def _cond_expected(
        self, t: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
    ) -> np.ndarray:
        """FHL (2005a) eq. (10), with Euler's transformation of 2F1 (no overflow at large x)."""
        r, alpha, a, b = (self.params_[k] for k in self._names)
        if abs(a - 1.0) < 1e-7:  # removable singularity at a = 1: average the two sides
            return 0.5 * (
                self._cond_at(t, x, tx, big_t, r, alpha, 1 - 1e-7, b)
                + self._cond_at(t, x, tx, big_t, r, alpha, 1 + 1e-7, b)
            )
        return self._cond_at(t, x, tx, big_t, r, alpha, a, b)

    def _cond_at(
        self,
        t: Any,
        x: np.ndarray,
        tx: np.ndarray,
        big_t: np.ndarray,
        r: float,
        alpha: float,
        a: float,
        b: float,
    ) -> np.ndarray:
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
