"""Customer lifetime value (Kundenwert): models of buying, leaving and spending, and their checks.

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.bgnbd`             the BG/NBD model of repeat purchases
:mod:`~.paretonbd`         the Pareto/NBD model of repeat purchases
:mod:`~.gammagamma`        the Gamma-Gamma model of spend per purchase
:mod:`~.contractual`       the shifted-beta-geometric model of retention (contracts)
:mod:`~.value`             ``customer_lifetime_value`` and discount rates per period
:mod:`~.simple`            the simple CLV m (1 + i) / (1 + i - r), what retention is worth
:mod:`~.checks`            holdout, tracking and histogram checks, the P(alive) matrix
:mod:`~.simulation`        seeded simulators of the BG/NBD and Pareto/NBD
:mod:`~.nbd`               the NBD model: purchase rates without dropout (the no-dropout limit)
:mod:`~.diagnostics`       converged? identified? which parameters run off (before any number)
:mod:`~.value_report`      checked forecasts, suppressed tables and prose for the value report
=========================  ==========================================================

Every model is a :class:`cxlib.fitting.FittedModel`. The transaction models work on one row per
customer (see :func:`cxlib.customers.customer_summary`):

- ``frequency`` x: repeat purchases in the calibration period (purchase days after the first,
  same-day purchases counted once),
- ``recency`` t_x: time of the last repeat purchase, measured from the first purchase
  (0 when x = 0),
- ``T``: time from the first purchase to the end of the calibration period,
- ``monetary_value``: mean spend of the repeat purchases (Gamma-Gamma only).

Every model records the unit of these durations (``time_unit_``: "days", "weeks" or "months",
taken from the summary, which records it) and shows it in its repr, in ``summary()`` and in every
result that depends on it: ``alpha`` and ``beta`` are in that unit, a rate ``r / alpha`` is
purchases per unit, and ``t`` arguments count units. Nothing is rescaled behind the user's back.

Likelihoods are computed in log space. The Pareto/NBD likelihood is written as a sum of two
positive terms (no difference of hypergeometric functions, so it is exact at ``recency == T``), the
Gauss hypergeometric functions are evaluated after a Pfaff transformation that keeps them in (0, 1],
and the branch ``alpha >= beta`` / ``alpha < beta`` keeps the argument in [0, 1). Fits end at the
optimum (:func:`cxlib.fitting.maximise`); standard errors come from the Hessian of the
log-likelihood there (on the log scale of the parameters, so that intervals stay positive).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research 42(4), 415-430.
Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. http://brucehardie.com/notes/009/
Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are they
and what will they do next? Management Science 33(1), 1-24.
"""

from cxlib.clv._core import TransactionModel, aggregate_customers
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.checks import (
    HoldoutEvaluation,
    expected_cumulative_purchases,
    expected_frequency_histogram,
    holdout_evaluation,
    probability_alive_matrix,
    purchase_tracking,
)
from cxlib.clv.contractual import RetentionUplift, ShiftedBetaGeometric
from cxlib.clv.diagnostics import FitDiagnostics, diagnose, fit_and_diagnose
from cxlib.clv.gammagamma import GammaGamma
from cxlib.clv.nbd import NBD
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.clv.simple import (
    RetentionGain,
    RetentionValue,
    discounted_payments,
    retention_gain,
    retention_value,
    simple_clv,
)
from cxlib.clv.simulation import simulate_bgnbd, simulate_paretonbd
from cxlib.clv.value import CLVResult, customer_lifetime_value, period_discount_rate
from cxlib.clv.value_report import (
    HoldoutCheck,
    PurchaseFit,
    ValueForecast,
    alive_bands,
    check_on_holdout,
    fit_purchase_model,
    fit_spend_model,
    forecast_value,
    holdout_check,
    holdout_reading,
    months_to_weeks,
    plot_alive_bands,
    plot_holdout_check,
    plot_value_deciles,
    spend_sentence,
    value_deciles,
    value_findings,
    value_meaning,
)

__all__ = [
    "BGNBD",
    "CLVResult",
    "FitDiagnostics",
    "GammaGamma",
    "HoldoutCheck",
    "HoldoutEvaluation",
    "NBD",
    "ParetoNBD",
    "PurchaseFit",
    "RetentionGain",
    "RetentionUplift",
    "RetentionValue",
    "ShiftedBetaGeometric",
    "TransactionModel",
    "ValueForecast",
    "aggregate_customers",
    "alive_bands",
    "check_on_holdout",
    "customer_lifetime_value",
    "diagnose",
    "discounted_payments",
    "expected_cumulative_purchases",
    "expected_frequency_histogram",
    "fit_and_diagnose",
    "fit_purchase_model",
    "fit_spend_model",
    "forecast_value",
    "holdout_check",
    "holdout_reading",
    "holdout_evaluation",
    "months_to_weeks",
    "period_discount_rate",
    "plot_alive_bands",
    "plot_holdout_check",
    "plot_value_deciles",
    "probability_alive_matrix",
    "purchase_tracking",
    "retention_gain",
    "retention_value",
    "simple_clv",
    "simulate_bgnbd",
    "simulate_paretonbd",
    "spend_sentence",
    "value_deciles",
    "value_findings",
    "value_meaning",
]
