"""Experiments and personalisation: plan and read an A/B test, then decide whom to treat.

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.power`             ``power`` and ``sample_size`` for two groups (shares such as
                           CSAT, WRS and churn, the NPS, mean scores), equal or unequal
:mod:`~.analysis`          ``sample_ratio_check`` (SRM), ``effect`` and ``effects``:
                           treatment minus control with intervals, through
                           :func:`cxlib.survey.compare` for survey metrics
:mod:`~.adjustment`        ``adjusted_effect``: CUPED and Lin's regression adjustment
                           with covariates from before the test
:mod:`~.sequential`        ``peeking_simulation``, alpha-spending boundaries
                           (``spending_boundary``) and the stopping rule
                           (``sequential_test``, ``interim_looks``)
:mod:`~.value`             ``customer_value`` and ``value_return``: CLV gained against
                           cost, with bootstrap intervals
:mod:`~.uplift`            ``TLearner`` and ``XLearner`` on scikit-learn models
:mod:`~.qini`              ``qini_curve``, ``qini_coefficient``, ``uplift_by_bin``
:mod:`~.targeting`         Next Best Action under a budget: ``next_best_action``,
                           ``select_top``, ``targeting_profit``, ``profit_curve``
:mod:`~.plots`             figures of the lesson (imported on its own: needs matplotlib)
=========================  ==========================================================

German terms: A/B-Test, Kontrollgruppe (control group), Personalisierung, Next Best Action.
Shares and the NPS are in percent points, rates in [0, 1], money in the data's currency.
"""

from cxlib.experiment.adjustment import AdjustedComparison, adjusted_effect
from cxlib.experiment.analysis import (
    OUTCOME_KINDS,
    SampleRatio,
    effect,
    effects,
    sample_ratio_check,
)
from cxlib.experiment.power import SampleSize, power, sample_size
from cxlib.experiment.qini import qini_coefficient, qini_curve, uplift_by_bin
from cxlib.experiment.sequential import (
    PeekingResult,
    SequentialResult,
    interim_looks,
    peeking_simulation,
    sequential_test,
    spending_boundary,
    spending_function,
)
from cxlib.experiment.targeting import (
    next_best_action,
    profit_curve,
    select_top,
    targeting_profit,
)
from cxlib.experiment.uplift import TLearner, XLearner
from cxlib.experiment.value import ValueReturn, customer_value, value_return

__all__ = [
    "OUTCOME_KINDS",
    "AdjustedComparison",
    "PeekingResult",
    "SampleRatio",
    "SampleSize",
    "SequentialResult",
    "TLearner",
    "ValueReturn",
    "XLearner",
    "adjusted_effect",
    "customer_value",
    "effect",
    "effects",
    "interim_looks",
    "next_best_action",
    "peeking_simulation",
    "power",
    "profit_curve",
    "qini_coefficient",
    "qini_curve",
    "sample_ratio_check",
    "sample_size",
    "select_top",
    "sequential_test",
    "spending_boundary",
    "spending_function",
    "targeting_profit",
    "uplift_by_bin",
    "value_return",
]
