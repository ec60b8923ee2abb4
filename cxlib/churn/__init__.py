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
from cxlib.churn.features import FeatureDescription, churn_features, feature_label
from cxlib.churn.prediction import (
    LogitResult,
    ModelComparison,
    clear_effects,
    compare_models,
    delong_auc,
    describe_effect,
    effect_title,
    effect_word,
    logistic_odds_ratios,
    plot_ratios,
    score_bins,
)
from cxlib.churn.profit import CampaignProfit, campaign_profit
from cxlib.churn.rates import annualize, churn_rate, churn_rates
from cxlib.churn.survival_report import (
    CoxResult,
    cox_hazard_ratios,
    km_table,
    median_tenure,
    plot_km,
    survival_at,
    survival_groups,
)
from cxlib.intervals import share_by_group

__all__ = [
    "CoxResult",
    "FeatureDescription",
    "LogitResult",
    "ModelComparison",
    "churn_features",
    "clear_effects",
    "compare_models",
    "cox_hazard_ratios",
    "delong_auc",
    "describe_effect",
    "effect_title",
    "effect_word",
    "feature_label",
    "km_table",
    "logistic_odds_ratios",
    "median_tenure",
    "plot_km",
    "plot_ratios",
    "score_bins",
    "survival_at",
    "survival_groups",
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
