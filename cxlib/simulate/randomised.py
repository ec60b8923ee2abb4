r"""A randomised CX campaign on a simulated panel, with heterogeneous true effects.

On the first day after the panel's window (``panel.end``) every customer still active is
randomly assigned to a **proactive service call** (*Service-Rückruf*: an agent calls, asks how
things are and fixes what is open) or to the control group (*Kontrollgruppe*), and is followed
for 12 months. :func:`campaign` draws the assignment and the outcomes from the panel's own latent
customers, so a randomised test (*A/B-Test*) on the result can be checked against the truth.
It draws from its own random stream and never changes the panel.

The model (time unit: month; money: EUR)
-----------------------------------------
Features at the campaign date (what a CRM would know)
    Tenure, revenue and purchases in the 12 months before, days since the last purchase (or
    since signup), hotline contacts, bad experiences and bad hotline experiences in the 6
    months before, the mean transactional CSAT of the 12 months before (NaN without answers).

Assignment and reach
    ``treated`` ~ Bernoulli(``treated_share``). A call reaches a treated customer with
    probability :math:`\operatorname{expit}(\rho_0 + \rho_s s_i)` (``reached``; unknown, NA, in
    the control group): the effects below act only on reached customers, so the effect of
    *assigning* the call (intention to treat) is the reach probability times the effect of a
    call that reaches.

Churn in the 12 months after the campaign date
    Exponential time to churn with the panel's hazard at the campaign date,
    :math:`h_i = \exp(c_0 + c_{g} + c_T \tau_i + \theta_h s_i)` (tenure :math:`\tau_i` in years
    at the campaign date; no new bad experiences are simulated), multiplied by
    :math:`\exp(\delta_i)` for a reached customer, with the heterogeneous log hazard ratio

    .. math:: \delta_i = w(s_i) \left(\beta_0 + \beta_{bad} B_i + \beta_{hot} H_i\right)
              + \beta_{Premium} P_i, \qquad w(s) = \operatorname{expit}(\kappa (s - s_0)),

    :math:`B_i` = a bad experience in the 6 months before, :math:`H_i` = a bad hotline
    experience then, :math:`P_i` = Premium segment (``effect_log_hazard``; :math:`s_0` and
    :math:`\kappa` are ``lost_cause_satisfaction`` and ``lost_cause_slope``). The call
    helps most where something went wrong (persuadable customers), hardly at all for customers
    far below average satisfaction (:math:`w \to 0`: lost causes), and annoys Premium customers
    without an open issue (:math:`\delta > 0`: sleeping dogs).

Purchases
    Poisson with the panel's purchase rate while active, times :math:`\exp(\gamma_{g})` for a
    reached customer (``effect_log_purchase``, by segment); mean spend as in the panel. Revenue
    in EUR, rounded to cents.

Follow-up survey
    ``survey_delay_days`` after each customer's contact day (the day of the call, uniform over
    the first ``call_days`` days; the same for the control group), answered with the panel's
    relationship response probability :math:`\operatorname{expit}(\rho^{rel}_0 + \rho_s s_i)`,
    independent of the call. CSAT 1-5, CES 1-7 and NPS 0-10 from the panel's ordered latent
    scores with experience at the hotline, the satisfaction of a reached customer raised by
    :math:`\omega_i` SD (``effect_satisfaction``).

The truth (:class:`CampaignTruth`) gives each customer's exact expected outcomes with and
without the assignment, so every individual effect (uplift) is known.

References
----------
Radcliffe, N. J. (2007). Using control groups to target on predicted lift. *Direct Marketing
Analytics Journal* 1, 14-21 (persuadables, sure things, lost causes, sleeping dogs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

from cxlib.simulate.params import SEGMENTS, merge_overrides
from cxlib.validate import CXDataError

__all__ = ["CAMPAIGN_PARAMS", "CAMPAIGN_STREAM", "Campaign", "CampaignTruth", "campaign"]

#: The second entry of the seed sequence of the campaign's random stream in ``cx_panel``:
#: ``numpy.random.default_rng([seed, CAMPAIGN_STREAM])``, apart from the panel's own stream.
CAMPAIGN_STREAM = 19

CAMPAIGN_PARAMS: dict[str, Any] = {
    "treated_share": 0.5,
    "horizon_months": 12,
    "call_days": 28,  # contact days spread uniformly over the first four weeks
    "survey_delay_days": 3,
    # probability that a call reaches the customer: expit(logit + satisfaction * s)
    "reach_logit": 1.2,
    "reach_satisfaction": 0.4,
    # log hazard ratio of churn for a reached customer (see the module docstring)
    "effect_log_hazard": {
        "base": -0.1,
        "bad_experience_6m": -0.6,
        "bad_hotline_6m": -0.4,
        "Premium": 0.8,
    },
    "lost_cause_satisfaction": -0.5,  # s_0: the effect fades below this satisfaction
    "lost_cause_slope": 4.0,  # kappa
    # log purchase-rate ratio for a reached customer, by segment
    "effect_log_purchase": {"Privatkunde": 0.0, "Geschäftskunde": 0.0, "Premium": -0.1},
    # shift of latent satisfaction (SD units) behind the survey answers of a reached customer
    "effect_satisfaction": {"base": 0.2, "bad_experience_6m": 0.3},
}

_HOTLINE = "Kundenservice-Hotline"
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class CampaignTruth:
    """The true effects behind a simulated campaign (the model is in :mod:`~.campaign`).

    Attributes
    ----------
    params : dict
        :data:`CAMPAIGN_PARAMS` with the overrides merged in.
    effects : DataFrame
        One row per customer in the test (aligned with :attr:`Campaign.customers`):
        ``customer_id``, ``treated``, ``reach_prob``, ``log_hazard_ratio`` (:math:`\\delta_i`),
        ``log_purchase_ratio`` (:math:`\\gamma_i`), ``satisfaction_shift`` (:math:`\\omega_i`),
        ``churn_hazard_month`` (without the call), the expected outcomes of the control and of
        the assignment to the call (intention to treat): ``churn_prob_12m_control`` /
        ``_treated`` (rates), ``revenue_12m_control`` / ``_treated`` (EUR), ``response_prob``,
        ``csat_prob_control`` / ``_treated`` (P(answer 4 or 5)), ``promoter_prob_*``,
        ``detractor_prob_*``, ``ces_mean_*`` (points); and the individual effects of assigning
        the call: ``uplift_retention`` (fewer churned, a rate), ``uplift_revenue_12m`` (EUR).
    average_effects : Series
        The effects of assigning the call averaged over the customers in the test:
        ``retention_pct`` and ``churn_pct`` (percent points), ``revenue_12m`` (EUR per
        customer), and over the expected respondents (weighted by ``response_prob``):
        ``csat_pct``, ``nps`` (points) and ``ces`` (scale points).
    """

    params: dict[str, Any]
    effects: pd.DataFrame
    average_effects: pd.Series

    def __repr__(self) -> str:
        a = self.average_effects
        return (
            f"CampaignTruth({len(self.effects):,} customers; call vs control: retention "
            f"{a['retention_pct']:+.1f} pp, revenue {a['revenue_12m']:+.1f} EUR, CSAT "
            f"{a['csat_pct']:+.1f} pp, NPS {a['nps']:+.1f})"
        )


@dataclass(frozen=True)
class Campaign:
    """A simulated randomised campaign: what the analyst sees and the truth.

    ``customers`` has one row per customer in the test (see :func:`campaign`), ``truth`` the
    true effects (:class:`CampaignTruth`), ``start`` the campaign date.
    """

    customers: pd.DataFrame
    truth: CampaignTruth
    start: pd.Timestamp

    def __repr__(self) -> str:
        c = self.customers
        return (
            f"Campaign({len(c):,} customers from {self.start:%Y-%m-%d}, "
            f"{int(c['treated'].sum()):,} called, {int(c['responded'].sum()):,} survey answers, "
            "SIMULATED)"
        )


def merge_campaign_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """A deep copy of :data:`CAMPAIGN_PARAMS` with the overrides ``params`` merged in.

    A dict value is merged by key, so a partial dict changes only the entries it names.

    Raises
    ------
    CXDataError
        If ``params`` is not a dict or names an unknown key.
    """
    p = merge_overrides(CAMPAIGN_PARAMS, params, name="CAMPAIGN_PARAMS")
    share = p["treated_share"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
        raise CXDataError(f"treated_share must lie strictly between 0 and 1; got {share!r}.")
    return p


def campaign_features(panel: Any) -> pd.DataFrame:
    """What the CRM knows about each customer active on the campaign date ``panel.end``.

    Parameters
    ----------
    panel : CXPanel
        A simulated panel (:func:`~cxlib.simulate.cx_panel`).

    Returns
    -------
    DataFrame
        One row per customer without a churn date, ordered by ``customer_id``: ``customer_id``,
        ``segment``, ``region``, ``tenure_months`` (at the campaign date),
        ``revenue_12m_before`` (EUR), ``purchases_12m_before``, ``days_since_last_purchase``
        (since signup for customers who never bought), ``hotline_contacts_6m``,
        ``bad_experiences_6m``, ``bad_hotline_6m`` and ``csat_mean_12m`` (mean transactional
        CSAT answer 1-5 of the 12 months before; NaN without an answer).
    """
    day = panel.end
    cust = panel.customers.loc[panel.customers["churn_date"].isna()]
    ids = pd.Index(cust["customer_id"].to_numpy(), name="customer_id")
    year_before = day - pd.DateOffset(months=12)
    half_before = day - pd.DateOffset(months=6)

    tx = panel.transactions
    recent = tx.loc[tx["date"] >= year_before].groupby("customer_id")["amount"]
    last = tx.groupby("customer_id")["date"].max().reindex(ids)
    signup = pd.Series(cust["signup_date"].to_numpy(), index=ids)
    last = last.fillna(signup)

    it = panel.interactions
    it6 = it.loc[it["timestamp"] >= half_before]
    hot = (it6["touchpoint"] == _HOTLINE).to_numpy()
    per = (
        pd.DataFrame(
            {
                "customer_id": it6["customer_id"].to_numpy(),
                "hot": hot,
                "bad": it6["bad_experience"].to_numpy(),
                "bad_hot": hot & it6["bad_experience"].to_numpy(),
            }
        )
        .groupby("customer_id")[["hot", "bad", "bad_hot"]]
        .sum()
    )
    per = per.reindex(ids, fill_value=0)

    sv = panel.surveys
    answered = sv.loc[(sv["timestamp"] >= year_before) & sv["csat"].notna()]
    csat_mean = answered.groupby("customer_id")["csat"].mean().reindex(ids)

    return pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "segment": cust["segment"].to_numpy(),
            "region": cust["region"].to_numpy(),
            "tenure_months": ((day - signup).dt.days / DAYS_PER_MONTH).to_numpy(),
            "revenue_12m_before": recent.sum().reindex(ids, fill_value=0.0).round(2).to_numpy(),
            "purchases_12m_before": recent.size().reindex(ids, fill_value=0).to_numpy(np.int64),
            "days_since_last_purchase": (day - last).dt.days.to_numpy(np.int64),
            "hotline_contacts_6m": per["hot"].to_numpy(np.int64),
            "bad_experiences_6m": per["bad"].to_numpy(np.int64),
            "bad_hotline_6m": per["bad_hot"].to_numpy(np.int64),
            "csat_mean_12m": csat_mean.to_numpy(),
        }
    )


def _ordinal_probs(mean: np.ndarray, noise: float, cuts: list[float]) -> np.ndarray:
    """P(answer = k) for each row, categories 0..len(cuts), of an ordered probit."""
    upper = norm.cdf((np.asarray(cuts)[None, :] - mean[:, None]) / noise)
    cdf = np.hstack([np.zeros((mean.size, 1)), upper, np.ones((mean.size, 1))])
    return np.diff(cdf, axis=1)


def _ordinal_draw(rng: np.random.Generator, mean: np.ndarray, noise: float, cuts: list) -> Any:
    """One ordered-probit draw per row: the number of cuts below the latent score."""
    y = mean + noise * rng.standard_normal(mean.size)
    return (y[:, None] > np.asarray(cuts)[None, :]).sum(axis=1)


def _churn_and_revenue(h: np.ndarray, rate: np.ndarray, horizon: float) -> tuple[Any, Any]:
    """P(churn within ``horizon`` months) and expected revenue for exponential churn."""
    p_churn = -np.expm1(-h * horizon)
    return p_churn, rate * p_churn / h


def campaign(
    panel: Any,
    *,
    seed: int | np.random.Generator = 0,
    params: dict[str, Any] | None = None,
) -> Campaign:
    """Run a simulated randomised service-call campaign on ``panel`` (model: module docstring).

    Parameters
    ----------
    panel : CXPanel
        A simulated panel from :func:`~cxlib.simulate.cx_panel`; the campaign starts on
        ``panel.end`` with every customer still active. The panel is not changed.
    seed : int or numpy.random.Generator, default 0
        Source of the campaign's randomness (assignment, reach, outcomes, survey); the same seed
        gives the same campaign, another seed re-randomises it on the same customers.
    params : dict, optional
        Overrides of :data:`CAMPAIGN_PARAMS` (a dict value is merged by key).

    Returns
    -------
    Campaign
        ``customers``: the features of :func:`campaign_features`, then ``treated`` (bool),
        ``reached`` (boolean; NA in the control group), ``contact_date``, ``churned_12m``
        (bool), ``churn_date`` (NaT if none within 12 months), ``purchases_12m``,
        ``revenue_12m`` (EUR), ``survey_date``, ``responded`` (bool), ``csat`` (1-5), ``ces``
        (1-7), ``nps`` (0-10), answers NaN without a response. ``truth``: :class:`CampaignTruth`.

    Examples
    --------
    >>> from cxlib.simulate import campaign, cx_panel
    >>> run = campaign(cx_panel(2000, seed=1), seed=2)
    >>> run  # doctest: +ELLIPSIS
    Campaign(1,... customers from 2025-01-01, ... called, ... survey answers, SIMULATED)
    >>> bool(run.truth.effects["uplift_retention"].abs().max() < 1)
    True
    """
    if not all(hasattr(panel, a) for a in ("customers", "truth", "end", "transactions")):
        raise CXDataError(f"panel must be a CXPanel from cx_panel; got {type(panel).__name__}.")
    if not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise CXDataError(
            f"seed must be a non-negative integer or a numpy Generator; got {seed!r}."
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cp = merge_campaign_params(params)
    pp = panel.truth.params
    feat = campaign_features(panel)
    lat = panel.truth.latent.set_index("customer_id").loc[feat["customer_id"].to_numpy()]
    n = len(feat)
    s = lat["satisfaction"].to_numpy()
    x_hot = lat[f"experience_{_HOTLINE}"].to_numpy()
    seg = feat["segment"].to_numpy()
    premium = seg == "Premium"

    # hazard per month at the campaign date: the panel's hazard at start (or signup), aged
    tenure_years = feat["tenure_months"].to_numpy() / 12
    aged = tenure_years - lat["tenure_years_at_start"].to_numpy()
    hazard = lat["churn_hazard_month"].to_numpy() * np.exp(pp["churn_tenure_per_year"] * aged)
    rate = (lat["purchase_rate_month"] * lat["mean_spend"]).to_numpy()  # EUR per active month

    # heterogeneous effects of a call that reaches the customer
    bad6 = (feat["bad_experiences_6m"] > 0).to_numpy()
    hot6 = (feat["bad_hotline_6m"] > 0).to_numpy()
    eh = cp["effect_log_hazard"]
    fade = expit(cp["lost_cause_slope"] * (s - cp["lost_cause_satisfaction"]))
    delta = (
        fade * (eh["base"] + eh["bad_experience_6m"] * bad6 + eh["bad_hotline_6m"] * hot6)
        + eh["Premium"] * premium
    )
    gamma = np.array([cp["effect_log_purchase"][g] for g in SEGMENTS])[
        pd.Categorical(seg, categories=SEGMENTS).codes
    ]
    es = cp["effect_satisfaction"]
    omega = es["base"] + es["bad_experience_6m"] * bad6
    reach_p = expit(cp["reach_logit"] + cp["reach_satisfaction"] * s)
    resp_p = expit(pp["relationship_response_logit"] + pp["response_satisfaction"] * s)

    # exact expectations: control, a call that reaches, and the assignment (intention to treat)
    horizon = float(cp["horizon_months"])
    pc0, rev0 = _churn_and_revenue(hazard, rate, horizon)
    pc1, rev1 = _churn_and_revenue(hazard * np.exp(delta), rate * np.exp(gamma), horizon)
    itt = {
        "churn": reach_p * pc1 + (1 - reach_p) * pc0,
        "rev": reach_p * rev1 + (1 - reach_p) * rev0,
    }
    answers = {}
    for name in ("csat", "ces", "nps"):
        mod = pp[f"{name}_model"]
        base = mod["x"] * x_hot
        probs0 = _ordinal_probs(mod["s"] * s + base, mod["noise"], mod["cuts"])
        probs1 = _ordinal_probs(mod["s"] * (s + omega) + base, mod["noise"], mod["cuts"])
        answers[name] = (probs0, reach_p[:, None] * probs1 + (1 - reach_p[:, None]) * probs0)

    # draws, in a fixed order
    treated = rng.random(n) < cp["treated_share"]
    reached = treated & (rng.random(n) < reach_p)
    contact_day = rng.integers(0, cp["call_days"], n)
    h_i = np.where(reached, hazard * np.exp(delta), hazard)
    churn_months = rng.exponential(1 / h_i)
    churned = churn_months < horizon
    active = np.minimum(churn_months, horizon)
    purchase_rate = lat["purchase_rate_month"].to_numpy() * np.where(reached, np.exp(gamma), 1.0)
    purchases = rng.poisson(purchase_rate * active)
    shape = pp["spend_shape"]
    spend = lat["mean_spend"].to_numpy()
    revenue = np.where(
        purchases > 0,
        rng.gamma(np.maximum(purchases, 1) * shape, spend / shape),
        0.0,
    )
    survey_day = contact_day + cp["survey_delay_days"]
    churn_day = np.floor(churn_months * DAYS_PER_MONTH).astype(np.int64)
    responded = rng.random(n) < resp_p  # customers who left since still answer
    scores = {}
    for name, low in (("csat", 1), ("ces", 1), ("nps", 0)):
        mod = pp[f"{name}_model"]
        mean = mod["s"] * (s + np.where(reached, omega, 0.0)) + mod["x"] * x_hot
        drawn = _ordinal_draw(rng, mean, mod["noise"], mod["cuts"]) + low
        scores[name] = np.where(responded, drawn, np.nan)

    start = panel.end
    to_date = (np.datetime64(start.to_datetime64(), "D")).astype("datetime64[D]")
    customers = feat.assign(
        treated=treated,
        reached=pd.array(np.where(treated, reached, False), dtype="boolean"),
        contact_date=(to_date + contact_day.astype("timedelta64[D]")).astype("datetime64[us]"),
        churned_12m=churned,
        churn_date=pd.Series(
            (to_date + np.where(churned, churn_day, 0).astype("timedelta64[D]")).astype(
                "datetime64[us]"
            )
        ).where(churned),
        purchases_12m=purchases.astype(np.int64),
        revenue_12m=np.round(revenue, 2),
        survey_date=(to_date + survey_day.astype("timedelta64[D]")).astype("datetime64[us]"),
        responded=responded,
        csat=scores["csat"],
        ces=scores["ces"],
        nps=scores["nps"],
    )
    customers.loc[~treated, "reached"] = pd.NA

    csat0, csat1 = (a[:, 3:].sum(axis=1) for a in answers["csat"])
    prom0, prom1 = (a[:, 9:].sum(axis=1) for a in answers["nps"])
    det0, det1 = (a[:, :7].sum(axis=1) for a in answers["nps"])
    ces_points = np.arange(1, 8)
    ces0, ces1 = (a @ ces_points for a in answers["ces"])
    effects = pd.DataFrame(
        {
            "customer_id": feat["customer_id"].to_numpy(),
            "treated": treated,
            "reach_prob": reach_p,
            "log_hazard_ratio": delta,
            "log_purchase_ratio": gamma,
            "satisfaction_shift": omega,
            "churn_hazard_month": hazard,
            "churn_prob_12m_control": pc0,
            "churn_prob_12m_treated": itt["churn"],
            "revenue_12m_control": rev0,
            "revenue_12m_treated": itt["rev"],
            "response_prob": resp_p,
            "csat_prob_control": csat0,
            "csat_prob_treated": csat1,
            "promoter_prob_control": prom0,
            "promoter_prob_treated": prom1,
            "detractor_prob_control": det0,
            "detractor_prob_treated": det1,
            "ces_mean_control": ces0,
            "ces_mean_treated": ces1,
            "uplift_retention": pc0 - itt["churn"],
            "uplift_revenue_12m": itt["rev"] - rev0,
        }
    )
    w = resp_p / resp_p.sum()
    average = pd.Series(
        {
            "retention_pct": 100 * float(np.mean(pc0 - itt["churn"])),
            "churn_pct": 100 * float(np.mean(itt["churn"] - pc0)),
            "revenue_12m": float(np.mean(itt["rev"] - rev0)),
            "csat_pct": 100 * float(w @ (csat1 - csat0)),
            "nps": 100 * float(w @ ((prom1 - det1) - (prom0 - det0))),
            "ces": float(w @ (ces1 - ces0)),
        },
        name="average_effect",
    )
    return Campaign(
        customers=customers,
        truth=CampaignTruth(params=cp, effects=effects, average_effects=average),
        start=start,
    )
