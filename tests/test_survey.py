"""cxlib.survey: hand-computed values, statsmodels/scipy identities, bad input, no mutation."""

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

import cxlib.survey.comparison as survey_comparison
import cxlib.survey.metrics as survey_metrics
from cxlib import CXDataError
from cxlib.estimate import ESTIMATE_COLUMNS, Estimate
from cxlib.survey import (
    SCALES,
    Comparison,
    by_group,
    ces,
    compare,
    csat,
    nps,
    nps_ci,
    sample_size,
    share_ci,
    wrs,
)

Z95 = 1.959963984540054  # standard normal 97.5 % quantile
CSAT10 = [5, 4, 4, 3, 1, 5, 2, 4, 5, 4]  # 7 of 10 in the top two boxes (4, 5)
NPS10 = [10, 9, 9, 10, 9, 8, 7, 6, 3, 8]  # 5 promoters, 3 passives, 2 detractors


def test_docstring_examples_run():
    attempted = 0
    for module in (survey_metrics, survey_comparison):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
        attempted += result.attempted
    assert attempted >= 8


# --------------------------------------------------------------------------- csat / wrs
def test_csat_hand_computed_wilson():
    # p = 0.7, n = 10: centre (0.7 + z^2/20) / (1 + z^2/10),
    # half width z sqrt(0.021 + z^2/400) / (1 + z^2/10)
    est = csat(CSAT10)
    assert isinstance(est, Estimate) and est.unit == "pct" and est.method == "wilson"
    assert est.estimate == pytest.approx(70.0)
    assert est.ci_low == pytest.approx(39.6778, abs=1e-4)
    assert est.ci_high == pytest.approx(89.2209, abs=1e-4)
    assert (est.n, est.n_eff, est.n_missing, est.level) == (10, 10.0, 0, 0.95)


@pytest.mark.parametrize("count, n", [(0, 7), (1, 30), (17, 30), (30, 30), (412, 1000), (3, 4)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_csat_unweighted_equals_statsmodels_wilson(count, n, level):
    scores = np.r_[np.full(count, 5), np.full(n - count, 2)]
    est = csat(scores, level=level)
    low, high = proportion_confint(count, n, alpha=1 - level, method="wilson")
    assert est.ci_low == pytest.approx(100 * low, abs=1e-10)
    assert est.ci_high == pytest.approx(100 * high, abs=1e-10)
    assert est.estimate == pytest.approx(100 * count / n)


def test_wilson_ends_are_exact_at_zero_and_all():
    n = np.arange(1, 3000)
    low, high = share_ci(np.zeros_like(n), n)
    assert (low == 0).all() and (high > 0).all()
    low, high = share_ci(n, n)
    assert (high == 100).all() and (low < 100).all()


def test_csat_wald_option_equals_statsmodels_normal_inside_bounds():
    est = csat(CSAT10, method="wald")
    low, high = proportion_confint(7, 10, method="normal")
    assert (est.ci_low, est.ci_high) == pytest.approx((100 * low, 100 * high))
    assert csat([5] * 10, method="wald").ci_high == 100.0  # clipped, not above 100


def test_csat_top_box_and_scale():
    scores = [7, 6, 5, 7, 1, 2, 7, 4]
    assert csat(scores, scale=(1, 7), top_box=1).estimate == pytest.approx(300 / 8)  # three 7s
    assert csat(scores, scale=(1, 7), top_box=3).estimate == pytest.approx(500 / 8)  # 5, 6, 7
    # on a 1-5 scale a 6 or 7 is out of range, not "very satisfied"
    with pytest.raises(CXDataError, match=r"lie in \[1, 5\]"):
        csat(scores)


def test_csat_missing_answers_are_non_response_not_zero():
    scores = pd.Series([5, 4, np.nan, 2, None, 5], dtype="float64")
    est = csat(scores)
    assert (est.n, est.n_missing) == (4, 2)
    assert est.estimate == pytest.approx(75.0)  # 3 of 4 answers, not 3 of 6
    nullable = pd.Series([5, 4, pd.NA, 2], dtype="Int64")
    assert csat(nullable).n_missing == 1


def test_csat_weighted_share_and_linearised_n_eff():
    # top box: 5 (w=2) and 4 (w=1) of total weight 4 -> 75 %. The answer of weight 0 is out of
    # the sample. u = w (y - .75) / 4 = (.125, -.1875, .0625); var = 3/2 sum u^2 = 0.08203125;
    # s^2 = sum w (y - .75)^2 / 4 * 3/2 = 0.28125; n_eff = s^2 / var = 24/7; deff = 3 / n_eff
    est = csat([5, 1, 4, 2], weights=[2, 1, 1, 0])
    assert est.estimate == pytest.approx(75.0)
    assert est.n == 4 and est.n_eff == pytest.approx(24 / 7) and est.deff == pytest.approx(7 / 8)
    low, high = proportion_confint(0.75 * 24 / 7, 24 / 7, method="wilson")
    assert (est.ci_low, est.ci_high) == pytest.approx((100 * low, 100 * high))
    # equal weights change nothing
    assert csat(CSAT10, weights=np.full(10, 3.0)) == csat(CSAT10)


def test_weights_series_aligned_by_index():
    scores = pd.Series([5, 1, 4], index=["a", "b", "c"])
    weights = pd.Series([1.0, 2.0, 1.0], index=["b", "a", "c"])  # a has weight 2
    assert csat(scores, weights=weights).estimate == pytest.approx(75.0)
    with pytest.raises(CXDataError, match="aligned"):
        csat(scores, weights=pd.Series([1.0, 1.0, 1.0], index=["a", "b", "z"]))


def test_wrs_is_the_top_box_share_of_the_recommend_question():
    assert wrs([5, 5, 4, 2, 3]).estimate == pytest.approx(60.0)
    assert wrs(CSAT10) == csat(CSAT10)


# --------------------------------------------------------------------------- ces
def test_ces_hand_computed_t_interval():
    # mean 6, s = sqrt(2/3) = 0.8165, t(0.975, 3) = 3.182446 -> half width 1.29923
    est = ces([7, 6, 5, 6])
    assert (est.estimate, est.unit, est.method) == (6.0, "points", "t")
    assert est.ci_low == pytest.approx(4.70077, abs=1e-5)
    assert est.ci_high == pytest.approx(7.29923, abs=1e-5)
    sample = [3, 5, 7, 6, 6, 2, 5, 4, 7, 7, 1]
    ci = stats.ttest_1samp(sample, 0).confidence_interval(0.9)
    est = ces(sample, level=0.9)
    assert (est.ci_low, est.ci_high) == pytest.approx((ci.low, ci.high))


def test_ces_weighted_mean_with_linearisation_variance():
    # mean (1 + 4 + 2*7) / 4 = 4.75; u = w (x - 4.75) / 4 = (-.9375, -.1875, 1.125);
    # var = 3/2 sum u^2 = 3.26953125; t with n - 1 = 2 degrees of freedom
    est = ces([1, 4, 7], weights=[1, 1, 2])
    assert est.estimate == pytest.approx(4.75)
    half = stats.t.ppf(0.975, 2) * np.sqrt(3.26953125)
    assert (est.ci_low, est.ci_high) == pytest.approx((4.75 - half, 4.75 + half))


def test_ces_single_answer_has_no_interval_and_scale_is_checked():
    est = ces([5])
    assert est.estimate == 5.0 and np.isnan(est.ci_low) and np.isnan(est.ci_high)
    assert ces([1, 2, 3, 4, 5], scale=(1, 5)).estimate == 3.0
    with pytest.raises(CXDataError, match=r"lie in \[1, 7\]"):
        ces([1, 8])
    assert ces([2.5, 3.5]).estimate == 3.0  # averages of several items are allowed


# --------------------------------------------------------------------------- nps
def test_nps_hand_computed_adjusted_wald():
    # n' = 13, p' = 5.75/13, d' = 2.75/13: 100 (p' - d') +- z 100 sqrt((p' + d' - (p' - d')^2) / 13)
    est = nps(NPS10)
    assert est.estimate == pytest.approx(30.0)  # 100 (5 - 2) / 10, passives in the denominator
    assert est.ci_low == pytest.approx(-19.0506, abs=1e-4)
    assert est.ci_high == pytest.approx(65.2045, abs=1e-4)
    assert est.method == "adjusted-wald" and est.unit == "pct"


def test_nps_hand_computed_wald():
    # p = .5, d = .2: 30 +- z 100 sqrt((0.7 - 0.09) / 10)
    est = nps(NPS10, method="wald")
    assert (est.ci_low, est.ci_high) == pytest.approx((-18.4075, 78.4075), abs=1e-4)


def test_nps_passives_stay_in_denominator_and_intervals_are_clipped():
    assert nps([9, 7]).estimate == 50.0  # not 100: dropping passives is a common mistake
    assert nps([0, 10, 8, 8]).estimate == 0.0
    allpromo = nps([10] * 5)
    assert allpromo.estimate == 100.0 and allpromo.ci_high == 100.0
    assert allpromo.ci_low == pytest.approx(100 * (0.625 - Z95 * np.sqrt((0.8125 - 0.625**2) / 8)))
    assert nps([0] * 5, method="wald").ci_low == -100.0


def test_nps_weighted_and_vectorised_kernel_agree():
    # p = .75, d = .25 (the answer of weight 0 is out); y = (1, -1), u = w (y - .5) / 4 =
    # (.375, -.375); var = 2 sum u^2 = .5625; s^2 = (3 * .25 + 2.25) / 4 * 2 = 1.5; n_eff = 8/3
    est = nps([10, 0, 8], weights=[3, 1, 0])
    assert est.estimate == pytest.approx(50.0) and est.n_eff == pytest.approx(8 / 3)
    low, high = nps_ci(0.75 * 8 / 3, 0.25 * 8 / 3, 8 / 3)
    assert (est.ci_low, est.ci_high) == pytest.approx((float(low), float(high)))
    low, high = nps_ci([5, 5], [2, 2], [10, 10], method="wald")
    assert low == pytest.approx([-18.4075] * 2, abs=1e-4)


def test_unknown_method_is_rejected_with_the_valid_names():
    with pytest.raises(
        CXDataError,
        match=r"The 'method' parameter of nps must be one of \{'adjusted-wald', 'wald'\}\. "
        r"Got 'wilsn' instead\.",
    ):
        nps(NPS10, method="wilsn")
    with pytest.raises(CXDataError, match=r"csat must be one of \{'wald', 'wilson'\}"):
        csat(CSAT10, method="exact")
    with pytest.raises(CXDataError, match=r"'metric' parameter of by_group"):
        by_group(pd.DataFrame({"s": [1]}), metric="mean", score="s", by="s")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: csat([5, 6]), r"lie in \[1, 5\]"),
        (lambda: csat([5, 0]), r"lie in \[1, 5\]"),
        (lambda: csat([4.5, 5]), "whole numbers"),
        (lambda: nps([11, 9]), r"lie in \[0, 10\]"),
        (lambda: nps([-1, 9]), r"lie in \[0, 10\]"),
        (lambda: nps([7.5, 9]), "whole numbers"),
        (lambda: nps(["ten", 9]), "hold numbers"),
        (lambda: nps([True, False]), "hold numbers"),
        (lambda: ces([0, 3]), r"lie in \[1, 7\]"),
        (lambda: csat([5, 4], weights=[1, -1]), "not be negative"),
        (lambda: csat([5, 4], weights=[0, 0]), "all be zero"),
        (lambda: csat([5, 4], weights=[1, np.nan]), "finite"),
        (lambda: csat([5, 4, 3], weights=[1, 1]), "one value per observation"),
        (lambda: csat([5, np.nan], weights=[0, 1]), "all zero"),
        (lambda: csat([np.nan, np.nan]), "all 2 answers are missing"),
        (lambda: csat(pd.DataFrame({"a": [5]})), "not a DataFrame"),
        (lambda: csat([5], scale=(5, 1)), "low < high"),
        (lambda: csat([5], top_box=0), "top_box"),
        (lambda: csat([5], top_box=5), "top_box"),
        (lambda: csat([5], top_box=2.0), "top_box"),
        (lambda: csat([5], level=95), "level"),
        (lambda: nps([5], level=1.0), "level"),
    ],
)
def test_bad_input_raises_cxdataerror(call, pattern):
    with pytest.raises(CXDataError, match=pattern):
        call()


def test_error_names_column_and_rows():
    scores = pd.Series([10, 9, 12, 3], name="nps_answer")
    with pytest.raises(
        CXDataError, match=r"Column 'nps_answer' must lie in \[0, 10\]: 1 of 4 rows"
    ) as info:
        nps(scores)
    assert "12" in str(info.value)


# --------------------------------------------------------------------------- by_group
@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "touchpoint": pd.Categorical(
                ["App"] * 4 + ["Filiale"] * 3 + ["Website"] * 3,
                categories=["Website", "App", "Filiale", "Rechnung"],
            ),
            "month": ["2024-01", "2024-02"] * 5,
            "csat": [5, 4, 2, np.nan, 5, 5, 1, 3, 4, np.nan],
            "nps": [10, 9, 6, 8, 10, 0, 7, 9, 9, np.nan],
            "w": [1.0, 2.0, 1.0, 1.0, 0.5, 0.5, 1.0, 2.0, 2.0, 1.0],
        }
    )


def test_by_group_rows_equal_the_single_metric(survey):
    before = survey.copy()
    table = by_group(survey, metric="csat", score="csat", by="touchpoint", min_n=3)
    assert list(table.columns) == [
        "touchpoint",
        *ESTIMATE_COLUMNS,
        "n_missing",
        "deff",
        "n_clusters",
        "below_min_n",
    ]
    assert list(table["touchpoint"]) == ["Website", "App", "Filiale"]  # observed, in category order
    assert table["estimate"].tolist() == pytest.approx([50.0, 200 / 3, 200 / 3])
    assert table["n"].tolist() == [2, 3, 3] and table["n_missing"].tolist() == [1, 1, 0]
    assert table["below_min_n"].tolist() == [True, False, False]
    for _, row in table.iterrows():
        one = csat(survey.loc[survey["touchpoint"] == row["touchpoint"], "csat"])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((one.ci_low, one.ci_high))
    pd.testing.assert_frame_equal(survey, before)


def test_by_group_weighted_nps_and_two_keys(survey):
    table = by_group(
        survey, metric="nps", score="nps", by=["touchpoint", "month"], weights="w", min_n=1
    )
    assert len(table) == 6
    app_feb = table[(table["touchpoint"] == "App") & (table["month"] == "2024-02")].iloc[0]
    one = nps([9, 8], weights=[2.0, 1.0])  # App in February: 9 (w=2) and 8 (w=1)
    assert app_feb["estimate"] == pytest.approx(one.estimate) == pytest.approx(200 / 3)
    # y = (1, 0), u = w (y - 2/3) / 3 = (2/9, -2/9): var = 16/81, s^2 = 4/9, n_eff = 9/4
    assert app_feb["n_eff"] == pytest.approx(one.n_eff) == pytest.approx(9 / 4)
    assert app_feb["ci_low"] == pytest.approx(one.ci_low)


def test_by_group_ces_and_a_group_without_answers():
    frame = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "ces": [7, 6, 5, np.nan, np.nan]})
    table = by_group(frame, metric="ces", score="ces", by="g")
    assert table.loc[0, "estimate"] == 6.0 and table.loc[0, "unit"] == "points"
    assert table.loc[0, "ci_high"] == pytest.approx(ces([7, 6, 5]).ci_high)
    assert (
        table.loc[1, "n"] == 0
        and np.isnan(table.loc[1, "estimate"])
        and table.loc[1, "below_min_n"]
    )


def test_by_group_missing_group_value_is_its_own_row_and_bad_columns_are_named():
    frame = pd.DataFrame({"seg": ["A", None, "A"], "csat": [5, 4, 1]})
    table = by_group(frame, metric="csat", score="csat", by="seg")
    assert len(table) == 2 and table["seg"].isna().sum() == 1
    with pytest.raises(CXDataError, match=r"missing the required column\(s\) \['region'\]"):
        by_group(frame, metric="csat", score="csat", by="region")
    with pytest.raises(CXDataError, match="min_n"):
        by_group(frame, metric="csat", score="csat", by="seg", min_n=0)


# --------------------------------------------------------------------------- compare
def test_compare_shares_equals_statsmodels_newcombe_and_ztest():
    a = [5] * 30 + [2] * 20  # 60 %
    b = [4] * 52 + [1] * 18  # 74.3 %
    result = compare(a, b, metric="csat")
    assert isinstance(result, Comparison) and isinstance(result, Estimate)
    assert result.estimate == pytest.approx(100 * (52 / 70 - 30 / 50))
    low, high = confint_proportions_2indep(52, 70, 30, 50, method="newcomb", compare="diff")
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    _, p_value = proportions_ztest([52, 30], [70, 50])
    assert result.p_value == pytest.approx(p_value)
    assert result.n == 120 and result.a.estimate == pytest.approx(60.0)
    frame = result.to_frame()
    assert list(frame.columns[: len(ESTIMATE_COLUMNS)]) == ESTIMATE_COLUMNS
    assert frame.loc[0, "p_value"] == pytest.approx(p_value)


def test_compare_means_equals_scipy_welch():
    a = [3, 4, 5, 5, 6, 2, 4]
    b = [5, 6, 7, 6, 7, 5, 6, 7, 4]
    result = compare(a, b, metric="ces")
    test = stats.ttest_ind(b, a, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert result.estimate == pytest.approx(np.mean(b) - np.mean(a))
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high))
    assert result.p_value == pytest.approx(test.pvalue)


def test_compare_nps_hand_computed():
    # a: NPS10 (p=.5, d=.2); b: 6 promoters, 2 passives, 2 detractors of 10 (p=.6, d=.2)
    b = [10] * 6 + [8] * 2 + [3] * 2
    result = compare(NPS10, b, metric="nps")
    assert result.estimate == pytest.approx(10.0)
    pa, da = 5.75 / 13, 2.75 / 13
    pb, db = 6.75 / 13, 2.75 / 13
    var = (pa + da - (pa - da) ** 2) / 13 + (pb + db - (pb - db) ** 2) / 13
    delta = (pb - db) - (pa - da)
    assert result.ci_low == pytest.approx(100 * (delta - Z95 * np.sqrt(var)))
    assert result.ci_high == pytest.approx(100 * (delta + Z95 * np.sqrt(var)))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(delta / np.sqrt(var)))
    same = compare(NPS10, NPS10, metric="nps")
    assert same.estimate == 0.0 and same.p_value == pytest.approx(1.0)
    with pytest.raises(
        CXDataError, match=r"'method' parameter of compare must be one of \{'newcombe'\}"
    ):
        compare(NPS10, b, metric="wrs", method="wald", scale=(0, 10))


def test_compare_weighted_and_missing():
    a = pd.Series([5, 4, np.nan, 1])
    b = pd.Series([5, 5, 5, 1])
    result = compare(a, b, metric="csat", weights_b=[1, 1, 1, 3])
    assert result.b.estimate == pytest.approx(50.0) and result.a.estimate == pytest.approx(200 / 3)
    assert result.n_missing == 1 and result.b.n_eff == pytest.approx(36 / 12)
    with pytest.raises(CXDataError, match="group 'a'"):
        compare([np.nan], [5], metric="csat")


# --------------------------------------------------------------------------- sample size
def test_sample_size_hand_computed():
    assert sample_size("csat", margin=5) == 385  # 1.96^2 * 50 * 50 / 25 = 384.1 -> 385
    assert sample_size("wrs", margin=3, expected=80) == 683  # z^2 * 80 * 20 / 9 = 682.9
    assert sample_size("nps", margin=5) == 1537  # z^2 * 10000 / 25 = 1536.6
    # 45 % promoters, 20 % detractors: variance 0.65 - 0.0625 = 0.5875 -> z^2 5875 / 25 = 902.7
    assert sample_size("nps", margin=5, expected=(45, 20)) == 903
    assert sample_size("csat", margin=5, level=0.99) == 664  # 2.5758^2 * 2500 / 25 = 663.5


def test_sample_size_ces_uses_the_t_quantile():
    n = sample_size("ces", margin=0.2, expected=1.5)
    assert stats.t.ppf(0.975, n - 1) * 1.5 / np.sqrt(n) <= 0.2
    assert stats.t.ppf(0.975, n - 2) * 1.5 / np.sqrt(n - 1) > 0.2
    assert n == 219  # z-only would give 217
    assert sample_size("ces", margin=0.5) == sample_size("ces", margin=0.5, expected=3.0)
    for bad in (dict(margin=0), dict(margin=-1), dict(margin=5, expected=120)):
        with pytest.raises(CXDataError):
            sample_size("csat", **bad)
    with pytest.raises(CXDataError, match="promoters_pct"):
        sample_size("nps", margin=5, expected=(70, 40))
    with pytest.raises(CXDataError, match="'metric' parameter of sample_size"):
        sample_size("churn", margin=5)


def test_inputs_are_not_modified():
    scores = pd.Series([5, np.nan, 3, 4], index=[10, 11, 12, 13])
    weights = pd.Series([1.0, 2.0, 3.0, 4.0], index=[10, 11, 12, 13])
    keep_s, keep_w = scores.copy(), weights.copy()
    array = np.array([9.0, 10.0, np.nan, 3.0])
    keep_a = array.copy()
    csat(scores, weights=weights)
    ces(scores, weights=weights)
    nps(array)
    compare(scores, scores, metric="csat", weights_a=weights)
    pd.testing.assert_series_equal(scores, keep_s)
    pd.testing.assert_series_equal(weights, keep_w)
    np.testing.assert_array_equal(array, keep_a)


def test_scales_are_defined_once_and_are_the_defaults():
    # CSAT and WRS 1-5, CES 2.0 1-7, NPS 0-10: the metrics' defaults come from SCALES
    assert SCALES == {"csat": (1, 5), "wrs": (1, 5), "ces": (1, 7), "nps": (0, 10)}
    assert csat([5, 4]).estimate == csat([5, 4], scale=SCALES["csat"]).estimate
    with pytest.raises(CXDataError, match=r"lie in \[1, 7\]"):
        ces([8])
