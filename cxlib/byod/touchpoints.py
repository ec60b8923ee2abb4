"""Wide surveys: one rating column per touchpoint, turned into one row per rating.

A relationship survey (the public airline passenger satisfaction survey is one) has a row per
respondent and a column per touchpoint (``Seat comfort``, ``Inflight wifi service``, ... rated
0-5, 0 = not used), next to an overall answer. ``touchpoint_columns`` (``--touchpoint-columns``)
names those columns, each item one of:

* a column name (``Seat comfort``);
* a shell-style pattern with ``*``, ``?`` or ``[...]`` (``Q5_*`` for ``Q5_1 ... Q5_14``);
* a regular expression after ``re:`` matched against the whole name (``re:Q5_\\d+``); it takes
  the rest of the option's text, commas included.

Given as one text, items are separated by commas (``"Seat comfort,Q5_*"``). Every item must
match a column; columns are taken in file order, and columns mapped to a canonical name (ids,
dates, scores) are never matched by a pattern.

The ratings are checked as numbers on their declared scale (``--scale score=0-5``: in the long
form they are the ``score`` of each touchpoint), with ``missing_codes`` (``--na-values 0``:
"not used") read as no answer. The checked survey keeps one row per respondent (the ratings
under their own names, which the key-driver template uses as its drivers unless ``drivers`` names
others, and the respondent's own scores such as ``csat``); :func:`touchpoint_answers` gives the
long form that the CX-metrics template compares touchpoints with.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlib.validate import CXDataError

__all__ = ["match_columns", "split_items", "touchpoint_answers"]

_GLOB = re.compile(r"[*?\[]")


def split_items(spec: str | Sequence[str]) -> list[str]:
    """The items of ``spec``: a ``re:`` pattern whole, otherwise split at commas.

    Examples
    --------
    >>> split_items("Seat comfort, Q5_*")
    ['Seat comfort', 'Q5_*']
    >>> split_items(["re:Q(1|2),\\\\d", "Gate"])
    ['re:Q(1|2),\\\\d', 'Gate']
    """
    items = [spec] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text.startswith("re:"):
            out.append(text)
        else:
            out += [part.strip() for part in text.split(",") if part.strip()]
    return out


def match_columns(
    spec: str | Sequence[str], columns: Sequence[str], *, taken: Sequence[str] = ()
) -> list[str]:
    """The columns named or matched by ``spec``, in the order of ``columns``.

    ``taken`` are columns mapped to canonical names: a pattern skips them, naming one exactly
    is an error. Raises :class:`~cxlib.validate.CXDataError` for an item that matches nothing
    (with a close name where there is one) or a regular expression that does not compile.

    Examples
    --------
    >>> match_columns("Q5_*,Gate", ["id", "Gate", "Q5_2", "Q5_1", "csat"])
    ['Gate', 'Q5_2', 'Q5_1']
    >>> match_columns("re:Q5_[0-9]+", ["Q5_1", "Q5_10", "Q5_x"])
    ['Q5_1', 'Q5_10']
    """
    available = [c for c in columns if c not in set(taken)]
    chosen: set[str] = set()
    for item in split_items(spec):
        if item.startswith("re:"):
            try:
                pattern = re.compile(item[3:])
            except re.error as err:
                raise CXDataError(
                    f"--touchpoint-columns {item}: not a regular expression ({err})."
                ) from None
            found = [c for c in available if pattern.fullmatch(c)]
        elif _GLOB.search(item):
            found = [c for c in available if fnmatch.fnmatchcase(c, item)]
        elif item in taken:
            raise CXDataError(
                f"--touchpoint-columns {item}: that column is already read as a canonical "
                "column (an id, a date or a score); a touchpoint rating cannot be both."
            )
        else:
            found = [item] if item in available else []
        if not found:
            close = difflib.get_close_matches(item, available, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            raise CXDataError(
                f"--touchpoint-columns {item}: no column of the file matches{hint} "
                f"The file has {list(columns)}."
            )
        chosen.update(found)
    return [c for c in columns if c in chosen]


def touchpoint_answers(frame: pd.DataFrame) -> pd.DataFrame | None:
    """The touchpoint ratings of a wide survey as one row per respondent and touchpoint.

    Parameters
    ----------
    frame : DataFrame
        A checked survey (:func:`cxlib.byod.load_survey`) whose ``attrs["survey"]`` names
        ``touchpoints`` (the columns given as ``touchpoint_columns``).

    Returns
    -------
    DataFrame or None
        None when the survey has no touchpoint columns. Otherwise, respondent by respondent in
        file order and touchpoints in column order: ``survey_id`` (the file's, else the
        respondent's position from 1, as text), ``customer_id`` (the file's, else the
        ``survey_id``: a respondent's ratings are one cluster in the intervals), ``timestamp``
        when the survey has one, ``touchpoint`` (category, in column order), ``score`` (the
        rating; NaN = not answered or not used) and ``responded`` (score given).
        ``attrs["survey"]`` declares the scale of ``score``. The input is not modified.

    Examples
    --------
    >>> wide = pd.DataFrame({"csat": [5.0, 1.0], "Seat": [4.0, None], "Wifi": [2.0, 3.0]})
    >>> wide.attrs["survey"] = {"touchpoints": ["Seat", "Wifi"], "scales": {"Seat": [0, 5]}}
    >>> touchpoint_answers(wide)[["survey_id", "touchpoint", "score"]]
      survey_id touchpoint  score
    0         1       Seat    4.0
    1         1       Wifi    2.0
    2         2       Seat    NaN
    3         2       Wifi    3.0
    """
    recorded = frame.attrs.get("survey", {})
    names = [str(n) for n in recorded.get("touchpoints", []) or []]
    if not names:
        return None
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise CXDataError(f"the survey has no touchpoint column(s) {missing}.")
    n, k = len(frame), len(names)
    if "survey_id" in frame.columns:
        respondent = frame["survey_id"].astype("str").to_numpy()
    else:
        respondent = np.arange(1, n + 1).astype("str")
    customer = (
        frame["customer_id"].astype("str").to_numpy()
        if "customer_id" in frame.columns
        else respondent
    )
    ratings = frame[names].to_numpy(dtype=float).reshape(-1)  # respondent-major
    out = pd.DataFrame(
        {
            "survey_id": np.repeat(respondent, k),
            "customer_id": np.repeat(customer, k),
        }
    )
    if "timestamp" in frame.columns:
        out["timestamp"] = np.repeat(frame["timestamp"].to_numpy(), k)
    out["touchpoint"] = pd.Categorical(np.tile(names, n), categories=names)
    out["score"] = ratings
    out["responded"] = ~np.isnan(ratings)
    scales = recorded.get("scales", {})
    scale = scales.get(names[0], scales.get("score"))
    out.attrs["survey"] = {
        "scales": {} if scale is None else {"score": list(scale)},
        "missing_codes": list(recorded.get("missing_codes", [])),
        "drivers": [],
        "overall": None,
        "touchpoints": [],
    }
    return out
