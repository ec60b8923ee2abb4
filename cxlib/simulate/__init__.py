r"""A seeded simulator of a customer-experience (CX) panel with known true parameters.

No public data set links survey answers, touchpoint interactions and purchases of the same
customers, so :func:`cx_panel` generates one. Every number it draws comes from a documented
generative model whose parameters are returned in :class:`CXTruth`, so that a notebook can compare
an estimate (a churn rate, a driver weight, the effect of satisfaction on revenue) with the truth.

The model (time unit: month; money: EUR)
-----------------------------------------
Customers and confounders
    Segment :math:`g_i` in {Privatkunde, Geschäftskunde, Premium} with shares ``segment_shares``;
    region (Nord, Süd, Ost, West) is drawn independently and affects nothing (a placebo).
    A share ``p_existing`` of customers is already a customer at ``start`` with tenure
    :math:`T_i \sim U(0, 10)` years; the others sign up on a uniform day of the window (tenure 0).

Touchpoint experience and latent satisfaction (Kundenzufriedenheit)
    Each customer has a typical experience quality at each touchpoint :math:`j`,
    :math:`x_{ij}`, standard normal with correlation ``experience_correlation`` between
    touchpoints (a common factor). The raw satisfaction is

    .. math:: s^*_i = \sum_j w_j x_{ij} + \beta_{g_i} + \beta_T T_i + \varepsilon_i,
              \quad \varepsilon_i \sim N(0, \sigma_\varepsilon^2)

    and the latent satisfaction is its population standardisation
    :math:`s_i = (s^*_i - \mu)/\sigma` (mean and SD computed exactly from the parameters, so
    :math:`s` has mean 0 and SD 1 in the population, not only in the sample). The true driver
    weights on the standardised scale are :math:`w_j / \sigma` (``CXTruth.driver_weights``):
    the change in :math:`s` (SD units) per +1 SD of experience at touchpoint :math:`j`.

Value (confounded by segment and tenure, which also drive satisfaction)
    Purchase rate per month :math:`\lambda_i = \exp(a_0 + a_{g_i} + a_T T_i + \theta_\lambda s_i)
    G_i` with :math:`G_i \sim \text{Gamma}(r, 1/r)` (mean 1); purchases arrive as a Poisson process
    while the customer is active. Mean spend per purchase (EUR)
    :math:`m_i = \exp(b_0 + b_{g_i} + b_T T_i + \theta_m s_i) H_i`, :math:`\log H_i \sim
    N(-\sigma_H^2/2, \sigma_H^2)` (mean 1); each amount is Gamma with shape ``spend_shape`` and
    mean :math:`m_i`, rounded to cents.

Churn (Kundenabwanderung), a discrete-time proportional-hazards model
    In month :math:`t` a customer active at its start churns with probability
    :math:`1 - \exp(-h_{it} e_{it})`, where :math:`e_{it}` is the share of the month at risk
    (1 for customers active at its start) and the hazard per month is

    .. math:: \log h_{it} = c_0 + c_{g_i} + c_T \tau_{it} + \theta_h s_i
              + \sum_j \delta_j B_{ij,t-1},

    :math:`\tau_{it}` the current tenure in years and :math:`B_{ij,t-1}` = 1 if the customer had
    at least one bad experience at touchpoint :math:`j` in the previous month. :math:`\delta_j`
    (``bad_experience_churn_effect``) is a log hazard ratio, distinct per touchpoint, so a
    "moment of truth" analysis can rank touchpoints. The churn day is uniform over the days at
    risk; the customer has no interactions or purchases on or after it.

Interactions (Customer Journey) in sessions
    Each purchase is a session at its purchase channel (Website, App or Filiale, shares by
    segment): 0-2 events of stage "Information" then one "Kauf" event, minutes apart. Online
    purchases are delivered 1-4 days later (touchpoint and stage "Lieferung"); a share of purchases
    gets an invoice event 0-7 days later ("Rechnung"). Service sessions arrive as a Poisson process
    (rate by segment, higher for less satisfied customers): 0-2 self-service events at Website/App
    and then, possibly, a call to the Kundenservice-Hotline or a Filiale visit (stage
    "Nutzung/Service"). Each event is a bad experience with probability
    :math:`\operatorname{expit}(\alpha_j - \kappa x_{ij} + \iota_{jt})`, where
    :math:`\iota_{jt}` is ``incident["logit_shift"]`` for the incident touchpoint in the incident
    months (by default a delivery crisis, Lieferung, in months 15-16 of the window) and 0
    otherwise: a real change that CSAT by touchpoint and month and the churn rate should show.

    Journey stages: "Information" (information/awareness), "Kauf" (purchase), "Lieferung"
    (delivery), "Nutzung/Service" (usage/service), "Rechnung" (billing).

Surveys
    Transactional surveys: an interaction at touchpoint :math:`j` triggers an invitation with
    probability ``invite_prob[j]`` (``invite_prob_information`` for Information events), sent
    1-48 hours later. The customer answers with probability
    :math:`\operatorname{expit}(\rho_0 + \rho_s s_i + \rho_b \text{bad})`: unhappy customers answer
    less often, but a bad experience makes an answer somewhat more likely. Answers come from
    ordered-probit style latent scores :math:`y = \text{loading}_s s_i + \text{loading}_x x_{ij} +
    \text{loading}_{bad} \text{bad} + N(0, \text{noise}^2)` cut at ``cuts``: CSAT 1-5, CES 2.0 1-7
    (agreement with "the company made it easy", higher = easier), NPS 0-10.
    Relationship survey: one wave a year, six months into each year of the window (or in the middle
    of a window shorter than seven months); every customer active on the wave date is invited and
    answers with probability :math:`\operatorname{expit}(\rho^{rel}_0 + \rho_s s_i)`. Overall
    satisfaction 0-10 :math:`= \text{round}(7 + 1.5 s_i + N(0, 1))` clipped; NPS 0-10 likewise; a
    rating 1-10 of each touchpoint used in the 12 months before the wave
    :math:`= \text{round}(7 + 1.5 x_{ij} + N(0, 0.8^2))` clipped, NaN for touchpoints not used.
    Ratings have no halo effect, so regressing overall satisfaction on them recovers the driver
    weights up to attenuation: by measurement error, and because respondents (and customers
    still active at the wave) are selected on satisfaction, which shrinks every slope alike;
    relative weights survive.

Using the truth
    Satisfaction is a stable trait here: what changes month to month are bad experiences (and
    the incident). Customers already active at ``start`` are drawn from the same population as
    new ones (no survivorship tilt). Premium customers and long-tenured customers are both more
    satisfied and more valuable, so a naive regression of log purchase rate (or log 12-month
    revenue) on satisfaction overstates ``satisfaction_effect`` by about half, and of log churn
    hazard by about a third; adjusting for segment and ``tenure_months_at_start`` removes the
    bias (``CXTruth.confounding``). Region is a placebo: any "region effect" is noise.

All parameters are in :data:`DEFAULT_PARAMS` and returned as ``CXTruth.params``.

Modules
-------
Import the public names from :mod:`cxlib.simulate`; each module holds one part of the simulation:

``params``
    :data:`TOUCHPOINTS`, :data:`STAGES`, :data:`STAGES_EN`, :data:`SEGMENTS`, :data:`REGIONS`,
    :data:`DEFAULT_PARAMS`, the merging of overrides, and what follows from the parameters alone:
    the standardisation of :math:`s^*` and the population driver importance and R^2.
``customers``
    The per-customer draws (segment, region, tenure, experiences, latent satisfaction, rates)
    and the ``customers`` frame.
``events``
    The monthly process: churn, purchases, interaction sessions, bad experiences and the
    incident; the ``interactions`` and ``transactions`` frames.
``surveys``
    Transactional surveys after interactions and the yearly relationship survey.
``truth``
    :class:`CXTruth` and its assembly from the parameters and the draws.
``panel``
    :func:`cx_panel`, which runs the parts in a fixed order, and :class:`CXPanel`.
``derived``
    :func:`wrs_from_nps`: a 1-5 "would you recommend us?" item derived from the 0-10 NPS answer
    by a stated rule, for the WRS beside the NPS (the simulated surveys do not ask it).
``randomised``
    :func:`campaign`: a randomised service-call campaign on a panel, with heterogeneous true
    effects by segment, recent bad experiences and satisfaction (:class:`CampaignTruth`); drawn
    from its own random stream, so the panel is the same with and without it.
``_core``
    Private helpers the modules share: touchpoint and stage codes, time units, the window
    (month boundaries in days, days and minutes to timestamps) and small draws.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284 (Poisson-gamma purchases).
Dixon, M., Freeman, K. & Toman, N. (2010). Stop trying to delight your customers. *HBR* (CES).
Reichheld, F. F. (2003). The one number you need to grow. *HBR* (NPS).
"""

from cxlib.simulate.derived import NPS_TO_WRS, wrs_from_nps
from cxlib.simulate.panel import CXPanel, cx_panel
from cxlib.simulate.params import (
    DEFAULT_PARAMS,
    REGIONS,
    SEGMENTS,
    STAGES,
    STAGES_EN,
    TOUCHPOINTS,
)
from cxlib.simulate.randomised import (
    CAMPAIGN_PARAMS,
    Campaign,
    CampaignTruth,
    campaign,
    campaign_features,
)
from cxlib.simulate.repeat import RepeatAnswers, repeat_answers
from cxlib.simulate.truth import CXTruth

__all__ = [
    "CAMPAIGN_PARAMS",
    "DEFAULT_PARAMS",
    "NPS_TO_WRS",
    "REGIONS",
    "SEGMENTS",
    "STAGES",
    "STAGES_EN",
    "TOUCHPOINTS",
    "CXPanel",
    "Campaign",
    "CampaignTruth",
    "CXTruth",
    "RepeatAnswers",
    "campaign",
    "campaign_features",
    "cx_panel",
    "repeat_answers",
    "wrs_from_nps",
]
