"""RFM segmentation: recency, frequency and monetary scores, named segments, segment-map checks.

RFM (Recency, Frequency, Monetary value; Hughes 1994) ranks customers by how recently they bought,
how often and how much. Peers get three details wrong, which this module gets right:

1. **Ties.** Equal values always get equal scores. Quantile bins that split tied values
   arbitrarily (``qcut`` on ``rank(method="first")``) give two customers with the same history
   different scores, and the scores change when the rows are shuffled. Here bins are as close to
   equal size as the ties allow (:func:`tie_aware_bins`): where most customers bought once, they
   all share the lowest F score and the others are split into the remaining bins.
2. **Direction.** 5 is best on every axis, so a *recent* purchase (few days since the last one)
   scores R = 5.
3. **Segment maps.** A map of R/F(/M) score ranges to names must cover every cell of the score
   grid exactly once; :func:`validate_segment_map` names the cells where two rules overlap (a
   segment that can never be reached hides there) or where no rule applies.

Money stays in the data's currency as float: amounts are never truncated to integers.

References
----------
Hughes, A. M. (1994). Strategic Database Marketing. Probus.
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research 42(4), 415-430.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from cxlib.customers.summary import customer_summary
from cxlib.estimate import z_value
from cxlib.intervals import share_ci
from cxlib.validate import CXDataError, check_columns, check_no_missing, check_numeric, fail_rows

__all__ = [
    "DEFAULT_SEGMENT_MAP",
    "RFM_COLUMNS",
    "TIE_RTOL",
    "rfm_scores",
    "rfm_table",
    "segment",
    "segment_outcomes",
    "tie_aware_bins",
    "validate_segment_map",
]

#: Columns of :func:`rfm_table`: days since the last purchase (R), purchase occasions (F) and
#: total spend in the data's currency (M); named as in :func:`cxlib.customers.customer_summary`.
RFM_COLUMNS: list[str] = ["days_since_last", "n_occasions", "total_spend"]

#: The default segment map on the 5 x 5 grid of R and F scores (M is not used), inclusive ranges.
#: The widely used R-F grid of RFM practice, with "Lost" split off the oldest one- and two-time
#: buyers. Every cell of the grid belongs to exactly one segment (checked by the tests).
DEFAULT_SEGMENT_MAP: dict[str, dict[str, tuple[int, int]]] = {
    "Champions": {"R": (5, 5), "F": (4, 5)},
    "Loyal": {"R": (3, 4), "F": (4, 5)},
    "Potential loyalist": {"R": (4, 5), "F": (2, 3)},
    "New": {"R": (5, 5), "F": (1, 1)},
    "Promising": {"R": (4, 4), "F": (1, 1)},
    "Need attention": {"R": (3, 3), "F": (3, 3)},
    "About to sleep": {"R": (3, 3), "F": (1, 2)},
    "Can't lose them": {"R": (1, 2), "F": (5, 5)},
    "At risk": {"R": (1, 2), "F": (3, 4)},
    "Hibernating": {"R": (2, 2), "F": (1, 2)},
    "Lost": {"R": (1, 1), "F": (1, 2)},
}

_SCORES = ("R", "F", "M")


def rfm_table(
    transactions: Any,
    *,
    reference_date: Any,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer as known on ``reference_date``.

    Built on :func:`cxlib.customers.customer_summary` (so any engine it accepts works here too).
    Purchases after ``reference_date`` are ignored, so that one export gives the RFM table at
    several past dates (for migration and for checking segments against later behaviour);
    customers whose first purchase is later are not in the table.

    Parameters
    ----------
    transactions : DataFrame (pandas, polars, DuckDB relation, ...)
        One row per purchase record. Not modified.
    reference_date : date-like
        The day the RFM table describes (inclusive).
    customer_id, date, amount : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by customer id, sorted, with ``days_since_last`` (R: days from the last purchase
        to ``reference_date``; small is good), ``n_occasions`` (F: purchase days up to then,
        same-day purchases counted once) and ``total_spend`` (M: in the data's currency).
    """
    if reference_date is None:
        raise CXDataError("reference_date must be a date; got None.")
    summary = customer_summary(
        transactions,
        customer_id=customer_id,
        date=date,
        amount=amount,
        observation_end=reference_date,
        later_purchases="ignore",
    )
    return summary[RFM_COLUMNS].copy()


#: Relative difference below which two values count as equal in :func:`tie_aware_bins`: sums of
#: money differ in their last binary digits when the same amounts are added in another order
#: (0.1 + 0.2 != 0.3), by pandas for two customers or by two engines for one.
TIE_RTOL = 1e-9


def tie_aware_bins(values: Any, *, bins: int = 5, rtol: float = TIE_RTOL) -> np.ndarray:
    """Scores 1..``bins`` for ``values`` (higher value, higher score); equal values, equal scores.

    The sorted distinct values are cut into ``bins`` contiguous groups, as close to equal size
    as the ties allow: going up from the lowest value, each cut is placed at the boundary between
    two distinct values that is nearest to an equal share of the customers not yet placed
    (the lower boundary when two are equally near), while leaving at least one distinct value for
    every bin still to fill. A tie group larger than a bin therefore fills one bin on its own and
    the rest is shared out evenly, instead of emptying the bins it spans. With fewer distinct
    values than ``bins``, each distinct value is its own bin and the scores are 1..k.

    Values are equal when they differ by at most ``rtol`` relative to the larger magnitude
    (neighbours in sorted order, chained): a customer who spent 52.87 in two purchases and one
    who spent it in one have the same M, although the two float sums differ in the 16th digit.

    Parameters
    ----------
    values : array-like of float
        No missing values.
    bins : int
        Number of scores, 2 to 9.
    rtol : float
        Relative tolerance for equality, at least 0 (0: exact equality only). The default,
        :data:`TIE_RTOL` = 1e-9, is far above rounding error (about 1e-16 per addition) and far
        below any difference of money in a currency's smallest unit.

    Returns
    -------
    ndarray of int64
        The score of each value, in input order.

    Examples
    --------
    >>> tie_aware_bins([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], bins=5).tolist()
    [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]
    >>> tie_aware_bins([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], bins=5).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    >>> tie_aware_bins([0.1 + 0.2, 0.3, 0.4], bins=2).tolist()  # 0.1 + 0.2 != 0.3 in floats
    [1, 1, 2]
    """
    _check_bins(bins)
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float)) or not rtol >= 0:
        raise CXDataError(f"rtol must be a number of at least 0; got {rtol!r}.")
    x = np.asarray(values, dtype=float)
    if np.isnan(x).any():
        raise CXDataError("tie_aware_bins needs values without missing entries (NaN).")
    # Hash-based factorising (then sorting the few distinct values) is several times faster than
    # np.unique's full sort when values repeat, as days and purchase counts do.
    inverse, uniques = pd.factorize(x, sort=True)
    distinct = np.asarray(uniques, dtype=float)
    if rtol > 0 and len(distinct) > 1:  # merge neighbours that differ by rounding error only
        scale = np.maximum(np.abs(distinct[1:]), np.abs(distinct[:-1]))
        group = np.concatenate(([0], np.cumsum(np.diff(distinct) > rtol * scale)))
        inverse = group[inverse]
        distinct = distinct[np.flatnonzero(np.diff(group, prepend=-1))]
    counts = np.bincount(inverse, minlength=len(distinct))
    k = len(distinct)
    if k <= bins:
        return (inverse + 1).astype(np.int64)
    cum = np.cumsum(counts)  # cum[j]: values <= distinct[j]
    n = int(cum[-1])
    cuts = np.empty(bins - 1, dtype=np.int64)  # cut after distinct index cuts[b]
    placed, last_cut = 0, -1
    for b in range(bins - 1):  # a loop over the bins, not over customers
        target = placed + (n - placed) / (bins - b)
        low, high = last_cut + 1, k - 1 - (bins - 1 - b)
        j = int(np.clip(np.searchsorted(cum, target), low, high))
        if j > low and abs(cum[j - 1] - target) <= abs(cum[j] - target):
            j -= 1
        cuts[b] = j
        placed, last_cut = int(cum[j]), j
    score_of_distinct = 1 + np.searchsorted(cuts, np.arange(k), side="left")
    return score_of_distinct[inverse].astype(np.int64)


def rfm_scores(
    table: Any,
    *,
    bins: int = 5,
    days_since_last: str = "days_since_last",
    n_occasions: str = "n_occasions",
    total_spend: str = "total_spend",
    customer_id: str = "customer_id",
) -> pd.DataFrame:
    """R, F and M scores 1..``bins`` (``bins`` = best) and the RFM code, e.g. ``"545"``.

    Each score comes from :func:`tie_aware_bins`: equal values always get equal scores, and bins
    are as close to equal size as ties allow. R scores the *negative* of ``days_since_last``, so
    the most recent buyers score ``bins``.

    Parameters
    ----------
    table : DataFrame
        One row per customer, e.g. from :func:`rfm_table` (pandas, whatever engine computed
        it). Not modified. A per-customer table in another engine (a PySpark or polars frame,
        a DuckDB relation) is read too: its three columns and ``customer_id`` come back as
        pandas (per-customer rows, never purchase records), since the cuts need every value.
    bins : int
        Number of score levels, 2 to 9 (one digit per score in the code).
    days_since_last, n_occasions, total_spend : str
        Columns holding the R, F and M measures: days since the last purchase (small = good),
        purchase occasions and spend (large = good), named as in
        :func:`cxlib.customers.customer_summary` (where ``recency`` and ``frequency`` mean the
        CLV models' t_x and x). No missing values.
    customer_id : str
        For a table in another engine only: the id column, which becomes the index.

    Returns
    -------
    DataFrame
        Same index as ``table`` (for another engine: its ids, sorted); ``R``, ``F``, ``M``
        (int64) and ``rfm`` (str, "RFM" digits).
    """
    _check_bins(bins)
    columns = [days_since_last, n_occasions, total_spend]
    if not isinstance(table, pd.DataFrame):
        table = _collect_customers(table, columns, customer_id=customer_id)
    check_columns(table, columns, name="table")
    for column in columns:
        check_numeric(table, column)
        check_no_missing(table, column)
    scores = pd.DataFrame(
        {
            "R": tie_aware_bins(-table[days_since_last].to_numpy(dtype=float), bins=bins),
            "F": tie_aware_bins(table[n_occasions].to_numpy(dtype=float), bins=bins),
            "M": tie_aware_bins(table[total_spend].to_numpy(dtype=float), bins=bins),
        },
        index=table.index,
    )
    code = scores["R"] * 100 + scores["F"] * 10 + scores["M"]
    scores["rfm"] = code.astype(str)
    return scores


def validate_segment_map(
    segment_map: Mapping[str, Mapping[str, tuple[int, int]]], *, bins: int = 5
) -> None:
    """Raise :class:`CXDataError` unless every cell of the score grid has exactly one segment.

    Parameters
    ----------
    segment_map : mapping
        Segment name -> ``{"R": (low, high), "F": (low, high)}`` and optionally ``"M"``;
        inclusive score ranges. A score a rule does not mention matches every value. The grid
        is spanned by the scores that any rule mentions.
    bins : int
        Scores run from 1 to ``bins``.

    Raises
    ------
    CXDataError
        Naming the cells (e.g. ``R=3, F=4``) covered by two or more segments, with their names,
        the cells no segment covers, and segments that cover no cell at all.
    """
    _check_bins(bins)
    dims, lows, highs = _rule_arrays(segment_map, bins=bins)
    grid = np.array(list(product(range(1, bins + 1), repeat=len(dims))), dtype=np.int64)
    covers = np.all((grid[:, None, :] >= lows) & (grid[:, None, :] <= highs), axis=2)
    names = np.array(list(segment_map), dtype=object)
    n_rules = covers.sum(axis=1)
    problems = []
    overlap = np.flatnonzero(n_rules > 1)
    if len(overlap):
        cells = [f"{_cell(dims, grid[i])} ({', '.join(names[covers[i]])})" for i in overlap]
        problems.append(f"{len(overlap)} cells are claimed by several segments: " + _few(cells))
    gaps = np.flatnonzero(n_rules == 0)
    if len(gaps):
        cells = [_cell(dims, grid[i]) for i in gaps]
        problems.append(f"{len(gaps)} cells belong to no segment: " + _few(cells))
    empty = names[~covers.any(axis=0)]
    if len(empty):
        problems.append(f"segments that match no cell: {', '.join(empty)}")
    if problems:
        raise CXDataError(
            "The segment map is not a partition of the score grid; " + "; ".join(problems) + "."
        )


def segment(
    scores: pd.DataFrame,
    segment_map: Mapping[str, Mapping[str, tuple[int, int]]] | None = None,
    *,
    bins: int = 5,
) -> pd.Series:
    """Named segment of each customer from R, F (and M) scores.

    Parameters
    ----------
    scores : DataFrame
        With integer columns ``R``, ``F`` (and ``M`` if the map uses it), e.g. from
        :func:`rfm_scores`. Not modified.
    segment_map : mapping, optional
        Segment name -> score ranges, as in :func:`validate_segment_map`, which checks it first.
        Default :data:`DEFAULT_SEGMENT_MAP`.
    bins : int
        Number of score levels the scores were made with.

    Returns
    -------
    Series
        ``segment``, categorical with the map's names as categories in map order, same index.
    """
    segment_map = DEFAULT_SEGMENT_MAP if segment_map is None else segment_map
    validate_segment_map(segment_map, bins=bins)
    dims, lows, highs = _rule_arrays(segment_map, bins=bins)
    check_columns(scores, dims, name="scores")
    for column in dims:
        check_no_missing(scores, column)
        check_numeric(scores, column)
        values = scores[column].to_numpy(dtype=float)
        bad = (values < 1) | (values > bins) | (values != np.round(values))
        if bad.any():
            fail_rows(scores, bad, column, f"hold whole scores from 1 to {bins}")
    values = scores[dims].to_numpy(dtype=np.int64)
    covers = np.all((values[:, None, :] >= lows) & (values[:, None, :] <= highs), axis=2)
    codes = covers.argmax(axis=1)  # exactly one True per row: the map is a partition
    names = list(segment_map)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=names), index=scores.index, name="segment"
    )


def segment_outcomes(
    segments: pd.Series,
    summary: pd.DataFrame,
    *,
    level: float = 0.95,
    min_n: int = 30,
    frequency: str = "holdout_frequency",
    spend: str = "holdout_spend",
) -> pd.DataFrame:
    """How each segment bought afterwards: share of repeat buyers and spend, with intervals.

    The check that makes RFM worth using: segments made on a reference date, compared on what
    their customers did in the following period (the holdout of
    :func:`cxlib.customers.customer_summary` with ``calibration_end`` = the reference date).

    Parameters
    ----------
    segments : Series
        Segment of each customer (e.g. from :func:`segment`), indexed by customer id.
    summary : DataFrame
        Indexed by customer id, holding every customer of ``segments``, with the purchase
        occasions (``frequency``) and spend (``spend``) after the reference date.
    level : float
        Confidence level of the intervals.
    min_n : int
        Segments with fewer customers are flagged in ``below_min_n`` (read with care).
    frequency, spend : str
        Columns of ``summary``.

    Returns
    -------
    DataFrame
        Two rows per segment (in category order, empty segments left out): ``metric``
        ``"repeat_buyers_pct"`` (share of customers who bought again, percent points, Wilson
        interval via :func:`cxlib.intervals.share_ci`) and ``"spend_per_customer"`` (mean spend
        per customer including those who did not buy, in the data's currency, normal interval
        ``mean +- z sd / sqrt(n)``, clipped at 0; spend is skewed, so read it as approximate for
        small segments), with ``estimate, ci_low, ci_high, n, n_eff, level, method, unit,
        below_min_n``.
    """
    z = z_value(level)
    segments = pd.Series(segments, name="segment")
    check_columns(summary, [frequency, spend], name="summary")
    missing = segments.index.difference(summary.index)
    if len(missing):
        raise CXDataError(
            f"summary has no row for {len(missing)} customers of segments, "
            f"e.g. {list(missing[:5])}."
        )
    rows = summary.loc[segments.index]
    bought = rows[frequency].to_numpy(dtype=float) > 0
    money = rows[spend].to_numpy(dtype=float)
    labels = segments.astype("category").array  # keeps the order of categorical segments
    frame = pd.DataFrame({"segment": labels, "bought": bought, "spend": money})
    grouped = frame.groupby("segment", observed=True, sort=True)
    n = grouped.size().to_numpy(dtype=float)
    buyers = grouped["bought"].sum().to_numpy(dtype=float)
    low, high = share_ci(buyers, n, level=level, method="wilson")
    mean = grouped["spend"].mean().to_numpy(dtype=float)
    sd = grouped["spend"].std(ddof=1).fillna(0.0).to_numpy(dtype=float)
    half = z * sd / np.sqrt(n)
    names = grouped.size().index.astype(str)
    share = pd.DataFrame(
        {
            "segment": names,
            "metric": "repeat_buyers_pct",
            "estimate": 100 * buyers / n,
            "ci_low": low,
            "ci_high": high,
            "method": "wilson",
            "unit": "pct",
        }
    )
    money_rows = pd.DataFrame(
        {
            "segment": names,
            "metric": "spend_per_customer",
            "estimate": mean,
            "ci_low": np.maximum(mean - half, 0.0),
            "ci_high": mean + half,
            "method": "normal",
            "unit": "currency",
        }
    )
    out = pd.concat([share, money_rows], ignore_index=True)
    out["n"] = np.tile(n.astype(np.int64), 2)
    out["n_eff"] = out["n"].astype(float)
    out["level"] = level
    out["below_min_n"] = out["n"] < min_n
    columns = ["segment", "metric", "estimate", "ci_low", "ci_high", "n", "n_eff", "level"]
    return out[[*columns, "method", "unit", "below_min_n"]]


def _collect_customers(table: Any, columns: list[str], *, customer_id: str) -> pd.DataFrame:
    """A per-customer table held in another engine as pandas: ``columns``, indexed by id."""
    try:
        frame = nw.from_native(table)
    except TypeError:
        raise CXDataError(
            f"table must be a data frame (pandas, polars, DuckDB, PySpark, ...); "
            f"got {type(table).__name__}."
        ) from None
    if not isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        raise CXDataError(f"table must be a data frame; got {type(table).__name__}.")
    names = list(frame.collect_schema().names())
    missing = [c for c in [customer_id, *columns] if c not in names]
    if missing:
        raise CXDataError(
            f"table is missing the required column(s) {missing}; it has {names}. "
            "Pass the names of your columns as keyword arguments."
        )
    lazy = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    local = lazy.select(customer_id, *columns).collect().to_pandas().set_index(customer_id)
    return local.sort_index()


def _rule_arrays(
    segment_map: Mapping[str, Mapping[str, tuple[int, int]]], *, bins: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The map as score names and (rules x scores) arrays of inclusive low and high bounds."""
    if not isinstance(segment_map, Mapping) or len(segment_map) == 0:
        raise CXDataError("segment_map must be a non-empty mapping: segment name -> score ranges.")
    used = set()
    for name, rule in segment_map.items():
        if not isinstance(rule, Mapping) or not rule:
            raise CXDataError(f"Segment {name!r}: the rule must map 'R', 'F' or 'M' to (low, high)")
        unknown = set(rule) - set(_SCORES)
        if unknown:
            raise CXDataError(
                f"Segment {name!r} uses unknown score(s) {sorted(unknown)}; use {list(_SCORES)}."
            )
        used |= set(rule)
    dims = [s for s in _SCORES if s in used]
    lows = np.ones((len(segment_map), len(dims)), dtype=np.int64)
    highs = np.full((len(segment_map), len(dims)), bins, dtype=np.int64)
    for i, (name, rule) in enumerate(segment_map.items()):
        for j, dim in enumerate(dims):
            if dim in rule:
                try:
                    low, high = (int(v) for v in rule[dim])
                except (TypeError, ValueError):
                    raise CXDataError(
                        f"Segment {name!r}: {dim} must be a (low, high) pair of whole scores; "
                        f"got {rule[dim]!r}."
                    ) from None
                lows[i, j], highs[i, j] = low, high
    return dims, lows, highs


def _cell(dims: list[str], values: np.ndarray) -> str:
    return ", ".join(f"{d}={v}" for d, v in zip(dims, values, strict=True))


def _few(items: list[str], limit: int = 10) -> str:
    shown = "; ".join(f"[{item}]" for item in items[:limit])
    return shown + (f"; ... ({len(items) - limit} more)" if len(items) > limit else "")


def _check_bins(bins: int) -> None:
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 9:
        raise CXDataError(f"bins must be a whole number from 2 to 9; got {bins!r}.")
