"""Customer journeys from interaction logs: sessions, paths, transitions and moments of truth.

An *interaction log* has one row per contact between a customer and the company: who
(``customer_id``), when (``timestamp``), where (``touchpoint``, e.g. "Website", "Filiale") and
optionally in which journey stage (``stage``, e.g. "Information", "Kauf").

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.paths`             :func:`sessionize`, :func:`journeys`, :func:`path_counts`,
                           :func:`transition_counts`, :func:`transition_matrix`,
                           :func:`step_flows` and the states :data:`START`, :data:`END`
:mod:`~.outcomes`          :func:`time_to_first_purchase` (with censoring) and
                           :func:`touchpoint_scores` (CSAT/CES per touchpoint)
:mod:`~.hazard`            moments of truth: :func:`person_periods`,
                           :func:`moments_of_truth` (a :class:`MomentsOfTruth`) and
                           :func:`naive_moments_of_truth`
:mod:`~.priorities`        what to fix first: :func:`excess_churns`, the churns due to
                           bad experiences at each touchpoint, with an interval
:mod:`~.groups`            CX against UX: :func:`product_service_groups` sorts customers
                           by their product-side and service-side experience
``_prepare``               (private) the checked, sorted and coded view of a log
``_glm``                   (private) the hazard GLM fit of ``moments_of_truth``, checked
                           at the optimum
=========================  ==========================================================

Every function validates its input once, raises :class:`~cxlib.validate.CXDataError` naming the
column, the rule and example rows, never modifies its input and is vectorised (no Python loop
over customers or events). Import from here: ``from cxlib import journey`` then
``journey.sessionize(log)``, or ``from cxlib.journey import sessionize``.

References
----------
Lemon, K. N. & Verhoef, P. C. (2016). Understanding customer experience throughout the customer
journey. *Journal of Marketing* 80(6), 69-96.
"""

from cxlib.journey.groups import PRODUCT_SERVICE_GROUPS, product_service_groups
from cxlib.journey.hazard import (
    MomentsOfTruth,
    moments_of_truth,
    naive_moments_of_truth,
    person_periods,
)
from cxlib.journey.outcomes import time_to_first_purchase, touchpoint_scores
from cxlib.journey.paths import (
    END,
    START,
    journeys,
    path_counts,
    sessionize,
    step_flows,
    transition_counts,
    transition_matrix,
)
from cxlib.journey.priorities import excess_churns

__all__ = [
    "END",
    "PRODUCT_SERVICE_GROUPS",
    "START",
    "MomentsOfTruth",
    "excess_churns",
    "journeys",
    "moments_of_truth",
    "naive_moments_of_truth",
    "path_counts",
    "person_periods",
    "product_service_groups",
    "sessionize",
    "step_flows",
    "time_to_first_purchase",
    "touchpoint_scores",
    "transition_counts",
    "transition_matrix",
]
