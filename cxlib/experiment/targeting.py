r"""Next Best Action under a budget: whom to contact, and what each targeting rule earns.

A contact (a call-back, an offer) is worth making to customer :math:`i` when its expected
incremental value exceeds its cost :math:`c`. With an uplift model for retention
:math:`\hat\tau_i` (the rise in the probability of staying) and the value :math:`W_i` of a customer
kept (CLV, *Kundenwert*), the expected incremental value is :math:`\hat\tau_i W_i`; the
**next best action** for the customer is the contact when :math:`\hat\tau_i W_i > c` and nothing
otherwise, and a budget of :math:`k` contacts goes to the :math:`k` highest values
(:func:`next_best_action`). Rules of thumb rank by something else: "call the highest churn
risk" ranks by :math:`\hat P(\text{churn})`, "call the most valuable" by :math:`W_i`.

:func:`targeting_profit` compares rules by what they truly earn, where the true incremental
value of contacting each customer is known (a simulation): the sum over the customers a rule
selects of the true incremental value, minus the cost of the contacts. :func:`profit_curve`
gives the same for every number of contacts.

References
----------
Ascarza, E. (2018). Retention futility: targeting high-risk customers might be ineffective.
    Journal of Marketing Research 55(1), 80-98.
Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into churn
    prediction in the telecommunication sector: a profit driven data mining approach.
    European Journal of Operational Research 218(1), 211-229.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError

__all__ = ["next_best_action", "profit_curve", "select_top", "targeting_profit"]


def _vector(values: Any, name: str, n: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise CXDataError(f"{name} must hold numbers, one per customer.") from None
    if arr.ndim != 1 or arr.size == 0:
        raise CXDataError(f"{name} must be one-dimensional with one value per customer.")
    if n is not None and arr.size != n:
        raise CXDataError(f"{name} must have one value per customer: {n}; got {arr.size}.")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise CXDataError(
            f"{name} must hold finite numbers: {bad.size} of {arr.size} do not (positions "
            f"{bad[:5].tolist()})."
        )
    return arr


def _budget(budget: Any, n: int) -> int:
    """A budget as a number of contacts: an int count, or a float share in (0, 1]."""
    if isinstance(budget, bool):
        raise CXDataError(f"budget must be a count or a share in (0, 1]; got {budget!r}.")
    if isinstance(budget, int | np.integer):
        if not 0 <= budget:
            raise CXDataError(f"budget must be >= 0 contacts; got {budget!r}.")
        return min(int(budget), n)
    if isinstance(budget, float) and 0 < budget <= 1:
        return int(round(budget * n))
    raise CXDataError(
        f"budget must be a whole number of contacts or a share in (0, 1]; got {budget!r}."
    )


def select_top(score: Any, budget: int | float) -> np.ndarray:
    """The ``budget`` customers with the highest ``score`` (ties in input order): a bool mask.

    Examples
    --------
    >>> select_top([0.2, 0.9, 0.5, 0.9], 2).tolist()
    [False, True, False, True]
    """
    s = _vector(score, "score")
    k = _budget(budget, s.size)
    chosen = np.zeros(s.size, dtype=bool)
    chosen[np.argsort(-s, kind="stable")[:k]] = True
    return chosen


def next_best_action(expected_value: Any, *, cost: float, budget: int | float | None = None) -> Any:
    """Contact a customer when the expected incremental value beats the cost, best first.

    Parameters
    ----------
    expected_value : array-like of float
        Expected incremental value of contacting each customer (currency), e.g. predicted
        retention uplift times the value of a customer kept.
    cost : float
        Cost of one contact (currency), >= 0.
    budget : int or float, optional
        At most this many contacts (an int) or this share of the customers (a float); default
        no limit.

    Returns
    -------
    ndarray of bool
        True for the customers to contact.

    Examples
    --------
    >>> next_best_action([30.0, 5.0, 50.0, 12.0], cost=10.0, budget=1).tolist()
    [False, False, True, False]
    >>> next_best_action([30.0, 5.0, 50.0, 12.0], cost=10.0).tolist()
    [True, False, True, True]
    """
    v = _vector(expected_value, "expected_value")
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not cost >= 0:
        raise CXDataError(f"cost must be a number >= 0; got {cost!r}.")
    worth = v > cost
    if budget is None:
        return worth
    idx = np.flatnonzero(worth)
    k = min(_budget(budget, v.size), idx.size)
    chosen = np.zeros(v.size, dtype=bool)
    chosen[idx[np.argsort(-v[idx], kind="stable")[:k]]] = True
    return chosen


def targeting_profit(
    rules: Mapping[str, Any],
    *,
    true_value: Any,
    cost: float,
    budget: int | float | None = None,
    predicted_value: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """What each targeting rule truly earns: true incremental value of its contacts minus cost.

    Parameters
    ----------
    rules : mapping
        Rule name -> either a score (contact the ``budget`` highest) or a bool mask of the
        customers it contacts.
    true_value : array-like of float
        True incremental value of contacting each customer (currency), e.g. from a simulation.
    cost : float
        Cost of one contact.
    budget : int or float, optional
        Contacts for score rules (count or share); required when a rule is a score.
    predicted_value : mapping, optional
        Rule name -> each customer's predicted incremental value, for the profit the rule
        expects (``predicted_profit``).

    Returns
    -------
    DataFrame
        Indexed by rule: ``contacted``, ``true_value`` (sum), ``cost`` (sum), ``true_profit``,
        ``profit_per_contact``, ``share_of_best`` (true profit over that of the best possible
        selection of the same size: the contacts with the highest true value) and
        ``predicted_profit`` where given.
    """
    value = _vector(true_value, "true_value")
    if not isinstance(rules, Mapping) or not rules:
        raise CXDataError("rules must be a non-empty mapping of name -> score or mask.")
    predicted = dict(predicted_value or {})
    order = np.sort(value)[::-1]
    rows = []
    for name, rule in rules.items():
        arr = np.asarray(rule)
        if arr.dtype == bool:
            if arr.shape != value.shape:
                raise CXDataError(f"Rule {name!r} must have one entry per customer.")
            chosen = arr
        else:
            if budget is None:
                raise CXDataError(f"Rule {name!r} is a score: give a budget.")
            chosen = select_top(_vector(rule, f"rules[{name!r}]", value.size), budget)
        k = int(chosen.sum())
        gained = float(value[chosen].sum())
        best = float(order[:k].sum()) - cost * k
        row = {
            "rule": name,
            "contacted": k,
            "true_value": gained,
            "cost": cost * k,
            "true_profit": gained - cost * k,
            "profit_per_contact": (gained - cost * k) / k if k else 0.0,
            "share_of_best": (gained - cost * k) / best if best > 0 else float("nan"),
        }
        if name in predicted:
            row["predicted_profit"] = float(
                _vector(predicted[name], f"predicted_value[{name!r}]", value.size)[chosen].sum()
                - cost * k
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("rule")


def profit_curve(
    rules: Mapping[str, Any], *, true_value: Any, cost: float, points: int = 101
) -> pd.DataFrame:
    """True profit of each score rule for every share of customers contacted.

    Returns
    -------
    DataFrame
        Long format: ``rule``, ``share`` (contacted, in [0, 1]), ``contacted`` and
        ``true_profit`` at ``points`` evenly spaced shares.
    """
    value = _vector(true_value, "true_value")
    n = value.size
    counts = np.unique(np.round(np.linspace(0, n, max(int(points), 2))).astype(int))
    frames = []
    for name, score in rules.items():
        s = _vector(score, f"rules[{name!r}]", n)
        cum = np.r_[0.0, np.cumsum(value[np.argsort(-s, kind="stable")])]
        frames.append(
            pd.DataFrame(
                {
                    "rule": name,
                    "share": counts / n,
                    "contacted": counts,
                    "true_profit": cum[counts] - cost * counts,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
