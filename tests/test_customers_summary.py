"""cxlib.customers.summary: hand-computed summaries, published CDNOW values, engines, bad input."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

from cxlib.clv import aggregate_customers
from cxlib.customers import SUMMARY_COLUMNS, customer_summary, pooled_summary
from cxlib.data import load_cdnow
from cxlib.validate import CXDataError


@pytest.fixture
def small() -> pd.DataFrame:
    """Three customers, worked by hand in the tests below.

    - 1: two records on 2024-01-01 (one occasion, 10 + 5), then 2024-01-08 (20), 2024-01-20 (30,
      after the calibration end 2024-01-10, so holdout).
    - 2: one purchase, 2024-01-05 (7.5): a one-time buyer.
    - 3: first purchase 2024-01-12, after the calibration end: not a customer at calibration end.
    """
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 1, 3],
            "date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:30",
                    "2024-01-08",
                    "2024-01-05",
                    "2024-01-20",
                    "2024-01-12",
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 20.0, 7.5, 30.0, 4.0],
        }
    )


def test_hand_computed_summary_without_holdout(small):
    s = customer_summary(small, observation_end="2024-01-31")
    assert list(s.columns) == SUMMARY_COLUMNS
    assert s.index.name == "customer_id" and list(s.index) == [1, 2, 3]
    # Customer 1: occasions 01-01 (15.0), 01-08 (20.0), 01-20 (30.0).
    c1 = s.loc[1]
    assert c1["n_occasions"] == 3 and c1["frequency"] == 2
    assert c1["first_purchase"] == pd.Timestamp("2024-01-01")
    assert c1["last_purchase"] == pd.Timestamp("2024-01-20")
    assert c1["days_since_last"] == 11.0  # 01-20 -> 01-31
    assert c1["recency"] == 19.0  # 01-01 -> 01-20
    assert c1["T"] == 30.0  # 01-01 -> 01-31
    assert c1["total_spend"] == pytest.approx(65.0)
    assert c1["mean_spend"] == pytest.approx(65.0 / 3)
    assert c1["monetary_value"] == pytest.approx((20.0 + 30.0) / 2)  # repeat occasions only
    # Customer 2, a one-time buyer: no repeat purchase, monetary value 0 by definition.
    c2 = s.loc[2]
    assert (c2["n_occasions"], c2["frequency"], c2["recency"]) == (1, 0, 0.0)
    assert c2["T"] == 26.0 and c2["days_since_last"] == 26.0
    assert c2["mean_spend"] == 7.5 and c2["monetary_value"] == 0.0
    assert s["n_occasions"].dtype == np.int64 and s["T"].dtype == np.float64


def test_hand_computed_summary_with_holdout_and_weeks(small):
    s = customer_summary(
        small, observation_end="2024-01-31", calibration_end="2024-01-10", time_unit="weeks"
    )
    assert list(s.columns) == SUMMARY_COLUMNS + ["holdout_frequency", "holdout_spend"]
    assert list(s.index) == [1, 2]  # customer 3 first bought after the calibration end
    c1 = s.loc[1]
    assert (c1["n_occasions"], c1["frequency"]) == (2, 1)
    assert c1["recency"] == pytest.approx(7 / 7)  # 01-01 -> 01-08, in weeks
    assert c1["T"] == pytest.approx(9 / 7)  # 01-01 -> 01-10
    assert c1["last_purchase"] == pd.Timestamp("2024-01-08")
    assert c1["days_since_last"] == 23.0  # last calibration purchase 01-08 -> observation end
    assert c1["total_spend"] == pytest.approx(35.0)
    assert c1["monetary_value"] == pytest.approx(20.0)
    assert (c1["holdout_frequency"], c1["holdout_spend"]) == (1, 30.0)
    c2 = s.loc[2]
    assert c2["T"] == pytest.approx(5 / 7)
    assert (c2["holdout_frequency"], c2["holdout_spend"]) == (0, 0.0)


def test_defaults_end_at_last_purchase_day(small):
    s = customer_summary(small)
    # observation_end = calibration_end = 2024-01-20, the last purchase day.
    assert s.loc[1, "T"] == 19.0 and s.loc[1, "days_since_last"] == 0.0
    assert s.loc[3, "T"] == 8.0


def test_cdnow_sample_matches_published_summary():
    # Fader, Hardie & Lee (2005) CDNOW sample, 39-week calibration (1997-01-01 to 1997-09-30),
    # in weeks; the same rows are in Hardie's BG/NBD Excel note and lifetimes' cdnow summary:
    # sample id 1 (master 4): x=2, t_x=30.43, T=38.86; id 2 (master 21): x=1, t_x=1.71, T=38.86;
    # id 3 (master 50): x=0, t_x=0, T=38.86; id 6 (master 111): x=7, t_x=29.43, T=38.86.
    s = customer_summary(load_cdnow(sample=True), calibration_end="1997-09-30", time_unit="weeks")
    assert len(s) == 2357
    expected = pd.DataFrame(
        {"frequency": [2, 1, 0, 7], "recency": [30.43, 1.71, 0.0, 29.43], "T": [38.86] * 4},
        index=pd.Index([4, 21, 50, 111], name="customer_id"),
    )
    got = s.loc[expected.index, ["frequency", "recency", "T"]]
    assert (got["frequency"] == expected["frequency"]).all()
    np.testing.assert_allclose(got[["recency", "T"]], expected[["recency", "T"]], atol=0.005)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow()


_CDNOW_SPLIT = {"calibration_end": "1997-09-30", "observation_end": "1998-06-30"}


def test_engines_give_identical_results_on_cdnow_master(cdnow):
    kwargs = {
        "calibration_end": "1997-09-30",
        "observation_end": "1998-06-30",
        "time_unit": "weeks",
    }
    expected = customer_summary(cdnow, **kwargs)
    assert len(expected) == 23570
    native = pl.from_pandas(cdnow)
    rel = duckdb.from_df(cdnow)
    for frame in (native, native.lazy(), rel):
        pd.testing.assert_frame_equal(customer_summary(frame, **kwargs), expected)


def test_string_ids_and_dates_in_every_engine():
    tx = pd.DataFrame(
        {
            "cid": ["b", "a", "a"],
            "day": ["2024-03-02", "2024-03-01", "2024-03-04"],
            "eur": [1.0, 2.0, 3.0],
        }
    )
    kwargs = {"customer_id": "cid", "date": "day", "amount": "eur"}
    expected = customer_summary(tx, **kwargs)
    assert list(expected.index) == ["a", "b"] and expected.index.name == "cid"
    assert expected.loc["a", "recency"] == 3.0
    for frame in (pl.from_pandas(tx), pl.from_pandas(tx).lazy(), duckdb.from_df(tx)):
        got = customer_summary(frame, **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_index_type=False)


def test_polars_date_dtype_is_accepted():
    tx = pl.select(
        customer_id=pl.Series([1, 1]),
        date=pl.Series(["2024-01-01", "2024-01-03"]).str.to_date(),
        amount=pl.Series([1, 2]),
    )
    s = customer_summary(tx)
    assert s.loc[1, "recency"] == 2.0 and s.loc[1, "total_spend"] == 3.0


def test_input_is_not_modified(small):
    before = small.copy()
    customer_summary(small, calibration_end="2024-01-10")
    pd.testing.assert_frame_equal(small, before)


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "duckdb"])
@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ({"amount": [1.0, -2.0, 3.0]}, {}, "'amount' must not be negative: 1 rows"),
        ({"amount": [1.0, np.nan, 3.0]}, {}, "'amount' must not be missing"),
        ({"customer_id": [1.0, np.nan, 2.0]}, {}, "'customer_id' must not be missing"),
        ({"date": ["2024-01-01", "2024-02-31", "2024-01-03"]}, {}, "hold dates that can be parsed"),
        ({}, {"observation_end": "2024-01-02"}, "must not lie after observation_end"),
        ({}, {"customer_id": "id"}, "missing the required column(s) ['id']"),
    ],
)
def test_bad_input_names_column_rule_and_rows(engine, change, kwargs, message):
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "amount": [1.0, 2.0, 3.0],
        }
    ).assign(**change)
    if "date" not in change:
        tx["date"] = pd.to_datetime(tx["date"])
    frame = {
        "pandas": lambda: tx,
        "polars": lambda: pl.from_pandas(tx, nan_to_null=True),
        "polars-lazy": lambda: pl.from_pandas(tx, nan_to_null=True).lazy(),
        "duckdb": lambda: duckdb.from_df(tx),
    }[engine]()
    with pytest.raises(CXDataError, match="must|missing") as err:
        customer_summary(frame, **kwargs)
    assert message in str(err.value)
    if "Examples" in str(err.value):  # the offending row is shown, and only it
        shown = str(err.value).split("Examples:\n")[1].splitlines()
        assert len(shown) == 2  # a header line and the one bad row


def test_bad_arguments():
    tx = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]})
    with pytest.raises(CXDataError, match="'time_unit' parameter must be one of"):
        customer_summary(tx, time_unit="months")  # months have no fixed length in days
    with pytest.raises(CXDataError, match="calibration_end .* must not lie after"):
        customer_summary(tx, observation_end="2024-01-05", calibration_end="2024-02-01")
    with pytest.raises(CXDataError, match="must hold numbers"):
        customer_summary(tx.assign(amount=["1"]))
    with pytest.raises(CXDataError, match="must be a data frame"):
        customer_summary([1, 2, 3])
    with pytest.raises(CXDataError, match="observation_end must be a date"):
        customer_summary(tx, observation_end="not a date")


def test_time_zone_aware_dates_use_the_local_day():
    # 23:30 in Berlin on 1 Jan is 22:30 UTC: the local day is 1 Jan; 00:30 on 2 Jan is a new day.
    stamps = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30"]).tz_localize("Europe/Berlin")
    tx = pd.DataFrame({"customer_id": [1, 1], "date": stamps, "amount": [1.0, 2.0]})
    for frame in (tx, pl.from_pandas(tx)):
        s = customer_summary(frame)
        assert s.loc[1, "n_occasions"] == 2 and s.loc[1, "recency"] == 1.0


def test_polars_input_is_never_collected_whole(monkeypatch):
    # 1,000 purchase records of 10 customers: every frame polars hands back must be small (the
    # check counts, at most five example rows, or one row per customer), also when a rule fails.
    rng = np.random.default_rng(0)
    tx = pl.DataFrame(
        {
            "customer_id": rng.integers(1, 11, 1000),
            "date": pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 12, 31), eager=True)
            .sample(1000, with_replacement=True, seed=0)
            .cast(pl.Datetime("us")),
            "amount": rng.uniform(1, 100, 1000),
        }
    )
    heights = []
    original = pl.LazyFrame.collect

    def recording(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        heights.append(result.height)
        return result

    monkeypatch.setattr(pl.LazyFrame, "collect", recording)
    assert len(customer_summary(tx.lazy())) == 10
    negative = pl.when(pl.col("amount") < 50).then(-1.0).otherwise("amount")
    bad = tx.with_columns(negative.alias("amount"))
    with pytest.raises(CXDataError, match="must not be negative"):
        customer_summary(bad.lazy())
    assert heights and max(heights) <= 10


def test_summary_records_its_time_unit_and_can_ignore_later_purchases():
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 1],
                       "date": ["2024-01-01", "2024-01-15", "2024-01-03", "2024-02-20"],
                       "amount": [10.0, 5.0, 7.5, 3.0]})  # fmt: skip
    weekly = customer_summary(tx, observation_end="2024-01-31", time_unit="weeks",
                              later_purchases="ignore")  # fmt: skip
    assert weekly.attrs["time_unit"] == "weeks"
    assert weekly.loc[1, "n_occasions"] == 2 and weekly.loc[1, "recency"] == 2.0  # 14 days
    assert customer_summary(tx).attrs["time_unit"] == "days"
    with pytest.raises(CXDataError, match="not lie after observation_end"):
        customer_summary(tx, observation_end="2024-01-31")  # the default: an error
    with pytest.raises(CXDataError, match="'later_purchases' parameter of customer_summary"):
        customer_summary(tx, later_purchases="drop")


def test_pooled_summary_matches_aggregate_customers_in_every_engine(cdnow):
    kwargs = {**_CDNOW_SPLIT, "time_unit": "weeks"}
    summary = customer_summary(cdnow, **kwargs)
    expected = aggregate_customers(summary)
    assert len(expected) == 8685 and expected["n_customers"].sum() == 23570
    for frame in (cdnow, pl.from_pandas(cdnow).lazy(), duckdb.from_df(cdnow)):
        got = pooled_summary(frame, **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert got.attrs["time_unit"] == "weeks"
    # a column of two keys left out: T alone pools customers of different frequencies
    expected_t = aggregate_customers(summary, columns=("T",))
    pd.testing.assert_frame_equal(pooled_summary(cdnow, columns=["T"], **kwargs), expected_t)
    # holdout columns pool too (first purchase by calibration end, as in the summary)
    columns = ("frequency", "holdout_frequency")
    expected_h = aggregate_customers(summary, columns=columns)
    got_h = pooled_summary(duckdb.from_df(cdnow), columns=list(columns), **kwargs)
    pd.testing.assert_frame_equal(got_h, expected_h, check_exact=True)
    # a per-customer table in another engine is pooled there
    lazy = pl.from_pandas(summary[["frequency", "recency", "T"]]).lazy()
    pd.testing.assert_frame_equal(aggregate_customers(lazy), expected, check_exact=True)


def test_pooled_summary_rejects_unknown_columns_before_reading_data():
    tx = pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(CXDataError, match="columns must name distinct columns"):
        pooled_summary(tx, columns=["holdout_frequency"])  # no calibration_end: no holdout
    with pytest.raises(CXDataError, match="columns must name distinct columns"):
        pooled_summary(tx, columns=["frequency", "frequency"])
    with pytest.raises(CXDataError, match="must not be one of the pooled columns"):
        pooled_summary(tx, columns=["T"], weight="T")
    # the count may share a name with an engine column (n_occasions is one for frequency)
    got = pooled_summary(tx, columns=["frequency"], weight="n_occasions")
    assert got.to_dict("list") == {"frequency": [0], "n_occasions": [1]}
