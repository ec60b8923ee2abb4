"""The simulated customers: segment, region, tenure, touchpoint experiences and latent traits.

:func:`draw_customers` makes one draw per customer of everything that stays fixed over the window
(the confounders segment and tenure, the experience quality at each touchpoint, the standardised
latent satisfaction and the rates of purchases, spend, churn and service contacts that follow from
them); :func:`customers_frame` turns the draws into the ``customers`` frame of the panel. The
model is described in :mod:`cxlib.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.simulate._core import DAYS_PER_YEAR, Window, categorical, choose, vec
from cxlib.simulate.params import REGIONS, SEGMENTS, TOUCHPOINTS, standardisation


@dataclass(frozen=True)
class Customers:
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


def draw_customers(rng: np.random.Generator, n: int, p: dict[str, Any], end_day: int) -> Customers:
    """Segments, tenure, experiences, latent satisfaction and value of ``n`` customers.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (advanced by the draws).
    n : int
        Number of customers.
    p : dict
        Merged parameters (see :func:`~cxlib.simulate.params.merge_params`).
    end_day : int
        Days from the first day of the window to its end: customers who are not yet active at
        the start sign up on a uniform day in [0, ``end_day``).

    Returns
    -------
    Customers
        The draws; times in days from the first day of the window, rates per month, spend in EUR.
    """
    seg = choose(rng, np.broadcast_to(vec(p["segment_shares"], SEGMENTS), (n, 3)))
    region = choose(rng, np.broadcast_to(vec(p["region_shares"], REGIONS), (n, 4)))
    existing = rng.random(n) < p["p_existing"]
    tenure0 = np.where(existing, rng.uniform(0, p["max_tenure_years"], n), 0.0)
    signup_day = np.where(
        existing,
        -np.ceil(tenure0 * DAYS_PER_YEAR).astype(np.int64),
        rng.integers(0, end_day, n),
    ).astype(np.int64)
    signup_day = np.where(existing & (signup_day == 0), -1, signup_day)

    # latent satisfaction: experiences with a common factor, segment, tenure, noise
    r = p["experience_correlation"]
    x = np.sqrt(r) * rng.standard_normal((n, 1)) + np.sqrt(1 - r) * rng.standard_normal((n, 6))
    raw = (
        x @ vec(p["driver_weights_raw"], TOUCHPOINTS)
        + vec(p["satisfaction_segment"], SEGMENTS)[seg]
        + p["satisfaction_tenure_per_year"] * tenure0
        + p["satisfaction_noise_sd"] * rng.standard_normal(n)
    )
    mu, sd = standardisation(p)
    s = (raw - mu) / sd

    # value and churn, confounded by segment and tenure
    shape = p["purchase_heterogeneity_shape"]
    lam = np.exp(_linear_predictor(p, "purchase", seg, s, tenure0)) * rng.gamma(shape, 1 / shape, n)
    sh = p["spend_heterogeneity_sd"]
    mean_spend = np.exp(
        _linear_predictor(p, "spend", seg, s, tenure0) + rng.normal(-(sh**2) / 2, sh, n)
    )
    return Customers(
        seg=seg,
        region=region,
        tenure0=tenure0,
        signup_day=signup_day,
        x=x,
        s=s,
        sd=sd,
        lam=lam,
        mean_spend=mean_spend,
        churn_base=_linear_predictor(p, "churn", seg, s),
        service_rate=vec(p["service_rate"], SEGMENTS)[seg] * np.exp(p["service_satisfaction"] * s),
        bad_logit=vec(p["bad_experience_logit"], TOUCHPOINTS)[None, :]
        - p["bad_experience_experience"] * x,
        channel_p=np.array([p["purchase_channel"][g] for g in SEGMENTS])[seg],
        invoice_p=vec(p["invoice_prob"], SEGMENTS)[seg],
    )


def _linear_predictor(
    p: dict[str, Any],
    outcome: str,
    seg: np.ndarray,
    s: np.ndarray,
    tenure: np.ndarray | None = None,
) -> np.ndarray:
    """``<outcome>_log_intercept + <outcome>_segment[seg] (+ tenure term) + satisfaction term``.

    The log-scale predictor of a purchase rate, mean spend or churn hazard per month (without
    heterogeneity); the tenure term (years) is left out when ``tenure`` is None.
    """
    eta = p[f"{outcome}_log_intercept"] + vec(p[f"{outcome}_segment"], SEGMENTS)[seg]
    if tenure is not None:
        eta = eta + p[f"{outcome}_tenure_per_year"] * tenure
    return eta + p[f"{outcome}_satisfaction"] * s


def customers_frame(
    cu: Customers, churn_day: np.ndarray, alive: np.ndarray, window: Window
) -> pd.DataFrame:
    """The ``customers`` frame of the panel, one row per customer.

    ``churn_day`` is in days from the first day of the window (ignored where ``alive``).
    """
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, cu.s.size + 1, dtype=np.int64),
            "segment": categorical(cu.seg, SEGMENTS),
            "region": categorical(cu.region, REGIONS),
            "signup_date": window.to_date(cu.signup_day),
            "churn_date": pd.Series(window.to_date(np.where(alive, 0, churn_day))).where(~alive),
            "tenure_months_at_start": cu.tenure0 * 12.0,
        }
    )
