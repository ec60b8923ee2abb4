"""The NBD model of repeat purchases: purchase rates without dropout (Ehrenberg 1959).

Each customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) (per ``time_unit``) and
never stops. It is the limit the BG/NBD (a -> 0) and the Pareto/NBD (s -> 0) reach when the data
cannot tell when customers stop buying (:mod:`cxlib.clv.diagnostics`): fitting it directly gives
the purchase rates of that limit at a unique maximum, without the ill-conditioned dropout
parameters. Its forecasts assume customers keep buying at their rates: an upper value where some
customers do stop.

Likelihood of a customer with x repeat purchases in (0, T]:
``Gamma(r + x) / (Gamma(r) x!) (alpha / (alpha + T))^r (1 / (alpha + T))^x`` times ``T^x`` (the
last two factors do not involve the parameters); the conditional expectation of purchases in
(T, T + t] is ``t (r + x) / (alpha + T)`` (gamma-Poisson updating).

References
----------
Ehrenberg, A. S. C. (1959). The pattern of consumer purchases. Applied Statistics 8(1), 26-41.
Morrison, D. G. & Schmittlein, D. C. (1988). Generalizing the NBD model for customer purchases:
what are the implications and is it worth the effort? J. Business & Economic Statistics 6(2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from cxlib.clv._core import TransactionModel, _as_float, _Data, _dot, _nonneg_time, _wrap

__all__ = ["NBD"]


class NBD(TransactionModel):
    """NBD model of repeat purchases: gamma-distributed Poisson rates, no dropout.

    Parameters
    ----------
    time_unit, start, maxiter
        As for every transaction model (:class:`~cxlib.clv.TransactionModel`); ``start`` gives
        ``r`` and ``alpha``.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"frequency": [0, 0, 6, 1, 0, 10],
    ...                         "recency": [0.0, 0, 30, 4, 0, 20],
    ...                         "T": [20.0, 30, 40, 10, 15, 25]})
    >>> NBD(time_unit="weeks").fit(summary)
    NBD(time_unit='weeks', r=0.4085, alpha=3.694, loglik=-46.77, n=6)
    """

    _names = ("r", "alpha")
    discounting = "NBD (no dropout), per-period discounting"

    def _start(self, data: _Data) -> np.ndarray:
        return super()._start(data)[:2]

    def _fit_data(self, data: _Data, total: float) -> None:
        def parts(theta: np.ndarray) -> tuple[float, np.ndarray]:
            r, alpha = np.exp(theta)
            exposure_w = np.concatenate([data.w0, data.wp])
            big_t = np.concatenate([data.T0, data.Tp])
            counts = np.concatenate([np.zeros(len(data.T0)), data.xp])
            log_at = np.log(alpha + big_t)
            ll = (
                _dot(data.wx, special.gammaln(r + data.ux) - special.gammaln(r))
                + data.W * r * np.log(alpha)
                - _dot(exposure_w, (r + counts) * log_at)
            )
            g_r = (
                _dot(data.wx, special.digamma(r + data.ux) - special.digamma(r))
                + data.W * np.log(alpha)
                - _dot(exposure_w, log_at)
            )
            g_alpha = data.W * r / alpha - _dot(exposure_w, (r + counts) / (alpha + big_t))
            return ll, np.array([g_r, g_alpha]) * np.exp(theta)

        self._maximise(lambda theta: parts(theta)[0], self._start(data), total, parts)

    def _log_lik(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha = (self.params_[k] for k in self._names)
        return (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * np.log(alpha)
            - (r + x) * np.log(alpha + big_t)
        )

    def _log_palive(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        return np.zeros(np.broadcast(x, tx, big_t).shape)

    def _cond_expected(
        self, t: Any, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
    ) -> np.ndarray:
        r, alpha = (self.params_[k] for k in self._names)
        t, x, big_t = np.broadcast_arrays(t, x, big_t)
        return t * (r + x) / (alpha + big_t)

    def probability_of_purchases(self, k: Any, t: Any) -> Any:
        """P(X(t) = k) for a new customer: negative binomial with r and p = alpha / (alpha + t)."""
        self._check_fitted()
        r, alpha = (self.params_[n] for n in self._names)
        kk, tt = np.broadcast_arrays(_as_float(k, "k", ndim=2), _nonneg_time(t, "t", ndim=2))
        log_p = (
            special.gammaln(r + kk)
            - special.gammaln(r)
            - special.gammaln(kk + 1)
            + r * np.log(alpha / (alpha + tt))
            + special.xlogy(kk, tt / (alpha + tt))
        )
        return _wrap(np.exp(log_p), None, "probability")
