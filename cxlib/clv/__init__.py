"""Probabilistic customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma ("buy till you die").

The models work on one row per customer (see :func:`cxlib.summary.customer_summary`):

- ``frequency`` x: repeat purchases in the calibration period (purchase days after the first,
  same-day purchases counted once),
- ``recency`` t_x: time of the last repeat purchase, measured from the first purchase
  (0 when x = 0),
- ``T``: time from the first purchase to the end of the calibration period,
- ``monetary_value``: mean spend of the repeat purchases (Gamma-Gamma only).

Every model records the unit of these durations (``time_unit_``: "days", "weeks" or "months") and
shows it in its repr, in :meth:`summary` and in every result that depends on it: ``alpha`` and
``beta`` are in that unit, a rate ``r / alpha`` is purchases per unit, and ``t`` arguments count
units. Nothing is rescaled behind the user's back.

Likelihoods are computed in log space. The Pareto/NBD likelihood is written as a sum of two
positive terms (no difference of hypergeometric functions, so it is exact at ``recency == T``), the
Gauss hypergeometric functions are evaluated after a Pfaff transformation that keeps them in (0, 1],
and the branch ``alpha >= beta`` / ``alpha < beta`` keeps the argument in [0, 1). Standard errors
come from a numerical Hessian of the log-likelihood at the maximum (on the log scale of the
parameters, so that intervals stay positive).

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

from cxlib.clv._core import PERIODS_PER_YEAR, TIME_UNITS, aggregate_customers
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.checks import (
    HoldoutEvaluation,
    expected_cumulative_purchases,
    expected_frequency_histogram,
    holdout_evaluation,
)
from cxlib.clv.gammagamma import GammaGamma
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.clv.simulation import simulate_bgnbd, simulate_paretonbd
from cxlib.clv.value import CLVResult, customer_lifetime_value, period_discount_rate

__all__ = [
    "BGNBD",
    "CLVResult",
    "GammaGamma",
    "HoldoutEvaluation",
    "PERIODS_PER_YEAR",
    "TIME_UNITS",
    "ParetoNBD",
    "aggregate_customers",
    "customer_lifetime_value",
    "expected_cumulative_purchases",
    "expected_frequency_histogram",
    "holdout_evaluation",
    "period_discount_rate",
    "simulate_bgnbd",
    "simulate_paretonbd",
]
