"""Surveys with repeat respondents and a known truth: how much repeated answers cost.

A transactional survey invites after every interaction, so frequent customers answer several
times, and a customer's answers resemble each other. :func:`repeat_answers` draws many such
surveys at once with a known population answer mix, so that intervals can be checked against the
truth (their coverage) with and without grouping answers by customer.

The model
---------
Each customer ``i`` has an answer-category distribution
``p_i ~ Dirichlet(concentration * shares)``: on average the population ``shares``, but customers
differ. Customer ``i`` answers ``m_i`` times, each answer an independent draw from ``p_i``. The
number of answers does not depend on ``p_i``, so the share of an answer category over all
answers has expectation ``shares``. Two answers of the same customer fall into the same category
more often than two answers of different customers: the intracluster correlation of any category
indicator is ``1 / (concentration + 1)`` (the Dirichlet-multinomial; Mosimann 1962), and the
design effect of a share is about ``1 + (m_w - 1) / (concentration + 1)`` with
``m_w = sum m^2 / sum m`` (Kish 1965, section 5.4;
:func:`cxlib.survey.design.intracluster_correlation`).

References
----------
Mosimann, J. E. (1962). On the compound multinomial distribution, the multivariate
    beta-distribution, and correlations among proportions. Biometrika 49(1/2), 65-82.
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError

__all__ = ["RepeatAnswers", "repeat_answers"]


@dataclass(frozen=True)
class RepeatAnswers:
    """Simulated surveys with repeat respondents and their true parameters.

    Attributes
    ----------
    answers : DataFrame
        One row per answer: ``survey`` (0 .. reps - 1), ``customer_id`` (unique across surveys)
        and ``answer`` (one of the categories).
    shares : Series
        The true population share of each answer category (index: the categories).
    icc : float
        The true intracluster correlation, ``1 / (concentration + 1)``.
    """

    answers: pd.DataFrame
    shares: pd.Series
    icc: float


def repeat_answers(
    answers_per_customer: Any,
    shares: Any,
    *,
    concentration: float,
    reps: int = 1,
    seed: int,
) -> RepeatAnswers:
    """Draw ``reps`` surveys in which customers answer several times (vectorised).

    Parameters
    ----------
    answers_per_customer : array-like of int
        Answers of each customer (>= 1), e.g. the counts of a real survey; every simulated
        survey has these customers.
    shares : Series or mapping
        True share of each answer category (e.g. answers 0-10), >= 0, summing to 1.
    concentration : float
        > 0; smaller means customers differ more (intracluster correlation
        ``1 / (concentration + 1)``).
    reps : int
        Number of independent surveys.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same answers.

    Returns
    -------
    RepeatAnswers

    Examples
    --------
    >>> sim = repeat_answers([1, 3, 2], {5: 0.7, 2: 0.3}, concentration=1.0, reps=2, seed=0)
    >>> len(sim.answers), sim.icc
    (12, 0.5)
    """
    sizes = np.asarray(answers_per_customer)
    if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
        raise CXDataError("answers_per_customer must be a non-empty list of whole numbers.")
    if (sizes < 1).any():
        raise CXDataError("answers_per_customer must be >= 1 for every customer.")
    mix = pd.Series(dict(shares) if not isinstance(shares, pd.Series) else shares, dtype=float)
    if (mix < 0).any() or abs(float(mix.sum()) - 1) > 1e-9:
        raise CXDataError(f"shares must be >= 0 and sum to 1; they sum to {mix.sum():.6g}.")
    if not (isinstance(concentration, int | float) and concentration > 0):
        raise CXDataError(f"concentration must be a positive number; got {concentration!r}.")
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise CXDataError(f"reps must be a whole number >= 1; got {reps!r}.")
    rng = np.random.default_rng(seed)
    positive = mix.to_numpy() > 0
    alpha = concentration * mix.to_numpy()[positive]
    n = sizes.size * reps
    probs = rng.dirichlet(alpha, n)
    counts = rng.multinomial(np.tile(sizes, reps), probs)  # (customers, categories)
    categories = mix.index.to_numpy()[positive]
    customer = np.repeat(np.arange(n), counts.sum(axis=1))
    answer = np.repeat(np.tile(categories, n), counts.ravel())
    frame = pd.DataFrame(
        {"survey": customer // sizes.size, "customer_id": customer, "answer": answer}
    )
    return RepeatAnswers(answers=frame, shares=mix, icc=1 / (concentration + 1))
