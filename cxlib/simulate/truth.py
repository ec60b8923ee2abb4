"""The truth behind a simulated panel: :class:`CXTruth` and how it is computed.

Everything here is known exactly, from the parameters and the per-customer draws, so that an
estimate from the panel (a churn rate, a driver weight, the effect of satisfaction on revenue) can
be compared with it. The model is described in :mod:`cxlib.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.simulate._core import categorical, vec
from cxlib.simulate.customers import Customers
from cxlib.simulate.params import SEGMENTS, TOUCHPOINTS, driver_importance
from cxlib.simulate.randomised import CampaignTruth


@dataclass(frozen=True)
class CXTruth:
    """The true values behind a simulated panel (the model is described in :mod:`cxlib.simulate`).

    Attributes
    ----------
    params : dict
        Every generating parameter: :data:`~cxlib.simulate.DEFAULT_PARAMS` with the ``params``
        overrides merged in.
    driver_weights : Series
        Touchpoint -> change of latent satisfaction (SD units) per +1 SD of experience there.
    driver_importance : DataFrame
        Population importance of the touchpoint experiences for latent satisfaction, indexed by
        touchpoint: ``weight`` (= ``driver_weights``), ``correlation`` (of experience and
        satisfaction), ``shapley_r2`` (Shapley/LMG share of R^2, Lindeman, Merenda & Gold 1980),
        ``relative_weight_r2`` (Johnson 2000) and both as shares of their total
        (``shapley_share``, ``relative_weight_share``). Computed exactly from the correlation
        matrix implied by the parameters, so key driver estimates can be compared with it.
    driver_r2 : float
        Population R^2 of latent satisfaction on the six touchpoint experiences: the total that
        ``driver_importance["shapley_r2"]`` and ``["relative_weight_r2"]`` each sum to.
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
    campaign : CampaignTruth or None
        The true effects of the randomised campaign (``cx_panel(campaign=...)``), else None.

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
    driver_r2: float
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
    campaign: CampaignTruth | None = None

    def __repr__(self) -> str:
        rate = self.monthly_churn_rate.mean()
        top = self.bad_experience_churn_effect.idxmax()
        return (
            f"CXTruth({len(self.latent):,} customers, mean true monthly churn rate {rate:.4f}, "
            f"largest driver weight {self.driver_weights.idxmax()!r}, "
            f"largest bad-experience churn effect {top!r})"
        )


def build_truth(
    p: dict[str, Any], cu: Customers, churn_rows: list, incident: dict[str, Any]
) -> CXTruth:
    """Assemble :class:`CXTruth` from the parameters and the per-customer draws.

    Parameters
    ----------
    p : dict
        Merged parameters (see :func:`~cxlib.simulate.params.merge_params`).
    cu : Customers
        The per-customer draws (see :func:`~cxlib.simulate.customers.draw_customers`).
    churn_rows : list of tuple
        One ``(month_start, n_at_risk, expected_rate, churned)`` per month of the window (see
        :func:`~cxlib.simulate.events.simulate_months`).
    incident : dict
        The incident as simulated (``CXTruth.incident``).

    Returns
    -------
    CXTruth
    """
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
            "segment": categorical(seg, SEGMENTS),
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
    # effect of each confounder on satisfaction (SD units) and on the three log outcomes
    outcomes = ["purchase", "spend", "churn"]
    conf = pd.DataFrame(
        [
            [p["satisfaction_segment"][g] / sd] + [p[f"{o}_segment"][g] for o in outcomes]
            for g in SEGMENTS[1:]
        ]
        + [
            [p["satisfaction_tenure_per_year"] / sd] + [p[f"{o}_tenure_per_year"] for o in outcomes]
        ],
        index=pd.Index([*SEGMENTS[1:], "tenure_years"], name="confounder"),
        columns=["satisfaction", "log_purchase_rate", "log_spend", "log_churn_hazard"],
    )
    monthly = pd.DataFrame(
        churn_rows, columns=["month_start", "n_at_risk", "expected_rate", "churned"]
    )
    monthly["month_start"] = monthly["month_start"].astype("datetime64[us]")
    monthly["realised_rate"] = monthly["churned"] / monthly["n_at_risk"].where(
        monthly["n_at_risk"] > 0
    )
    importance, r2 = driver_importance(p, sd)
    return CXTruth(
        params=p,
        driver_importance=importance,
        driver_r2=r2,
        driver_weights=pd.Series(
            vec(p["driver_weights_raw"], TOUCHPOINTS) / sd, index=TOUCHPOINTS, name="driver_weight"
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
