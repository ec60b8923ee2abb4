"""Names and parameters of the simulated CX panel, and what follows from the parameters alone.

Holds the category names (:data:`TOUCHPOINTS`, :data:`STAGES`, :data:`STAGES_EN`,
:data:`SEGMENTS`, :data:`REGIONS`), the generating parameters :data:`DEFAULT_PARAMS` with
:func:`merge_params` for user overrides, and the population quantities computed exactly from
them: the standardisation of latent satisfaction (:func:`standardisation`) and the true key
driver importance (:func:`driver_importance`). The model is described in :mod:`cxlib.simulate`.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from cxlib.simulate._core import vec
from cxlib.validate import CXDataError

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


def merge_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """A deep copy of :data:`DEFAULT_PARAMS` with the overrides ``params`` merged in.

    Parameters
    ----------
    params : dict or None
        Overrides keyed by names of :data:`DEFAULT_PARAMS`. A dict value is merged into the
        default dict by key, so a partial dict changes only the entries it names. ``None``: the
        defaults.

    Returns
    -------
    dict
        The merged parameters; neither ``params`` nor :data:`DEFAULT_PARAMS` is modified.

    Raises
    ------
    CXDataError
        If ``params`` is not a dict, names an unknown key, or gives a non-dict (or a dict with
        unknown keys) for a dict-valued parameter.

    Examples
    --------
    >>> p = merge_params({"purchase_segment": {"Premium": 1.0}})
    >>> p["purchase_segment"]
    {'Privatkunde': 0.0, 'Geschäftskunde': 0.4, 'Premium': 1.0}
    """
    return merge_overrides(DEFAULT_PARAMS, params, name="DEFAULT_PARAMS")


def merge_overrides(
    defaults: dict[str, Any], params: dict[str, Any] | None, *, name: str
) -> dict[str, Any]:
    """A deep copy of ``defaults`` (called ``name`` in messages) with ``params`` merged in.

    A dict value is merged into the default dict by key; unknown keys, and dict values for
    dict defaults with unknown keys, raise :class:`~cxlib.validate.CXDataError`.
    """
    p = copy.deepcopy(defaults)
    if params is None:
        return p
    if not isinstance(params, dict):
        raise CXDataError(f"params must be a dict of overrides; got {type(params).__name__}.")
    unknown = sorted(set(params) - set(p))
    if unknown:
        raise CXDataError(
            f"params has unknown key(s) {unknown}; valid keys are those of {name}: {sorted(p)}."
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


def standardisation(p: dict[str, Any]) -> tuple[float, float]:
    """Population mean and SD of the raw satisfaction :math:`s^*` (exact, from the parameters).

    :math:`s^* = w'x + \\beta_g + \\beta_T T + \\varepsilon` with independent parts: experiences
    :math:`x \\sim N(0, R)`, :math:`R = (1 - r) I + r 11'`; segment :math:`g` with
    ``segment_shares``; tenure :math:`T` (years) 0 for new customers and :math:`U(0, T_{max})`
    for the share ``p_existing`` of existing ones; noise with SD ``satisfaction_noise_sd``.

    Parameters
    ----------
    p : dict
        Merged parameters (see :func:`merge_params`).

    Returns
    -------
    (float, float)
        Mean and standard deviation of :math:`s^*` (raw satisfaction units).

    Examples
    --------
    >>> mean, sd = standardisation(DEFAULT_PARAMS)
    >>> round(mean, 3), round(sd, 3)
    (0.48, 1.047)
    """
    w = vec(p["driver_weights_raw"], TOUCHPOINTS)
    r = p["experience_correlation"]
    var_x = (1 - r) * np.sum(w**2) + r * np.sum(w) ** 2
    shares = vec(p["segment_shares"], SEGMENTS)
    beta_g = vec(p["satisfaction_segment"], SEGMENTS)
    mean_g = np.sum(shares * beta_g)
    var_g = np.sum(shares * (beta_g - mean_g) ** 2)
    q, tmax = p["p_existing"], p["max_tenure_years"]
    mean_t = q * tmax / 2
    var_t = q * tmax**2 / 3 - mean_t**2
    b_t = p["satisfaction_tenure_per_year"]
    mean = mean_g + b_t * mean_t
    var = var_x + var_g + b_t**2 * var_t + p["satisfaction_noise_sd"] ** 2
    return float(mean), float(np.sqrt(var))


def driver_importance(p: dict[str, Any], sd: float) -> tuple[pd.DataFrame, float]:
    """Exact Shapley (LMG) and Johnson relative weights of the experiences for satisfaction.

    With experiences x ~ N(0, R), R = (1 - r) I + r 11', and s = (w'x + other) / sd, the
    covariance of x and s is c = R w / sd. The R^2 of s on a subset S of experiences is
    c_S' R_SS^{-1} c_S; Shapley values average a driver's R^2 increments over all orders
    (Lindeman, Merenda & Gold 1980); Johnson's (2000) relative weights are sum_k
    (R^{1/2})_jk^2 (R^{-1/2} c)_k^2.

    Parameters
    ----------
    p : dict
        Merged parameters (see :func:`merge_params`).
    sd : float
        Population SD of the raw satisfaction (see :func:`standardisation`).

    Returns
    -------
    importance : DataFrame
        Indexed by touchpoint: ``weight``, ``correlation``, ``shapley_r2``,
        ``relative_weight_r2``, ``shapley_share`` and ``relative_weight_share`` (see
        :class:`~cxlib.simulate.CXTruth`).
    r2 : float
        Population R^2 of satisfaction on all six experiences: the sum of ``shapley_r2`` and
        of ``relative_weight_r2``.

    References
    ----------
    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to bivariate and
    multivariate analysis*. Scott, Foresman.
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. *Multivariate Behavioral Research* 35(1), 1-19.

    Examples
    --------
    >>> importance, r2 = driver_importance(DEFAULT_PARAMS, standardisation(DEFAULT_PARAMS)[1])
    >>> bool(np.isclose(importance["shapley_r2"].sum(), r2))
    True
    """
    k = len(TOUCHPOINTS)
    r = p["experience_correlation"]
    corr = (1 - r) * np.eye(k) + r * np.ones((k, k))
    w = vec(p["driver_weights_raw"], TOUCHPOINTS) / sd
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
    return frame, float(r2[-1])
