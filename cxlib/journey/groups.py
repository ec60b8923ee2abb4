"""Customer experience against user experience: customers grouped by two sides of the journey.

User experience (UX, *Nutzererlebnis*) is the experience of one product or interface, such as
the app or the website; customer experience (CX, *Kundenerlebnis*) is the whole relationship
across every touchpoint. A customer can love the app and still leave over the hotline.
:func:`product_service_groups` sorts customers by the experience they report (or, in a
simulation, have) on a *product* side and a *service* side, so that the outcomes of the groups,
churn and recommendation above all, can be compared: does a good product make up for bad service?

References
----------
Lemon, K. N. & Verhoef, P. C. (2016). Understanding customer experience throughout the customer
journey. *Journal of Marketing* 80(6), 69-96.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError, check_columns, check_numeric

__all__ = ["PRODUCT_SERVICE_GROUPS", "product_service_groups"]

#: The groups of :func:`product_service_groups`, in the order of their categories.
PRODUCT_SERVICE_GROUPS = [
    "good product, good service",
    "good product, bad service",
    "bad product, good service",
    "bad product, bad service",
    "in between",
]


def product_service_groups(
    scores: pd.DataFrame,
    *,
    product: Sequence[Any],
    service: Sequence[Any],
    good: float,
    bad: float,
) -> pd.Series:
    """Each customer's group by the mean experience on the product side and the service side.

    The score of a side is the mean of its columns over those a customer has (missing values
    are skipped: a customer who never called the hotline is judged on the other service
    touchpoints). A side is *good* when its score is at least ``good`` and *bad* when it is at
    most ``bad``; a customer with both sides good or bad falls into one of the four named
    groups, every other customer into "in between", and a customer without any score on one
    side gets no group (missing).

    Parameters
    ----------
    scores : DataFrame
        One row per customer, one numeric column per touchpoint: ratings (e.g. 1-10) or, in a
        simulation, the latent experience (standard normal). Not modified.
    product, service : sequence of column names
        The touchpoints of each side, e.g. ``["Website", "App"]`` (the product's interfaces, its
        UX) and ``["Kundenservice-Hotline", "Lieferung", "Rechnung"]`` (service). Touchpoints in
        neither list are ignored; a column may not be on both sides.
    good, bad : float
        Thresholds on the scale of ``scores``, ``bad < good``.

    Returns
    -------
    Series
        Categorical with categories :data:`PRODUCT_SERVICE_GROUPS`, indexed like ``scores``,
        named "group".

    Raises
    ------
    CXDataError
        A side without columns, a column on both sides or not in ``scores``, a non-numeric
        column, or ``bad >= good``.

    Examples
    --------
    >>> scores = pd.DataFrame({"App": [9, 9, 3, 6, None], "Hotline": [9, 2, 2, 6, 8],
    ...                        "Lieferung": [8, None, 3, 6, 8]})
    >>> product_service_groups(scores, product=["App"], service=["Hotline", "Lieferung"],
    ...                        good=8, bad=4).tolist()
    ['good product, good service', 'good product, bad service', 'bad product, bad service', \
'in between', nan]
    """
    product, service = list(product), list(service)
    if not product or not service:
        raise CXDataError("product and service must each name at least one column.")
    both = sorted(set(product) & set(service), key=str)
    if both:
        raise CXDataError(f"Columns {both} are on both sides; each belongs to one side.")
    if not bad < good:
        raise CXDataError(f"bad must be below good; got bad={bad!r}, good={good!r}.")
    check_columns(scores, [*product, *service], name="scores")
    for column in [*product, *service]:
        check_numeric(scores, column)

    def side(columns: list[Any]) -> np.ndarray:
        values = scores[columns].to_numpy(dtype=float, na_value=np.nan)
        seen = ~np.isnan(values)
        total = np.where(seen, values, 0.0).sum(axis=1)
        count = seen.sum(axis=1)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    p, s = side(product), side(service)
    code = np.select(
        [
            (p >= good) & (s >= good),
            (p >= good) & (s <= bad),
            (p <= bad) & (s >= good),
            (p <= bad) & (s <= bad),
            ~np.isnan(p) & ~np.isnan(s),
        ],
        [0, 1, 2, 3, 4],
        default=-1,
    )
    return pd.Series(
        pd.Categorical.from_codes(code, categories=PRODUCT_SERVICE_GROUPS),
        index=scores.index,
        name="group",
    )
