"""Transactions to one row per customer: the table behind RFM and CLV.

:func:`customer_summary` is the heavy step of every customer-base analysis (events to customers), so
it is written once, with `narwhals <https://narwhals-dev.github.io/narwhals/>`_: a pandas DataFrame,
a polars DataFrame or LazyFrame, or a DuckDB relation is validated and aggregated *in its own
engine*, and only the per-customer result (one row per customer) comes back, as pandas.

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

from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from cxlib.units import DAYS_PER_UNIT, check_time_unit
from cxlib.validate import MAX_EXAMPLES, CXDataError, check_option, to_timestamp

__all__ = ["SUMMARY_COLUMNS", "customer_summary"]

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
    transactions : pandas DataFrame, polars DataFrame or LazyFrame, DuckDB relation
        One row per purchase record (any frame narwhals supports). Not modified. Only the
        three named columns are read.
    customer_id, date, amount : str
        Column names. ``date`` may hold datetimes, dates or date strings (times of day are
        dropped: the unit of purchase is the day); ``amount`` is the spend in the data's
        currency, non-negative, kept as float (never rounded).
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

    Raises
    ------
    CXDataError
        On missing columns, missing customer ids, dates or amounts, dates that do not parse,
        non-numeric or negative amounts, purchases after ``observation_end``, or
        ``calibration_end`` after ``observation_end``. The message names the column, the
        rule, the number of offending rows and up to five of them.

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
        (customer_id, "not be missing", nw.col(customer_id).is_null()),
        (date, "not be missing", nw.col(_DAY).is_null()),
        (amount, "not be missing", _missing_amount(frame, amount)),
        (amount, "not be negative", nw.col(amount) < 0),
    ]
    if obs_end is not None and not drop_after_end:
        rule = f"not lie after observation_end ({obs_end.date()})"
        rules.append((date, rule, nw.col(_DAY) > _literal_day(obs_end, frame)))
    counts = [mask.sum().alias(f"rule_{i}") for i, (_, _, mask) in enumerate(rules)]
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
    summary = _finish(
        table, customer_id=customer_id, obs_end=obs_end, cal_end=cal_end, unit=unit, holdout=holdout
    )
    summary.attrs["time_unit"] = unit
    return summary


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
    try:
        parsed = frame.with_columns(parse.alias(_DAY))
        # Lazy engines raise parse errors only when the query runs: run it on the column alone.
        parsed.select(nw.col(_DAY).max()).collect()
    except Exception:  # engines differ: ValueError, polars ComputeError, duckdb ConversionException
        n_bad, bad = _unparsable_rows(frame, date=date)
        count = f"{n_bad} rows do not" if n_bad >= 0 else "some rows do not"
        raise CXDataError(
            f"Column {date!r} must hold dates that can be parsed (ISO 8601 such as '2024-01-31', "
            f"or one format throughout): {count}. Examples:\n{bad.to_string()}"
        ) from None
    return parsed


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
    if not impl.is_pandas_like():  # other lazy engines: no lenient parser known here
        return -1, pd.DataFrame({"(rows not fetched)": ["the engine could not parse the column"]})
    local = nw.to_native(frame)  # pandas-like: already in memory, nothing is collected
    values = local[date]
    # Same rule as the strict parse above: the format is inferred from the first value.
    bad = values.notna() & pd.to_datetime(values, errors="coerce").isna()
    return int(bad.sum()), local.loc[bad].head(MAX_EXAMPLES)


def _missing_amount(frame: nw.LazyFrame, amount: str) -> nw.Expr:
    """True where the amount is null or, for float columns, NaN."""
    expr = nw.col(amount).is_null()
    if frame.collect_schema()[amount].is_float():
        expr = expr | nw.col(amount).is_nan().fill_null(False)
    return expr


def _raise_if(
    frame: nw.LazyFrame, count: Any, mask: nw.Expr, column: str, rule: str, show: list[str]
) -> None:
    """Raise CXDataError with up to five offending rows, collected alone, if ``count`` > 0."""
    n_bad = int(count)
    if n_bad == 0:
        return
    examples = frame.filter(mask).select(show).head(MAX_EXAMPLES).collect().to_pandas()
    raise CXDataError(
        f"Column {column!r} must {rule}: {n_bad} rows do not. Examples:\n{examples.to_string()}"
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
) -> pd.DataFrame:
    """Occasions, then one row per customer: the in-engine part; returns the small pandas result.

    The spend of the first occasion (needed for the mean spend of *repeat* occasions) is the one
    step each engine does best its own way: polars and DuckDB take the first spend ordered by
    day inside the aggregation (``first(order_by=...)``; in polars 1.5x faster than filtering
    on the first day), pandas marks the first day with a group-wise transform, which beats
    sorting ten million rows.
    """
    day, spend = nw.col(_DAY), nw.col(_SPEND)
    occasions = frame.group_by(customer_id, _DAY).agg(nw.col(amount).sum().alias(_SPEND))
    if not frame.implementation.is_pandas_like():
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
        table = occasions.group_by(customer_id).agg(*aggregations)
        return table.sort(customer_id).collect().to_pandas()
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
    table = table.filter(nw.col("n_occasions") > 0).sort(customer_id)
    return table.collect().to_pandas()


def _finish(
    table: pd.DataFrame,
    *,
    customer_id: str,
    obs_end: pd.Timestamp,
    cal_end: pd.Timestamp,
    unit: str,
    holdout: bool,
) -> pd.DataFrame:
    """Derived columns, dtypes and order, in pandas on the (small) per-customer table."""
    table = table.set_index(customer_id)
    if not table.index.is_monotonic_increasing:  # sorted in the engine already; a safeguard
        table = table.sort_index()
    first = pd.to_datetime(table["first_purchase"]).astype("datetime64[us]")
    last = pd.to_datetime(table["last_purchase"]).astype("datetime64[us]")
    n_occ = table["n_occasions"].to_numpy(dtype=np.int64)
    total = table["total_spend"].to_numpy(dtype=np.float64)
    repeat_spend = total - table["first_spend"].to_numpy(dtype=np.float64)
    frequency = n_occ - 1
    one_day = pd.Timedelta(days=1)
    period = pd.Timedelta(days=DAYS_PER_UNIT[unit])
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_spend / np.maximum(frequency, 1), 0.0)
    out = pd.DataFrame(
        {
            "n_occasions": n_occ,
            "frequency": frequency,
            "first_purchase": first.to_numpy(),
            "last_purchase": last.to_numpy(),
            "days_since_last": ((obs_end - last) / one_day).to_numpy(dtype=np.float64),
            "recency": ((last - first) / period).to_numpy(dtype=np.float64),
            "T": ((cal_end - first) / period).to_numpy(dtype=np.float64),
            "total_spend": total,
            "mean_spend": total / n_occ,
            "monetary_value": monetary,
        },
        index=table.index.rename(customer_id),
    )
    if holdout:
        out["holdout_frequency"] = table["holdout_frequency"].to_numpy(dtype=np.int64)
        out["holdout_spend"] = table["holdout_spend"].to_numpy(dtype=np.float64)
    return out
