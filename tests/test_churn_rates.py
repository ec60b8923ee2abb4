"""cxlib.churn.rates: churn rates per period, hand-computed cases, weights, bad input."""

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlib import CXDataError
from cxlib.churn import annualize, churn_rate, churn_rates
from cxlib.estimate import ESTIMATE_COLUMNS, Estimate


@pytest.fixture
def customers():
    return pd.DataFrame(
        {
            "start": pd.to_datetime(
                [
                    "2023-06-01",
                    "2023-07-01",
                    "2024-01-10",
                    "2023-01-01",
                    "2023-11-30",
                    "2023-05-05",
                    "2024-01-01",
                ]
            ),
            # lost in Jan; active; acquired AND lost in Jan (excluded); lost before Jan;
            # lost on Jan 1
            # (counts in Jan); lost on Feb 1 (counts in Feb); acquired on Jan 1 (acquired in Jan)
            "end": pd.to_datetime(
                ["2024-01-15", None, "2024-01-20", "2023-12-01", "2024-01-01", "2024-02-01", None]
            ),
        }
    )


def test_churn_rate_hand_cases(customers):
    before = customers.copy()
    est = churn_rate(
        customers["start"], customers["end"], period_start="2024-01-01", period_end="2024-02-01"
    )
    # active on Jan 1: rows 0, 1, 4, 5 -> 4; lost in [Jan 1, Feb 1): rows 0 and 4 -> 50 %
    assert (est.n, est.estimate, est.unit) == (4, 50.0, "pct")
    low, high = proportion_confint(2, 4, method="wilson")
    assert (est.ci_low, est.ci_high) == pytest.approx((100 * low, 100 * high))
    feb = churn_rate(
        customers["start"], customers["end"], period_start="2024-02-01", period_end="2024-03-01"
    )
    # active on Feb 1: rows 1, 5 and 6 (joined Jan 1, before Feb 1); lost in Feb: row 5 (ends Feb 1)
    assert (feb.n, feb.estimate) == (3, pytest.approx(100 / 3))
    pd.testing.assert_frame_equal(customers, before)


def test_churn_rate_weighted_and_text_dates(customers):
    w = [1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    est = churn_rate(
        customers["start"],
        customers["end"],
        period_start="2024-01-01",
        period_end="2024-02-01",
        weights=w,
    )
    assert est.estimate == pytest.approx(
        100 * 2 / 6
    )  # lost weight 2 of active weight 1 + 3 + 1 + 1
    text = churn_rate(
        ["2023-01-01", "2023-01-01"],
        ["2023-03-10", None],
        period_start="2023-03-01",
        period_end="2023-04-01",
    )
    assert text.estimate == 50.0


def test_churn_rates_table_matches_churn_rate_per_period(customers):
    table = churn_rates(
        customers["start"], customers["end"], period_start="2023-12-01", period_end="2024-03-01"
    )
    assert list(table.columns) == ["period_start", "period_end", *ESTIMATE_COLUMNS, "lost"]
    assert table["n"].tolist() == [5, 4, 3] and table["lost"].tolist() == [1, 2, 1]
    for _, row in table.iterrows():
        one = churn_rate(
            customers["start"],
            customers["end"],
            period_start=row["period_start"],
            period_end=row["period_end"],
        )
        assert row["estimate"] == pytest.approx(one.estimate) and row["ci_low"] == pytest.approx(
            one.ci_low
        )
    default = churn_rates(customers["start"], customers["end"])
    assert default["period_start"].iloc[0] == pd.Timestamp(
        "2023-02-01"
    )  # first boundary after earliest start
    assert default["period_end"].iloc[-1] == pd.Timestamp(
        "2024-02-01"
    )  # last boundary on or before last date


def test_churn_bad_input():
    with pytest.raises(CXDataError, match="end >= start"):
        churn_rate(
            ["2024-01-05"], ["2024-01-01"], period_start="2024-01-01", period_end="2024-02-01"
        )
    with pytest.raises(CXDataError, match="'start' must not be missing"):
        churn_rate(
            [None, "2024-01-01"], [None, None], period_start="2024-01-01", period_end="2024-02-01"
        )
    with pytest.raises(CXDataError, match="parsed"):
        churn_rate(["soon"], [None], period_start="2024-01-01", period_end="2024-02-01")
    with pytest.raises(CXDataError, match="before period_end"):
        churn_rate(["2023-01-01"], [None], period_start="2024-02-01", period_end="2024-01-01")
    with pytest.raises(CXDataError, match="one value per customer"):
        churn_rate(["2023-01-01"], [None, None], period_start="2024-01-01", period_end="2024-02-01")
    with pytest.raises(CXDataError, match="freq"):
        churn_rates(["2023-01-01"], [None], freq="fortnightly")


def test_annualize_hand_computed():
    assert annualize(2.0) == pytest.approx(100 * (1 - 0.98**12))  # 21.53 %, not 24 %
    assert annualize(5.0, periods=4) == pytest.approx(100 * (1 - 0.95**4))
    series = pd.Series([1.0, 2.0], index=["Jan", "Feb"])
    out = annualize(series)
    assert list(out.index) == ["Jan", "Feb"] and out["Jan"] == pytest.approx(100 * (1 - 0.99**12))
    est = Estimate(2.0, 1.5, 2.6, 1000, 1000.0, 0.95, "wilson")
    annual = annualize(est)
    assert annual.ci_low == pytest.approx(100 * (1 - 0.985**12)) and annual.n == 1000
    with pytest.raises(CXDataError, match="percent points"):
        annualize(120.0)
    with pytest.raises(CXDataError, match="periods"):
        annualize(2.0, periods=0)
