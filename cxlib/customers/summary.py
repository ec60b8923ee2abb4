"""Transactions to one row per customer: the table behind RFM and CLV.

:func:`customer_summary` is the heavy step of every customer-base analysis (events to customers), so
it is written once, with `narwhals <https://narwhals-dev.github.io/narwhals/>`_: a pandas DataFrame,
a polars DataFrame or LazyFrame, a DuckDB relation or a PySpark DataFrame is validated and
aggregated *in its own engine*, and only the per-customer result (one row per customer) comes back,
as pandas. :func:`pooled_summary` goes one step further for CLV fitting on very large data: it
pools identical customers in the engine, so that only one row per distinct (x, t_x, T) comes back.

Definitions (Fader, Hardie & Lee 2005; Fader & Hardie 2013, "Creating an RFM summary using Excel")
-------------------------------------------------------------------------------------------------
A purchase *occasion* is a customer's purchase day: several records on one day are summed into one
occasion, so a basket split over two order lines is not a repeat purchase. With the calibration
period running from the customer's first purchase to ``calibration_end``:

- ``n_occasions``: purchase occasions in the calibration period, first purchase included;
- ``frequency``: repeat purchases, ``n_occasions - 1`` (the CLV models' x);
- ``recency``: the customer's age at the last purchase, ``last_purchase - first_purchase`` (t_x);
- ``T``: the customer's age at ``calibration_end``, ``calibration_end - first_purchase``;
- ``days_since_last``: days from the last purchase (of the calibration period) to
  ``observation_end``: the "R" of RFM, where a *small* value is good, the opposite direction to
  ``recency``. With a holdout period, the gap at ``calibration_end`` is ``T - recency``;
- ``total_spend``, ``mean_spend`` (per occasion) and ``monetary_value``, the mean spend of the
  repeat occasions (0.0 for one-time buyers), which is what the Gamma-Gamma spend model uses;
- with ``calibration_end``: ``holdout_frequency`` and ``holdout_spend``, the occasions and spend
  after ``calibration_end`` up to ``observation_end``.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S. & Hardie, B. G. S. (2013). Creating an RFM summary using Excel.
http://brucehardie.com/notes/022/
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from cxlib.units import DAYS_PER_UNIT, check_time_unit
from cxlib.validate import MAX_EXAMPLES, CXDataError, check_option, to_timestamp

__all__ = ["SUMMARY_COLUMNS", "customer_summary", "pooled_summary"]

#: Output columns of :func:`customer_summary` (the holdout pair only with ``calibration_end``).
SUMMARY_COLUMNS: list[str] = [
    "n_occasions",
    "frequency",
    "first_purchase",
    "last_purchase",
    "days_since_last",
    "recency",
    "T",
    "total_spend",
    "mean_spend",
    "monetary_value",
]
_HOLDOUT_COLUMNS = ["holdout_frequency", "holdout_spend"]

# Private column names used inside the query; chosen so that they cannot clash with user columns.
_DAY, _SPEND, _FIRST = "__cx_day", "__cx_spend", "__cx_first_day"

# The per-customer columns computed in the engine (besides the id), and which of them each output
# column is derived from (in pandas, on the small per-customer or pooled table).
_NEEDS: dict[str, tuple[str, ...]] = {
    "n_occasions": ("n_occasions",),
    "frequency": ("n_occasions",),
    "first_purchase": ("first_purchase",),
    "last_purchase": ("last_purchase",),
    "days_since_last": ("last_purchase",),
    "recency": ("first_purchase", "last_purchase"),
    "T": ("first_purchase",),
    "total_spend": ("total_spend",),
    "mean_spend": ("total_spend", "n_occasions"),
    "monetary_value": ("total_spend", "first_spend", "n_occasions"),
    "holdout_frequency": ("holdout_frequency",),
    "holdout_spend": ("holdout_spend",),
}


def customer_summary(
    transactions: Any,
    *,
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    observation_end: Any = None,
    calibration_end: Any = None,
    time_unit: Literal["days", "weeks"] = "days",
    later_purchases: Literal["error", "ignore"] = "error",
) -> pd.DataFrame:
    """One row per customer from raw transactions, computed in the input's own engine.

    Parameters
    ----------
    transactions : pandas, polars (eager or lazy), DuckDB relation, PySpark DataFrame
        One row per purchase record (any frame narwhals supports). Not modified. Only the
        three named columns are read. A lazy frame (polars LazyFrame, DuckDB relation, PySpark
        DataFrame) is never collected: the engine validates and aggregates, and only check
        counts, at most five example rows of bad input and the per-customer table come back.
    customer_id, date, amount : str
        Column names. ``date`` may hold datetimes, dates or date strings (times of day are
        dropped: the unit of purchase is the day; a Spark ``TIMESTAMP`` is read as the local
        day in the session time zone, ``spark.sql.session.timeZone``); ``amount`` is the spend
        in the data's currency, non-negative, kept as float (never rounded).
    observation_end : date-like, optional
        Last day of observation (inclusive). Default: the last purchase day in the data.
        Transactions after it are an error (filter them first if that is intended).
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive), at most ``observation_end``. Default:
        ``observation_end``, with no holdout columns. When given, occasions after it count as
        holdout purchases, and customers whose first purchase falls after it are left out
        (they were not yet customers at ``calibration_end``).
    time_unit : {"days", "weeks"}
        Unit of ``recency`` and ``T``: days, or weeks of 7 days. Recorded in the result's
        ``attrs["time_unit"]``, from where the CLV models take it (``BGNBD().fit(summary)``);
        pandas keeps it through row selections, and a model that cannot find it asks for it.
    later_purchases : {"error", "ignore"}
        Purchases after ``observation_end``: an error (default), or left out, e.g. to describe
        the customer base as it was on a past date (:func:`cxlib.customers.rfm_table`).

    Returns
    -------
    DataFrame
        pandas, indexed by customer id (index name ``customer_id``), sorted by it, with the
        columns of :data:`SUMMARY_COLUMNS` (counts int64, days and durations float64,
        purchases datetime64) and, when ``calibration_end`` is given, ``holdout_frequency``
        (int64) and ``holdout_spend`` (float64). See the module docstring for definitions.
        Every engine gives the same table; sums of money may differ in the last binary digits
        (about 1e-16 relative), because engines add in different orders.

    Raises
    ------
    CXDataError
        On missing columns, missing customer ids, dates or amounts, dates that do not parse,
        non-numeric or negative amounts, purchases after ``observation_end``, or
        ``calibration_end`` after ``observation_end``. The message names the column, the
        rule, the number of offending rows and up to five of them (the same text in every
        engine: the rows' values, without row labels, which lazy engines do not have).

    See Also
    --------
    pooled_summary : identical customers pooled in the engine, for CLV fitting on large data.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-05"],
    ...                    "amount": [10.0, 5.0, 20.0, 7.5]})
    >>> s = customer_summary(tx, observation_end="2024-01-15")
    >>> s[["n_occasions", "frequency", "recency", "T", "monetary_value"]]  # doctest: +ELLIPSIS
                 n_occasions  frequency  recency     T  monetary_value
    customer_id...
    1                      2          1      7.0  14.0            20.0
    2                      1          0      0.0  10.0             0.0
    """
    query = _query(
        transactions,
        customer_id=customer_id,
        date=date,
        amount=amount,
        observation_end=observation_end,
        calibration_end=calibration_end,
        time_unit=time_unit,
        later_purchases=later_purchases,
    )
    table = query.table
    if not table.implementation.is_spark_like():
        table = table.sort(customer_id)  # Spark: a global sort is a job of its own; pandas sorts
    local = table.collect().to_pandas().set_index(customer_id)
    if not local.index.is_monotonic_increasing:
        local = local.sort_index()
    columns = SUMMARY_COLUMNS + (_HOLDOUT_COLUMNS if query.holdout else [])
    summary = _derive(local, columns, query)
    summary.index = summary.index.rename(customer_id)
    summary.attrs["time_unit"] = query.unit
    return summary


def pooled_summary(
    transactions: Any,
    *,
    columns: Sequence[str] = ("frequency", "recency", "T"),
    weight: str = "n_customers",
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    observation_end: Any = None,
    calibration_end: Any = None,
    time_unit: Literal["days", "weeks"] = "days",
    later_purchases: Literal["error", "ignore"] = "error",
) -> pd.DataFrame:
    """Customers with identical summary ``columns`` pooled into one row each, in the engine.

    The same table as ``aggregate_customers(customer_summary(transactions, ...), columns=...)``
    (:func:`cxlib.clv.aggregate_customers`), but the per-customer table never leaves the engine:
    customers are pooled there by the purchase-level values the ``columns`` are derived from
    (e.g. number of occasions, first and last purchase day for frequency, recency and T), and
    only the pooled rows come back. Purchase data recorded by day pool well: the distinct
    (x, t_x, T) grow far more slowly than the customers (one million simulated customers by day
    give about 107,000 rows, see the README's CLV benchmark). The CLV models fit the result with
    ``weights=weight`` to exactly the estimates of the full customer table
    (``BGNBD().fit(pooled, weights="n_customers")``).

    Parameters
    ----------
    transactions : any frame :func:`customer_summary` accepts
        Not modified; a lazy frame (e.g. a PySpark DataFrame) is never collected.
    columns : sequence of str
        Columns of :func:`customer_summary` to pool on (with ``calibration_end``, the holdout
        columns too). Money columns pool only customers whose sums are exactly equal.
    weight : str
        Name of the count column (int64, customers per row).
    customer_id, date, amount, observation_end, calibration_end, time_unit, later_purchases
        As in :func:`customer_summary`.

    Returns
    -------
    DataFrame
        One row per distinct combination of ``columns``, sorted by them, plus ``weight``;
        ``attrs["time_unit"]`` records the unit of recency and T.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 3, 3],
    ...                    "date": ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-05"],
    ...                    "amount": [10.0, 5.0, 20.0, 7.5]})
    >>> pooled_summary(tx, observation_end="2024-01-15")
       frequency  recency     T  n_customers
    0          0      0.0  14.0            2
    1          1      4.0  14.0            1
    """
    columns = list(columns)
    allowed = SUMMARY_COLUMNS + (_HOLDOUT_COLUMNS if calibration_end is not None else [])
    unknown = [c for c in columns if c not in allowed]
    if not columns or unknown or len(set(columns)) < len(columns):
        raise CXDataError(
            f"columns must name distinct columns of the customer summary, {allowed}; got {columns}."
        )
    if weight in columns:
        raise CXDataError(f"weight ({weight!r}) must not be one of the pooled columns.")
    query = _query(
        transactions,
        customer_id=customer_id,
        date=date,
        amount=amount,
        observation_end=observation_end,
        calibration_end=calibration_end,
        time_unit=time_unit,
        later_purchases=later_purchases,
    )
    keys = sorted({need for c in columns for need in _NEEDS[c]})
    count = "__cx_customers"
    pooled = query.table.group_by(*keys).agg(nw.len().alias(count)).collect().to_pandas()
    derived = _derive(pooled, columns, query)
    derived[weight] = pooled[count].to_numpy(dtype=np.int64)
    # Distinct purchase-level keys map to distinct summary rows, except when a column of two
    # keys is left out (e.g. T alone pools customers with different frequencies): sum them.
    out = derived.groupby(columns, sort=True, observed=True)[weight].sum().reset_index()
    out[weight] = out[weight].astype(np.int64)
    out.attrs["time_unit"] = query.unit
    return out


@dataclass(frozen=True)
class _Query:
    """The per-customer table as a lazy query in the input's engine, and its settings."""

    table: nw.LazyFrame
    obs_end: pd.Timestamp
    cal_end: pd.Timestamp
    unit: str
    holdout: bool


def _query(
    transactions: Any,
    *,
    customer_id: str,
    date: str,
    amount: str,
    observation_end: Any,
    calibration_end: Any,
    time_unit: str,
    later_purchases: str,
) -> _Query:
    """Validate in the engine (one pass), then build the per-customer query (not run yet)."""
    unit = check_time_unit(time_unit, allowed=("days", "weeks"))
    check_option(later_purchases, ("error", "ignore"), parameter="later_purchases",
                 function="customer_summary")  # fmt: skip
    drop_after_end = later_purchases == "ignore"
    frame = _to_lazy(transactions)
    frame = _validated(frame, customer_id=customer_id, date=date, amount=amount)
    obs_end = _day(observation_end, "observation_end")
    cal_end = _day(calibration_end, "calibration_end")

    # One in-engine pass counts the rows that break each rule; bad rows are fetched only on error.
    rules = [
        (customer_id, "not be missing", _missing(frame, customer_id)),
        (date, "not be missing", nw.col(_DAY).is_null()),
        (amount, "not be missing", _missing(frame, amount)),
        (amount, "not be negative", nw.col(amount) < 0),
    ]
    if obs_end is not None and not drop_after_end:
        rule = f"not lie after observation_end ({obs_end.date()})"
        rules.append((date, rule, nw.col(_DAY) > _literal_day(obs_end, frame)))
    # Counted as integers: Spark (and SQL) do not sum booleans.
    counts = [m.cast(nw.Int64).sum().alias(f"rule_{i}") for i, (_, _, m) in enumerate(rules)]
    found = frame.select(*counts, nw.col(_DAY).max().alias("last_day")).collect().to_pandas()
    shown = [customer_id, date, amount]
    for i, (column, rule, mask) in enumerate(rules):
        _raise_if(frame, found[f"rule_{i}"].iloc[0], mask, column, rule, shown)
    if obs_end is None:
        if pd.isna(found["last_day"].iloc[0]):
            raise CXDataError("transactions has no rows: there is no customer to summarise.")
        obs_end = pd.Timestamp(found["last_day"].iloc[0]).as_unit("us")
    if drop_after_end and obs_end is not None:
        frame = frame.filter(nw.col(_DAY) <= _literal_day(obs_end, frame))
    holdout = cal_end is not None
    if cal_end is None:
        cal_end = obs_end
    elif cal_end > obs_end:
        raise CXDataError(
            f"calibration_end ({cal_end.date()}) must not lie after observation_end "
            f"({obs_end.date()})."
        )
    table = _aggregate(
        frame, customer_id=customer_id, amount=amount, cal_end=cal_end, holdout=holdout
    )
    return _Query(table=table, obs_end=obs_end, cal_end=cal_end, unit=unit, holdout=holdout)


def _to_lazy(transactions: Any) -> nw.LazyFrame:
    """Wrap any supported native frame as a narwhals LazyFrame in its own engine."""
    if isinstance(transactions, (nw.DataFrame, nw.LazyFrame)):
        frame = transactions
    else:
        try:
            frame = nw.from_native(transactions)
        except TypeError:
            raise CXDataError(
                "transactions must be a data frame (pandas, polars DataFrame or LazyFrame, DuckDB "
                f"relation, ...); got {type(transactions).__name__}."
            ) from None
    if isinstance(frame, nw.Series) or not isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        raise CXDataError(f"transactions must be a data frame; got {type(transactions).__name__}.")
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def _validated(frame: nw.LazyFrame, *, customer_id: str, date: str, amount: str) -> nw.LazyFrame:
    """Check columns and dtypes; return the three columns plus the purchase day ``_DAY``."""
    schema = frame.collect_schema()
    names = list(schema.names())
    missing = [c for c in (customer_id, date, amount) if c not in names]
    if missing:
        raise CXDataError(
            f"transactions is missing the required column(s) {missing}; it has {names}. "
            "Pass the names of your columns as keyword arguments (customer_id=, date=, amount=)."
        )
    if len({customer_id, date, amount}) < 3:
        raise CXDataError("customer_id, date and amount must name three different columns.")
    amount_type = schema[amount]
    if not amount_type.is_numeric() or amount_type == nw.Boolean:
        raise CXDataError(f"Column {amount!r} must hold numbers; it has dtype {amount_type}.")
    frame = frame.select(customer_id, date, amount)
    date_type = schema[date]
    if date_type == nw.String:
        frame = _parse_dates(frame, date=date)
        day = nw.col(_DAY)
    elif date_type == nw.Date or date_type == nw.Datetime:
        day = nw.col(date)
    else:
        raise CXDataError(
            f"Column {date!r} must hold dates (datetime, date or date strings); "
            f"it has dtype {date_type}."
        )
    if isinstance(date_type, nw.Datetime) and date_type.time_zone is not None:
        day = day.dt.replace_time_zone(None)  # the purchase day is the local calendar day
    if _day_is_date(frame):  # polars, DuckDB, ...: a 4-byte Date groups fastest
        day = day if date_type == nw.Date else day.cast(nw.Date)
    else:  # pandas-like: midnight datetimes (a Date column would hold Python objects)
        day = day.cast(nw.Datetime("us")) if date_type == nw.Date else day
        day = day.dt.truncate("1d")
    return frame.with_columns(day.alias(_DAY))


def _day_is_date(frame: nw.LazyFrame) -> bool:
    """Whether the purchase day ``_DAY`` is a Date (True) or a midnight Datetime (pandas-like)."""
    return not frame.implementation.is_pandas_like()


def _literal_day(stamp: pd.Timestamp, frame: nw.LazyFrame) -> nw.Expr:
    """A day as a literal comparable with ``_DAY`` in ``frame``'s engine."""
    return nw.lit(stamp.date(), dtype=nw.Date) if _day_is_date(frame) else nw.lit(stamp)


def _parse_dates(frame: nw.LazyFrame, *, date: str) -> nw.LazyFrame:
    """Parse date strings in the engine; on failure, show (only) the rows that did not parse."""
    if frame.implementation.is_duckdb():  # DuckDB cannot infer a format; its CAST reads ISO 8601
        parse = nw.col(date).cast(nw.Datetime("us"))
    else:
        parse = nw.col(date).str.to_datetime()
    if frame.implementation.is_pyspark():
        # Spark logs a failed query at length before raising: count bad strings first instead.
        n_bad, bad = _unparsable_rows(frame, date=date)
        if n_bad:
            _raise_unparsable(date, n_bad, bad)
        return frame.with_columns(parse.alias(_DAY))
    try:
        parsed = frame.with_columns(parse.alias(_DAY))
        # Lazy engines raise parse errors only when the query runs: run it on the column alone.
        parsed.select(nw.col(_DAY).max()).collect()
    except Exception:  # engines differ: ValueError, polars ComputeError, duckdb ConversionException
        n_bad, bad = _unparsable_rows(frame, date=date)
        _raise_unparsable(date, n_bad, bad)
    return parsed


def _raise_unparsable(date: str, n_bad: int, bad: pd.DataFrame) -> None:
    count = f"{n_bad} rows do not" if n_bad >= 0 else "some rows do not"
    raise CXDataError(
        f"Column {date!r} must hold dates that can be parsed (ISO 8601 such as '2024-01-31', "
        f"or one format throughout): {count}. Examples:\n{bad.to_string(index=False)}"
    ) from None


def _unparsable_rows(frame: nw.LazyFrame, *, date: str) -> tuple[int, pd.DataFrame]:
    """Count of rows whose date does not parse and up to five of them, found in the engine."""
    native = nw.to_native(frame)
    impl = frame.implementation
    if impl.is_polars():
        import polars as pl

        lazy = native.lazy()
        bad = pl.col(date).is_not_null() & pl.col(date).str.to_datetime(strict=False).is_null()
        n_bad = lazy.select(bad.sum()).collect().item()
        return n_bad, lazy.filter(bad).head(MAX_EXAMPLES).collect().to_pandas()
    if impl.is_duckdb():
        quoted = '"' + date.replace('"', '""') + '"'
        rows = native.filter(f"{quoted} IS NOT NULL AND TRY_CAST({quoted} AS TIMESTAMP) IS NULL")
        n_bad = rows.aggregate("count(*)").fetchall()[0][0]
        return n_bad, rows.limit(MAX_EXAMPLES).df()
    if impl.is_pyspark():
        from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)

        text = F.col(date)
        unparsed = text.isNotNull() & F.try_to_timestamp(text).isNull()
        n_bad = native.select(F.sum(unparsed.cast("int"))).first()[0] or 0
        rows = nw.from_native(native.filter(unparsed).limit(MAX_EXAMPLES)).lazy().collect()
        return n_bad, rows.to_pandas()
    if not impl.is_pandas_like():  # other lazy engines: no lenient parser known here
        return -1, pd.DataFrame({"(rows not fetched)": ["the engine could not parse the column"]})
    local = nw.to_native(frame)  # pandas-like: already in memory, nothing is collected
    values = local[date]
    # Same rule as the strict parse above: the format is inferred from the first value.
    bad = values.notna() & pd.to_datetime(values, errors="coerce").isna()
    return int(bad.sum()), local.loc[bad].head(MAX_EXAMPLES)


def _missing(frame: nw.LazyFrame, column: str) -> nw.Expr:
    """True where ``column`` is null or, for floats, NaN (Spark keeps NaN apart from null)."""
    expr = nw.col(column).is_null()
    if frame.collect_schema()[column].is_float():
        expr = expr | nw.col(column).is_nan().fill_null(False)
    return expr


def _raise_if(
    frame: nw.LazyFrame, count: Any, mask: nw.Expr, column: str, rule: str, show: list[str]
) -> None:
    """Raise CXDataError with up to five offending rows, collected alone, if ``count`` > 0.

    The rows are shown by their values, without row labels: lazy engines have none, and the
    message reads the same whichever engine holds the data.
    """
    n_bad = int(count)
    if n_bad == 0:
        return
    bad = frame.filter(mask).select(show).head(MAX_EXAMPLES)
    if frame.implementation.is_spark_like():  # a TIMESTAMP is shown as Spark shows it: local time
        schema = bad.collect_schema()
        aware = [c for c in show if getattr(schema[c], "time_zone", None) is not None]
        local = [nw.col(c).dt.replace_time_zone(None) for c in aware]
        bad = bad.with_columns(*local) if local else bad
    examples = bad.collect().to_pandas()
    raise CXDataError(
        f"Column {column!r} must {rule}: {n_bad} rows do not. Examples:\n"
        f"{examples.to_string(index=False)}"
    )


def _day(value: Any, name: str) -> pd.Timestamp | None:
    """A date-like argument as a midnight Timestamp (None stays None)."""
    if value is None:
        return None
    stamp = to_timestamp(value, name=name)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize().as_unit("us")


def _aggregate(
    frame: nw.LazyFrame, *, customer_id: str, amount: str, cal_end: pd.Timestamp, holdout: bool
) -> nw.LazyFrame:
    """Occasions, then one row per customer: the in-engine part, as a lazy query (not run here).

    The spend of the first occasion (needed for the mean spend of *repeat* occasions) is the one
    step each engine does best its own way: polars and DuckDB take the first spend ordered by
    day inside the aggregation (``first(order_by=...)``; in polars 1.5x faster than filtering
    on the first day); pandas marks the first day with a group-wise transform, which beats
    sorting ten million rows, and so does Spark (a window over each customer's occasions: an
    ordered ``first`` is not deterministic there).
    """
    day, spend = nw.col(_DAY), nw.col(_SPEND)
    occasions = frame.group_by(customer_id, _DAY).agg(nw.col(amount).sum().alias(_SPEND))
    if frame.implementation.is_polars() or frame.implementation.is_duckdb():
        first_spend = spend.first(order_by=_DAY)  # one occasion per day: no ties in the order
    else:
        occasions = occasions.with_columns(
            nw.when(day == day.min().over(customer_id)).then(spend).otherwise(0.0).alias(_FIRST)
        )
        first_spend = nw.col(_FIRST).sum()
    aggregations = [day.min().alias("first_purchase"), first_spend.alias("first_spend")]
    if not holdout:  # every occasion lies in the calibration period (checked before)
        aggregations += [
            day.max().alias("last_purchase"),
            nw.len().alias("n_occasions"),
            spend.sum().alias("total_spend"),
        ]
        return occasions.group_by(customer_id).agg(*aggregations)
    in_cal = day <= _literal_day(cal_end, frame)
    occasions = occasions.with_columns(
        nw.when(in_cal).then(day).alias("last_purchase"),
        in_cal.cast(nw.Int64).alias("n_occasions"),
        nw.when(in_cal).then(spend).otherwise(0.0).alias("total_spend"),
        (~in_cal).cast(nw.Int64).alias("holdout_frequency"),
        nw.when(in_cal).then(0.0).otherwise(spend).alias("holdout_spend"),
    )
    sums = ("n_occasions", "total_spend", "holdout_frequency", "holdout_spend")
    aggregations += [nw.col("last_purchase").max(), *(nw.col(c).sum() for c in sums)]
    table = occasions.group_by(customer_id).agg(*aggregations)
    # Customers whose first purchase lies after calibration_end were not yet customers then.
    return table.filter(nw.col("n_occasions") > 0)


def _derive(table: pd.DataFrame, columns: list[str], query: _Query) -> pd.DataFrame:
    """The summary ``columns`` from the engine's per-customer (or pooled) columns, in pandas.

    Works on the small table that came back, in its row order and with its index; reads only
    the engine columns that ``columns`` need (:data:`_NEEDS`).
    """
    one_day = pd.Timedelta(days=1)
    period = pd.Timedelta(days=DAYS_PER_UNIT[query.unit])

    def day(name: str) -> pd.Series:
        return pd.to_datetime(table[name]).astype("datetime64[us]")

    def number(name: str, dtype: type) -> np.ndarray:
        return table[name].to_numpy(dtype=dtype)

    def monetary() -> np.ndarray:
        n_repeat = number("n_occasions", np.int64) - 1
        repeat_spend = number("total_spend", np.float64) - number("first_spend", np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n_repeat > 0, repeat_spend / np.maximum(n_repeat, 1), 0.0)

    make = {
        "n_occasions": lambda: number("n_occasions", np.int64),
        "frequency": lambda: number("n_occasions", np.int64) - 1,
        "first_purchase": lambda: day("first_purchase").to_numpy(),
        "last_purchase": lambda: day("last_purchase").to_numpy(),
        "days_since_last": lambda: ((query.obs_end - day("last_purchase")) / one_day).to_numpy(
            dtype=np.float64
        ),
        "recency": lambda: ((day("last_purchase") - day("first_purchase")) / period).to_numpy(
            dtype=np.float64
        ),
        "T": lambda: ((query.cal_end - day("first_purchase")) / period).to_numpy(dtype=np.float64),
        "total_spend": lambda: number("total_spend", np.float64),
        "mean_spend": lambda: number("total_spend", np.float64) / number("n_occasions", np.int64),
        "monetary_value": monetary,
        "holdout_frequency": lambda: number("holdout_frequency", np.int64),
        "holdout_spend": lambda: number("holdout_spend", np.float64),
    }
    return pd.DataFrame({c: make[c]() for c in columns}, index=table.index)
