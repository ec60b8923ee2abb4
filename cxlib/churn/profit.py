"""What does a retention campaign earn? Profit for every targeted fraction of customers.

:func:`campaign_profit` turns churn probabilities into the profit of calling the customers with
the highest scores, for every threshold, and finds the most profitable one (the maximum-profit
idea of Verbraken, Verbeke & Baesens 2013). Money is in the currency of ``value``.

References
----------
Neslin, S. A., Gupta, S., Kamakura, W., Lu, J. & Mason, C. H. (2006). Defection detection:
measuring and understanding the predictive accuracy of customer churn models. Journal of
Marketing Research 43(2), 204-211.
Verbraken, T., Verbeke, W. & Baesens, B. (2013). A novel profit maximizing metric for measuring
classification performance of customer churn prediction models. IEEE Transactions on Knowledge
and Data Engineering 25(5), 961-973.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_labels, check_range, fail_rows

__all__ = ["CampaignProfit", "campaign_profit"]


@dataclass(frozen=True)
class CampaignProfit:
    """Profit of a retention campaign that targets the customers with the highest churn scores.

    Attributes
    ----------
    curve : DataFrame
        One row per possible threshold (targeting everyone whose probability is at least
        ``threshold``; first row: nobody, threshold = inf): ``threshold``, ``targeted``,
        ``targeted_share`` (fraction of customers, in [0, 1]), ``churners_targeted``, ``profit``
        (total, in the currency of ``value``), ``profit_per_customer`` (total / all customers).
    best_threshold, best_share, best_profit : float
        Where ``profit`` is highest (the smallest campaign among equals).
    value, contact_cost, incentive_cost, acceptance_rate : float
        The settings used.
    assumptions : str
        The assumptions behind the profit formula, in words.
    """

    curve: pd.DataFrame
    best_threshold: float
    best_share: float
    best_profit: float
    value: float
    contact_cost: float
    incentive_cost: float
    acceptance_rate: float
    assumptions: str = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"CampaignProfit(best: target {self.best_share:.1%} (prob >= {self.best_threshold:.3f})"
            f" for profit {self.best_profit:,.0f}; value={self.value:g}, contact_cost="
            f"{self.contact_cost:g}, incentive_cost={self.incentive_cost:g}, "
            f"acceptance_rate={self.acceptance_rate:g})"
        )

    def at_threshold(self, threshold: float) -> pd.Series:
        """The curve's row for targeting everyone with probability >= ``threshold``."""
        rows = self.curve[self.curve["threshold"] >= threshold]
        return rows.iloc[-1]


_PROFIT_ASSUMPTIONS = (
    "Every targeted customer costs contact_cost. A targeted would-be churner accepts the offer "
    "with probability acceptance_rate, then stays and is worth value minus incentive_cost; one who "
    "declines leaves (worth 0). A targeted customer who would have stayed anyway accepts the "
    "incentive too (cost incentive_cost, no gain). Customers not targeted behave as labelled. "
    "No fixed campaign cost; the labelled customers stand for the population "
    "(Neslin et al. 2006; Verbraken, Verbeke & Baesens 2013, maximum profit with a fixed "
    "acceptance rate)."
)


def campaign_profit(
    y_true: Any,
    prob: Any,
    *,
    value: float,
    contact_cost: float,
    incentive_cost: float,
    acceptance_rate: float,
) -> CampaignProfit:
    """Profit of a retention campaign for every targeted fraction, and the most profitable one.

    Customers are targeted from the highest churn probability down; a threshold ``t`` targets
    everyone with ``prob >= t``, so tied customers are targeted together. For ``k`` churners and
    ``m`` non-churners targeted, the profit is (Verbraken, Verbeke & Baesens 2013, eq. 4, with
    CLV = ``value``, d = ``incentive_cost``, f = ``contact_cost``, gamma = ``acceptance_rate``)::

        profit = k * (gamma * (value - incentive_cost) - contact_cost)
                 - m * (incentive_cost + contact_cost)

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 / True where the customer churned (e.g. on a held-out set).
    prob : array-like of float in [0, 1]
        Predicted churn probabilities, aligned by position.
    value : float
        Value of a retained customer (e.g. remaining customer lifetime value), in currency.
    contact_cost : float
        Cost of contacting one customer, in the same currency.
    incentive_cost : float
        Cost of the retention incentive for one customer who accepts it.
    acceptance_rate : float
        Probability that a would-be churner accepts the offer and stays, in [0, 1].

    Returns
    -------
    CampaignProfit
        The profit curve, the best threshold and share, and the assumptions in words.
    """
    y, p = check_labels(y_true, prob, values_name="prob", probability=True)
    settings = pd.DataFrame(
        {
            "value": [value],
            "contact_cost": [contact_cost],
            "incentive_cost": [incentive_cost],
            "acceptance_rate": [acceptance_rate],
        }
    )
    for col in settings.columns:
        try:
            settings[col] = settings[col].astype(float)
        except (TypeError, ValueError):
            got = settings[col][0]
            raise CXDataError(f"The '{col}' parameter must be a number. Got {got!r}.") from None
        fail_rows(settings, ~np.isfinite(settings[col].to_numpy()), col, "be a finite number")
        check_range(settings, col, low=0, high=1 if col == "acceptance_rate" else None)
    gain_churner = acceptance_rate * (value - incentive_cost) - contact_cost
    loss_stayer = incentive_cost + contact_cost
    # one row per distinct probability, highest first; tied customers are targeted together
    uniq, inverse = np.unique(-p, return_inverse=True)
    churners_at = np.bincount(inverse, weights=y.astype(float), minlength=len(uniq))
    n_at = np.bincount(inverse, minlength=len(uniq)).astype(float)
    targeted = np.concatenate([[0.0], np.cumsum(n_at)])
    churners = np.concatenate([[0.0], np.cumsum(churners_at)])
    profit = churners * gain_churner - (targeted - churners) * loss_stayer
    curve = pd.DataFrame(
        {
            "threshold": np.concatenate([[np.inf], -uniq]),
            "targeted": targeted.astype(np.int64),
            "targeted_share": targeted / len(p),
            "churners_targeted": churners.astype(np.int64),
            "profit": profit,
            "profit_per_customer": profit / len(p),
        }
    )
    best = int(np.argmax(profit))  # first maximum = smallest campaign among equals
    return CampaignProfit(
        curve=curve,
        best_threshold=float(curve["threshold"].iloc[best]),
        best_share=float(curve["targeted_share"].iloc[best]),
        best_profit=float(profit[best]),
        value=float(value),
        contact_cost=float(contact_cost),
        incentive_cost=float(incentive_cost),
        acceptance_rate=float(acceptance_rate),
        assumptions=_PROFIT_ASSUMPTIONS,
    )
