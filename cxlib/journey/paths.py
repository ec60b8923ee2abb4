"""Sessions, journeys, paths and touchpoint transitions from an interaction log.

An *interaction log* has one row per contact between a customer and the company: who
(``customer_id``), when (``timestamp``), where (``touchpoint``, e.g. "Website", "Filiale") and
optionally in which journey stage (``stage``, e.g. "Information", "Kauf"). The functions here
turn it into

- sessions (:func:`sessionize`): events of one customer that follow each other within a gap
  (30 minutes by default, the usual web-analytics inactivity rule) form one journey;
- journeys (:func:`journeys`): one row per session with its path "Website > App > Filiale";
- path frequencies (:func:`path_counts`) and step-by-step flows for a flow chart
  (:func:`step_flows`);
- touchpoint transition counts and probabilities with start and end states
  (:func:`transition_counts`, :func:`transition_matrix`), i.e. the first-order Markov chain of
  the journeys (Anderson & Goodman 1957 for the maximum-likelihood estimate ``n_ij / n_i``).

References
----------
Anderson, T. W. & Goodman, L. A. (1957). Statistical inference about Markov chains.
*Annals of Mathematical Statistics* 28(1), 89-110.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cxlib.journey._prepare import END, START, coded_log, group_starts
from cxlib.validate import CXDataError, check_columns, check_no_missing, fail_rows

__all__ = [
    "END",
    "START",
    "journeys",
    "path_counts",
    "sessionize",
    "step_flows",
    "transition_counts",
    "transition_matrix",
]


def _gap_ns(value: Any) -> int:
    """The ``gap`` argument of :func:`sessionize` in nanoseconds, checked to be positive."""
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise CXDataError(
            "The 'gap' parameter must be a positive duration such as '30min' or "
            f"pd.Timedelta(hours=1). Got {value!r} instead."
        ) from None
    if pd.isna(delta) or delta <= pd.Timedelta(0):
        raise CXDataError(
            f"The 'gap' parameter must be a positive duration such as '30min'. Got {value!r}."
        )
    return delta.value


def _is_count(value: Any, low: int) -> bool:
    """True if ``value`` is an integer (not a bool) of at least ``low``."""
    return (
        not isinstance(value, bool) and isinstance(value, int | np.integer) and bool(value >= low)
    )


def _keep_mask(codes: np.ndarray, new_session: np.ndarray, collapse_repeats: bool) -> np.ndarray:
    """Rows kept in a path: all, or only those whose touchpoint differs from the previous one."""
    if not collapse_repeats or len(codes) == 0:
        return np.ones(len(codes), dtype=bool)
    keep = new_session.copy()
    keep[1:] |= codes[1:] != codes[:-1]
    return keep


def _last_of_session(new_session: np.ndarray) -> np.ndarray:
    """True at the last row of each session, given True at the first row of each."""
    return np.r_[new_session[1:], True] if len(new_session) else new_session


def _join_paths(
    labels: list[Any], codes: np.ndarray, starts: np.ndarray, separator: str
) -> np.ndarray:
    """One string per group (groups begin where ``starts``): labels joined by ``separator``."""
    if len(codes) == 0:
        return np.array([], dtype=object)
    pieces = np.array([f"{label}{separator}" for label in labels], dtype=object)[codes]
    joined = np.add.reduceat(pieces, np.flatnonzero(starts))
    cut = len(separator)
    return np.array([path[:-cut] if cut else path for path in joined], dtype=object)


class _Sessions(NamedTuple):
    frame: pd.DataFrame  # the events, sorted by session, customer, time and input order
    codes: np.ndarray  # touchpoint codes (positions in labels)
    t_ns: np.ndarray  # timestamps in ns
    labels: list[Any]  # touchpoint labels
    new: np.ndarray  # True at the first event of each session


def _sessions(events: Any, *, session: str, extra: Sequence[str] = (), **columns: Any) -> _Sessions:
    """A sessionised log checked and sorted by session (``columns``: the names and touchpoints)."""
    if isinstance(events, pd.DataFrame) and session not in events.columns:
        raise CXDataError(
            f"events has no session column {session!r}: run cxlib.journey.sessionize(log) first "
            "or pass the name of your session column as session=..."
        )
    log = coded_log(events, extra=[session, *extra], sort_first=session, **columns)
    return _Sessions(*log, new=group_starts(pd.factorize(log.frame[session])[0]))


def _path_steps(
    events: Any, *, collapse_repeats: bool, **options: Any
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Touchpoint codes in path order, session-start flags and labels, after collapsing repeats."""
    view = _sessions(events, **options)
    keep = _keep_mask(view.codes, view.new, collapse_repeats)
    return view.codes[keep], view.new[keep], view.labels


def sessionize(
    log: pd.DataFrame,
    *,
    gap: str | pd.Timedelta = "30min",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
    touchpoints: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Split each customer's interactions into sessions (journeys) by an inactivity gap.

    A new session starts at a customer's first interaction and whenever the time since the
    customer's previous interaction is *longer* than ``gap``; an interaction exactly ``gap``
    after the previous one continues the session. This is the inactivity rule of web analytics
    (a session ends after 30 minutes without a hit), applied across all touchpoints.

    Parameters
    ----------
    log : DataFrame
        Interaction log, one row per interaction, in any order.
    gap : str or Timedelta, default "30min"
        Longest pause within a session (anything ``pd.Timedelta`` accepts).
    customer_id, timestamp, touchpoint : str
        Column names. Timestamps may be datetime64 or text that parses as dates.
    touchpoints : sequence, optional
        The allowed touchpoint labels, in display order; other values raise. Default: the
        categories of a categorical column, else the sorted values present.

    Returns
    -------
    DataFrame
        The rows of ``log`` (original index labels kept) sorted by customer, timestamp and input
        order, with the timestamp column parsed, plus

        - ``session_id``: int64, 1, 2, ... across the whole log, in that order;
        - ``session_number``: int64, 1 for a customer's first session, 2 for the second, ...;
        - ``step``: int64, position of the interaction in its session (1 = first);
        - ``minutes_since_previous``: float, minutes since the customer's previous interaction
          (NaN for the first), handy for choosing ``gap``.

    Raises
    ------
    CXDataError
        Missing columns, customers, touchpoints or timestamps; unparsable timestamps; touchpoints
        not in ``touchpoints``; a non-positive ``gap``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1],
    ...                     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:30",
    ...                                                  "2024-01-01 11:01"]),
    ...                     "touchpoint": ["Website", "App", "Filiale"]})
    >>> sessionize(log, gap="30min")[["touchpoint", "session_id", "step"]]
      touchpoint  session_id  step
    0    Website           1     1
    1        App           1     2
    2    Filiale           2     1
    """
    gap_ns = _gap_ns(gap)
    frame, _, t_ns, _ = coded_log(
        log,
        customer_id=customer_id,
        timestamp=timestamp,
        touchpoint=touchpoint,
        touchpoints=touchpoints,
    )
    customer_start = group_starts(pd.factorize(frame[customer_id])[0])
    elapsed = np.diff(t_ns, prepend=t_ns[:1])
    new_session = customer_start | (elapsed > gap_ns)
    session_id: np.ndarray = np.cumsum(new_session)  # int counts (numpy's stubs say bool dtype)
    idx = np.arange(len(frame))
    first_row_of_session = np.maximum.accumulate(np.where(new_session, idx, 0))
    first_session_of_customer = np.maximum.accumulate(np.where(customer_start, session_id, 0))
    minutes = elapsed / 6e10
    minutes[customer_start] = np.nan
    return frame.assign(
        session_id=session_id.astype(np.int64),
        session_number=(session_id - first_session_of_customer + 1).astype(np.int64),
        step=(idx - first_row_of_session + 1).astype(np.int64),
        minutes_since_previous=minutes,
    )


def journeys(
    events: pd.DataFrame,
    *,
    session: str = "session_id",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
    stage: str | None = None,
    touchpoints: Sequence[Any] | None = None,
    collapse_repeats: bool = False,
    separator: str = " > ",
) -> pd.DataFrame:
    """One row per session: who, when, how long, how many interactions, and the path taken.

    Parameters
    ----------
    events : DataFrame
        A sessionised log (output of :func:`sessionize`, or any log with a session column).
    session, customer_id, timestamp, touchpoint : str
        Column names.
    stage : str, optional
        Column with the journey stage; adds ``stage_path`` (consecutive repeats always merged).
    touchpoints : sequence, optional
        Allowed touchpoint labels (see :func:`sessionize`).
    collapse_repeats : bool, default False
        Merge consecutive interactions at the same touchpoint into one step of the path
        ("Website > Website > App" becomes "Website > App"). ``n_events`` always counts all.
    separator : str, default " > "
        Placed between the steps of a path.

    Returns
    -------
    DataFrame
        Indexed by session (index name = ``session``), sorted, with columns ``customer_id``
        (the given name), ``start``, ``end`` (timestamps), ``duration_minutes``, ``n_events``,
        ``n_steps`` (steps in ``path``), ``first_touchpoint``, ``last_touchpoint``, ``path``
        and, with ``stage``, ``stage_path``. An empty log gives an empty frame with these columns.

    Raises
    ------
    CXDataError
        As :func:`sessionize`; also a missing session column or a session shared by customers.
    """
    frame, codes, t_ns, labels, new = _sessions(
        events,
        session=session,
        extra=[stage] if stage is not None else [],
        customer_id=customer_id,
        timestamp=timestamp,
        touchpoint=touchpoint,
        touchpoints=touchpoints,
    )
    sess = pd.factorize(frame[session])[0]
    starts = np.flatnonzero(new)
    ends = np.flatnonzero(_last_of_session(new))
    shared = group_starts(sess, pd.factorize(frame[customer_id])[0]) & ~new
    fail_rows(
        frame,
        np.isin(sess, sess[shared]),
        [session, customer_id],
        "belong to one customer per session",
    )
    keep = _keep_mask(codes, new, collapse_repeats)
    kept_new = new[keep]
    names = np.array(labels, dtype=object)
    result = pd.DataFrame(
        {
            customer_id: frame[customer_id].to_numpy()[starts],
            "start": frame[timestamp].to_numpy()[starts],
            "end": frame[timestamp].to_numpy()[ends],
            "duration_minutes": (t_ns[ends] - t_ns[starts]) / 6e10,
            "n_events": (ends - starts + 1).astype(np.int64),
            "n_steps": np.diff(np.r_[np.flatnonzero(kept_new), keep.sum()]).astype(np.int64),
            "first_touchpoint": pd.Categorical(names[codes[starts]], categories=labels),
            "last_touchpoint": pd.Categorical(names[codes[ends]], categories=labels),
            "path": _join_paths(labels, codes[keep], kept_new, separator),
        },
        index=pd.Index(frame[session].to_numpy()[starts], name=session),
    )
    result["path"] = result["path"].astype("str")
    if stage is not None:
        stage_codes, stage_labels = pd.factorize(frame[stage], sort=True)
        stage_keep = _keep_mask(stage_codes.astype(np.int64), new, True)
        result["stage_path"] = _join_paths(
            list(stage_labels), stage_codes[stage_keep], new[stage_keep], separator
        )
        result["stage_path"] = result["stage_path"].astype("str")
    return result


def path_counts(
    journeys: pd.DataFrame,
    *,
    path: str = "path",
    customer_id: str | None = "customer_id",
    top: int | None = None,
    separator: str = " > ",
) -> pd.DataFrame:
    """How often each path occurs: sessions, share of sessions and customers who took it.

    Parameters
    ----------
    journeys : DataFrame
        Output of :func:`journeys` (one row per session with a ``path`` column).
    path : str, default "path"
        The path column.
    customer_id : str or None, default "customer_id"
        Column of customer ids; adds ``n_customers`` (distinct customers with the path).
        None to skip.
    top : int, optional
        Keep only the ``top`` most frequent paths (shares stay relative to all sessions).
    separator : str, default " > "
        The separator between steps in the paths (as given to :func:`journeys`); used to count
        the steps of each path.

    Returns
    -------
    DataFrame
        Columns ``path``, ``n_steps`` (steps in the path), ``n_sessions``, ``share_pct``
        (percent points of all sessions), ``cumulative_pct`` and, with ``customer_id``,
        ``n_customers``; sorted by
        ``n_sessions`` descending, ties by path, with a fresh 0..k-1 index.
    """
    columns = [path] + ([customer_id] if customer_id is not None else [])
    check_columns(journeys, columns, name="journeys")
    check_no_missing(journeys, path)
    if top is not None and not _is_count(top, 1):
        raise CXDataError(f"The 'top' parameter must be a positive integer or None. Got {top!r}.")
    paths = journeys[path].astype("str").to_numpy()
    grouped = journeys.groupby(paths, sort=False)
    table = pd.DataFrame({"n_sessions": grouped.size().astype(np.int64)})
    total = len(journeys)
    table["share_pct"] = 100.0 * table["n_sessions"] / total if total else np.nan
    ordered = ["n_steps", "n_sessions", "share_pct", "cumulative_pct"]
    table["n_steps"] = table.index.to_series().str.count(re.escape(separator)).to_numpy() + 1
    if customer_id is not None:
        table["n_customers"] = grouped[customer_id].nunique().astype(np.int64)
        ordered.append("n_customers")
    table = table.rename_axis(path).reset_index()
    table[path] = table[path].astype("str")
    table = table.sort_values(["n_sessions", path], ascending=[False, True], kind="stable")
    table["cumulative_pct"] = table["share_pct"].cumsum()
    if top is not None:
        table = table.head(top)
    return table[[path, *ordered]].reset_index(drop=True)


def transition_counts(
    events: pd.DataFrame,
    *,
    session: str = "session_id",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
    touchpoints: Sequence[Any] | None = None,
    collapse_repeats: bool = False,
    start_end: bool = True,
) -> pd.DataFrame:
    """Count the moves from one touchpoint to the next within sessions.

    Each session contributes one transition per consecutive pair of interactions and, with
    ``start_end``, one from :data:`START` to its first touchpoint and one from its last touchpoint
    to :data:`END`. So a session of ``k`` interactions adds ``k + 1`` transitions (``k - 1``
    without start and end); a single-event session adds START -> touchpoint -> END.

    Parameters
    ----------
    events : DataFrame
        A sessionised log (output of :func:`sessionize`).
    session, customer_id, timestamp, touchpoint : str
        Column names.
    touchpoints : sequence, optional
        Allowed touchpoint labels and their order in the table (see :func:`sessionize`).
    collapse_repeats : bool, default False
        Merge consecutive interactions at the same touchpoint first (no self-transitions left).
    start_end : bool, default True
        Add the start row and the end column.

    Returns
    -------
    DataFrame of int64
        Rows "from" (``START`` then the touchpoints), columns "to" (the touchpoints then ``END``);
        every touchpoint appears even when it has no transitions.
    """
    codes, new, labels = _path_steps(
        events,
        collapse_repeats=collapse_repeats,
        session=session,
        customer_id=customer_id,
        timestamp=timestamp,
        touchpoint=touchpoint,
        touchpoints=touchpoints,
    )
    k = len(labels)
    start, end = k, k  # in the (k + 1) x (k + 1) count grid, START is row k and END column k
    last = _last_of_session(new)
    src = codes[~last]
    dst = codes[1:][~new[1:]] if len(codes) else codes
    if start_end:
        src = np.r_[np.full(int(new.sum()), start), src, codes[last]]
        dst = np.r_[codes[new], dst, np.full(int(last.sum()), end)]
    counts = np.bincount(src * (k + 1) + dst, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)
    rows = [START, *labels] if start_end else list(labels)
    cols = [*labels, END] if start_end else list(labels)
    counts = counts[np.r_[k, :k]] if start_end else counts[:k, :k]
    return pd.DataFrame(
        counts.astype(np.int64),
        index=pd.Index(rows, name="from", dtype=object),
        columns=pd.Index(cols, name="to", dtype=object),
    )


def transition_matrix(events: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Transition probabilities: the share of moves out of each state that go to each next state.

    The maximum-likelihood estimate of a first-order Markov chain's transition probabilities,
    ``p_ij = n_ij / sum_j n_ij`` (Anderson & Goodman 1957), from :func:`transition_counts`.

    Parameters
    ----------
    events : DataFrame
        A sessionised log (output of :func:`sessionize`).
    **options
        Keyword settings of :func:`transition_counts` (column names, ``touchpoints``,
        ``collapse_repeats``, ``start_end``).

    Returns
    -------
    DataFrame of float
        Same shape as the counts; each row sums to 1 (a rate in [0, 1], not percent). A state that
        is never left (a touchpoint absent from the log) has a row of NaN: its probabilities are
        not estimable.
    """
    counts = transition_counts(events, **options)
    totals = counts.sum(axis=1).astype(float).replace(0.0, np.nan)
    return counts.div(totals, axis=0)


def step_flows(
    events: pd.DataFrame,
    *,
    max_steps: int = 4,
    session: str = "session_id",
    customer_id: str = "customer_id",
    timestamp: str = "timestamp",
    touchpoint: str = "touchpoint",
    touchpoints: Sequence[Any] | None = None,
    collapse_repeats: bool = True,
) -> pd.DataFrame:
    """Flows of sessions from step ``j`` to step ``j + 1`` of their path, for a flow chart (Sankey).

    Parameters
    ----------
    events : DataFrame
        A sessionised log (output of :func:`sessionize`).
    max_steps : int, default 4
        Steps shown; flows go from step 1 to 2, ..., ``max_steps - 1`` to ``max_steps``.
    session, customer_id, timestamp, touchpoint, touchpoints
        As in :func:`transition_counts`.
    collapse_repeats : bool, default True
        Merge consecutive interactions at the same touchpoint into one step first.

    Returns
    -------
    DataFrame
        Columns ``step`` (int, the step the flow leaves), ``source``, ``target`` (a touchpoint, or
        :data:`END` when the session ended at ``step``), ``n_sessions``; sorted by step, source and
        target in touchpoint order. Sessions at step ``j`` equal the sum of the flows leaving it.
    """
    if not _is_count(max_steps, 2):
        raise CXDataError(f"The 'max_steps' parameter must be an integer >= 2. Got {max_steps!r}.")
    codes, new, labels = _path_steps(
        events,
        collapse_repeats=collapse_repeats,
        session=session,
        customer_id=customer_id,
        timestamp=timestamp,
        touchpoint=touchpoint,
        touchpoints=touchpoints,
    )
    k = len(labels)
    idx = np.arange(len(codes))
    step = idx - np.maximum.accumulate(np.where(new, idx, 0)) + 1
    nxt = np.where(_last_of_session(new), k, np.r_[codes[1:], k] if len(codes) else codes)
    use = step < max_steps
    key = (step[use] * (k + 1) + codes[use]) * (k + 1) + nxt[use]
    uniq, n = np.unique(key, return_counts=True)
    names = np.array([*labels, END], dtype=object)
    return pd.DataFrame(
        {
            "step": (uniq // (k + 1) ** 2).astype(np.int64),
            "source": names[(uniq // (k + 1)) % (k + 1)],
            "target": names[uniq % (k + 1)],
            "n_sessions": n.astype(np.int64),
        }
    )
