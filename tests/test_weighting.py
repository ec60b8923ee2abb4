"""cxlib.weighting: raking checked by hand, Kish's effective n, errors, no mutation."""

import doctest

import numpy as np
import pandas as pd
import pytest

import cxlib.weighting as weighting
from cxlib import CXDataError
from cxlib.weighting import effective_n, rake


def test_docstring_examples_run():
    result = doctest.testmod(weighting)
    assert result.attempted >= 2 and result.failed == 0


def test_effective_n_hand_computed():
    assert effective_n([1, 1, 2, 2]) == pytest.approx(36 / 10)  # (sum w)^2 / sum w^2
    assert effective_n(np.full(50, 0.3)) == pytest.approx(50.0)  # equal weights: n
    assert effective_n(pd.Series([4.0, 0.0, 0.0])) == pytest.approx(1.0)
    for bad, pattern in (([1, -1], "negative"), ([0, 0], "all be zero"), ([1, np.inf], "finite")):
        with pytest.raises(CXDataError, match=pattern):
            effective_n(bad)


def _table(cells):
    """Respondents from {(sex, age): count}."""
    rows = [(s, a) for (s, a), k in cells.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=["sex", "age"])


def test_rake_independent_margins_converge_in_one_sweep_to_products():
    # Sample 25 per cell (margins 50/50 each). Targets: M .4 / F .6, young .3 / old .7.
    # Sweep 1, sex: M x 0.8, F x 1.2; then age (weighted young share still .5):
    # young x .6, old x 1.4.
    frame = _table({("M", "y"): 25, ("F", "y"): 25, ("M", "o"): 25, ("F", "o"): 25})
    w = rake(frame, {"sex": {"M": 0.4, "F": 0.6}, "age": {"y": 0.3, "o": 0.7}})
    expected = {("M", "y"): 0.48, ("F", "y"): 0.72, ("M", "o"): 1.12, ("F", "o"): 1.68}
    for (sex, age), value in expected.items():
        cell = w[(frame["sex"] == sex) & (frame["age"] == age)]
        assert cell.to_numpy() == pytest.approx(value)


def test_rake_keeps_the_sample_odds_ratio_hand_solved_2x2():
    # Sample counts M-young 30, M-old 20, F-young 10, F-old 40: odds ratio 30*40/(20*10) = 6.
    # IPF keeps it (Bishop, Fienberg & Holland 1975, 3.5). Targets M .4, young .5: raked table
    # a, .4-a, .5-a, .1+a with a(.1+a) / ((.4-a)(.5-a)) = 6  ->  5a^2 - 5.5a + 1.2 = 0  ->  a = .3.
    # Raked shares .3/.1/.2/.4 over sample shares .3/.2/.1/.4: weights 1, 0.5, 2, 1.
    frame = _table({("M", "y"): 30, ("M", "o"): 20, ("F", "y"): 10, ("F", "o"): 40})
    w = rake(
        frame, {"sex": {"M": 0.4, "F": 0.6}, "age": {"y": 0.5, "o": 0.5}}, tol=1e-12, max_iter=500
    )
    expected = {("M", "y"): 1.0, ("M", "o"): 0.5, ("F", "y"): 2.0, ("F", "o"): 1.0}
    for (sex, age), value in expected.items():
        cell = w[(frame["sex"] == sex) & (frame["age"] == age)]
        assert cell.to_numpy() == pytest.approx(value, abs=1e-9)


def test_rake_matches_margins_keeps_index_and_input():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "segment": pd.Categorical(
                rng.choice(["Privatkunde", "Geschäftskunde", "Premium"], 500, p=[0.5, 0.3, 0.2])
            ),
            "region": rng.choice(["Nord", "Süd", "Ost", "West"], 500),
        },
        index=pd.RangeIndex(1000, 1500, name="survey_id"),
    )
    before = frame.copy()
    targets = {
        "segment": pd.Series({"Privatkunde": 0.7, "Geschäftskunde": 0.2, "Premium": 0.1}),
        "region": {"Nord": 0.25, "Süd": 0.3, "Ost": 0.2, "West": 0.25},
    }
    w = rake(frame, targets)
    assert w.index.equals(frame.index) and w.name == "weight"
    assert w.mean() == pytest.approx(1.0) and (w > 0).all()
    for column, shares in targets.items():
        achieved = w.groupby(frame[column], observed=True).sum() / w.sum()
        for level, share in dict(shares).items():
            assert achieved[level] == pytest.approx(share, abs=1e-8)
    assert effective_n(w) < len(frame)  # weighting costs precision
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    "targets, pattern",
    [
        ({"sex": {"M": 40, "F": 60}}, "must sum to 1"),
        ({"sex": {"M": 0.5, "F": 0.4}}, "must sum to 1"),
        ({"sex": {"M": 1.0}}, r"levels without a target share: \['F'\]"),
        ({"sex": {"M": 0.4, "F": 0.4, "D": 0.2}}, r"absent from the sample: \['D'\]"),
        ({"sex": {"M": 1.0, "F": 0.0}}, "share 0 to levels present"),
        ({"sex": {"M": 1.2, "F": -0.2}}, ">= 0"),
        ({"sex": [0.5, 0.5]}, "dict or Series"),
        ({"gender": {"M": 0.5, "F": 0.5}}, r"missing the required column\(s\) \['gender'\]"),
        ({}, "non-empty"),
    ],
)
def test_rake_target_errors(targets, pattern):
    frame = _table({("M", "y"): 3, ("F", "o"): 2})
    with pytest.raises(CXDataError, match=pattern):
        rake(frame, targets)


def test_rake_missing_values_and_no_convergence():
    frame = pd.DataFrame({"sex": ["M", None, "F"]})
    with pytest.raises(CXDataError, match="'sex' must not be missing"):
        rake(frame, {"sex": {"M": 0.5, "F": 0.5}})
    # Only M-young and F-old respondents: sex and age are the same split, so M .4 and young .6
    # contradict each other; raking oscillates and never meets both.
    frame = _table({("M", "y"): 5, ("F", "o"): 5})
    with pytest.raises(CXDataError, match="did not converge in 50 sweeps"):
        rake(frame, {"sex": {"M": 0.4, "F": 0.6}, "age": {"y": 0.6, "o": 0.4}}, max_iter=50)
    with pytest.raises(CXDataError, match="max_iter"):
        rake(frame, {"sex": {"M": 0.5, "F": 0.5}}, max_iter=0)
