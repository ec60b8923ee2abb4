"""cxlib.customers on PySpark (local mode): the same results and errors as pandas, computed lazily.

One SparkSession serves the whole test session (starting one takes seconds); the module is
skipped, with the reason in pytest's summary, where pyspark or a Java runtime (17+) is missing
(``python -m cxlib.customers.spark`` says which). Equality is checked against the pandas path on
the CDNOW master file: counts, dates and durations bit for bit; sums of money to 1e-12 relative
(engines add in different orders), and the scores on them exactly, ties included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib.clv import aggregate_customers
from cxlib.customers import (
    SUMMARY_COLUMNS,
    customer_summary,
    pooled_summary,
    rfm_scores,
    rfm_table,
)
from cxlib.customers.spark import local_session, spark_status
from cxlib.data import load_cdnow
from cxlib.validate import CXDataError

STATUS = spark_status()
if not STATUS.available:
    pytest.skip(f"Spark tests skipped: {STATUS.reason}", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings(
    # PySpark 4.3 warns on every pandas conversion that it does not fully support pandas 3 yet;
    # cxlib moves data through Arrow, and the equality tests below are the check that matters.
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

MONEY = ["total_spend", "mean_spend", "monetary_value", "holdout_spend"]
CDNOW_SPLIT = {"calibration_end": "1997-09-30", "observation_end": "1998-06-30"}


@pytest.fixture(scope="session")
def spark():
    # two threads and four shuffle partitions: a few tasks per step on a two-core machine; the
    # JVM's quick compiler only, which halves the start and first queries of a short run
    quick = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"}
    session = local_session(cores=2, shuffle_partitions=4, time_zone="UTC", config=quick)
    # Spark's first queries load and compile its classes (seconds): part of starting the session
    warm = pd.DataFrame(
        {"customer_id": [1, 1], "date": ["2024-01-01", "2024-01-03"], "amount": 1.0}
    )
    customer_summary(session.createDataFrame(warm), calibration_end="2024-01-02")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    return load_cdnow()[["customer_id", "date", "amount"]]


@pytest.fixture(scope="session")
def cdnow_spark(spark, cdnow):
    # rows shuffled (seeded), so that each customer's purchases lie in both partitions and the
    # sums run in another order than pandas'
    return spark.createDataFrame(cdnow.sample(frac=1.0, random_state=0))


@pytest.fixture
def rows_to_driver(monkeypatch, cdnow_spark):
    """Sizes of all results Spark hands to Python (narwhals collects through toArrow)."""
    sizes: list[int] = []
    cls = type(cdnow_spark)  # pyspark.sql.classic.dataframe.DataFrame in PySpark 4
    to_arrow, collect = cls.toArrow, cls.collect

    def arrow_spy(self, *args, **kwargs):
        table = to_arrow(self, *args, **kwargs)
        sizes.append(table.num_rows)
        return table

    def collect_spy(self, *args, **kwargs):
        rows = collect(self, *args, **kwargs)
        sizes.append(len(rows))
        return rows

    monkeypatch.setattr(cls, "toArrow", arrow_spy)
    monkeypatch.setattr(cls, "collect", collect_spy)
    return sizes


def assert_same_summary(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every column and the index: exact, except sums of money (to 1e-12 relative)."""
    exact = [c for c in expected.columns if c not in MONEY]
    pd.testing.assert_frame_equal(got[exact], expected[exact], check_exact=True)
    money = [c for c in expected.columns if c in MONEY]
    pd.testing.assert_frame_equal(got[money], expected[money], rtol=1e-12, atol=0.0)
    assert got.attrs == expected.attrs


def test_cdnow_summary_with_holdout_matches_pandas(cdnow, cdnow_spark, rows_to_driver):
    expected = customer_summary(cdnow, **CDNOW_SPLIT, time_unit="weeks")
    got = customer_summary(cdnow_spark, **CDNOW_SPLIT, time_unit="weeks")
    # lazily: the check counts and the 23,570 customer rows came back, never the 69,659 records
    assert rows_to_driver and max(rows_to_driver) == 23570
    assert len(got) == 23570 and list(got.columns) == SUMMARY_COLUMNS + [
        "holdout_frequency",
        "holdout_spend",
    ]
    assert_same_summary(got, expected)
    # the calibration/holdout split itself, hand-checkable: every purchase is in one period
    spend = cdnow["amount"].sum()
    assert got["total_spend"].sum() + got["holdout_spend"].sum() == pytest.approx(spend)


def test_cdnow_rfm_scores_match_pandas_including_near_ties(cdnow, cdnow_spark):
    expected_table = rfm_table(cdnow, reference_date="1997-12-31")
    got_table = rfm_table(cdnow_spark, reference_date="1997-12-31")
    assert_same_summary(got_table, expected_table)
    # Customers with the same total spend, summed in another order, differ in the last digit
    # (e.g. 52.87 and 52.870000000000005); their scores must not.
    spend = expected_table["total_spend"]
    near = spend.round(6).duplicated(keep=False) & ~spend.duplicated(keep=False)
    assert near.sum() > 0
    expected, got = rfm_scores(expected_table), rfm_scores(got_table)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert expected.loc[near].groupby(spend[near].round(6))["M"].nunique().max() == 1
    # a per-customer table that stays in Spark is scored alike (only its rows come back)
    in_spark = cdnow_spark.sparkSession.createDataFrame(got_table.reset_index())
    pd.testing.assert_frame_equal(rfm_scores(in_spark), expected, check_exact=True)


def test_clv_inputs_pooled_in_spark_match_pandas(spark, cdnow, cdnow_spark, rows_to_driver):
    summary = customer_summary(cdnow, **CDNOW_SPLIT, time_unit="weeks")
    expected = aggregate_customers(summary)
    got = pooled_summary(cdnow_spark, **CDNOW_SPLIT, time_unit="weeks")
    # only the pooled rows came back: fewer than the customers
    assert rows_to_driver and max(rows_to_driver) == len(got) < 23570
    assert got.attrs["time_unit"] == "weeks" and got["n_customers"].sum() == 23570
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # aggregate_customers pools a per-customer table held in Spark in Spark
    per_customer = spark.createDataFrame(summary[["frequency", "recency", "T"]])
    pd.testing.assert_frame_equal(aggregate_customers(per_customer), expected, check_exact=True)
    # pooling on holdout columns too (the inputs of a holdout check)
    columns = ["frequency", "recency", "T", "holdout_frequency"]
    expected = aggregate_customers(summary, columns=tuple(columns))
    got = pooled_summary(cdnow_spark, columns=columns, **CDNOW_SPLIT, time_unit="weeks")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ({"customer_id": [1.0, np.nan, 2.0, 2.0]}, {}),  # a null id
        ({"amount": [1.0, -2.0, 3.0, -4.0]}, {}),  # negative amounts
        ({"amount": [1.0, np.nan, 3.0, 4.0]}, {}),  # a null amount
        ({}, {"observation_end": "2024-01-02"}),  # purchases after the end
        ({"date": ["2024-01-01", "2024-02-31", "2024-01-03", "2024-01-04"]}, {}),  # no such day
    ],
)
def test_bad_input_gives_the_same_message_as_pandas(spark, change, kwargs):
    tx = pd.DataFrame(
        {
            "customer_id": [1.0, 1.0, 2.0, 2.0],
            "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    ).assign(**change)
    if "date" not in change:
        tx["date"] = pd.to_datetime(tx["date"])
    with pytest.raises(CXDataError) as expected:
        customer_summary(tx, **kwargs)
    with pytest.raises(CXDataError) as got:
        customer_summary(spark.createDataFrame(tx), **kwargs)
    assert str(got.value) == str(expected.value)
    assert "Examples:" in str(got.value)


def test_date_strings_dates_and_string_ids_match_pandas(spark):
    tx = pd.DataFrame(
        {
            "cid": ["b", "a", "a", "a"],
            "day": ["2024-03-02", "2024-03-01", "2024-03-01", "2024-03-15"],
            "eur": [1.0, 2.0, 0.5, 3.0],
        }
    )
    kwargs = {"customer_id": "cid", "date": "day", "amount": "eur", "time_unit": "weeks"}
    expected = customer_summary(tx, **kwargs)
    assert expected.loc["a", "recency"] == 2.0 and expected.loc["a", "monetary_value"] == 3.0
    as_strings = spark.createDataFrame(tx)
    as_dates = as_strings.withColumn("day", as_strings["day"].cast("date"))
    for frame in (as_strings, as_dates):
        got = customer_summary(frame, **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_index_type=False)
