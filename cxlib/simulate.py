r"""A seeded simulator of a customer-experience (CX) panel with known true parameters.

No public data set links survey answers, touchpoint interactions and purchases of the same
customers, so :func:`cx_panel` generates one. Every number it draws comes from a documented
generative model whose parameters are returned in :class:`CXTruth`, so that a notebook can compare
an estimate (a churn rate, a driver weight, the effect of satisfaction on revenue) with the truth.

The model (time unit: month; money: EUR)
-----------------------------------------
Customers and confounders
    Segment :math:`g_i` in {Privatkunde, Geschäftskunde, Premium} with shares ``segment_shares``;
    region (Nord, Süd, Ost, West) is drawn independently and affects nothing (a placebo).
    A share ``p_existing`` of customers is already a customer at ``start`` with tenure
    :math:`T_i \sim U(0, 10)` years; the others sign up on a uniform day of the window (tenure 0).

Touchpoint experience and latent satisfaction (Kundenzufriedenheit)
    Each customer has a typical experience quality at each touchpoint :math:`j`,
    :math:`x_{ij}`, standard normal with correlation ``experience_correlation`` between
    touchpoints (a common factor). The raw satisfaction is

    .. math:: s^*_i = \sum_j w_j x_{ij} + \beta_{g_i} + \beta_T T_i + \varepsilon_i,
              \quad \varepsilon_i \sim N(0, \sigma_\varepsilon^2)

    and the latent satisfaction is its population standardisation
    :math:`s_i = (s^*_i - \mu)/\sigma` (mean and SD computed exactly from the parameters, so
    :math:`s` has mean 0 and SD 1 in the population, not only in the sample). The true driver
    weights on the standardised scale are :math:`w_j / \sigma` (``CXTruth.driver_weights``):
    the change in :math:`s` (SD units) per +1 SD of experience at touchpoint :math:`j`.

Value (confounded by segment and tenure, which also drive satisfaction)
    Purchase rate per month :math:`\lambda_i = \exp(a_0 + a_{g_i} + a_T T_i + \theta_\lambda s_i)
    G_i` with :math:`G_i \sim \text{Gamma}(r, 1/r)` (mean 1); purchases arrive as a Poisson process
    while the customer is active. Mean spend per purchase (EUR)
    :math:`m_i = \exp(b_0 + b_{g_i} + b_T T_i + \theta_m s_i) H_i`, :math:`\log H_i \sim
    N(-\sigma_H^2/2, \sigma_H^2)` (mean 1); each amount is Gamma with shape ``spend_shape`` and
    mean :math:`m_i`, rounded to cents.

Churn (Kundenabwanderung), a discrete-time proportional-hazards model
    In month :math:`t` a customer active at its start churns with probability
    :math:`1 - \exp(-h_{it} e_{it})`, where :math:`e_{it}` is the share of the month at risk
    (1 for customers active at its start) and the hazard per month is

    .. math:: \log h_{it} = c_0 + c_{g_i} + c_T \tau_{it} + \theta_h s_i
              + \sum_j \delta_j B_{ij,t-1},

    :math:`\tau_{it}` the current tenure in years and :math:`B_{ij,t-1}` = 1 if the customer had
    at least one bad experience at touchpoint :math:`j` in the previous month. :math:`\delta_j`
    (``bad_experience_churn_effect``) is a log hazard ratio, distinct per touchpoint, so a
    "moment of truth" analysis can rank touchpoints. The churn day is uniform over the days at
    risk; the customer has no interactions or purchases on or after it.

Interactions (Customer Journey) in sessions
    Each purchase is a session at its purchase channel (Website, App or Filiale, shares by
    segment): 0-2 events of stage "Information" then one "Kauf" event, minutes apart. Online
    purchases are delivered 1-4 days later (touchpoint and stage "Lieferung"); a share of purchases
    gets an invoice event 0-7 days later ("Rechnung"). Service sessions arrive as a Poisson process
    (rate by segment, higher for less satisfied customers): 0-2 self-service events at Website/App
    and then, possibly, a call to the Kundenservice-Hotline or a Filiale visit (stage
    "Nutzung/Service"). Each event is a bad experience with probability
    :math:`\operatorname{expit}(\alpha_j - \kappa x_{ij} + \iota_{jt})`, where
    :math:`\iota_{jt}` is ``incident["logit_shift"]`` for the incident touchpoint in the incident
    months (by default a delivery crisis, Lieferung, in months 15-16 of the window) and 0
    otherwise: a real change that CSAT by touchpoint and month and the churn rate should show.

    Journey stages: "Information" (information/awareness), "Kauf" (purchase), "Lieferung"
    (delivery), "Nutzung/Service" (usage/service), "Rechnung" (billing).

Surveys
    Transactional surveys: an interaction at touchpoint :math:`j` triggers an invitation with
    probability ``invite_prob[j]`` (``invite_prob_information`` for Information events), sent
    1-48 hours later. The customer answers with probability
    :math:`\operatorname{expit}(\rho_0 + \rho_s s_i + \rho_b \text{bad})`: unhappy customers answer
    less often, but a bad experience makes an answer somewhat more likely. Answers come from
    ordered-probit style latent scores :math:`y = \text{loading}_s s_i + \text{loading}_x x_{ij} +
    \text{loading}_{bad} \text{bad} + N(0, \text{noise}^2)` cut at ``cuts``: CSAT 1-5, CES 2.0 1-7
    (agreement with "the company made it easy", higher = easier), NPS 0-10.
    Relationship survey: one wave a year, six months into each year of the window (or in the middle
    of a window shorter than seven months); every customer active on the wave date is invited and
    answers with probability :math:`\operatorname{expit}(\rho^{rel}_0 + \rho_s s_i)`. Overall
    satisfaction 0-10 :math:`= \text{round}(7 + 1.5 s_i + N(0, 1))` clipped; NPS 0-10 likewise; a
    rating 1-10 of each touchpoint used in the 12 months before the wave
    :math:`= \text{round}(7 + 1.5 x_{ij} + N(0, 0.8^2))` clipped, NaN for touchpoints not used.
    Ratings have no halo effect, so regressing overall satisfaction on them recovers the driver
    weights up to attenuation: by measurement error, and because respondents (and customers
    still active at the wave) are selected on satisfaction, which shrinks every slope alike;
    relative weights survive.

Using the truth
    Satisfaction is a stable trait here: what changes month to month are bad experiences (and
    the incident). Customers already active at ``start`` are drawn from the same population as
    new ones (no survivorship tilt). Premium customers and long-tenured customers are both more
    satisfied and more valuable, so a naive regression of log purchase rate (or log 12-month
    revenue) on satisfaction overstates ``satisfaction_effect`` by about half, and of log churn
    hazard by about a third; adjusting for segment and ``tenure_months_at_start`` removes the
    bias (``CXTruth.confounding``). Region is a placebo: any "region effect" is noise.

All parameters are in :data:`DEFAULT_PARAMS` and returned as ``CXTruth.params``.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284 (Poisson-gamma purchases).
Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your customers. *HBR* (CES).
Reichheld, F. F. (2003). The one number you need to grow. *HBR* (NPS).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from cxlib.validate import CXDataError, to_timestamp

__all__ = [
    "DEFAULT_PARAMS",
    "REGIONS",
    "SEGMENTS",
    "STAGES",
    "STAGES_EN",
    "TOUCHPOINTS",
    "CXPanel",
    "CXTruth",
    "cx_panel",
]

TOUCHPOINTS = ["Website", "App", "Kundenservice-Hotline", "Filiale", "Lieferung", "Rechnung"]
STAGES = ["Information", "Kauf", "Lieferung", "Nutzung/Service", "Rechnung"]
#: English names of the journey stages, for labels.
STAGES_EN = {
    "Information": "information",
    "Kauf": "purchase",
    "Lieferung": "delivery",
    "Nutzung/Service": "usage/service",
    "Rechnung": "billing",
}
SEGMENTS = ["Privatkunde", "Geschäftskunde", "Premium"]
REGIONS = ["Nord", "Süd", "Ost", "West"]

_WEB, _APP, _HOT, _FIL, _LIE, _RE = range(6)
_S_INFO, _S_KAUF, _S_LIEF, _S_SERV, _S_RECH = range(5)
_DAYS_PER_YEAR = 365.25
_MINUTES_PER_DAY = 1440

DEFAULT_PARAMS: dict[str, Any] = {
    "segment_shares": {"Privatkunde": 0.65, "Geschäftskunde": 0.25, "Premium": 0.10},
    "region_shares": {"Nord": 0.30, "Süd": 0.30, "Ost": 0.15, "West": 0.25},
    "p_existing": 0.70,  # share of customers already active at `start`
    "max_tenure_years": 10.0,  # tenure at start of existing customers ~ U(0, max)
    # latent satisfaction (raw scale, before standardisation)
    "driver_weights_raw": {
        "Website": 0.10,
        "App": 0.15,
        "Kundenservice-Hotline": 0.35,
        "Filiale": 0.05,
        "Lieferung": 0.25,
        "Rechnung": 0.20,
    },
    "experience_correlation": 0.3,
    "satisfaction_segment": {"Privatkunde": 0.0, "Geschäftskunde": 0.0, "Premium": 0.6},
    "satisfaction_tenure_per_year": 0.12,
    "satisfaction_noise_sd": 0.6,
    # purchases (per month) and spend (EUR)
    "purchase_log_intercept": float(np.log(0.25)),
    "purchase_segment": {"Privatkunde": 0.0, "Geschäftskunde": 0.4, "Premium": 0.6},
    "purchase_tenure_per_year": 0.08,
    "purchase_satisfaction": 0.25,
    "purchase_heterogeneity_shape": 2.0,
    "spend_log_intercept": float(np.log(60.0)),
    "spend_segment": {"Privatkunde": 0.0, "Geschäftskunde": 0.8, "Premium": 0.5},
    "spend_tenure_per_year": 0.02,
    "spend_satisfaction": 0.10,
    "spend_heterogeneity_sd": 0.4,
    "spend_shape": 4.0,
    # churn hazard per month
    "churn_log_intercept": float(np.log(0.025)),
    "churn_segment": {"Privatkunde": 0.0, "Geschäftskunde": -0.3, "Premium": -0.5},
    "churn_tenure_per_year": -0.10,
    "churn_satisfaction": -0.45,
    "bad_experience_churn_effect": {
        "Website": 0.15,
        "App": 0.05,
        "Kundenservice-Hotline": 0.80,
        "Filiale": 0.30,
        "Lieferung": 0.60,
        "Rechnung": 0.45,
    },
    # interactions
    "purchase_channel": {  # Website, App, Filiale shares per segment
        "Privatkunde": [0.45, 0.35, 0.20],
        "Geschäftskunde": [0.60, 0.15, 0.25],
        "Premium": [0.30, 0.50, 0.20],
    },
    "info_events_p": 0.5,  # number of Information events before Kauf ~ Binomial(2, p)
    "invoice_prob": {"Privatkunde": 0.4, "Geschäftskunde": 0.9, "Premium": 0.5},
    "service_rate": {"Privatkunde": 0.12, "Geschäftskunde": 0.20, "Premium": 0.15},
    "service_satisfaction": -0.3,  # log service rate per +1 SD satisfaction
    "bad_experience_logit": {
        "Website": -3.0,
        "App": -3.2,
        "Kundenservice-Hotline": -1.8,
        "Filiale": -3.0,
        "Lieferung": -2.2,
        "Rechnung": -2.8,
    },
    "bad_experience_experience": 0.8,  # kappa: logit change per -1 SD experience
    # a documented incident: more bad experiences at one touchpoint for a few months
    # (months counted from 1 = the first month of the window; skipped if outside it)
    "incident": {"touchpoint": "Lieferung", "first_month": 15, "n_months": 2, "logit_shift": 1.5},
    # transactional surveys
    "invite_prob": {
        "Website": 0.10,
        "App": 0.10,
        "Kundenservice-Hotline": 0.30,
        "Filiale": 0.15,
        "Lieferung": 0.20,
        "Rechnung": 0.05,
    },
    "invite_prob_information": 0.01,
    "response_logit": float(np.log(0.25 / 0.75)),
    "response_satisfaction": 0.5,
    "response_bad_experience": 0.3,
    "csat_model": {"s": 0.5, "x": 0.7, "bad": -1.5, "noise": 0.7, "cuts": [-1.9, -1.2, -0.5, 0.5]},
    "ces_model": {
        "s": 0.3,
        "x": 0.8,
        "bad": -1.6,
        "noise": 0.8,
        "cuts": [-2.4, -1.8, -1.2, -0.6, 0.1, 1.0],
    },
    "nps_model": {
        "s": 0.8,
        "x": 0.3,
        "bad": -0.8,
        "noise": 0.8,
        "cuts": [-3.0, -2.6, -2.2, -1.8, -1.4, -1.0, -0.6, -0.1, 0.5, 1.2],
    },
    # relationship survey
    "relationship_response_logit": float(np.log(0.3 / 0.7)),
    "relationship_overall": {"intercept": 7.0, "s": 1.5, "noise": 1.0},
    "relationship_nps": {"intercept": 7.3, "s": 1.7, "noise": 1.2},
    "relationship_rating": {"intercept": 7.0, "x": 1.5, "noise": 0.8},
}


@dataclass(frozen=True)
class CXTruth:
    """The true values behind a simulated panel (see the module docstring for the model).

    Attributes
    ----------
    params : dict
        Every generating parameter: :data:`DEFAULT_PARAMS` with the ``params`` overrides merged in.
    driver_weights : Series
        Touchpoint -> change of latent satisfaction (SD units) per +1 SD of experience there.
    driver_importance : DataFrame
        Population importance of the touchpoint experiences for latent satisfaction, indexed by
        touchpoint: ``weight`` (= ``driver_weights``), ``correlation`` (of experience and
        satisfaction), ``shapley_r2`` (Shapley/LMG share of R^2, Lindeman, Merenda & Gold 1980),
        ``relative_weight_r2`` (Johnson 2000) and both as shares of their total
        (``shapley_share``, ``relative_weight_share``). Computed exactly from the correlation
        matrix implied by the parameters, so key driver estimates can be compared with it.
        ``attrs["r2"]`` holds the population R^2 of satisfaction on the six experiences.
    latent : DataFrame
        One row per customer: ``customer_id``, ``segment``, ``tenure_years_at_start``,
        ``satisfaction`` (standardised latent), ``experience_<touchpoint>`` (standard normal),
        ``purchase_rate_month`` (:math:`\\lambda_i`, purchases per active month),
        ``mean_spend`` (EUR per purchase), ``churn_hazard_month`` (hazard per month at start or
        signup, no bad experience the month before), ``churn_prob_month`` (1 - exp(-hazard)),
        ``service_rate_month`` and ``expected_revenue_12m`` (see ``revenue_effect``).
    satisfaction_effect : Series
        Effect of +1 SD latent satisfaction, other things (segment, tenure) equal, on
        ``log_purchase_rate``, ``log_spend`` and ``log_churn_hazard``.
    confounding : DataFrame
        Rows ``Geschäftskunde``, ``Premium`` (against Privatkunde) and ``tenure_years``; columns:
        their effect on ``satisfaction`` (SD units), ``log_purchase_rate``, ``log_spend`` and
        ``log_churn_hazard``. Both columns non-zero = a confounder of the satisfaction-value link.
    bad_experience_churn_effect : Series
        Touchpoint -> log hazard ratio of churn in the month after a bad experience there.
    response_model : Series
        Logit intercepts and slopes of the response probability (transactional, relationship).
    segment_shares : Series
        Population share of each segment (targets for raking).
    monthly_churn : DataFrame
        One row per month of the window: ``month_start``, ``n_at_risk`` (customers active at the
        month's start), ``expected_rate`` (mean true churn probability of those customers),
        ``churned`` and ``realised_rate`` (rates in [0, 1]).
    monthly_churn_rate : Series
        ``expected_rate`` indexed by month start: the true monthly churn rate that a churn-rate
        estimate (lost in the month / active at its start) should recover.
    revenue_effect : Series
        Effect of +1 SD latent satisfaction on expected revenue in the next 12 months (EUR),
        holding segment, tenure and heterogeneity fixed, see Notes.
    incident : dict
        The incident as simulated: ``touchpoint``, ``start`` and ``end`` (first day, and first
        day after it; ``None`` if it falls outside the window) and ``logit_shift``.

    Notes
    -----
    Expected 12-month revenue of a customer with purchase rate :math:`\\lambda`, mean spend
    :math:`m` and a constant monthly churn probability :math:`p` (tenure growth and bad
    experiences ignored; a churning customer is active half of the churn month on average):
    :math:`R = \\lambda m (1 - p/2) (1 - (1 - p)^{12}) / p`. Raising :math:`s` by 1 multiplies
    :math:`\\lambda m` by :math:`\\exp(\\theta_\\lambda + \\theta_m)` and the hazard by
    :math:`\\exp(\\theta_h)`; ``revenue_effect`` gives the mean :math:`R` before and after, their
    difference and ratio, and the multiplier without churn.
    """

    params: dict[str, Any]
    driver_weights: pd.Series
    driver_importance: pd.DataFrame
    latent: pd.DataFrame
    satisfaction_effect: pd.Series
    confounding: pd.DataFrame
    bad_experience_churn_effect: pd.Series
    response_model: pd.Series
    segment_shares: pd.Series
    monthly_churn: pd.DataFrame
    monthly_churn_rate: pd.Series
    revenue_effect: pd.Series
    incident: dict[str, Any]

    def __repr__(self) -> str:
        rate = self.monthly_churn_rate.mean()
        top = self.bad_experience_churn_effect.idxmax()
        return (
            f"CXTruth({len(self.latent):,} customers, mean true monthly churn rate {rate:.4f}, "
            f"largest driver weight {self.driver_weights.idxmax()!r}, "
            f"largest bad-experience churn effect {top!r})"
        )


@dataclass(frozen=True)
class CXPanel:
    """A simulated CX panel: customers, interactions, surveys, transactions and the truth.

    All frames carry an int64 ``customer_id`` from 1 to ``n_customers``; see :func:`cx_panel`.
    ``start`` is the first day of the window and ``end`` the first day after it.

    Examples
    --------
    >>> cx_panel(300, seed=4, months=12)  # doctest: +ELLIPSIS
    CXPanel(300 customers, ... interactions, ...; 2023-01-01 to 2024-01-01, SIMULATED)
    """

    customers: pd.DataFrame
    interactions: pd.DataFrame
    surveys: pd.DataFrame
    relationship: pd.DataFrame
    transactions: pd.DataFrame
    truth: CXTruth
    start: pd.Timestamp = field(default=pd.Timestamp("2023-01-01"))
    end: pd.Timestamp = field(default=pd.Timestamp("2025-01-01"))

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{len(getattr(self, name)):,} {name}"
            for name in ["interactions", "surveys", "relationship", "transactions"]
        )
        return (
            f"CXPanel({len(self.customers):,} customers, {sizes}; "
            f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}, SIMULATED)"
        )


# --------------------------------------------------------------------------------------------
# helpers


def _vec(mapping: dict[str, float], names: list[str]) -> np.ndarray:
    return np.array([mapping[k] for k in names], dtype=float)


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=categories)


def _choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1): the index of the chosen column."""
    u = rng.random(probs.shape[0])
    return (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _check_args(n_customers: Any, months: Any, seed: Any, start: Any) -> pd.Timestamp:
    for name, value in (("n_customers", n_customers), ("months", months)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise CXDataError(f"{name} must be a whole number >= 1; got {value!r}.")
        if value < 1:
            raise CXDataError(f"{name} must be >= 1; got {value!r}.")
    if months > 600:
        raise CXDataError(f"months must be at most 600 (50 years); got {months!r}.")
    if not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise CXDataError(
            f"seed must be a non-negative integer or a numpy Generator; got {seed!r}."
        )
    ts = to_timestamp(start, name="start")
    if ts.tz is not None:
        raise CXDataError(f"start must be a date without time zone; got {start!r}.")
    return ts.normalize()


def _standardisation(p: dict[str, Any]) -> tuple[float, float]:
    """Population mean and SD of the raw satisfaction s* (exact, from the parameters)."""
    w = _vec(p["driver_weights_raw"], TOUCHPOINTS)
    r = p["experience_correlation"]
    var_x = (1 - r) * np.sum(w**2) + r * np.sum(w) ** 2
    shares = _vec(p["segment_shares"], SEGMENTS)
    beta_g = _vec(p["satisfaction_segment"], SEGMENTS)
    mean_g = np.sum(shares * beta_g)
    var_g = np.sum(shares * (beta_g - mean_g) ** 2)
    q, tmax = p["p_existing"], p["max_tenure_years"]
    mean_t = q * tmax / 2
    var_t = q * tmax**2 / 3 - mean_t**2
    b_t = p["satisfaction_tenure_per_year"]
    mean = mean_g + b_t * mean_t
    var = var_x + var_g + b_t**2 * var_t + p["satisfaction_noise_sd"] ** 2
    return float(mean), float(np.sqrt(var))


def _driver_importance(p: dict[str, Any], sd: float) -> pd.DataFrame:
    """Exact Shapley (LMG) and Johnson relative weights of the experiences for satisfaction.

    With experiences x ~ N(0, R), R = (1 - r) I + r 11', and s = (w'x + other) / sd, the
    covariance of x and s is c = R w / sd. The R^2 of s on a subset S of experiences is
    c_S' R_SS^{-1} c_S; Shapley values average a driver's R^2 increments over all orders
    (Lindeman, Merenda & Gold 1980); Johnson's (2000) relative weights are sum_k
    (R^{1/2})_jk^2 (R^{-1/2} c)_k^2.
    """
    k = len(TOUCHPOINTS)
    r = p["experience_correlation"]
    corr = (1 - r) * np.eye(k) + r * np.ones((k, k))
    w = _vec(p["driver_weights_raw"], TOUCHPOINTS) / sd
    c = corr @ w
    r2 = np.zeros(2**k)
    for mask in range(1, 2**k):  # 64 subsets of six touchpoints
        idx = [j for j in range(k) if mask >> j & 1]
        r2[mask] = c[idx] @ np.linalg.solve(corr[np.ix_(idx, idx)], c[idx])
    fact = [float(np.prod(np.arange(1, m + 1))) for m in range(k + 1)]
    shapley = np.zeros(k)
    for mask in range(2**k):
        size = bin(mask).count("1")
        for j in range(k):
            if not mask >> j & 1:
                weight = fact[size] * fact[k - size - 1] / fact[k]
                shapley[j] += weight * (r2[mask | 1 << j] - r2[mask])
    eigval, eigvec = np.linalg.eigh(corr)
    root = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
    beta = eigvec @ np.diag(1 / np.sqrt(eigval)) @ eigvec.T @ c
    relative = (root**2) @ beta**2
    frame = pd.DataFrame(
        {
            "weight": w,
            "correlation": c,
            "shapley_r2": shapley,
            "relative_weight_r2": relative,
            "shapley_share": shapley / shapley.sum(),
            "relative_weight_share": relative / relative.sum(),
        },
        index=pd.Index(TOUCHPOINTS, name="touchpoint"),
    )
    frame.attrs["r2"] = float(r2[-1])
    return frame


def _merge_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """A deep copy of DEFAULT_PARAMS with ``params`` merged in (dict values merged by key)."""
    p = copy.deepcopy(DEFAULT_PARAMS)
    if params is None:
        return p
    if not isinstance(params, dict):
        raise CXDataError(f"params must be a dict of overrides; got {type(params).__name__}.")
    unknown = sorted(set(params) - set(p))
    if unknown:
        raise CXDataError(
            f"params has unknown key(s) {unknown}; valid keys are those of DEFAULT_PARAMS: "
            f"{sorted(p)}."
        )
    for key, value in copy.deepcopy(params).items():
        if isinstance(p[key], dict):
            if not isinstance(value, dict) or set(value) - set(p[key]):
                raise CXDataError(
                    f"params[{key!r}] must be a dict with keys among {sorted(p[key])}; "
                    f"got {value!r}."
                )
            p[key].update(value)
        else:
            p[key] = value
    return p


def _ordinal(y: np.ndarray, cuts: list[float], low: int) -> np.ndarray:
    return (low + np.searchsorted(np.asarray(cuts), y)).astype(float)


# --------------------------------------------------------------------------------------------
# the generator


def cx_panel(
    n_customers: int = 5000,
    *,
    seed: int | np.random.Generator = 0,
    start: str | pd.Timestamp = "2023-01-01",
    months: int = 24,
    params: dict[str, Any] | None = None,
) -> CXPanel:
    """Simulate a CX panel of ``n_customers`` over ``months`` months from ``start``.

    The generative model and its units are described in the module docstring
    (:mod:`cxlib.simulate`); every parameter is returned in ``panel.truth``.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customers (>= 1): those active at ``start`` plus those who sign up later.
    seed : int or numpy.random.Generator, default 0
        Source of randomness; the same integer seed gives identical frames.
    start : str or Timestamp, default "2023-01-01"
        First day of the window. Months are counted from it (calendar months when it is the
        first of a month). The window ends, exclusive, ``months`` months later.
    months : int, default 24
        Length of the window in months (>= 1).
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`, e.g. ``{"satisfaction_tenure_per_year": 0.15}`` for
        stronger confounding by tenure. Keys must be keys of :data:`DEFAULT_PARAMS`; a dict value
        (e.g. ``"purchase_segment"``) is merged into the default dict, so a partial dict changes
        only the entries it names. All of ``truth`` is computed from the merged parameters.

    Returns
    -------
    CXPanel
        ``customers`` (customer_id, segment, region, signup_date, churn_date,
        tenure_months_at_start),
        ``interactions`` (interaction_id, customer_id, session_id, timestamp, touchpoint, stage,
        bad_experience), ``surveys`` (survey_id, interaction_id, customer_id, timestamp,
        touchpoint, stage, responded, csat 1-5, ces 1-7, nps 0-10; NaN when not answered),
        ``relationship`` (customer_id, wave_date, responded, overall 0-10, nps 0-10, one 1-10
        rating per touchpoint), ``transactions`` (customer_id, date, amount in EUR) and ``truth``
        (:class:`CXTruth`). Dates are datetime64[us]; ``churn_date`` is NaT for customers still
        active at the end; a customer has no interaction or purchase on or after the churn date.

    Raises
    ------
    CXDataError
        If ``n_customers`` or ``months`` is not a whole number >= 1, ``seed`` is not a
        non-negative integer or Generator, or ``start`` is not a date.

    Examples
    --------
    >>> from cxlib.simulate import TOUCHPOINTS, cx_panel
    >>> panel = cx_panel(200, seed=1, months=12)
    >>> panel.customers.shape[0]
    200
    >>> sorted(panel.truth.driver_weights.index) == sorted(TOUCHPOINTS)
    True
    """
    start_ts = _check_args(n_customers, months, seed, start)
    n = int(n_customers)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    p = _merge_params(params)

    # month boundaries in days from start: bounds[0] is the burn-in month before start
    month_starts = pd.date_range(
        start_ts - pd.DateOffset(months=1), periods=months + 2, freq=pd.DateOffset(months=1)
    )
    bounds = ((month_starts - start_ts) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    end_day = int(bounds[-1])

    cu = _draw_customers(rng, n, p, end_day)
    shift, first_inc, last_inc = _incident_shift(p, months)
    events, purchases, churn_day, alive, churn_rows, n_sessions = _simulate_months(
        rng, cu, p, bounds, month_starts, shift
    )
    start64 = np.datetime64(start_ts.to_datetime64(), "m")

    def to_time(minutes: np.ndarray) -> np.ndarray:
        return (start64 + minutes.astype("timedelta64[m]")).astype("datetime64[us]")

    def to_date(days: np.ndarray) -> np.ndarray:
        return (start64.astype("datetime64[D]") + days.astype("timedelta64[D]")).astype(
            "datetime64[us]"
        )

    ev, interactions = _interactions_frame(events, churn_day, end_day, n_sessions, to_time)
    transactions = _transactions_frame(purchases, to_date)
    del events, purchases
    interaction_id = interactions["interaction_id"].to_numpy()
    surveys = _transactional_surveys(
        rng, ev, interaction_id, cu.s, cu.x, churn_day, end_day, p, to_time
    )
    relationship = _relationship_surveys(
        rng, ev, cu.s, cu.x, cu.signup_day, churn_day, bounds, months, p, to_date
    )
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "segment": _categorical(cu.seg, SEGMENTS),
            "region": _categorical(cu.region, REGIONS),
            "signup_date": to_date(cu.signup_day),
            "churn_date": pd.Series(to_date(np.where(alive, 0, churn_day))).where(~alive),
            "tenure_months_at_start": cu.tenure0 * 12.0,
        }
    )
    inc = p["incident"]
    incident = {
        "touchpoint": inc["touchpoint"],
        "start": month_starts[first_inc] if first_inc <= last_inc else None,
        "end": month_starts[last_inc + 1] if first_inc <= last_inc else None,
        "logit_shift": inc["logit_shift"],
    }
    return CXPanel(
        customers=customers,
        interactions=interactions,
        surveys=surveys,
        relationship=relationship,
        transactions=transactions,
        truth=_truth(p, cu, churn_rows, incident),
        start=start_ts,
        end=month_starts[-1],
    )


@dataclass(frozen=True)
class _Customers:
    """Per-customer draws (arrays of length n, indexed by customer position 0..n-1)."""

    seg: np.ndarray  # segment code
    region: np.ndarray  # region code
    tenure0: np.ndarray  # tenure at start, years (0 for customers who sign up later)
    signup_day: np.ndarray  # days from start (negative: before start)
    x: np.ndarray  # (n, 6) touchpoint experiences, standard normal
    s: np.ndarray  # standardised latent satisfaction
    sd: float  # population SD of the raw satisfaction
    lam: np.ndarray  # purchases per active month
    mean_spend: np.ndarray  # EUR per purchase
    churn_base: np.ndarray  # log hazard per month without tenure and bad experiences
    service_rate: np.ndarray  # service sessions per active month
    bad_logit: np.ndarray  # (n, 6) logit of a bad experience per event, without incident
    channel_p: np.ndarray  # (n, 3) purchase channel shares: Website, App, Filiale
    invoice_p: np.ndarray  # probability that a purchase gets an invoice event


def _draw_customers(
    rng: np.random.Generator, n: int, p: dict[str, Any], end_day: int
) -> _Customers:
    """Segments, tenure, experiences, latent satisfaction and value of ``n`` customers."""
    seg = _choose(rng, np.broadcast_to(_vec(p["segment_shares"], SEGMENTS), (n, 3)))
    region = _choose(rng, np.broadcast_to(_vec(p["region_shares"], REGIONS), (n, 4)))
    existing = rng.random(n) < p["p_existing"]
    tenure0 = np.where(existing, rng.uniform(0, p["max_tenure_years"], n), 0.0)
    signup_day = np.where(
        existing,
        -np.ceil(tenure0 * _DAYS_PER_YEAR).astype(np.int64),
        rng.integers(0, end_day, n),
    ).astype(np.int64)
    signup_day = np.where(existing & (signup_day == 0), -1, signup_day)

    # latent satisfaction: experiences with a common factor, segment, tenure, noise
    r = p["experience_correlation"]
    x = np.sqrt(r) * rng.standard_normal((n, 1)) + np.sqrt(1 - r) * rng.standard_normal((n, 6))
    raw = (
        x @ _vec(p["driver_weights_raw"], TOUCHPOINTS)
        + _vec(p["satisfaction_segment"], SEGMENTS)[seg]
        + p["satisfaction_tenure_per_year"] * tenure0
        + p["satisfaction_noise_sd"] * rng.standard_normal(n)
    )
    mu, sd = _standardisation(p)
    s = (raw - mu) / sd

    # value and churn, confounded by segment and tenure
    shape = p["purchase_heterogeneity_shape"]
    lam = np.exp(
        p["purchase_log_intercept"]
        + _vec(p["purchase_segment"], SEGMENTS)[seg]
        + p["purchase_tenure_per_year"] * tenure0
        + p["purchase_satisfaction"] * s
    ) * rng.gamma(shape, 1 / shape, n)
    sh = p["spend_heterogeneity_sd"]
    mean_spend = np.exp(
        p["spend_log_intercept"]
        + _vec(p["spend_segment"], SEGMENTS)[seg]
        + p["spend_tenure_per_year"] * tenure0
        + p["spend_satisfaction"] * s
        + rng.normal(-(sh**2) / 2, sh, n)
    )
    churn_base = (
        p["churn_log_intercept"]
        + _vec(p["churn_segment"], SEGMENTS)[seg]
        + p["churn_satisfaction"] * s
    )
    return _Customers(
        seg=seg,
        region=region,
        tenure0=tenure0,
        signup_day=signup_day,
        x=x,
        s=s,
        sd=sd,
        lam=lam,
        mean_spend=mean_spend,
        churn_base=churn_base,
        service_rate=_vec(p["service_rate"], SEGMENTS)[seg] * np.exp(p["service_satisfaction"] * s),
        bad_logit=_vec(p["bad_experience_logit"], TOUCHPOINTS)[None, :]
        - p["bad_experience_experience"] * x,
        channel_p=np.array([p["purchase_channel"][g] for g in SEGMENTS])[seg],
        invoice_p=_vec(p["invoice_prob"], SEGMENTS)[seg],
    )


def _incident_shift(p: dict[str, Any], months: int) -> tuple[np.ndarray, int, int]:
    """Logit shift of bad experiences by month index (0 = burn-in) and touchpoint.

    Returns the (months + 2, 6) shift and the first and last incident month inside the window
    (first > last when the incident falls outside it).
    """
    shift = np.zeros((months + 2, 6))
    inc = p["incident"]
    first = max(inc["first_month"], 1)
    last = min(inc["first_month"] + inc["n_months"] - 1, months)
    if first <= last:
        shift[first : last + 1, TOUCHPOINTS.index(inc["touchpoint"])] = inc["logit_shift"]
    return shift, first, last


def _simulate_months(
    rng: np.random.Generator,
    cu: _Customers,
    p: dict[str, Any],
    bounds: np.ndarray,
    month_starts: pd.DatetimeIndex,
    shift: np.ndarray,
) -> tuple[list, list, np.ndarray, np.ndarray, list, int]:
    """Churn and events month by month (vectorised over customers).

    Month index 0 is a burn-in month before ``start``: its events only set the bad experiences
    that the first month's hazard depends on, and nobody churns in it. Returns the events and
    purchases per month, each customer's churn day (int64 max if none) and alive flag, one row per
    month for ``CXTruth.monthly_churn`` and the number of sessions generated.
    """
    n, months = cu.s.size, bounds.size - 2
    delta = _vec(p["bad_experience_churn_effect"], TOUCHPOINTS)
    signup_day = cu.signup_day
    alive = np.ones(n, dtype=bool)
    churn_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    bad_month = np.zeros((months + 2, n, 6), dtype=bool)  # by month of the event's timestamp
    events: list[dict[str, np.ndarray]] = []
    purchases: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    churn_rows = []
    session_offset = 0
    for m in range(months + 1):  # m = 0 is the burn-in month before start
        lo_d, hi_d = int(bounds[m]), int(bounds[m + 1])
        ndays = hi_d - lo_d
        at_risk = np.flatnonzero(alive & (signup_day < hi_d))
        a = np.maximum(signup_day[at_risk], lo_d)
        b = np.full(at_risk.size, hi_d, dtype=np.int64)
        if m > 0:
            tenure_now = (a - signup_day[at_risk]) / _DAYS_PER_YEAR
            log_h = (
                cu.churn_base[at_risk]
                + p["churn_tenure_per_year"] * tenure_now
                + bad_month[m - 1, at_risk].astype(float) @ delta
            )
            frac = (hi_d - a) / ndays
            prob = -np.expm1(-np.exp(log_h) * frac)
            first = np.maximum(a, signup_day[at_risk] + 1)
            churns = (rng.random(at_risk.size) < prob) & (first < hi_d)
            day = first + np.floor(rng.random(at_risk.size) * (hi_d - first)).astype(np.int64)
            b = np.where(churns, day, b)
            churn_day[at_risk[churns]] = day[churns]
            alive[at_risk[churns]] = False
            from_start = signup_day[at_risk] < lo_d
            churn_rows.append(
                (
                    month_starts[m],
                    int(from_start.sum()),
                    float(prob[from_start].mean()) if from_start.any() else np.nan,
                    int((churns & from_start).sum()),
                )
            )
        ev, tx, n_sessions = _month_events(rng, cu, at_risk, a, b, (b - a) / ndays, p)
        ev["session"] += session_offset
        session_offset += n_sessions
        # bad experiences, by month of the event (events after churn are dropped later)
        ev_month = np.searchsorted(bounds, ev["minute"] // _MINUTES_PER_DAY, side="right") - 1
        ev_month = np.minimum(ev_month, months + 1)
        c, t = ev["customer"], ev["touchpoint"]
        ev["bad"] = rng.random(c.size) < expit(cu.bad_logit[c, t] + shift[ev_month, t])
        keep = (ev_month <= months) & ev["bad"]
        bad_month[ev_month[keep], c[keep], t[keep]] = True
        if m > 0:
            events.append(ev)
            purchases.append(tx)
    return events, purchases, churn_day, alive, churn_rows, session_offset


def _interactions_frame(
    events: list[dict[str, np.ndarray]],
    churn_day: np.ndarray,
    end_day: int,
    n_sessions: int,
    to_time: Any,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Events before the churn day and inside the window, sorted by (customer, minute).

    Ties keep the order of generation (stable sort). Sessions are renumbered 1, 2, ... in the
    order of their first event. Returns the kept event arrays and the interactions frame;
    ``events`` is emptied to free memory.
    """
    ev = {k: np.concatenate([e[k] for e in events]) for k in events[0]}
    events.clear()  # the per-month arrays are no longer needed: free them now
    ev_day = ev["minute"] // _MINUTES_PER_DAY
    ok = (ev_day < churn_day[ev["customer"]]) & (ev_day < end_day) & (ev_day >= 0)
    del ev_day
    end_minute = np.int64(end_day + 40) * _MINUTES_PER_DAY
    key = ev["customer"] * end_minute + ev["minute"]
    order = np.flatnonzero(ok)[np.argsort(key[ok], kind="stable")]
    del key, ok
    ev = {k: v[order] for k, v in ev.items()}
    del order
    n_ev = ev["customer"].size
    first_pos = np.full(n_sessions, n_ev, dtype=np.int64)
    np.minimum.at(first_pos, ev["session"], np.arange(n_ev))
    first_of_event = first_pos[ev["session"]]
    del first_pos
    session_id = np.cumsum(first_of_event == np.arange(n_ev))[first_of_event]
    del first_of_event, ev["session"]
    interactions = pd.DataFrame(
        {
            "interaction_id": np.arange(1, n_ev + 1, dtype=np.int64),
            "customer_id": ev["customer"] + 1,
            "session_id": session_id,
            "timestamp": to_time(ev["minute"]),
            "touchpoint": _categorical(ev["touchpoint"], TOUCHPOINTS),
            "stage": _categorical(ev["stage"], STAGES),
            "bad_experience": ev["bad"],
        }
    )
    return ev, interactions


def _transactions_frame(
    purchases: list[tuple[np.ndarray, np.ndarray, np.ndarray]], to_date: Any
) -> pd.DataFrame:
    """Purchases of all months, sorted by customer and date (stable within a day)."""
    cust = np.concatenate([t[0] for t in purchases])
    day = np.concatenate([t[1] for t in purchases])
    amount = np.concatenate([t[2] for t in purchases])
    order = np.lexsort((day, cust))
    return pd.DataFrame(
        {
            "customer_id": cust[order].astype(np.int64) + 1,
            "date": to_date(day[order]),
            "amount": amount[order],
        }
    )


def _month_events(
    rng: np.random.Generator,
    cu: _Customers,
    idx: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    active_part: np.ndarray,
    p: dict[str, Any],
) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray], int]:
    """Purchases, purchase sessions, deliveries, invoices and service sessions of one month.

    Customers ``idx`` are active on days [a, b); ``active_part`` is (b - a) / days in month.
    Times are minutes from ``start``. Returns the events (customer position, minute,
    touchpoint, stage and session codes), the purchases (customer, day, amount in EUR) and the
    number of sessions.
    """
    length = np.maximum(b - a, 0)
    # purchases
    n_buy = rng.poisson(cu.lam[idx] * active_part)
    pc = np.repeat(idx, n_buy)
    p_day = np.repeat(a, n_buy) + np.floor(rng.random(pc.size) * np.repeat(length, n_buy)).astype(
        np.int64
    )
    amount = np.round(rng.gamma(p["spend_shape"], cu.mean_spend[pc] / p["spend_shape"]), 2)
    amount = np.maximum(amount, 0.01)
    channel = np.array([_WEB, _APP, _FIL])[_choose(rng, cu.channel_p[pc])]
    n_info = rng.binomial(2, p["info_events_p"], pc.size)
    # service sessions: 0-2 self-service events, then maybe Hotline or Filiale
    n_srv = rng.poisson(cu.service_rate[idx] * active_part)
    sc = np.repeat(idx, n_srv)
    s_day = np.repeat(a, n_srv) + np.floor(rng.random(sc.size) * np.repeat(length, n_srv)).astype(
        np.int64
    )
    n_self = rng.binomial(2, 0.5, sc.size)
    u = rng.random(sc.size)
    # final contact: 0 none, 1 hotline, 2 filiale
    final = np.where(
        n_self == 0, np.where(u < 0.8, 1, 2), np.where(u < 0.5, 0, np.where(u < 0.9, 1, 2))
    )
    n_final = (final > 0).astype(np.int64)

    # sessions: purchase sessions first, then service sessions
    sess_cust = np.concatenate([pc, sc])
    sess_day = np.concatenate([p_day, s_day])
    sess_len = np.concatenate([n_info + 1, n_self + n_final])
    n_sess = sess_cust.size
    sess_start = sess_day * _MINUTES_PER_DAY + rng.integers(8 * 60, 21 * 60, n_sess)
    tot = int(sess_len.sum())
    e_sess = np.repeat(np.arange(n_sess), sess_len)
    first = np.cumsum(sess_len) - sess_len
    pos = np.arange(tot) - np.repeat(first, sess_len)
    gap = np.where(pos > 0, np.minimum(1 + np.floor(rng.exponential(5.0, tot)), 25), 0).astype(
        np.int64
    )
    csum = np.cumsum(gap)
    minute = (
        np.repeat(sess_start, sess_len) + csum - np.repeat(csum[first] if tot else csum, sess_len)
    )
    is_buy = e_sess < pc.size
    e_len = sess_len[e_sess]
    # purchase sessions: all events at the purchase channel; stage Information then Kauf
    buy_tp = np.repeat(channel, n_info + 1)
    buy_stage = np.where(pos[is_buy] == e_len[is_buy] - 1, _S_KAUF, _S_INFO)
    # service sessions: self-service at Website/App, final contact Hotline/Filiale
    srv_pos = pos[~is_buy]
    srv_sess = e_sess[~is_buy] - pc.size
    self_tp = np.where(rng.random(srv_pos.size) < 0.5, _WEB, _APP)
    is_final = (srv_pos == n_self[srv_sess]) & (final[srv_sess] > 0)
    srv_tp = np.where(is_final, np.where(final[srv_sess] == 1, _HOT, _FIL), self_tp)
    tp = np.empty(tot, dtype=np.int64)
    stage = np.empty(tot, dtype=np.int64)
    tp[is_buy], tp[~is_buy] = buy_tp, srv_tp
    stage[is_buy], stage[~is_buy] = buy_stage, _S_SERV
    cust = sess_cust[e_sess]

    # deliveries (online purchases) and invoices: single-event sessions days later
    online = channel != _FIL
    d_c = pc[online]
    d_min = (p_day[online] + rng.integers(1, 5, d_c.size)) * _MINUTES_PER_DAY + rng.integers(
        8 * 60, 20 * 60, d_c.size
    )
    inv = rng.random(pc.size) < cu.invoice_p[pc]
    i_c = pc[inv]
    i_min = (p_day[inv] + rng.integers(0, 8, i_c.size)) * _MINUTES_PER_DAY + rng.integers(
        6 * 60, 22 * 60, i_c.size
    )
    n_extra = d_c.size + i_c.size
    all_cust = np.concatenate([cust, d_c, i_c])
    all_tp = np.concatenate([tp, np.full(d_c.size, _LIE), np.full(i_c.size, _RE)])
    out = {
        "customer": all_cust,
        "minute": np.concatenate([minute, d_min, i_min]).astype(np.int64),
        "touchpoint": all_tp.astype(np.int8),
        "stage": np.concatenate(
            [stage, np.full(d_c.size, _S_LIEF), np.full(i_c.size, _S_RECH)]
        ).astype(np.int8),
        "session": np.concatenate([e_sess, n_sess + np.arange(n_extra)]).astype(np.int64),
    }
    return out, (pc, p_day, amount), n_sess + n_extra


def _transactional_surveys(
    rng: np.random.Generator,
    ev: dict[str, np.ndarray],
    interaction_id: np.ndarray,
    s: np.ndarray,
    x: np.ndarray,
    churn_day: np.ndarray,
    end_day: int,
    p: dict[str, Any],
    to_time: Any,
) -> pd.DataFrame:
    """Invitations after interactions, response depending on satisfaction, CSAT/CES/NPS answers."""
    tp, cust, bad = ev["touchpoint"], ev["customer"], ev["bad"]
    prob = np.where(
        ev["stage"] == _S_INFO,
        p["invite_prob_information"],
        _vec(p["invite_prob"], TOUCHPOINTS)[tp],
    )
    k = np.flatnonzero(rng.random(tp.size) < prob)
    minute = ev["minute"][k] + rng.integers(60, 48 * 60, k.size)
    day = minute // _MINUTES_PER_DAY
    sent = (day < end_day) & (day < churn_day[cust[k]])
    k, minute = k[sent], minute[sent]
    c, t, b = cust[k], tp[k], bad[k].astype(float)
    resp_p = expit(
        p["response_logit"] + p["response_satisfaction"] * s[c] + p["response_bad_experience"] * b
    )
    responded = rng.random(k.size) < resp_p
    scores = {}
    for name, low in (("csat", 1), ("ces", 1), ("nps", 0)):
        mod = p[f"{name}_model"]
        y = (
            mod["s"] * s[c]
            + mod["x"] * x[c, t]
            + mod["bad"] * b
            + mod["noise"] * rng.standard_normal(k.size)
        )
        scores[name] = np.where(responded, _ordinal(y, mod["cuts"], low), np.nan)
    order = np.lexsort((interaction_id[k], minute))
    return pd.DataFrame(
        {
            "survey_id": np.arange(1, k.size + 1, dtype=np.int64),
            "interaction_id": interaction_id[k][order],
            "customer_id": c[order].astype(np.int64) + 1,
            "timestamp": to_time(minute[order]),
            "touchpoint": _categorical(t[order], TOUCHPOINTS),
            "stage": _categorical(ev["stage"][k][order], STAGES),
            "responded": responded[order],
            "csat": scores["csat"][order],
            "ces": scores["ces"][order],
            "nps": scores["nps"][order],
        }
    )


def _relationship_surveys(
    rng: np.random.Generator,
    ev: dict[str, np.ndarray],
    s: np.ndarray,
    x: np.ndarray,
    signup_day: np.ndarray,
    churn_day: np.ndarray,
    bounds: np.ndarray,
    months: int,
    p: dict[str, Any],
    to_date: Any,
) -> pd.DataFrame:
    """One wave a year (six months into each year of the window) of all active customers."""
    offsets = list(range(6, months, 12)) or [months // 2]
    n = s.size
    ev_day = ev["minute"] // _MINUTES_PER_DAY
    frames = []
    for off in offsets:
        wave_day = int(bounds[off + 1])  # bounds[0] is the burn-in month
        active = np.flatnonzero((signup_day < wave_day) & (churn_day > wave_day))
        window = (ev_day >= wave_day - 365) & (ev_day < wave_day)
        used = (
            np.bincount(
                ev["customer"][window] * 6 + ev["touchpoint"][window], minlength=n * 6
            ).reshape(n, 6)[active]
            > 0
        )
        k = active.size
        responded = rng.random(k) < expit(
            p["relationship_response_logit"] + p["response_satisfaction"] * s[active]
        )
        ov, npm, rt = p["relationship_overall"], p["relationship_nps"], p["relationship_rating"]
        overall = np.clip(
            np.round(ov["intercept"] + ov["s"] * s[active] + ov["noise"] * rng.standard_normal(k)),
            0,
            10,
        )
        nps = np.clip(
            np.round(
                npm["intercept"] + npm["s"] * s[active] + npm["noise"] * rng.standard_normal(k)
            ),
            0,
            10,
        )
        rating = np.clip(
            np.round(
                rt["intercept"] + rt["x"] * x[active] + rt["noise"] * rng.standard_normal((k, 6))
            ),
            1,
            10,
        )
        rating = np.where(used & responded[:, None], rating, np.nan)
        frame = {
            "customer_id": active.astype(np.int64) + 1,
            "wave_date": to_date(np.full(k, wave_day)),
            "responded": responded,
            "overall": np.where(responded, overall, np.nan),
            "nps": np.where(responded, nps, np.nan),
        }
        frame.update({name: rating[:, j] for j, name in enumerate(TOUCHPOINTS)})
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def _truth(
    p: dict[str, Any], cu: _Customers, churn_rows: list, incident: dict[str, Any]
) -> CXTruth:
    """Assemble :class:`CXTruth` from the parameters and the per-customer draws."""
    s, x, seg, tenure0, sd = cu.s, cu.x, cu.seg, cu.tenure0, cu.sd
    lam, mean_spend, churn_base, service_rate = (
        cu.lam,
        cu.mean_spend,
        cu.churn_base,
        cu.service_rate,
    )
    n = s.size
    log_h0 = churn_base + p["churn_tenure_per_year"] * tenure0
    hazard = np.exp(log_h0)
    prob = -np.expm1(-hazard)
    theta_l, theta_m, theta_h = (
        p["purchase_satisfaction"],
        p["spend_satisfaction"],
        p["churn_satisfaction"],
    )

    def revenue(value: np.ndarray, pr: np.ndarray) -> np.ndarray:
        return value * (1 - pr / 2) * -np.expm1(12 * np.log1p(-pr)) / pr

    rev0 = revenue(lam * mean_spend, prob)
    rev1 = revenue(
        lam * mean_spend * np.exp(theta_l + theta_m), -np.expm1(-hazard * np.exp(theta_h))
    )
    latent = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "segment": _categorical(seg, SEGMENTS),
            "tenure_years_at_start": tenure0,
            "satisfaction": s,
            **{f"experience_{t}": x[:, j] for j, t in enumerate(TOUCHPOINTS)},
            "purchase_rate_month": lam,
            "mean_spend": mean_spend,
            "churn_hazard_month": hazard,
            "churn_prob_month": prob,
            "service_rate_month": service_rate,
            "expected_revenue_12m": rev0,
        }
    )
    effects = ["satisfaction", "log_purchase_rate", "log_spend", "log_churn_hazard"]
    conf = pd.DataFrame(
        [
            [
                p["satisfaction_segment"][g] / sd,
                p["purchase_segment"][g],
                p["spend_segment"][g],
                p["churn_segment"][g],
            ]
            for g in SEGMENTS[1:]
        ]
        + [
            [
                p["satisfaction_tenure_per_year"] / sd,
                p["purchase_tenure_per_year"],
                p["spend_tenure_per_year"],
                p["churn_tenure_per_year"],
            ]
        ],
        index=pd.Index([*SEGMENTS[1:], "tenure_years"], name="confounder"),
        columns=effects,
    )
    monthly = pd.DataFrame(
        churn_rows, columns=["month_start", "n_at_risk", "expected_rate", "churned"]
    )
    monthly["month_start"] = monthly["month_start"].astype("datetime64[us]")
    monthly["realised_rate"] = monthly["churned"] / monthly["n_at_risk"].where(
        monthly["n_at_risk"] > 0
    )
    return CXTruth(
        params=p,
        driver_importance=_driver_importance(p, sd),
        driver_weights=pd.Series(
            _vec(p["driver_weights_raw"], TOUCHPOINTS) / sd, index=TOUCHPOINTS, name="driver_weight"
        ),
        latent=latent,
        satisfaction_effect=pd.Series(
            [theta_l, theta_m, theta_h],
            index=["log_purchase_rate", "log_spend", "log_churn_hazard"],
            name="effect_per_sd",
        ),
        confounding=conf,
        bad_experience_churn_effect=pd.Series(
            p["bad_experience_churn_effect"], name="log_hazard_ratio"
        ).reindex(TOUCHPOINTS),
        response_model=pd.Series(
            {
                "transactional_intercept": p["response_logit"],
                "transactional_satisfaction": p["response_satisfaction"],
                "transactional_bad_experience": p["response_bad_experience"],
                "relationship_intercept": p["relationship_response_logit"],
                "relationship_satisfaction": p["response_satisfaction"],
            },
            name="logit_coefficient",
        ),
        segment_shares=pd.Series(p["segment_shares"], name="share").reindex(SEGMENTS),
        monthly_churn=monthly,
        monthly_churn_rate=pd.Series(
            monthly["expected_rate"].to_numpy(),
            index=pd.DatetimeIndex(monthly["month_start"], name="month_start"),
            name="churn_rate",
        ),
        revenue_effect=pd.Series(
            {
                "mean_revenue_12m": float(rev0.mean()),
                "mean_revenue_12m_plus_1sd": float(rev1.mean()),
                "difference_eur": float(rev1.mean() - rev0.mean()),
                "ratio": float(rev1.mean() / rev0.mean()),
                "ratio_without_churn": float(np.exp(theta_l + theta_m)),
            },
            name="revenue_effect_12m",
        ),
        incident=incident,
    )
