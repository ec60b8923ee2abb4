"""cxlib.experiment.analysis: sample ratio check, effects against statsmodels/scipy, coverage."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxlib.experiment import effect, effects, sample_ratio_check
from cxlib.intervals import share_ci
from cxlib.survey import compare
from cxlib.validate import CXDataError

Z95 = stats.norm.isf(0.025)


# ------------------------------------------------------------------------ sample ratio mismatch
def test_sample_ratio_check_equals_scipy_chisquare():
    groups = np.array(["A"] * 480 + ["B"] * 520)
    result = sample_ratio_check(groups)
    ref = stats.chisquare([480, 520])
    assert result.statistic == pytest.approx(ref.statistic)
    assert result.p_value == pytest.approx(ref.pvalue)
    assert not result.mismatch and result.df == 1
    assert result.table["observed"].tolist() == [480, 520]


def test_sample_ratio_check_with_unequal_intended_shares_and_three_groups():
    groups = ["control"] * 5000 + ["call"] * 2600 + ["mail"] * 2400
    expected = {"control": 0.5, "call": 0.25, "mail": 0.25}
    result = sample_ratio_check(groups, expected=expected)
    ref = stats.chisquare([2600, 5000, 2400], f_exp=[2500, 5000, 2500])  # sorted: call, control
    assert result.statistic == pytest.approx(ref.statistic) and result.df == 2
    assert result.p_value == pytest.approx(ref.pvalue)
    assert result.mismatch == (ref.pvalue < 0.001)
    # a group that should exist but never occurs counts zero and is a mismatch
    missing = sample_ratio_check(["control"] * 100, expected={"control": 0.5, "call": 0.5})
    assert missing.table.loc["call", "observed"] == 0 and missing.mismatch


def test_sample_ratio_check_flags_a_real_mismatch_and_says_so():
    result = sample_ratio_check([True] * 10_400 + [False] * 9_600, expected={True: 0.5, False: 0.5})
    assert result.mismatch and result.p_value < 1e-6
    assert "MISMATCH" in repr(result)


@pytest.mark.parametrize(
    ("groups", "kwargs", "match"),
    [
        ([True, None, False], {}, "missing"),
        (["a", "b"], {"expected": {"a": 0.6, "b": 0.6}}, "sum to 1"),
        (["a", "c"], {"expected": {"a": 0.5, "b": 0.5}}, "does not name"),
        (["a", "a"], {}, "two groups"),
        (["a", "b"], {"threshold": 2}, "threshold"),
    ],
)
def test_sample_ratio_check_bad_input(groups, kwargs, match):
    with pytest.raises(CXDataError, match=match):
        sample_ratio_check(groups, **kwargs)


# -------------------------------------------------------------------------------------- effects
@pytest.fixture()
def trial():
    rng = np.random.default_rng(5)
    n = 1200
    treated = rng.random(n) < 0.5
    return pd.DataFrame(
        {
            "treated": treated,
            "churned": rng.random(n) < np.where(treated, 0.13, 0.17),
            "revenue": rng.gamma(1.2, 450.0, n) * np.where(treated, 1.05, 1.0),
            "nps": np.where(rng.random(n) < 0.3, rng.integers(0, 11, n), np.nan),
            "customer_id": np.arange(n) // 2,
        }
    )


def test_share_effect_equals_statsmodels_newcombe_and_the_pooled_z_test(trial):
    res = effect(trial, outcome="churned", metric="share")
    t = trial["treated"].to_numpy()
    k1, n1 = int(trial.loc[t, "churned"].sum()), int(t.sum())
    k0, n0 = int(trial.loc[~t, "churned"].sum()), int((~t).sum())
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    assert (res.ci_low, res.ci_high) == pytest.approx((100 * low, 100 * high), rel=1e-9)
    assert res.estimate == pytest.approx(100 * (k1 / n1 - k0 / n0))
    pooled = (k0 + k1) / (n0 + n1)
    z = (k1 / n1 - k0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert res.a.estimate == pytest.approx(100 * k0 / n0)  # a = control
    assert res.b.estimate == pytest.approx(100 * k1 / n1) and res.method == "newcombe"


def test_mean_effect_equals_scipy_and_statsmodels_welch(trial):
    res = effect(trial, outcome="revenue", metric="mean", unit="EUR")
    t = trial["treated"].to_numpy()
    a, b = trial.loc[~t, "revenue"], trial.loc[t, "revenue"]
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    low, high = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(usevar="unequal")
    assert (res.ci_low, res.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert res.unit == "EUR" and res.method == "welch"
    assert (res.a.ci_low, res.a.ci_high) == pytest.approx(DescrStatsW(a).tconfint_mean())


def test_survey_metrics_go_through_compare_with_clusters_and_missing_answers(trial):
    t = trial["treated"]
    res = effect(trial, outcome="nps", metric="nps")
    ref = compare(trial.loc[~t, "nps"], trial.loc[t, "nps"], metric="nps")
    assert (res.estimate, res.ci_low, res.ci_high, res.p_value) == (
        ref.estimate,
        ref.ci_low,
        ref.ci_high,
        ref.p_value,
    )
    assert res.n_missing == int(trial["nps"].isna().sum())
    clustered = effect(trial, outcome="nps", metric="nps", cluster="customer_id")
    assert clustered.n_clusters is not None and clustered.deff != 1.0


def test_effects_table_has_one_row_per_outcome(trial):
    table = effects(
        trial,
        {"churned": "share", "revenue": "mean", "nps": "nps"},
        units={"revenue": "EUR"},
    )
    assert table.index.tolist() == ["churned", "revenue", "nps"]
    assert table.loc["revenue", "unit"] == "EUR" and table.loc["churned", "unit"] == "pct"
    single = effect(trial, outcome="churned", metric="share")
    assert table.loc["churned", "estimate"] == single.estimate
    assert table.loc["churned", "control"] == single.a.estimate
    assert table.loc["nps", "n_missing"] == trial["nps"].isna().sum()
    assert (table["n_control"] + table["n_treatment"]).loc["churned"] == len(trial)


def test_effect_counts_missing_outcomes_and_does_not_modify_the_frame(trial):
    data = trial.assign(revenue=trial["revenue"].where(np.arange(len(trial)) % 7 != 0))
    before = data.copy()
    res = effect(data, outcome="revenue", metric="mean")
    assert res.n_missing == int(data["revenue"].isna().sum())
    assert res.n == len(data) - res.n_missing
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (lambda d: d.assign(treated=True), {}, "both groups"),
        (lambda d: d.assign(treated=d["treated"].astype(object).where(d.index > 3)), {}, "missing"),
        (lambda d: d.assign(treated=2), {}, "treated"),
        (lambda d: d.assign(churned=d["churned"] * 2), {}, "0/1"),
        (lambda d: d, {"metric": "ratio"}, "'metric' parameter"),
        (lambda d: d, {"metric": "nps", "outcome": "nps", "unit": "EUR"}, "unit"),
        (lambda d: d, {"scale": (0, 1)}, "survey options"),
        (lambda d: d.drop(columns="churned"), {}, "missing the required"),
    ],
)
def test_effect_bad_input_raises_cxdataerror(trial, change, kwargs, match):
    args = {"outcome": "churned", "metric": "share", **kwargs}
    with pytest.raises(CXDataError, match=match):
        effect(change(trial), **args)


# --------------------------------------------------------------------------- coverage (5 % ok)
# The interval methods are vectorised here over many simulated tests, after checking on single
# data sets that effect() computes exactly the same intervals.
def _newcombe(k0, n0, k1, n1):
    (l0, h0), (l1, h1) = share_ci(k0, n0), share_ci(k1, n1)
    p0, p1 = 100 * k0 / n0, 100 * k1 / n1
    d = p1 - p0
    return d - np.sqrt((p1 - l1) ** 2 + (h0 - p0) ** 2), d + np.sqrt(
        (h1 - p1) ** 2 + (p0 - l0) ** 2
    )


def _nps_adjusted_wald(counts0, n0, counts1, n1):
    centre, var = [], []
    for (p, d), n in (
        ((counts0[..., 0], counts0[..., 1]), n0),
        ((counts1[..., 0], counts1[..., 1]), n1),
    ):
        m = n + 3.0
        pa, da = (p + 0.75) / m, (d + 0.75) / m
        centre.append(pa - da)
        var.append((pa + da - (pa - da) ** 2) / m)
    diff, se = centre[1] - centre[0], np.sqrt(var[0] + var[1])
    return 100 * np.maximum(diff - Z95 * se, -2), 100 * np.minimum(diff + Z95 * se, 2)


def _welch(a, b):
    va, vb = a.var(axis=-1, ddof=1) / a.shape[-1], b.var(axis=-1, ddof=1) / b.shape[-1]
    df = (va + vb) ** 2 / (va**2 / (a.shape[-1] - 1) + vb**2 / (b.shape[-1] - 1))
    d = b.mean(axis=-1) - a.mean(axis=-1)
    q = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    return d - q, d + q


def test_vectorised_reference_intervals_equal_effect_on_single_data_sets():
    rng = np.random.default_rng(8)
    for _ in range(5):
        n0, n1 = rng.integers(80, 400, 2)
        y0, y1 = rng.random(n0) < 0.2, rng.random(n1) < 0.25
        frame = pd.DataFrame({"treated": np.r_[np.zeros(n0, bool), np.ones(n1, bool)],
                              "y": np.r_[y0, y1]})  # fmt: skip
        res = effect(frame, outcome="y", metric="share")
        assert (res.ci_low, res.ci_high) == pytest.approx(_newcombe(y0.sum(), n0, y1.sum(), n1))
        s0, s1 = rng.choice([3, 8, 10], size=n0), rng.choice([3, 8, 10], size=n1)
        frame["nps"] = np.r_[s0, s1]
        res = effect(frame, outcome="nps", metric="nps")
        counts = [np.array([(s >= 9).sum(), (s <= 6).sum()]) for s in (s0, s1)]
        assert (res.ci_low, res.ci_high) == pytest.approx(
            _nps_adjusted_wald(counts[0], n0, counts[1], n1)
        )
        r0, r1 = rng.gamma(1.0, 300, n0), rng.gamma(1.0, 330, n1)
        frame["rev"] = np.r_[r0, r1]
        res = effect(frame, outcome="rev", metric="mean")
        assert (res.ci_low, res.ci_high) == pytest.approx(_welch(r0, r1))


def test_share_effect_intervals_cover_the_true_difference():
    rng = np.random.default_rng(21)
    reps, n0, n1 = 20_000, 900, 600  # unequal groups, churn 16 % against 14 %
    k0, k1 = rng.binomial(n0, 0.16, reps), rng.binomial(n1, 0.14, reps)
    low, high = _newcombe(k0, n0, k1, n1)
    coverage = np.mean((low <= -2.0) & (-2.0 <= high))
    assert 0.935 <= coverage <= 0.965, coverage


def test_nps_effect_intervals_cover_the_true_difference():
    rng = np.random.default_rng(22)
    reps, n0, n1 = 20_000, 400, 400
    c0 = rng.multinomial(n0, [0.40, 0.25, 0.35], reps)[:, [0, 1]]  # promoters, detractors
    c1 = rng.multinomial(n1, [0.46, 0.22, 0.32], reps)[:, [0, 1]]
    low, high = _nps_adjusted_wald(c0, n0, c1, n1)
    true = 100 * ((0.46 - 0.22) - (0.40 - 0.25))
    coverage = np.mean((low <= true) & (true <= high))
    assert 0.935 <= coverage <= 0.965, coverage


def test_revenue_effect_intervals_cover_the_true_difference_despite_skew():
    # revenue per customer: many zeros and a long tail (gamma-gamma-like), 1,000 per group
    rng = np.random.default_rng(23)
    reps, n = 2000, 1000

    def revenue(mean_spend, size):
        buys = rng.poisson(rng.gamma(0.8, 4.0, size))
        return np.where(buys > 0, rng.gamma(np.maximum(buys, 1) * 3.0, mean_spend / 3.0), 0.0)

    a, b = revenue(60.0, (reps, n)), revenue(63.0, (reps, n))
    true = 0.8 * 4.0 * (63.0 - 60.0)  # E[buys] x difference in mean spend
    low, high = _welch(a, b)
    coverage = np.mean((low <= true) & (true <= high))
    assert 0.935 <= coverage <= 0.965, coverage
