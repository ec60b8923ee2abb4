"""The panel generator :func:`cx_panel` and its result :class:`CXPanel`.

:func:`cx_panel` checks its arguments, lays out the monthly calendar and runs the parts of the
simulation in a fixed order (customers, months, surveys), so the same seed gives the same panel
bit for bit. The model is described in :mod:`cxlib.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from cxlib.simulate._core import Window
from cxlib.simulate.customers import customers_frame, draw_customers
from cxlib.simulate.events import incident, interactions_frame, simulate_months, transactions_frame
from cxlib.simulate.params import merge_params
from cxlib.simulate.randomised import CAMPAIGN_STREAM
from cxlib.simulate.randomised import campaign as run_campaign
from cxlib.simulate.surveys import relationship_surveys, transactional_surveys
from cxlib.simulate.truth import CXTruth, build_truth
from cxlib.validate import CXDataError, to_timestamp


@dataclass(frozen=True)
class CXPanel:
    """A simulated CX panel: customers, interactions, surveys, transactions and the truth.

    All frames carry an int64 ``customer_id`` from 1 to ``n_customers``; see :func:`cx_panel`.
    ``start`` is the first day of the window and ``end`` the first day after it. ``campaign``
    is the randomised campaign that starts on ``end`` (only with ``cx_panel(campaign=...)``,
    else None; its truth is ``truth.campaign``).

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
    campaign: pd.DataFrame | None = None

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{len(getattr(self, name)):,} {name}"
            for name in ["interactions", "surveys", "relationship", "transactions"]
        )
        test = "" if self.campaign is None else f", a campaign of {len(self.campaign):,}"
        return (
            f"CXPanel({len(self.customers):,} customers, {sizes}; "
            f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}{test}, SIMULATED)"
        )


def cx_panel(
    n_customers: int = 5000,
    *,
    seed: int | np.random.Generator = 0,
    start: str | pd.Timestamp = "2023-01-01",
    months: int = 24,
    params: dict[str, Any] | None = None,
    campaign: bool | dict[str, Any] = False,
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
    campaign : bool or dict, default False
        True (or a dict of overrides of :data:`~cxlib.simulate.randomised.CAMPAIGN_PARAMS`):
        also run the randomised service-call campaign that starts on ``end``
        (:func:`~cxlib.simulate.campaign`). It draws from its own stream,
        ``numpy.random.default_rng([seed, CAMPAIGN_STREAM])`` (with a Generator as ``seed``:
        that Generator, after every draw of the panel), so every other frame and truth is the
        same with and without it.

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
        With ``campaign``: ``campaign`` (one row per customer in the test, see
        :func:`~cxlib.simulate.campaign`) and ``truth.campaign`` (its true effects).

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
    if not isinstance(campaign, bool | dict):
        raise CXDataError(f"campaign must be True, False or a dict of overrides; got {campaign!r}.")
    n = int(n_customers)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    p = merge_params(params)

    window = Window.of(start_ts, months)  # month boundaries, with a burn-in month before start

    # the order of the parts is the order of the random draws: never change it
    cu = draw_customers(rng, n, p, window.end_day)
    shift, incident_truth = incident(p, window)
    events, purchases, churn_day, alive, churn_rows, n_sessions = simulate_months(
        rng, cu, p, window, shift
    )
    ev, interactions = interactions_frame(events, churn_day, n_sessions, window)
    transactions = transactions_frame(purchases, window)
    del events, purchases
    interaction_id = interactions["interaction_id"].to_numpy()
    surveys = transactional_surveys(rng, ev, interaction_id, cu, churn_day, p, window)
    relationship = relationship_surveys(rng, ev, cu, churn_day, p, window)
    panel = CXPanel(
        customers=customers_frame(cu, churn_day, alive, window),
        interactions=interactions,
        surveys=surveys,
        relationship=relationship,
        transactions=transactions,
        truth=build_truth(p, cu, churn_rows, incident_truth),
        start=start_ts,
        end=window.month_starts[-1],
    )
    if campaign is False:
        return panel
    # the campaign's own stream: the draws above are the same with and without it
    stream = (
        rng
        if isinstance(seed, np.random.Generator)
        else np.random.default_rng([int(seed), CAMPAIGN_STREAM])
    )
    run = run_campaign(panel, seed=stream, params=campaign if isinstance(campaign, dict) else None)
    return replace(panel, campaign=run.customers, truth=replace(panel.truth, campaign=run.truth))


def _check_args(n_customers: Any, months: Any, seed: Any, start: Any) -> pd.Timestamp:
    """Validate the arguments of :func:`cx_panel`; return ``start`` as a normalised Timestamp."""
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
