"""cxlib.customers.rfm: tie rule, recency direction, segment maps, bad input, no mutation."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import polars as pl
import pytest

from cxlib.customers import (
    DEFAULT_SEGMENT_MAP,
    RFM_COLUMNS,
    rfm_scores,
    rfm_table,
    segment,
    segment_outcomes,
    tie_aware_bins,
    validate_segment_map,
)
from cxlib.validate import CXDataError


def test_bins_without_ties_are_equal():
    # 10 distinct values into 5 bins: 2 each; 103 into 5: sizes differ by at most one.
    assert tie_aware_bins(np.arange(10) * 1.5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    sizes = np.bincount(tie_aware_bins(np.arange(103)))[1:]
    assert sizes.sum() == 103 and sizes.max() - sizes.min() == 1


def test_a_large_tie_fills_one_bin_and_the_rest_is_shared_evenly():
    # 60 one-time buyers and 40 distinct higher values, worked by hand: the 60 tied values
    # cannot be split, so they are bin 1 (not bins 1-3 with two empty bins) and the 40 others
    # fill bins 2-5 with 10 each.
    values = np.r_[np.ones(60), np.arange(2, 42)]
    scores = tie_aware_bins(values)
    assert np.bincount(scores)[1:].tolist() == [60, 10, 10, 10, 10]
    assert (scores[:60] == 1).all()


def test_equal_values_always_get_equal_scores_and_order_is_kept():
    rng = np.random.default_rng(1)
    values = rng.poisson(2.0, 5000).astype(float)  # heavy ties
    scores = tie_aware_bins(values)
    frame = pd.DataFrame({"v": values, "s": scores})
    assert (frame.groupby("v")["s"].nunique() == 1).all()
    per_value = frame.groupby("v")["s"].first()
    assert per_value.is_monotonic_increasing
    # Shuffling the input permutes the scores with it: no arbitrary tie breaking by position.
    order = rng.permutation(len(values))
    assert (tie_aware_bins(values[order]) == scores[order]).all()


def test_fewer_distinct_values_than_bins():
    assert tie_aware_bins([3, 1, 3, 2]).tolist() == [3, 1, 3, 2]


def test_recent_buyers_score_r5_and_code_reads_rfm():
    table = pd.DataFrame(
        {
            "days_since_last": [1.0, 400.0, 50.0, 200.0, 100.0],
            "n_occasions": [10, 1, 3, 2, 5],
            "total_spend": [500.0, 5.0, 30.0, 20.0, 80.5],
        },
        index=pd.Index(["a", "b", "c", "d", "e"], name="customer_id"),
    )
    scores = rfm_scores(table)
    assert scores.loc["a", "R"] == 5 and scores.loc["b", "R"] == 1  # 1 day ago is best
    assert scores["R"].tolist() == [5, 1, 4, 2, 3]
    assert scores["F"].tolist() == [5, 1, 3, 2, 4]
    assert scores.loc["a", "rfm"] == "555" and scores.loc["b", "rfm"] == "111"
    assert scores.loc["c", "rfm"] == "433"
    assert list(scores.index) == list(table.index)


def test_rfm_table_hand_computed_and_ignores_later_purchases():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-10", "2024-01-05", "2024-02-01"]
            ),
            "amount": [10.0, 5.25, 20.0, 7.5, 99.0],
        }
    )
    table = rfm_table(tx, reference_date="2024-01-20")
    assert list(table.columns) == RFM_COLUMNS and list(table.index) == [1, 2]
    assert table.loc[1].tolist() == [10.0, 2, 35.25]  # amounts kept in cents, not truncated
    assert table.loc[2].tolist() == [15.0, 1, 7.5]
    pd.testing.assert_frame_equal(rfm_table(pl.from_pandas(tx), reference_date="2024-01-20"), table)


def test_default_map_is_a_partition_and_every_segment_is_reachable():
    validate_segment_map(DEFAULT_SEGMENT_MAP)
    grid = pd.DataFrame(list(product(range(1, 6), repeat=2)), columns=["R", "F"])
    names = segment(grid)
    assert set(names) == set(DEFAULT_SEGMENT_MAP)
    assert names.cat.categories.tolist() == list(DEFAULT_SEGMENT_MAP)
    expect = {
        (5, 5): "Champions",
        (5, 1): "New",
        (1, 1): "Lost",
        (1, 5): "Can't lose them",
        (3, 3): "Need attention",
        (4, 1): "Promising",
        (2, 4): "At risk",
    }
    for (r, f), name in expect.items():
        assert names[(grid["R"] == r) & (grid["F"] == f)].item() == name


def test_overlap_is_named_by_cell_and_segments():
    bad = dict(DEFAULT_SEGMENT_MAP, Loyal={"R": (3, 5), "F": (4, 5)})
    with pytest.raises(CXDataError, match="claimed by several segments") as err:
        validate_segment_map(bad)
    assert "[R=5, F=4 (Champions, Loyal)]" in str(err.value)
    assert "[R=5, F=5 (Champions, Loyal)]" in str(err.value)


def test_gap_and_unreachable_segment_are_named():
    gap = {k: v for k, v in DEFAULT_SEGMENT_MAP.items() if k != "Lost"}
    with pytest.raises(
        CXDataError, match=r"2 cells belong to no segment: \[R=1, F=1\]; \[R=1, F=2\]"
    ):
        validate_segment_map(gap)
    hidden = dict(DEFAULT_SEGMENT_MAP, Ghost={"R": (9, 9)})
    with pytest.raises(CXDataError, match="segments that match no cell: Ghost"):
        validate_segment_map(hidden)


def test_maps_with_monetary_score_are_checked_on_the_three_way_grid():
    rfm_map = {
        "High M": {"M": (4, 5)},
        "Low M": {"M": (1, 2)},
        "Recent": {"R": (5, 5), "M": (3, 3)},
    }
    with pytest.raises(CXDataError, match=r"belong to no segment: \[R=1, M=3\]"):
        validate_segment_map(rfm_map)


def test_bad_input():
    table = pd.DataFrame(
        {"days_since_last": [1.0, np.nan], "n_occasions": [1, 2], "total_spend": [1.0, 2.0]}
    )
    with pytest.raises(CXDataError, match="'days_since_last' must not be missing"):
        rfm_scores(table)
    with pytest.raises(CXDataError, match="missing the required column"):
        rfm_scores(table.drop(columns="total_spend"))
    with pytest.raises(CXDataError, match="bins must be a whole number from 2 to 9"):
        rfm_scores(table.fillna(1.0), bins=10)
    with pytest.raises(CXDataError, match="'R' must hold whole scores from 1 to 5"):
        segment(pd.DataFrame({"R": [1, 6], "F": [1, 1]}))
    with pytest.raises(CXDataError, match="without missing entries"):
        tie_aware_bins([1.0, np.nan, 2.0])
    with pytest.raises(CXDataError, match="unknown score"):
        validate_segment_map({"x": {"Q": (1, 5)}})
    with pytest.raises(CXDataError, match="reference_date must be a date"):
        rfm_table(
            pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]}),
            reference_date=None,
        )


def test_inputs_are_not_modified():
    table = pd.DataFrame(
        {"days_since_last": [3.0, 1.0], "n_occasions": [1, 2], "total_spend": [1.0, 2.0]}
    )
    before = table.copy()
    scores = rfm_scores(table)
    pd.testing.assert_frame_equal(table, before)
    scores_before = scores.copy()
    segment(scores)
    pd.testing.assert_frame_equal(scores, scores_before)


def test_segment_outcomes_hand_computed():
    segments = pd.Series(
        pd.Categorical(["A", "A", "A", "B", "B"], categories=["B", "A"]),
        index=pd.Index([1, 2, 3, 4, 5], name="customer_id"),
    )
    summary = pd.DataFrame(
        {"holdout_frequency": [2, 0, 1, 0, 0], "holdout_spend": [30.0, 0.0, 12.0, 0.0, 0.0]},
        index=pd.Index([1, 2, 3, 4, 5], name="customer_id"),
    ).iloc[::-1]  # reversed row order: aligned by customer id, not by position
    out = segment_outcomes(segments, summary, min_n=3)
    assert out["segment"].tolist() == ["B", "A", "B", "A"]  # category order
    share_a = out[(out["segment"] == "A") & (out["metric"] == "repeat_buyers_pct")].iloc[0]
    assert share_a["estimate"] == pytest.approx(200 / 3) and share_a["n"] == 3
    # Wilson (1927) interval for 2 of 3 at 95 %: statsmodels proportion_confint(2, 3,
    # method="wilson") = (0.2077, 0.9385).
    assert share_a["ci_low"] == pytest.approx(20.77, abs=0.01)
    assert share_a["ci_high"] == pytest.approx(93.85, abs=0.01)
    spend_a = out[(out["segment"] == "A") & (out["metric"] == "spend_per_customer")].iloc[0]
    # Spends 30, 0, 12: mean 14, sd = sqrt(((16)^2 + 14^2 + 2^2) / 2) = sqrt(228).
    half = 1.959964 * np.sqrt(228) / np.sqrt(3)
    assert spend_a["estimate"] == pytest.approx(14.0)
    assert spend_a["ci_high"] == pytest.approx(14.0 + half, rel=1e-6)
    assert spend_a["ci_low"] == 0.0  # 14 - half < 0: clipped, spend cannot be negative
    assert not spend_a["below_min_n"]
    b = out[out["segment"] == "B"]
    assert (b["estimate"] == 0).all() and b["below_min_n"].all()
    with pytest.raises(CXDataError, match="no row for 1 customers"):
        segment_outcomes(segments, summary.drop(index=5))


def test_sums_that_differ_only_by_rounding_are_ties():
    # The float sums of one set of amounts in two orders, worked by hand: (0.1 + 0.2) + 0.3 is
    # 0.6000000000000001, (0.3 + 0.2) + 0.1 is 0.6; both customers spent 0.60 and tie.
    a, b = (0.1 + 0.2) + 0.3, (0.3 + 0.2) + 0.1
    assert a != b
    assert tie_aware_bins([a, b, 0.2, 0.9], bins=3).tolist() == [2, 2, 1, 3]
    # exact equality only: four distinct values in three bins split the two (the bug it fixes)
    assert tie_aware_bins([a, b, 0.2, 0.9], bins=3, rtol=0).tolist() == [3, 2, 1, 3]
    # a real difference of one cent on a million stays a difference
    assert tie_aware_bins([1e6, 1e6 + 0.01], bins=2).tolist() == [1, 2]
    with pytest.raises(CXDataError, match="rtol must be a number of at least 0"):
        tie_aware_bins([1.0, 2.0], rtol=-1e-9)
