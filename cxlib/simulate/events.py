"""The monthly process of the simulated panel: churn, purchases, sessions and bad experiences.

Month by month (vectorised over customers), :func:`simulate_months` lets customers churn with a
hazard that depends on last month's bad experiences, then draws the month's purchases and
interaction sessions (:func:`_month_events`) and which events are bad experiences, including the
documented incident (:func:`incident`). :func:`interactions_frame` and :func:`transactions_frame`
turn the events and purchases into the panel's frames. Times are whole days or minutes from the
first day of the window; the model is described in :mod:`cxlib.simulate`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from cxlib.simulate._core import (
    APP,
    DAYS_PER_YEAR,
    FIL,
    HOT,
    LIE,
    MINUTES_PER_DAY,
    RE,
    S_INFO,
    S_KAUF,
    S_LIEF,
    S_RECH,
    S_SERV,
    WEB,
    Window,
    categorical,
    choose,
    vec,
)
from cxlib.simulate.customers import Customers
from cxlib.simulate.params import STAGES, TOUCHPOINTS


def incident(p: dict[str, Any], window: Window) -> tuple[np.ndarray, dict[str, Any]]:
    """The incident: its logit shift of bad experiences, and its description for the truth.

    Returns the (months + 2, 6) shift by month index (0 = burn-in) and touchpoint, and the dict
    ``CXTruth.incident``: ``touchpoint``, ``start`` and ``end`` (first day, and first day after
    it; ``None`` if it falls outside the window) and ``logit_shift``.
    """
    shift = np.zeros((window.months + 2, 6))
    inc = p["incident"]
    first = max(inc["first_month"], 1)
    last = min(inc["first_month"] + inc["n_months"] - 1, window.months)
    inside = first <= last
    if inside:
        shift[first : last + 1, TOUCHPOINTS.index(inc["touchpoint"])] = inc["logit_shift"]
    return shift, {
        "touchpoint": inc["touchpoint"],
        "start": window.month_starts[first] if inside else None,
        "end": window.month_starts[last + 1] if inside else None,
        "logit_shift": inc["logit_shift"],
    }


def simulate_months(
    rng: np.random.Generator,
    cu: Customers,
    p: dict[str, Any],
    window: Window,
    shift: np.ndarray,
) -> tuple[list, list, np.ndarray, np.ndarray, list, int]:
    """Churn and events month by month (vectorised over customers).

    Month index 0 is a burn-in month before ``start``: its events only set the bad experiences
    that the first month's hazard depends on, and nobody churns in it. Returns the events and
    purchases per month, each customer's churn day (int64 max if none) and alive flag, one row per
    month for ``CXTruth.monthly_churn`` and the number of sessions generated.
    """
    n, months, bounds = cu.s.size, window.months, window.bounds
    delta = vec(p["bad_experience_churn_effect"], TOUCHPOINTS)
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
            tenure_now = (a - signup_day[at_risk]) / DAYS_PER_YEAR
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
                    window.month_starts[m],
                    int(from_start.sum()),
                    float(prob[from_start].mean()) if from_start.any() else np.nan,
                    int((churns & from_start).sum()),
                )
            )
        ev, tx, n_sessions = _month_events(rng, cu, at_risk, a, b, (b - a) / ndays, p)
        ev["session"] += session_offset
        session_offset += n_sessions
        # bad experiences, by month of the event (events after churn are dropped later)
        ev_month = np.searchsorted(bounds, ev["minute"] // MINUTES_PER_DAY, side="right") - 1
        ev_month = np.minimum(ev_month, months + 1)
        c, t = ev["customer"], ev["touchpoint"]
        ev["bad"] = rng.random(c.size) < expit(cu.bad_logit[c, t] + shift[ev_month, t])
        keep = (ev_month <= months) & ev["bad"]
        bad_month[ev_month[keep], c[keep], t[keep]] = True
        if m > 0:
            events.append(ev)
            purchases.append(tx)
    return events, purchases, churn_day, alive, churn_rows, session_offset


def _month_events(
    rng: np.random.Generator,
    cu: Customers,
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
    pc, p_day = _arrivals(rng, idx, cu.lam[idx] * active_part, a, length)
    amount = np.round(rng.gamma(p["spend_shape"], cu.mean_spend[pc] / p["spend_shape"]), 2)
    amount = np.maximum(amount, 0.01)
    channel = np.array([WEB, APP, FIL])[choose(rng, cu.channel_p[pc])]
    n_info = rng.binomial(2, p["info_events_p"], pc.size)
    # service sessions: 0-2 self-service events, then maybe Hotline or Filiale
    sc, s_day = _arrivals(rng, idx, cu.service_rate[idx] * active_part, a, length)
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
    sess_start = sess_day * MINUTES_PER_DAY + rng.integers(8 * 60, 21 * 60, n_sess)
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
    buy_stage = np.where(pos[is_buy] == e_len[is_buy] - 1, S_KAUF, S_INFO)
    # service sessions: self-service at Website/App, final contact Hotline/Filiale
    srv_pos = pos[~is_buy]
    srv_sess = e_sess[~is_buy] - pc.size
    self_tp = np.where(rng.random(srv_pos.size) < 0.5, WEB, APP)
    is_final = (srv_pos == n_self[srv_sess]) & (final[srv_sess] > 0)
    srv_tp = np.where(is_final, np.where(final[srv_sess] == 1, HOT, FIL), self_tp)
    tp = np.empty(tot, dtype=np.int64)
    stage = np.empty(tot, dtype=np.int64)
    tp[is_buy], tp[~is_buy] = buy_tp, srv_tp
    stage[is_buy], stage[~is_buy] = buy_stage, S_SERV
    cust = sess_cust[e_sess]

    # deliveries (online purchases) and invoices: single-event sessions days later
    online = channel != FIL
    d_c = pc[online]
    d_min = (p_day[online] + rng.integers(1, 5, d_c.size)) * MINUTES_PER_DAY + rng.integers(
        8 * 60, 20 * 60, d_c.size
    )
    inv = rng.random(pc.size) < cu.invoice_p[pc]
    i_c = pc[inv]
    i_min = (p_day[inv] + rng.integers(0, 8, i_c.size)) * MINUTES_PER_DAY + rng.integers(
        6 * 60, 22 * 60, i_c.size
    )
    n_extra = d_c.size + i_c.size
    all_cust = np.concatenate([cust, d_c, i_c])
    all_tp = np.concatenate([tp, np.full(d_c.size, LIE), np.full(i_c.size, RE)])
    out = {
        "customer": all_cust,
        "minute": np.concatenate([minute, d_min, i_min]).astype(np.int64),
        "touchpoint": all_tp.astype(np.int8),
        "stage": np.concatenate(
            [stage, np.full(d_c.size, S_LIEF), np.full(i_c.size, S_RECH)]
        ).astype(np.int8),
        "session": np.concatenate([e_sess, n_sess + np.arange(n_extra)]).astype(np.int64),
    }
    return out, (pc, p_day, amount), n_sess + n_extra


def _arrivals(
    rng: np.random.Generator, idx: np.ndarray, mean: np.ndarray, a: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson(``mean``) arrivals of each customer ``idx``, on uniform days of [a, a + length).

    Returns the customer of each arrival (grouped by customer, in the order of ``idx``) and its
    day (from the first day of the window).
    """
    count = rng.poisson(mean)
    who = np.repeat(idx, count)
    day = np.repeat(a, count) + np.floor(rng.random(who.size) * np.repeat(length, count)).astype(
        np.int64
    )
    return who, day


def interactions_frame(
    events: list[dict[str, np.ndarray]],
    churn_day: np.ndarray,
    n_sessions: int,
    window: Window,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Events before the churn day and inside the window, sorted by (customer, minute).

    Ties keep the order of generation (stable sort). Sessions are renumbered 1, 2, ... in the
    order of their first event. Returns the kept event arrays and the interactions frame;
    ``events`` is emptied to free memory.
    """
    ev = {k: np.concatenate([e[k] for e in events]) for k in events[0]}
    events.clear()  # the per-month arrays are no longer needed: free them now
    end_day = window.end_day
    ev_day = ev["minute"] // MINUTES_PER_DAY
    ok = (ev_day < churn_day[ev["customer"]]) & (ev_day < end_day) & (ev_day >= 0)
    del ev_day
    end_minute = np.int64(end_day + 40) * MINUTES_PER_DAY
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
            "timestamp": window.to_time(ev["minute"]),
            "touchpoint": categorical(ev["touchpoint"], TOUCHPOINTS),
            "stage": categorical(ev["stage"], STAGES),
            "bad_experience": ev["bad"],
        }
    )
    return ev, interactions


def transactions_frame(
    purchases: list[tuple[np.ndarray, np.ndarray, np.ndarray]], window: Window
) -> pd.DataFrame:
    """Purchases of all months, sorted by customer and date (stable within a day)."""
    cust = np.concatenate([t[0] for t in purchases])
    day = np.concatenate([t[1] for t in purchases])
    amount = np.concatenate([t[2] for t in purchases])
    order = np.lexsort((day, cust))
    return pd.DataFrame(
        {
            "customer_id": cust[order].astype(np.int64) + 1,
            "date": window.to_date(day[order]),
            "amount": amount[order],
        }
    )
