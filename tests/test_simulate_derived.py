"""cxlib.simulate.derived: the 1-5 recommendation item derived from the 0-10 NPS answer."""

import numpy as np
import pandas as pd
import pytest

from cxlib.simulate import NPS_TO_WRS, cx_panel, wrs_from_nps
from cxlib.survey import nps, wrs
from cxlib.validate import CXDataError


def test_mapping_is_the_nearest_point_at_the_same_relative_position():
    # hand-computed: 1 + 4x/10 = 1.0, 1.4, 1.8, 2.2, 2.6, 3.0, 3.4, 3.8, 4.2, 4.6, 5.0
    assert [NPS_TO_WRS[x] for x in range(11)] == [1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    for x in range(11):
        position = 1 + 4 * x / 10
        assert abs(NPS_TO_WRS[x] - position) < 0.5  # nearest, never a tie


def test_top_two_boxes_are_the_non_detractors_and_the_top_box_the_promoters():
    rng = np.random.default_rng(1)
    answers = pd.Series(rng.integers(0, 11, 500).astype(float))
    answers[rng.random(500) < 0.2] = np.nan
    derived = wrs_from_nps(answers)
    detractors = 100 * (answers.dropna() <= 6).mean()
    promoters = 100 * (answers.dropna() >= 9).mean()
    assert wrs(derived).estimate == pytest.approx(100 - detractors)
    assert wrs(derived, top_box=1).estimate == pytest.approx(promoters)
    # the NPS is the promoter share minus the share who would not recommend
    assert nps(answers).estimate == pytest.approx(promoters - (100 - wrs(derived).estimate))


def test_missing_answers_stay_missing_and_the_index_is_kept():
    answers = pd.Series([10.0, np.nan, 4.0], index=[7, 3, 5], name="likelihood")
    before = answers.copy()
    derived = wrs_from_nps(answers, name="would_recommend")
    assert derived.name == "would_recommend"
    assert derived.index.tolist() == [7, 3, 5]
    assert derived.iloc[0] == 5 and np.isnan(derived.iloc[1]) and derived.iloc[2] == 3
    pd.testing.assert_series_equal(answers, before)  # input not modified
    nullable = pd.Series([9, None, 2], dtype="Int64")
    assert wrs_from_nps(nullable).tolist()[::2] == [5.0, 2.0]


@pytest.mark.parametrize("bad", [[3, 11], [3, -1], [3, 6.5], ["a", 4]])
def test_answers_outside_the_0_10_scale_raise_naming_the_rows(bad):
    with pytest.raises(CXDataError, match="nps"):
        wrs_from_nps(bad)


def test_deriving_the_item_leaves_the_panel_unchanged():
    panel = cx_panel(300, seed=3)
    before = panel.surveys.copy()
    wrs_from_nps(panel.surveys["nps"])
    pd.testing.assert_frame_equal(panel.surveys, before)
    again = cx_panel(300, seed=3)
    pd.testing.assert_frame_equal(panel.surveys, again.surveys)
