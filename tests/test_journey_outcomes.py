"""cxlib.journey.outcomes: time to first purchase (with censoring) and touchpoint scores.

Every expected value below is counted by hand from the log of ``make_log``.
"""

import numpy as np
import pandas as pd
import pytest

# the hand-built log of the path tests (two customers, deliberately unsorted), shared rather than
# written out twice; pytest puts tests/ on sys.path
from test_journey_paths import make_log

from cxlib import CXDataError
from cxlib.journey import time_to_first_purchase, touchpoint_scores


def test_time_to_first_purchase_with_censoring():
    log = make_log()
    before = log.copy()
    table = time_to_first_purchase(log, observation_end="2024-03-03")
    pd.testing.assert_frame_equal(log, before)  # the input is not modified
    assert table.index.tolist() == [1, 2]
    assert table["purchased"].tolist() == [True, True]
    # customer 1: 10:00 -> 10:50 = 50 min; customer 2: 03-01 09:00 -> 03-02 09:05 = 1 day 5 min
    np.testing.assert_allclose(table["days_to_purchase"], [50 / 1440, 1 + 5 / 1440])
    assert table["n_interactions_before"].tolist() == [2, 2]
    no_buy = make_log().assign(stage="Information")
    censored = time_to_first_purchase(no_buy, observation_end="2024-03-03")
    assert not censored["purchased"].any() and censored["days_to_purchase"].isna().all()
    # censored at observation end: customer 1 first seen 03-01 10:00 -> 03-03 00:00 = 1 day 14 h
    np.testing.assert_allclose(censored["duration_days"], [1 + 14 / 24, 1 + 15 / 24])
    assert censored["n_interactions_before"].tolist() == [4, 3]


def test_time_to_first_purchase_from_origin():
    # clock starts at signup; customer 3 has no interactions (censored), customer 2's first
    # purchase (03-02 09:05) is 1 day 9 h 5 min after signup on 03-01 00:00
    origin = pd.Series(
        pd.to_datetime(["2024-03-01 10:10", "2024-03-01 00:00", "2024-03-02 00:00"]),
        index=[1, 2, 3],
    )
    table = time_to_first_purchase(make_log(), origin=origin, observation_end="2024-03-03")
    assert table.index.tolist() == [1, 2, 3]
    assert table["purchased"].tolist() == [True, True, False]
    np.testing.assert_allclose(table["days_to_purchase"].iloc[:2], [40 / 1440, 1 + 545 / 1440])
    assert table["duration_days"].iloc[2] == 1.0
    assert table["n_interactions_before"].tolist() == [1, 2, 0]  # 10:20 Website; 2 of cust. 2
    with pytest.raises(CXDataError, match="'origin' must not be missing"):
        time_to_first_purchase(make_log(), origin=origin.where(origin.index != 2))


def test_touchpoint_scores_are_metrics_by_touchpoint():
    # CSAT = share of top-2-box answers (4 or 5 of 5) in percent points; the missing answer at
    # the App is non-response, excluded and counted (cxlib.metrics.by_group)
    surveys = pd.DataFrame(
        {
            "touchpoint": ["Website", "Website", "Website", "Website", "App", "App", "App"],
            "csat": [5, 4, 2, 1, 5, 4, np.nan],
        }
    )
    scores = touchpoint_scores(surveys, min_n=1).set_index("touchpoint")
    assert scores.loc["Website", "estimate"] == pytest.approx(50.0)
    assert scores.loc["App", "estimate"] == pytest.approx(100.0)
    with pytest.raises(CXDataError, match="'touchpoint' must be one of"):
        touchpoint_scores(surveys, touchpoints=["Website"])
