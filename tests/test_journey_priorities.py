"""cxlib.journey.priorities: churns attributable to bad experiences, with intervals.

Expected values are worked out by hand (written out beside each assertion) or are the closed form
of a saturated model.
"""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.journey import excess_churns, moments_of_truth


def moments_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "touchpoint": ["Hotline", "App", "Website"],
            "n_events": [40, 10, 30],
            "hazard_ratio": [2.0, 1.25, 0.8],
            "hr_ci_low": [1.6, 0.5, 0.6],
            "hr_ci_high": [2.5, 2.0, 1.0],
            "level": 0.95,
        },
        index=[4, 5, 6],
    )


def test_excess_churns_hand_computed():
    table = moments_table()
    before = table.copy()
    result = excess_churns(table)
    # 40 (1 - 1/2) = 20 [40 (1 - 1/1.6) = 15, 40 (1 - 1/2.5) = 24]; 10 (1 - 1/1.25) = 2
    # [10 (1 - 2) = -10, 10 (1 - 1/2) = 5]; 30 (1 - 1/0.8) = -7.5 [30 (1 - 1/0.6) = -20, 0]
    np.testing.assert_allclose(result["estimate"], [20.0, 2.0, -7.5])
    np.testing.assert_allclose(result["ci_low"], [15.0, -10.0, -20.0])
    np.testing.assert_allclose(result["ci_high"], [24.0, 5.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(result["attributable_fraction"], [0.5, 0.2, -0.25])
    assert result.index.tolist() == [4, 5, 6]
    assert (result["unit"] == "churns").all() and (result["level"] == 0.95).all()
    pd.testing.assert_frame_equal(table, before)


def test_excess_churns_takes_a_fit_and_matches_its_saturated_hazard_ratio():
    # saturated model: 4 churns in 20 months after a bad experience, 4 in 80 without
    periods = pd.DataFrame(
        {
            "churned": [1] * 4 + [0] * 16 + [1] * 4 + [0] * 76,
            "bad_App": [1] * 20 + [0] * 80,
            "at_risk_share": 1.0,
        }
    )
    fit = moments_of_truth(periods, exposure="none", covariates=())
    result = excess_churns(fit)
    hr = np.exp(np.log(-np.log(0.8)) - np.log(-np.log(0.95)))  # cloglog(4/20) - cloglog(4/80)
    assert result["estimate"].item() == pytest.approx(4 * (1 - 1 / hr))
    assert result["ci_low"].item() < result["estimate"].item() < result["ci_high"].item()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_events": [-1, 10, 30]}, "n_events"),
        ({"hr_ci_low": [2.1, 0.5, 0.6]}, "ordered"),
        ({"hr_ci_low": [0.0, 0.5, 0.6]}, "positive"),
        ({"hazard_ratio": [np.nan, 1.25, 0.8]}, "hazard_ratio"),
    ],
)
def test_excess_churns_rejects_bad_tables(change, message):
    table = moments_table().assign(**change)
    with pytest.raises(CXDataError, match=message):
        excess_churns(table)
    with pytest.raises(CXDataError, match="MomentsOfTruth"):
        excess_churns([1, 2, 3])
