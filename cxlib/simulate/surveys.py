"""The surveys of the simulated panel: transactional (after interactions) and relationship waves.

:func:`transactional_surveys` invites after a share of interactions and draws whether the
customer answers (less often when unhappy, more often after a bad experience) and the CSAT 1-5,
CES 1-7 and NPS 0-10 answers from ordered latent scores. :func:`relationship_surveys` invites every
active customer once a year and draws overall satisfaction, NPS and a rating of each touchpoint
used in the year before. The model is described in :mod:`cxlib.simulate`.

References
----------
Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your customers. *HBR* (CES).
Reichheld, F. F. (2003). The one number you need to grow. *HBR* (NPS).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from cxlib.simulate._core import MINUTES_PER_DAY, S_INFO, Window, categorical, vec
from cxlib.simulate.customers import Customers
from cxlib.simulate.params import STAGES, TOUCHPOINTS


def transactional_surveys(
    rng: np.random.Generator,
    ev: dict[str, np.ndarray],
    interaction_id: np.ndarray,
    cu: Customers,
    churn_day: np.ndarray,
    p: dict[str, Any],
    window: Window,
) -> pd.DataFrame:
    """Invitations after interactions, response depending on satisfaction, CSAT/CES/NPS answers.

    ``ev`` are the kept events and ``interaction_id`` their ids (see
    :func:`~cxlib.simulate.events.interactions_frame`); ``churn_day`` is in days from the first
    day of the window. Returns the ``surveys`` frame, sorted by the time the invitation was sent.
    """
    s, x = cu.s, cu.x
    tp, cust, bad = ev["touchpoint"], ev["customer"], ev["bad"]
    prob = np.where(
        ev["stage"] == S_INFO,
        p["invite_prob_information"],
        vec(p["invite_prob"], TOUCHPOINTS)[tp],
    )
    k = np.flatnonzero(rng.random(tp.size) < prob)
    minute = ev["minute"][k] + rng.integers(60, 48 * 60, k.size)
    day = minute // MINUTES_PER_DAY
    sent = (day < window.end_day) & (day < churn_day[cust[k]])
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
            "timestamp": window.to_time(minute[order]),
            "touchpoint": categorical(t[order], TOUCHPOINTS),
            "stage": categorical(ev["stage"][k][order], STAGES),
            "responded": responded[order],
            "csat": scores["csat"][order],
            "ces": scores["ces"][order],
            "nps": scores["nps"][order],
        }
    )


def relationship_surveys(
    rng: np.random.Generator,
    ev: dict[str, np.ndarray],
    cu: Customers,
    churn_day: np.ndarray,
    p: dict[str, Any],
    window: Window,
) -> pd.DataFrame:
    """One wave a year (six months into each year of the window) of all active customers.

    A window shorter than seven months has one wave in its middle month. Returns the
    ``relationship`` frame: one row per wave and customer active on the wave date.
    """
    s, x, signup_day, months = cu.s, cu.x, cu.signup_day, window.months
    offsets = list(range(6, months, 12)) or [months // 2]
    n = s.size
    ev_day = ev["minute"] // MINUTES_PER_DAY
    frames = []
    for off in offsets:
        wave_day = int(window.bounds[off + 1])  # bounds[0] is the burn-in month
        active = np.flatnonzero((signup_day < wave_day) & (churn_day > wave_day))
        last_year = (ev_day >= wave_day - 365) & (ev_day < wave_day)
        used = (
            np.bincount(
                ev["customer"][last_year] * 6 + ev["touchpoint"][last_year], minlength=n * 6
            ).reshape(n, 6)[active]
            > 0
        )
        k = active.size
        responded = rng.random(k) < expit(
            p["relationship_response_logit"] + p["response_satisfaction"] * s[active]
        )
        overall = _rounded_score(rng, p["relationship_overall"], "s", s[active], 0, 10)
        nps = _rounded_score(rng, p["relationship_nps"], "s", s[active], 0, 10)
        rating = _rounded_score(rng, p["relationship_rating"], "x", x[active], 1, 10)
        rating = np.where(used & responded[:, None], rating, np.nan)
        frame = {
            "customer_id": active.astype(np.int64) + 1,
            "wave_date": window.to_date(np.full(k, wave_day)),
            "responded": responded,
            "overall": np.where(responded, overall, np.nan),
            "nps": np.where(responded, nps, np.nan),
        }
        frame.update({name: rating[:, j] for j, name in enumerate(TOUCHPOINTS)})
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def _ordinal(y: np.ndarray, cuts: list[float], low: int) -> np.ndarray:
    """Ordered categories ``low, low + 1, ...`` of the latent scores ``y`` cut at ``cuts``."""
    return (low + np.searchsorted(np.asarray(cuts), y)).astype(float)


def _rounded_score(
    rng: np.random.Generator,
    model: dict[str, float],
    slope: str,
    value: np.ndarray,
    low: int,
    high: int,
) -> np.ndarray:
    """``round(intercept + model[slope] * value + N(0, noise^2))`` clipped to [low, high].

    One answer per element of ``value`` (a relationship-survey score on a 0-10 or 1-10 scale).
    """
    noise = model["noise"] * rng.standard_normal(value.shape)
    return np.clip(np.round(model["intercept"] + model[slope] * value + noise), low, high)
