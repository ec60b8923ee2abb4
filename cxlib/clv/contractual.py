"""Retention in a contractual setting: the shifted-beta-geometric (sBG) model (Fader & Hardie 2007).

Where customers renew a contract each period and churn is observed, :class:`ShiftedBetaGeometric`
projects a cohort's retention beyond the data and values its customers. It is fitted on a
retention curve (customers still active after each period) or on individual durations with
right censoring, and it answers the questions notebooks ask of it: survival and retention by
period, the median remaining lifetime of a customer who has stayed n periods, the discounted
expected residual lifetime (DERL), and what a higher retention rate is worth
(:meth:`ShiftedBetaGeometric.retention_uplift`).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. Journal of Interactive
Marketing 21(1), 76-90.
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the perils
of ignoring heterogeneity. Marketing Science 29(1), 85-93.
Fader, P. S., Hardie, B. G. S., Liu, Y., Davin, J. & Steenburgh, T. (2018). "How to project
customer retention" revisited: the role of duration dependence. Journal of Interactive Marketing
43, 1-16 (the polarization index).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from cxlib.clv.simple import retention_gain
from cxlib.fitting import FittedModel, warn_not_converged
from cxlib.units import PERIODS_PER_YEAR, check_time_unit
from cxlib.validate import (
    CXDataError,
    check_integer,
    check_labels,
    check_no_missing,
    check_range,
    fail_rows,
    to_series,
)

__all__ = ["RetentionUplift", "ShiftedBetaGeometric"]

#: Equal-weight quantiles of the churn-probability distribution used by :meth:`retention_uplift`.
_GRID = (np.arange(4000) + 0.5) / 4000


@dataclass(frozen=True)
class RetentionUplift:
    """What ``uplift`` more retention after a year is worth for a new customer's lifetime value.

    Attributes
    ----------
    retention : float
        Share of a new cohort still a customer after one year (a rate in [0, 1]).
    target : float
        ``retention + uplift``.
    churn_scale : float
        The factor on every customer's churn probability that reaches ``target`` (NaN when the
        target is 1 or more: impossible).
    clv_gain : float
        Relative gain in the expected discounted lifetime of a new customer, e.g. 0.096 = +9.6 %
        (NaN when impossible).
    """

    retention: float
    target: float
    churn_scale: float
    clv_gain: float


class ShiftedBetaGeometric(FittedModel):
    """Shifted-beta-geometric (sBG) model of retention in a contractual setting.

    Each customer renews at the end of every period with her own probability ``1 - theta`` and
    leaves for good at the first non-renewal (geometric lifetime, ``T >= 1`` periods); churn
    probabilities ``theta`` vary between customers as Beta(alpha, beta). Then (Fader & Hardie
    2007, eqs. 4-7)::

        P(T = t)  = B(alpha + 1, beta + t - 1) / B(alpha, beta)
        S(t)      = B(alpha, beta + t) / B(alpha, beta)          (still a customer after t periods)
        r(t)      = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

    The retention rate ``r(t)`` rises with ``t`` although no customer's own probability changes:
    the customers with high ``theta`` leave first (heterogeneity, not growing loyalty).

    Where the data show no heterogeneity, the likelihood rises without end as alpha and beta grow
    with their ratio fixed: its maximum is the limit alpha, beta -> infinity, in which every
    customer has the same churn probability ``p = churn_mean_`` (a geometric lifetime,
    ``polarization_ = 0``). The fit recognises this case (the score for heterogeneity at the
    geometric maximum is not positive), reports ``alpha = beta = inf`` and predicts from the
    limit: ``S(t) = (1 - p)^t``, ``r(t) = 1 - p``.

    Parameters
    ----------
    time_unit : {"years", "months", "weeks", "days"}
        Length of one period (a renewal cycle); shown in ``repr`` and used by
        :meth:`retention_uplift` to find a year.
    start : dict, optional
        Starting values of ``alpha`` and ``beta`` for the fit; default 1 and 1.
    maxiter : int, default 2000
        Iteration limit of the first stage of the fit (:func:`cxlib.fitting.maximise`).

    Attributes
    ----------
    params_ : dict
        ``alpha`` and ``beta``.
    loglik_, converged_, n_iter_
        As for every model (:class:`cxlib.fitting.FittedModel`).
    n_obs_ : int
        Customers in the data.
    n_periods_ : int
        Periods observed (length of the curve minus one, or the longest duration).
    churn_mean_ : float
        Mean churn probability per period, alpha / (alpha + beta).
    polarization_ : float
        Polarization index 1 / (alpha + beta + 1) in [0, 1): 0 when all customers share one
        churn probability, towards 1 when each either stays for ever or leaves at once (Fader,
        Hardie, Liu, Davin & Steenburgh 2018).

    Examples
    --------
    >>> alive = [1000, 631, 468, 382, 326, 289, 262, 241]  # Fader & Hardie 2007, "regular"
    >>> ShiftedBetaGeometric(time_unit="years").fit(alive)
    ShiftedBetaGeometric(time_unit='years', alpha=0.7041, beta=1.182, loglik=-1680.27, n=1000)
    """

    _names = ("alpha", "beta")
    _homogeneous = False  # set by fit: the no-heterogeneity limit, churn probability _p
    _p = float("nan")

    def __init__(
        self,
        *,
        time_unit: str,
        start: Mapping[str, float] | None = None,
        maxiter: int = 2000,
    ) -> None:
        super().__init__(start=start, maxiter=maxiter)
        self.time_unit = time_unit

    def _repr_settings(self) -> list[str]:
        return [f"time_unit={check_time_unit(self.time_unit)!r}"]

    @property
    def churn_mean_(self) -> float:
        """Mean churn probability per period, alpha / (alpha + beta) (the limit p if infinite)."""
        a, b = self._ab()
        return self._p if self._homogeneous else a / (a + b)

    @property
    def polarization_(self) -> float:
        """Polarization index 1 / (alpha + beta + 1): 0 = one churn probability for all."""
        a, b = self._ab()
        return 0.0 if self._homogeneous else 1 / (a + b + 1)

    # -- likelihood -------------------------------------------------------------------------
    @staticmethod
    def _log_surv(t: np.ndarray, a: float, b: float) -> np.ndarray:
        """log S(t) = log B(a, b + t) - log B(a, b).

        For whole t as -sum_{i<t} log1p(a / (b + i)) (product of the retention rates), which
        stays exact where alpha and beta are huge and the beta functions would cancel.
        """
        t = np.asarray(t, dtype=float)
        if t.size and np.all(t == np.round(t)) and t.max() <= 1e6:
            steps = np.log1p(a / (b + np.arange(int(t.max()))))
            return np.concatenate([[0.0], -np.cumsum(steps)])[t.astype(np.int64)]
        return special.betaln(a, b + t) - special.betaln(a, b)

    @classmethod
    def _log_pmf(cls, t: np.ndarray, a: float, b: float) -> np.ndarray:
        """log P(T = t) = log S(t - 1) + log(alpha / (alpha + beta + t - 1))."""
        t = np.asarray(t, dtype=float)
        return cls._log_surv(t - 1, a, b) + np.log(a) - np.log(a + b + t - 1)

    def _loglik(self, log_params: np.ndarray) -> float:
        return self._loglik_and_gradient(log_params)[0]

    def _loglik_and_gradient(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (log alpha, log beta).

        With u_i = alpha / (alpha + beta + i): d log S(t) / d log alpha = -sum_{i<t} u_i and
        d log S(t) / d log beta = sum_{i<t} u_i beta / (beta + i); the last step of P(T = t)
        adds (beta + t - 1) / (alpha + beta + t - 1) and -beta / (alpha + beta + t - 1).
        Computed once for periods 0..max and indexed by each customer's period.
        """
        a, b = np.exp(log_params)
        lt, lw, ct, cw = self._lost_t, self._lost_w, self._cens_t, self._cens_w
        i = np.arange(self.n_periods_ + 1, dtype=float)
        u = a / (a + b + i)
        log_s = np.concatenate([[0.0], -np.cumsum(np.log1p(a / (b + i)))])
        ds_a = np.concatenate([[0.0], -np.cumsum(u)])
        ds_b = np.concatenate([[0.0], np.cumsum(u * b / (b + i))])
        lost, cens = lt.astype(np.int64), ct.astype(np.int64)
        last = a + b + lt - 1
        ll = np.sum(lw * (log_s[lost - 1] + np.log(a) - np.log(last))) + np.sum(cw * log_s[cens])
        g_a = np.sum(lw * (ds_a[lost - 1] + (b + lt - 1) / last)) + np.sum(cw * ds_a[cens])
        g_b = np.sum(lw * (ds_b[lost - 1] - b / last)) + np.sum(cw * ds_b[cens])
        return float(ll), np.array([g_a, g_b])

    # -- fitting ----------------------------------------------------------------------------
    def fit(
        self,
        alive: Any = None,
        *,
        durations: Any = None,
        churned: Any = None,
    ) -> ShiftedBetaGeometric:
        """Fit alpha and beta by maximum likelihood.

        Give either ``alive`` or ``durations`` with ``churned``.

        Parameters
        ----------
        alive : array-like of int, optional
            Customers of one cohort still active at the start (period 0) and after each period
            1, 2, ...; non-increasing. Those lost between ``t - 1`` and ``t`` have ``T = t``;
            those alive at the last period are right-censored.
        durations : array-like of int, optional
            Per customer, whole periods as a customer (>= 0). With ``churned`` True the customer
            left after that many periods (``T = duration``, must be >= 1); with False she was
            still a customer (censored: ``T > duration``).
        churned : array-like of 0/1 or bool, optional
            Whether each customer has left; aligned with ``durations`` by position.

        Returns
        -------
        self
        """
        check_time_unit(self.time_unit)
        if (alive is None) == (durations is None):
            raise CXDataError(
                "Give either 'alive' (a retention curve) or 'durations' with 'churned'."
            )
        if alive is not None:
            self._set_curve(alive)
        else:
            self._set_durations(durations, churned)
        result = self._maximise(
            self._loglik, np.zeros(2), self.n_obs_, value_and_grad=self._loglik_and_gradient
        )
        self._homogeneous = False
        self._p = self._geometric_p()
        if self._geometric_is_maximum(self._p, result.loglik if result.converged else -np.inf):
            self._homogeneous = True
            self._set_params(np.full(2, np.inf), np.full((2, 2), np.nan))
            self.loglik_ = self._geometric_loglik(self._p)
            self.converged_ = True
            return self
        warn_not_converged(type(self).__name__, result, self._names)
        return self

    def _geometric_loglik(self, p: float) -> float:
        """Log-likelihood of the limit alpha, beta -> inf: one churn probability p for all."""
        lost = np.sum(self._lost_w * (special.xlogy(1, p) + special.xlog1py(self._lost_t - 1, -p)))
        return float(lost + np.sum(self._cens_w * special.xlog1py(self._cens_t, -p)))

    def _geometric_p(self) -> float:
        """Churn probability of the model without heterogeneity: churners / periods at risk."""
        at_risk = np.sum(self._lost_w * self._lost_t) + np.sum(self._cens_w * self._cens_t)
        return float(np.sum(self._lost_w) / at_risk) if at_risk > 0 else 0.0

    def _geometric_is_maximum(self, p: float, loglik: float) -> bool:
        """Whether the likelihood is highest at no heterogeneity (alpha, beta -> infinity).

        ``loglik`` is that of an interior maximum (-inf if the fit found none). ``p`` is the
        geometric maximum (:meth:`_geometric_p`). In the polarization index phi (the model at
        phi = 0 is the geometric one) the score at phi = 0 is
        sum_lost w [(t-1)(t-2)/2 p/(1-p) - (t-1)] + sum_censored w t(t-1)/2 p/(1-p);
        if it is not positive, heterogeneity lowers the likelihood and the limit is the maximum.
        """
        lt, lw, ct, cw = self._lost_t, self._lost_w, self._cens_t, self._cens_w
        if p >= 1:
            return False  # everyone left after one period: the limit is not geometric
        odds = p / (1 - p)
        score = np.sum(lw * ((lt - 1) * (lt - 2) / 2 * odds - (lt - 1)))
        score += np.sum(cw * ct * (ct - 1) / 2 * odds)
        return bool(score <= 1e-9 * max(1.0, self.n_obs_)) and self._geometric_loglik(p) >= loglik

    def _set_curve(self, alive: Any) -> None:
        s = to_series(alive, name="alive")
        frame = pd.DataFrame({"alive": s.to_numpy()})
        check_no_missing(frame, "alive")
        check_integer(frame, "alive")
        check_range(frame, "alive", low=0)
        n = frame["alive"].to_numpy(dtype=float)
        if len(n) < 2 or n[0] <= 0:
            raise CXDataError(
                "alive needs a positive start (period 0) and at least one later period."
            )
        fail_rows(
            frame,
            np.concatenate([[False], np.diff(n) > 0]),
            "alive",
            "not increase from one period to the next (one cohort, no new customers)",
        )
        self._lost_t = np.arange(1, len(n), dtype=float)
        self._lost_w = n[:-1] - n[1:]
        self._cens_t = np.array([len(n) - 1], dtype=float)
        self._cens_w = np.array([n[-1]])
        self.n_obs_ = int(n[0])
        self.n_periods_ = len(n) - 1

    def _set_durations(self, durations: Any, churned: Any) -> None:
        if churned is None:
            raise CXDataError("durations need 'churned' (True = left, False = still a customer).")
        c, d = check_labels(churned, durations, labels_name="churned", values_name="durations")
        frame = pd.DataFrame({"durations": d, "churned": c})
        check_integer(frame, "durations")
        check_range(frame, "durations", low=0)
        fail_rows(
            frame,
            c & (d < 1),
            ["durations", "churned"],
            "be at least 1 for churned customers (T counts periods as a customer)",
        )
        lost_t, lost_w = np.unique(d[c], return_counts=True)
        cens_t, cens_w = np.unique(d[~c], return_counts=True)
        self._lost_t, self._lost_w = lost_t.astype(float), lost_w.astype(float)
        self._cens_t, self._cens_w = cens_t.astype(float), cens_w.astype(float)
        self.n_obs_ = len(d)
        self.n_periods_ = int(d.max())

    def _ab(self) -> tuple[float, float]:
        self._check_fitted()
        return self.params_["alpha"], self.params_["beta"]

    # -- predictions ------------------------------------------------------------------------
    def _t(self, t: Any, *, first: int = 0, function: str = "") -> np.ndarray:
        """Periods ``t`` as floats, finite and >= ``first`` (1 where the first renewal counts)."""
        arr = np.asarray(t, dtype=float)
        if np.any(arr < first) or not np.all(np.isfinite(arr)):
            raise CXDataError(
                f"{function or 't'} needs finite t >= {first} (periods of {self.time_unit}); "
                f"got {t!r}."
            )
        return arr

    def survival(self, t: Any) -> np.ndarray:
        """S(t): share of a new cohort still a customer after ``t`` periods (S(0) = 1)."""
        a, b = self._ab()
        if self._homogeneous:
            return np.exp(special.xlog1py(self._t(t), -self._p))
        return np.exp(self._log_surv(self._t(t), a, b))

    def churn_probability(self, t: Any) -> np.ndarray:
        """P(T = t): share of a new cohort lost at the end of period ``t`` (t >= 1)."""
        a, b = self._ab()
        t = self._t(t, first=1, function="churn_probability")  # the first renewal is at t = 1
        if self._homogeneous:
            return self._p * np.exp(special.xlog1py(t - 1, -self._p))
        return np.exp(self._log_pmf(t, a, b))

    def retention_rate(self, t: Any) -> np.ndarray:
        """r(t) = S(t) / S(t - 1): share of those active after ``t - 1`` periods who renew at t."""
        a, b = self._ab()
        t = self._t(t, first=1, function="retention_rate")
        if self._homogeneous:
            return np.full(t.shape, 1 - self._p)
        return (b + t - 1) / (a + b + t - 1)

    def expected_alive(self, t: Any) -> np.ndarray:
        """Expected customers still active after ``t`` periods out of the ``n_obs_`` fitted."""
        return self.n_obs_ * self.survival(t)

    def median_remaining_lifetime(self, tenure: Any = 0) -> np.ndarray:
        """Whole periods until half of the customers with ``tenure`` periods so far have left.

        The smallest k with S(tenure + k) / S(tenure) <= 1/2 (inf if the fitted churn
        probability is 0). Found by bisection on the survival ratio, which falls with k.
        """
        n = self._t(tenure)
        base = self.survival(n)
        low = np.zeros(n.shape)
        high = np.ones(n.shape)
        if self.churn_mean_ == 0:
            return np.full(n.shape, np.inf)
        while True:  # double until every customer's half-life is bracketed (a few dozen steps)
            open_ = self.survival(n + high) / base > 0.5
            if not open_.any():
                break
            low, high = np.where(open_, high, low), np.where(open_, 2 * high, high)
        while np.any(high - low > 1):  # whole periods: S(n + low) / S(n) > 1/2 >= S(n + high)
            mid = np.floor((low + high) / 2)
            above = self.survival(n + mid) / base > 0.5
            low, high = np.where(above, mid, low), np.where(above, high, mid)
        return high

    def discounted_expected_residual_lifetime(
        self, *, discount_rate: float, renewals: Any = 0
    ) -> np.ndarray:
        """DERL: expected discounted number of future payments (Fader & Hardie 2010, eq. 6).

        A customer pays once per period, at its start. For one who has made ``renewals`` = n
        renewals (0 = a new customer who has just paid for period 1), the expected number of
        further payments, the next one a period from now, each discounted at ``d`` =
        ``discount_rate`` per period, is ``sum_k S(n + k) / S(n) / (1 + d)^k`` over k >= 1, in
        closed form::

            DERL = (beta + n) / (alpha + beta + n) / (1 + d)
                   * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))

        (Fader & Hardie 2010 count the next payment undiscounted, which multiplies by 1 + d.)
        Multiply by the margin per period for the residual lifetime value. The expected
        discounted lifetime of a new customer including the first payment is ``1 + DERL(0)``
        ``= 2F1(1, beta; alpha + beta; 1 / (1 + d))`` (their DEL). Without heterogeneity
        (alpha = beta = inf, churn probability p) it is ``(1 - p) / (d + p)`` for every n.
        """
        a, b = self._ab()
        if not discount_rate > 0:
            raise CXDataError(
                f"discount_rate must be > 0 per period ({self.time_unit}); got {discount_rate!r}."
            )
        n = self._t(renewals)
        if self._homogeneous:
            return np.full(n.shape, (1 - self._p) / (discount_rate + self._p))
        x = 1 / (1 + discount_rate)
        return (b + n) / (a + b + n) * x * special.hyp2f1(1, b + n + 1, a + b + n + 1, x)

    def retention_uplift(
        self, *, uplift: float = 0.05, annual_discount_rate: float = 0.10
    ) -> RetentionUplift:
        """What ``uplift`` more one-year retention is worth for a new customer's lifetime value.

        The check of Reichheld's "5 % more retention, 25 % more profit": every customer's churn
        probability theta is scaled by the same factor k, chosen so that the share of a new cohort
        still a customer after one year rises by ``uplift`` (e.g. 80 % -> 85 %); the gain is the
        relative change in the expected discounted lifetime, sum_t S(t) / (1 + d)^t, d the
        per-period equivalent of ``annual_discount_rate``. This is
        :func:`cxlib.clv.simple.retention_gain` on 4,000 equal-weight quantiles of theta's Beta
        distribution (one value without heterogeneity).
        """
        unit = check_time_unit(self.time_unit)
        per_year = PERIODS_PER_YEAR[unit]
        if not per_year == round(per_year):
            raise CXDataError(f"retention_uplift needs whole periods per year; not {unit!r}.")
        if not 0 < uplift < 1:
            raise CXDataError(f"uplift must be a share in (0, 1); got {uplift!r}.")
        a, b = self._ab()
        theta = np.full(len(_GRID), self._p) if self._homogeneous else stats.beta.ppf(_GRID, a, b)
        gain = retention_gain(
            theta,
            uplift=uplift,
            discount_rate=annual_discount_rate,
            periods_per_year=int(per_year),
        )
        return RetentionUplift(gain.retention, gain.target, gain.churn_scale, gain.gain_share)
