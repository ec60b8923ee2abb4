"""The answer scales of the survey metrics, defined once for the whole package.

===========  ============================================  ==============  ===================
metric       question                                      scale           counted as positive
===========  ============================================  ==============  ===================
CSAT         "How satisfied are you ...?"                  1-5             4-5 (top-2-box)
WRS          "Would you recommend us?"                     1-5             4-5 (top-2-box)
CES 2.0      "The company made it easy to handle my        1-7             (a mean, higher =
             issue" (agreement)                                            less effort)
NPS          "How likely are you to recommend us?"         0-10            promoters 9-10,
                                                                           detractors 0-6
===========  ============================================  ==============  ===================

:func:`cxlib.survey.csat` and the other metrics take these as defaults, and
:mod:`cxlib.byod` checks survey exports against them. A file may declare other scales
(``scales={"csat": (0, 5)}``, ``--scale csat=0-5``); the top-2-box rule then counts the two
highest answers of the declared scale, ``>= high - 1`` (0-5: 4 and 5; 1-7: 6 and 7), after
"not applicable" codes have been read as no answer. A plain mean score (``score``,
:func:`cxlib.survey.mean_score`) has no default scale and always needs a declared one; the
NPS is defined on 0-10 only.
"""

from __future__ import annotations

__all__ = ["DETRACTOR_MAX", "PROMOTER_MIN", "SCALES", "TOP_BOX"]

#: Default answer scale (lowest, highest answer) of each metric.
SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "wrs": (1, 5), "ces": (1, 7), "nps": (0, 10)}

#: Top categories counted as satisfied / would recommend (CSAT, WRS): 2 = top-2-box.
TOP_BOX = 2

#: NPS categories on the 0-10 "How likely are you to recommend ...?" scale (Reichheld 2003).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
