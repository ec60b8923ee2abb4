"""Survey metrics: Kundenzufriedenheit (CSAT), Weiterempfehlung (NPS, WRS), Kundenaufwand (CES).

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.scales`            the answer scales of the metrics, defined once
:mod:`~.metrics`           ``csat``, ``wrs``, ``ces``, ``nps``, ``mean_score``, ``by_group``
:mod:`~.comparison`        ``compare`` (independent, overlapping or paired groups), ``sample_size``
:mod:`~.design`            linearisation variance: repeat respondents, weights, raking
:mod:`~.bootstrap`         percentile and BCa intervals of a mean, by respondent
=========================  ==========================================================

Interval kernels for shares and the NPS are in :mod:`cxlib.intervals`, weights in
:mod:`cxlib.weighting`; everything here is re-exported, so ``from cxlib.survey import nps``.
"""

from cxlib.estimate import Estimate
from cxlib.intervals import nps_ci, share_ci
from cxlib.survey.comparison import Comparison, compare, sample_size
from cxlib.survey.metrics import by_group, ces, csat, mean_score, nps, wrs
from cxlib.survey.scales import DETRACTOR_MAX, PROMOTER_MIN, SCALES, TOP_BOX

__all__ = [
    "DETRACTOR_MAX",
    "PROMOTER_MIN",
    "SCALES",
    "TOP_BOX",
    "Comparison",
    "Estimate",
    "by_group",
    "ces",
    "compare",
    "csat",
    "mean_score",
    "nps",
    "nps_ci",
    "sample_size",
    "share_ci",
    "wrs",
]
