"""The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013)."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
import pandas as pd
from scipy import special

from cxlib.clv._core import (
    _as_float,
    _dot,
    _frame_columns,
    _wrap,
)
from cxlib.fitting import FittedModel, warn_not_converged
from cxlib.validate import CXDataError, fail_rows


class GammaGamma(FittedModel):
    """Gamma-Gamma model of spend per purchase (Fader & Hardie 2013; Colombo & Jiang 1999).

    A customer's spends are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers, so their mean
    spend is p/nu and the population mean is p gamma / (q - 1) (in the data's currency). Fitted on
    repeat buyers only (frequency > 0): ``monetary_value`` is the mean of their repeat purchases.
    Assumes spend is independent of purchase frequency: check the correlation before using it.

    Parameters
    ----------
    start : dict, optional
        Starting values of ``p, q, gamma``; default: from the data.
    maxiter : int, default 2000
        Iteration limit of the first stage of the fit (L-BFGS-B with the analytic gradient,
        then Newton steps to the optimum: :func:`cxlib.fitting.maximise`).

    Examples
    --------
    The CDNOW sample's repeat buyers (Fader & Hardie 2013: p = 6.25, q = 3.74, gamma = 15.44):

    >>> from cxlib.data import load_cdnow
    >>> from cxlib.customers import customer_summary
    >>> summary = customer_summary(load_cdnow(sample=True), calibration_end="1997-09-30")
    >>> GammaGamma().fit(summary)
    GammaGamma(p=6.25, q=3.744, gamma=15.44, loglik=-4055.92, n=946)
    """

    _names = ("p", "q", "gamma")

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
        order = np.lexsort((m[rep], x[rep]))  # value order: the fit ignores the order of rows
        x, m, w = x[rep][order], m[rep][order], w[rep][order]
        if len(x) < 3:
            raise CXDataError(
                f"GammaGamma needs at least 3 repeat buyers ({frequency} > 0); got {len(x)}."
            )
        total = float(w.sum())
        log_x, log_m, xm = np.log(x), np.log(m), x * m
        const = _dot(w, log_m)  # -log m per customer (Jacobian), kept so loglik_ matches Hardie

        @overload
        def parts(theta: np.ndarray, gradient: Literal[False]) -> tuple[float, None]: ...

        @overload
        def parts(theta: np.ndarray, gradient: Literal[True]) -> tuple[float, np.ndarray]: ...

        def parts(theta: np.ndarray, gradient: bool) -> tuple[float, np.ndarray | None]:
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
        self._maximise(
            lambda theta: parts(theta, False)[0],
            theta0,
            total,
            value_and_grad=lambda theta: parts(theta, True),
        )
        self.n_obs_ = total
        warn_not_converged(type(self).__name__, self._mle, self._names)
        return self

    def _param_units(self) -> list[str]:
        return ["", "", "currency"]  # gamma is in the data's currency, p and q have no unit

    @property
    def mean_spend_(self) -> float:
        """Population mean spend per purchase, p gamma / (q - 1) (infinite if q <= 1)."""
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._names)
        return p * g / (q - 1) if q > 1 else float("inf")

    def conditional_expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected spend per future purchase given x repeat purchases with mean ``monetary_value``.

        E[M | x, m] = (gamma + x m) p / (p x + q - 1): a weighted mean of the population mean and
        the customer's own mean. Customers with x = 0 get the population mean. Where
        p x + q <= 1 (q <= 1 with few purchases) the expectation does not exist: inf, as for
        :attr:`mean_spend_`, never a negative spend.
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
        denominator = p * x + q - 1
        with np.errstate(divide="ignore"):
            spend = np.where(denominator > 0, (g + x * mm) * p / denominator, np.inf)
        return _wrap(spend, index, "expected_spend")
