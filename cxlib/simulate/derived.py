"""Survey items the simulated panel does not ask, derived from those it does, by a stated rule.

The simulated surveys ask the 0-10 likelihood-to-recommend question of the NPS, but no 1-5
"would you recommend us?" item, the item of the willingness-to-recommend score (WRS,
*Weiterempfehlungsbereitschaft*). :func:`wrs_from_nps` derives one from the 0-10 answer, so that a
lesson can compute the WRS beside the NPS on the same respondents. A derived item carries no
information of its own: it is a rescaling, and a lesson that uses it must say so. A real survey
that wants a WRS asks the 1-5 question.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.validate import check_integer, check_range, to_series

__all__ = ["NPS_TO_WRS", "wrs_from_nps"]

#: 0-10 answer -> 1-5 answer: the nearest point of the 1-5 scale at the same relative position,
#: ``1 + round(4 x / 10)`` (no ties occur): 0-1 -> 1, 2-3 -> 2, 4-6 -> 3, 7-8 -> 4, 9-10 -> 5.
NPS_TO_WRS: dict[int, int] = {x: 1 + (4 * x + 5) // 10 for x in range(11)}


def wrs_from_nps(scores: Any, *, name: str = "wrs") -> pd.Series:
    """A 1-5 "would you recommend us?" answer derived from a 0-10 likelihood-to-recommend answer.

    Each answer :math:`x` on 0-10 is mapped to the point of the 1-5 scale at the same relative
    position, rounded to the nearest whole answer: :math:`1 + \\operatorname{round}(0.4 x)`, that
    is 0-1 -> 1, 2-3 -> 2, 4-6 -> 3, 7-8 -> 4 and 9-10 -> 5 (:data:`NPS_TO_WRS`). The top two
    boxes of the result (4-5) are the 0-10 answers 7-10, so the WRS of the derived item equals
    the share of respondents who are not detractors (100 minus the detractor share of the NPS),
    and the top box alone (5) is the promoter share.

    This is a documented rescaling, not a measurement: people answer a 5-point question in their
    own way (some who would give 6 out of 10 say "probably yes"), so a WRS asked on its own
    scale can differ from the derived one. Use it only where the 1-5 item was not asked, and say
    that it is derived.

    Parameters
    ----------
    scores : Series or array-like
        Answers 0-10 (whole numbers); NaN = no answer, kept as NaN.
    name : str, default "wrs"
        Name of the returned Series.

    Returns
    -------
    Series
        Answers 1-5 (float, NaN where ``scores`` is NaN), with the index of ``scores`` when it is
        a Series. The input is not modified.

    Raises
    ------
    CXDataError
        If an answer is not a whole number in [0, 10]; the message names the rows.

    Examples
    --------
    >>> wrs_from_nps([0, 3, 6, 7, 8, 9, 10]).tolist()
    [1.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0]
    """
    series = to_series(scores, name="nps")
    frame = series.to_frame()
    check_range(frame, "nps", low=0, high=10)
    check_integer(frame, "nps")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    lookup = np.array([NPS_TO_WRS[x] for x in range(11)], dtype=float)
    answered = ~np.isnan(values)
    derived = np.full(values.shape, np.nan)
    derived[answered] = lookup[values[answered].astype(np.int64)]
    return pd.Series(derived, index=series.index, name=name)
