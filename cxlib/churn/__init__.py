"""Churn (Kundenabwanderung): how many customers leave, and is a churn model any good?

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.rates`             churn rates of a customer base per period, ``annualize``
:mod:`~.evaluation`        lift and gains, calibration, the Brier score of a churn score
:mod:`~.profit`            what a retention campaign earns, and the best threshold
=========================  ==========================================================

Retention projections and lifetime values in a contractual setting (the shifted-beta-geometric
model) are with the other lifetime-value models in :mod:`cxlib.clv`; churn after bad
experiences at touchpoints in :mod:`cxlib.journey`. Everything here is re-exported.
"""

from cxlib.churn.evaluation import BrierScore, brier_score, calibration_table, lift_table
from cxlib.churn.profit import CampaignProfit, campaign_profit
from cxlib.churn.rates import annualize, churn_rate, churn_rates
from cxlib.intervals import share_by_group

__all__ = [
    "BrierScore",
    "CampaignProfit",
    "annualize",
    "brier_score",
    "calibration_table",
    "campaign_profit",
    "churn_rate",
    "churn_rates",
    "lift_table",
    "share_by_group",
]
