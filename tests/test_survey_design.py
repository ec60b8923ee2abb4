"""Survey design: repeat respondents (clusters), paired waves, raked weights, bootstrap, na_values.

Independent references: statsmodels' cluster-robust covariance of an intercept-only regression
(OLS, or WLS with the survey weights) is the linearisation variance of a mean or share with the
same small-sample factor ``C / (C - 1)`` as R's ``survey`` (``svydesign(ids = ~customer)``,
``svymean``); scipy's paired t test; Newcombe's paired interval written out from the 2x2 table;
and coverage simulations against known true values.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from cxlib.survey import by_group, ces, compare, csat, mean_score, nps, sample_size, wrs
from cxlib.survey.design import linearised_variance
from cxlib.validate import CXDataError
from cxlib.weighting import WeightingWarning, effective_n, rake, trim_weights


# --------------------------------------------------------------------------- clusters
@pytest.fixture
def clustered() -> pd.DataFrame:
    """300 answers from 120 customers, answers 1-7, unequal weights."""
    rng = np.random.default_rng(1)
    customer = rng.integers(0, 120, 300)
    level = rng.normal(0, 1.2, 120)[customer]  # a customer effect: answers of one customer agree
    score = np.clip(np.round(5 + level + rng.normal(0, 1, 300)), 1, 7)
    return pd.DataFrame(
        {"customer_id": customer, "ces": score, "w": rng.uniform(0.5, 2, 300), "g": customer % 2}
    )


def _cluster_fit(y: np.ndarray, frame: pd.DataFrame, weights: bool) -> tuple[float, float]:
    model = (
        sm.WLS(y, np.ones(len(y)), weights=frame["w"]) if weights else sm.OLS(y, np.ones(len(y)))
    )
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": frame["customer_id"].to_numpy()})
    return float(fit.params[0]), float(fit.bse[0])


@pytest.mark.parametrize("weights", [False, True])
def test_clustered_mean_equals_statsmodels_cluster_robust(clustered, weights):
    mean, se = _cluster_fit(clustered["ces"].to_numpy(), clustered, weights)
    est = ces(
        clustered["ces"],
        cluster=clustered["customer_id"],
        weights=clustered["w"] if weights else None,
    )
    n_customers = clustered["customer_id"].nunique()
    assert est.n_clusters == n_customers
    half = stats.t.ppf(0.975, n_customers - 1) * se
    assert est.estimate == pytest.approx(mean, rel=1e-12)
    assert (est.ci_low, est.ci_high) == pytest.approx((mean - half, mean + half), rel=1e-12)


@pytest.mark.parametrize("weights", [False, True])
def test_clustered_share_and_nps_equal_statsmodels(clustered, weights):
    w = clustered["w"] if weights else None
    top = (clustered["ces"] >= 6).to_numpy(float)  # the top-2-box of 1-7 as a share
    p, se = _cluster_fit(top, clustered, weights)
    est = wrs(clustered["ces"], scale=(1, 7), weights=w, cluster=clustered["customer_id"])
    # n_eff = s^2 / var: s^2 the weighted variance of y with n / (n - 1), var the clustered one
    wt = clustered["w"].to_numpy() if weights else np.ones(len(top))
    s2 = np.sum(wt * (top - p) ** 2) / wt.sum() * len(top) / (len(top) - 1)
    assert est.estimate == pytest.approx(100 * p)
    assert est.n_eff == pytest.approx(s2 / se**2, rel=1e-10)
    assert est.deff == pytest.approx(len(top) * se**2 / s2, rel=1e-10)

    nps_scores = (clustered["ces"] + 3).clip(0, 10)  # on 0-10
    y = (nps_scores >= 9).to_numpy(float) - (nps_scores <= 6).to_numpy(float)
    value, se = _cluster_fit(y, clustered, weights)
    est = nps(nps_scores, weights=w, cluster=clustered["customer_id"], method="wald")
    assert est.estimate == pytest.approx(100 * value)
    # the Wald interval on n_eff = s^2 / var uses the variance without s^2's n / (n - 1)
    n = len(y)
    z = stats.norm.ppf(0.975)
    width = 2 * z * 100 * se * math.sqrt((n - 1) / n)
    assert est.ci_high - est.ci_low == pytest.approx(width, rel=1e-10)


def test_without_clusters_and_weights_nothing_changes(clustered):
    scores = clustered["ces"]
    plain = ces(scores)
    assert plain.deff == 1 and plain.n_clusters is None and plain.n_eff == len(scores)
    one_each = ces(scores, cluster=np.arange(len(scores)))  # every answer its own respondent
    assert one_each.ci_low == pytest.approx(plain.ci_low, rel=1e-12)
    assert one_each.deff == pytest.approx(1.0, rel=1e-12)


def test_repeat_respondents_widen_the_interval_and_report_the_design_effect(clustered):
    est = csat(clustered["ces"].clip(1, 5), cluster=clustered["customer_id"])
    plain = csat(clustered["ces"].clip(1, 5))
    assert est.deff > 1.3 and est.n_eff == pytest.approx(est.n / est.deff)
    assert est.ci_high - est.ci_low > plain.ci_high - plain.ci_low
    assert "deff=" in repr(est) and f"clusters={est.n_clusters}" in repr(est)


def test_by_group_defaults_to_customer_id_and_matches_the_single_metric(clustered):
    before = clustered.copy()
    table = by_group(clustered, metric="ces", score="ces", by="g")
    for _, row in table.iterrows():
        part = clustered[clustered["g"] == row["g"]]
        one = ces(part["ces"], cluster=part["customer_id"])
        assert (row["ci_low"], row["ci_high"], row["deff"]) == pytest.approx(
            (one.ci_low, one.ci_high, one.deff), rel=1e-12
        )
        assert row["n_clusters"] == part["customer_id"].nunique()
    unclustered = by_group(clustered, metric="ces", score="ces", by="g", cluster=None)
    assert (unclustered["deff"] == 1).all() and (
        unclustered["n_clusters"] == unclustered["n"]
    ).all()
    with pytest.raises(CXDataError, match="'respondent'"):
        by_group(clustered, metric="ces", score="ces", by="g", cluster="respondent")
    pd.testing.assert_frame_equal(clustered, before)


def test_missing_respondent_ids_are_refused_with_examples():
    with pytest.raises(CXDataError, match=r"Column 'cluster' must name the respondent") as err:
        csat([5, 4, 3], cluster=["a", None, "b"])
    assert "1 of 3 rows" in str(err.value)


def _clustered_panels(rng, reps: int, customers: int, kind: str):
    """Answers of ``reps`` independent surveys: each customer answers 2 or 3 times, with the
    customer's own answer probabilities (a strong customer effect). Returns (frame, truth)."""
    n = reps * customers
    m = rng.integers(2, 4, n)  # answers per customer
    customer = np.repeat(np.arange(n), m)
    rep = customer // customers
    if kind == "share":  # P(top box) ~ Beta(1.5, 0.5): mean .75, intra-customer correlation 1/3
        p = rng.beta(1.5, 0.5, n)[customer]
        score = np.where(rng.random(customer.size) < p, 5.0, 2.0)
        truth = 75.0
    else:  # answer categories (0-10: detractor 3, passive 8, promoter 10) ~ Dirichlet
        alpha = np.array([0.6, 0.4, 1.0])  # mean (.3, .2, .5): true NPS 20
        probs = rng.dirichlet(alpha, n)[customer]
        cat = (rng.random(customer.size)[:, None] > probs.cumsum(axis=1)).sum(axis=1)
        score = np.array([3.0, 8.0, 10.0])[np.minimum(cat, 2)]
        truth = 100 * (0.5 - 0.3) if kind == "nps" else float(alpha @ [3, 8, 10] / alpha.sum())
    return pd.DataFrame({"rep": rep, "customer": customer, "score": score}), truth


@pytest.mark.parametrize("customers", [300, 1000])
@pytest.mark.parametrize(("kind", "metric"), [("share", "csat"), ("nps", "nps"), ("mean", "score")])
def test_clustered_intervals_cover_and_unclustered_ones_fall_short(customers, kind, metric):
    rng = np.random.default_rng(20261202 + customers)
    reps = 2000 if customers == 300 else 1000
    frame, truth = _clustered_panels(rng, reps, customers, kind)
    options = {"scale": (0, 10)} if metric == "score" else {}
    coverage = {}
    for cluster in ("customer", None):
        table = by_group(
            frame, metric=metric, score="score", by="rep", cluster=cluster, min_n=1, **options
        )
        coverage[cluster] = ((table["ci_low"] <= truth) & (truth <= table["ci_high"])).mean()
    assert 0.935 <= coverage["customer"] <= 0.965, coverage
    assert coverage[None] < 0.91, coverage


# --------------------------------------------------------------------------- paired / overlap
def test_paired_means_are_the_paired_t_test():
    rng = np.random.default_rng(3)
    before = pd.Series(rng.integers(1, 8, 40).astype(float), index=rng.permutation(40) + 100)
    after = (before + rng.integers(-1, 3, 40)).clip(1, 7).sample(frac=1, random_state=1)
    res = compare(before, after, metric="ces", paired=True, level=0.9)
    ref = stats.ttest_rel(after.loc[before.index], before)
    ci = ref.confidence_interval(0.9)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.n_shared == 40 and res.n_clusters == 40


def _newcombe_paired(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Newcombe (1998b) method 10 for p2 - p1 from the 2x2 table of (wave 1, wave 2) answers:
    a = (yes, yes), b = (yes, no), c = (no, yes), d = (no, no); phi without continuity correction.
    """
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    z = stats.norm.ppf(0.975)

    def wilson(p: float) -> tuple[float, float]:
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    (l1, u1), (l2, u2) = wilson(p1), wilson(p2)
    phi = (a * d - b * c) / math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    delta = p2 - p1
    low = delta - math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    high = delta + math.sqrt((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2)
    return 100 * low, 100 * high


def test_paired_shares_are_newcombes_paired_interval():
    # 2x2 table: 50 satisfied twice, 10 only in wave 1, 25 only in wave 2, 15 never
    wave1 = np.array([5] * 50 + [5] * 10 + [2] * 25 + [2] * 15)
    wave2 = np.array([5] * 50 + [2] * 10 + [5] * 25 + [2] * 15)
    ids = np.arange(100)
    res = compare(wave1, wave2, metric="csat", paired=True, cluster_a=ids, cluster_b=ids)
    assert res.estimate == pytest.approx(15.0)
    assert (res.ci_low, res.ci_high) == pytest.approx(_newcombe_paired(50, 10, 25, 15), rel=1e-9)
    independent = compare(wave1, wave2, metric="csat")
    assert res.ci_high - res.ci_low < independent.ci_high - independent.ci_low
    assert res.deff < 1


def test_paired_keys_must_match_one_to_one():
    a = pd.Series([5, 4, 3], index=["k1", "k2", "k3"])
    with pytest.raises(CXDataError, match=r"1 only in 'a' \(e\.g\. \['k3'\]\).*1 only in 'b'"):
        compare(a, pd.Series([5, 4, 3], index=["k1", "k2", "k9"]), metric="csat", paired=True)
    with pytest.raises(CXDataError, match="appear once in wave 'b'"):
        compare(a, pd.Series([5, 4, 3], index=["k1", "k2", "k2"]), metric="csat", paired=True)
    with pytest.raises(CXDataError, match="indexed by respondent"):
        compare([5, 4], [4, 4], metric="csat", paired=True)
    with pytest.raises(CXDataError, match="together"):
        compare([5, 4], [4, 4], metric="csat", cluster_a=[1, 2])


def test_groups_without_shared_respondents_are_independent(clustered):
    first, second = clustered[clustered["g"] == 0], clustered[clustered["g"] == 1]
    linked = compare(
        first["ces"],
        second["ces"],
        metric="ces",
        cluster_a=first["customer_id"],
        cluster_b=second["customer_id"],
    )
    assert linked.n_shared == 0
    a = ces(first["ces"], cluster=first["customer_id"])
    b = ces(second["ces"], cluster=second["customer_id"])
    se = math.sqrt(
        ((a.ci_high - a.estimate) / stats.t.ppf(0.975, a.n_clusters - 1)) ** 2
        + ((b.ci_high - b.estimate) / stats.t.ppf(0.975, b.n_clusters - 1)) ** 2
    )
    assert (linked.ci_high - linked.estimate) / se == pytest.approx(
        stats.t.ppf(0.975, _welch_df(a, b)), rel=1e-9
    )


def _welch_df(a, b) -> float:
    va = ((a.ci_high - a.estimate) / stats.t.ppf(0.975, a.n_clusters - 1)) ** 2
    vb = ((b.ci_high - b.estimate) / stats.t.ppf(0.975, b.n_clusters - 1)) ** 2
    return (va + vb) ** 2 / (va**2 / (a.n_clusters - 1) + vb**2 / (b.n_clusters - 1))


@pytest.mark.parametrize("metric", ["csat", "nps", "ces"])
def test_paired_intervals_cover_the_true_change(metric):
    # 200 customers asked twice: latent z (shared), answer = cut(z + noise + shift); exact truth
    rng = np.random.default_rng(7)
    shift = 0.25
    scale = math.sqrt(2)  # z ~ N(0, 1) plus noise ~ N(0, 1)
    cuts = {
        "csat": [-1.5, -0.8, -0.2, 0.5],
        "nps": list(np.linspace(-2.2, 1.4, 10)),
        "ces": [-2.0, -1.4, -0.9, -0.3, 0.3, 0.9],
    }[metric]
    low = {"csat": 1, "nps": 0, "ces": 1}[metric]

    def above(c: float, s: float) -> float:
        return float(stats.norm.sf((c - s) / scale))

    def value(s: float) -> float:
        if metric == "csat":
            return 100 * above(cuts[-2], s)  # answers 4 and 5
        if metric == "nps":
            return 100 * (above(cuts[8], s) - (1 - above(cuts[6], s)))  # 9-10 minus 0-6
        return low + sum(above(c, s) for c in cuts)

    truth = value(shift) - value(0.0)
    hits, widths = [], []
    for _ in range(1000):
        z = rng.normal(size=200)
        ids = np.arange(200)
        a = low + np.searchsorted(cuts, z + rng.normal(size=200)).astype(float)
        b = low + np.searchsorted(cuts, z + rng.normal(size=200) + shift).astype(float)
        res = compare(a, b, metric=metric, paired=True, cluster_a=ids, cluster_b=ids)
        hits.append(res.ci_low <= truth <= res.ci_high)
        widths.append(res.ci_high - res.ci_low)
    assert 0.935 <= np.mean(hits) <= 0.965, np.mean(hits)
    unpaired = compare(a, b, metric=metric)
    assert widths[-1] < 0.9 * (unpaired.ci_high - unpaired.ci_low)


# --------------------------------------------------------------------------- raking
def test_raked_variance_is_the_post_stratified_one():
    # one raking margin = post-stratification: residuals y - mean of the stratum (Lumley 2010, 7.2)
    rng = np.random.default_rng(5)
    seg = pd.Series(rng.choice(["A", "B", "C"], 400, p=[0.5, 0.3, 0.2]))
    score = pd.Series(np.where(rng.random(400) < seg.map({"A": 0.8, "B": 0.5, "C": 0.3}), 5, 2))
    w = rake(seg.to_frame("seg"), {"seg": {"A": 0.3, "B": 0.3, "C": 0.4}})
    est = csat(score, weights=w, raked_on=seg.to_frame("seg"))
    y = (score >= 4).to_numpy(float)
    stratum_mean = (w * y).groupby(seg).sum() / w.groupby(seg).sum()
    u = w * (y - seg.map(stratum_mean)) / w.sum()
    var = 400 / 399 * float((u**2).sum())
    s2 = float((w * (y - est.estimate / 100) ** 2).sum() / w.sum() * 400 / 399)
    assert est.n_eff == pytest.approx(s2 / var, rel=1e-10)
    # raking explains the segment differences: narrower than the weights alone suggest
    assert est.n_eff > csat(score, weights=w).n_eff
    with pytest.raises(CXDataError, match="pass the weights"):
        csat(score, raked_on=seg.to_frame("seg"))


def test_raked_by_group_with_one_group_equals_the_single_metric():
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"seg": rng.choice(["A", "B"], 300, p=[0.7, 0.3]), "g": "all"})
    frame["csat"] = np.where(rng.random(300) < np.where(frame["seg"] == "A", 0.8, 0.4), 5, 1)
    frame["customer_id"] = rng.integers(0, 150, 300)
    frame["w"] = rake(frame, {"seg": {"A": 0.5, "B": 0.5}})
    row = by_group(frame, metric="csat", score="csat", by="g", weights="w", raked_on="seg").iloc[0]
    one = csat(
        frame["csat"], weights=frame["w"], raked_on=frame[["seg"]], cluster=frame["customer_id"]
    )
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((one.ci_low, one.ci_high), rel=1e-10)


def test_raked_intervals_cover_the_population_share():
    # population: 30 % segment A (CSAT 60 %), 70 % B (CSAT 85 %); A answers less often
    rng = np.random.default_rng(11)
    truth = 100 * (0.3 * 0.6 + 0.7 * 0.85)
    hits = {"raked": [], "kish": []}
    for _ in range(1000):
        seg = pd.Series(np.where(rng.random(400) < 0.15, "A", "B"))
        score = pd.Series(np.where(rng.random(400) < seg.map({"A": 0.6, "B": 0.85}), 5, 2))
        frame = seg.to_frame("seg")
        w = rake(frame, {"seg": {"A": 0.3, "B": 0.7}}, warn_below=0)
        est = csat(score, weights=w, raked_on=frame)
        hits["raked"].append(est.ci_low <= truth <= est.ci_high)
        kish = csat(score, weights=w)
        hits["kish"].append(kish.ci_low <= truth <= kish.ci_high)
    assert 0.935 <= np.mean(hits["raked"]) <= 0.965
    assert np.mean(hits["kish"]) > np.mean(hits["raked"])  # ignoring the raking: too wide


def test_rake_starts_from_base_weights():
    frame = pd.DataFrame({"seg": ["A", "A", "A", "B", "B"]})
    base = pd.Series([1.0, 2.0, 3.0, 1.0, 1.0])
    w = rake(frame, {"seg": {"A": 0.5, "B": 0.5}}, base_weights=base)
    # within a segment the weights keep the base weights' ratios; margins match
    ratio = (w / base)[:3]
    assert np.allclose(ratio, ratio[0]) and w[:3].sum() == pytest.approx(w[3:].sum())
    assert w.mean() == pytest.approx(1.0)
    with pytest.raises(CXDataError, match="base_weights"):
        rake(frame, {"seg": {"A": 0.5, "B": 0.5}}, base_weights=[1, 0, 1, 1, 1])


def test_rake_bounds_keep_the_margins_and_cap_the_weights():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {"a": rng.choice(["x", "y"], 400, p=[0.85, 0.15]), "b": rng.choice(["u", "v"], 400)}
    )
    targets = {"a": {"x": 0.5, "y": 0.5}, "b": {"u": 0.4, "v": 0.6}}
    free = rake(frame, targets, warn_below=0)
    capped = rake(frame, targets, bounds=(0.3, 3.5), warn_below=0)
    assert free.max() > 4 and capped.max() <= 3.5 * (1 + 1e-6) and capped.min() >= 0.3 * (1 - 1e-6)
    for column, shares in targets.items():
        got = capped.groupby(frame[column]).sum() / capped.sum()
        assert got.to_dict() == pytest.approx(shares, abs=1e-7)
    assert effective_n(capped) > effective_n(free)
    with pytest.raises(CXDataError, match=r"Level 'y' of 'a' holds"):
        rake(frame, targets, bounds=(0.5, 1.5))
    with pytest.raises(CXDataError, match="0 <= low < 1 < high"):
        rake(frame, targets, bounds=(2, 3))


def test_rake_warns_when_the_effective_sample_collapses():
    frame = pd.DataFrame({"a": ["x"] * 199 + ["y"]})
    with pytest.warns(WeightingWarning, match=r"effective sample size of 4\.0 of 200 rows \(2%\)"):
        w = rake(frame, {"a": {"x": 0.5, "y": 0.5}})
    assert w.max() == pytest.approx(100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rake(frame.iloc[150:].reset_index(drop=True), {"a": {"x": 0.98, "y": 0.02}})


# --------------------------------------------------------------------------- bootstrap, na_values
def test_bootstrap_intervals_are_seeded_and_agree_with_scipy():
    rng = np.random.default_rng(8)
    scores = np.where(rng.random(60) < 0.7, 7.0, rng.integers(1, 7, 60))  # piled up at 7
    for method, ref_method in (("percentile", "percentile"), ("bca", "BCa")):
        est = ces(scores, method=method, n_boot=20_000, seed=1)
        assert est == ces(scores, method=method, n_boot=20_000, seed=1)
        ref = stats.bootstrap(
            (scores,), np.mean, n_resamples=20_000, method=ref_method, random_state=2
        ).confidence_interval
        # answers are whole numbers: means of 60 move in steps of 1/60
        assert (est.ci_low, est.ci_high) == pytest.approx((ref.low, ref.high), abs=3 / 60)
        assert est.method == method
    with pytest.raises(CXDataError, match="explicit whole-number seed"):
        ces(scores, method="bca")
    with pytest.raises(CXDataError, match="one group at a time"):
        by_group(
            pd.DataFrame({"g": [1, 1], "ces": [5, 6]}),
            metric="ces",
            score="ces",
            by="g",
            method="bca",
        )


def test_bootstrap_resamples_respondents(clustered):
    by_answer = mean_score(clustered["ces"], scale=(1, 7), method="percentile", seed=0)
    by_customer = mean_score(
        clustered["ces"],
        scale=(1, 7),
        method="percentile",
        seed=0,
        cluster=clustered["customer_id"],
    )
    assert by_customer.ci_high - by_customer.ci_low > 1.2 * (by_answer.ci_high - by_answer.ci_low)


def test_na_values_are_no_answer():
    scores = pd.Series([0, 5, 4, 0, 1, 2])  # 0 = "not applicable" on a 1-5 scale
    est = csat(scores, na_values=[0])
    assert est.estimate == pytest.approx(50.0) and est.n == 4 and est.n_missing == 2
    with pytest.raises(CXDataError, match=r"must lie in \[1, 5\]"):
        csat(scores)
    assert mean_score(scores, scale=(1, 5), na_values=0).estimate == 3.0
    frame = pd.DataFrame({"g": ["a"] * 6, "csat": scores})
    row = by_group(frame, metric="csat", score="csat", by="g", na_values=[0]).iloc[0]
    assert row["n_missing"] == 2 and row["estimate"] == pytest.approx(50.0)
    with pytest.raises(CXDataError, match="na_values must be answer codes"):
        csat(scores, na_values=["n/a"])


def test_sample_size_scales_with_the_design_effect():
    assert sample_size("csat", margin=5, deff=2) == 769  # 1.96^2 * 2500 * 2 / 25 = 768.3
    assert sample_size("csat", margin=5, deff=1) == sample_size("csat", margin=5) == 385
    assert sample_size("ces", margin=0.2, expected=1.5, deff=1.5) == math.ceil(
        1.5 * sample_size("ces", margin=0.2, expected=1.5)
    )
    with pytest.raises(CXDataError, match="deff must be a positive number"):
        sample_size("nps", margin=5, deff=0)


def test_linearised_variance_kernel_by_hand():
    # two respondents: (1, 0) and (1): mean 2/3; u = (y - 2/3) / 3; totals (1/9, 1/9) -> 0? no:
    # respondent 1: (1 - 2/3 + 0 - 2/3) / 3 = -1/9, respondent 2: (1 - 2/3) / 3 = 1/9
    res = linearised_variance(
        np.array([1.0, 0.0, 1.0]),
        np.ones(3),
        np.zeros(3, dtype=np.intp),
        1,
        clusters=np.array([0, 0, 1]),
    )
    assert res["var"][0] == pytest.approx(2 / 1 * (2 / 81))
    assert res["n_clusters"][0] == 2 and res["df"][0] == 1


# --------------------------------------------------------------------------- the repeat simulator
def test_repeat_answers_has_the_stated_shares_and_intracluster_correlation():
    from cxlib.simulate import repeat_answers
    from cxlib.survey.design import intracluster_correlation

    sizes = np.array([1, 2, 3, 2, 4] * 400)
    sim = repeat_answers(sizes, {5: 0.6, 3: 0.3, 1: 0.1}, concentration=3.0, reps=20, seed=4)
    answers = sim.answers
    assert len(answers) == 20 * sizes.sum() and answers["customer_id"].nunique() == 20 * 2000
    shares = answers["answer"].value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx({5: 0.6, 3: 0.3, 1: 0.1}, abs=0.01)
    # the design effect of the top-box share, measured over the 20 surveys, implies icc 1/4
    table = by_group(
        answers.rename(columns={"answer": "csat"}), metric="csat", score="csat", by="survey"
    )
    rho = intracluster_correlation(table["deff"].mean(), sizes)
    assert sim.icc == 0.25 and rho == pytest.approx(0.25, abs=0.03)
    again = repeat_answers(sizes, {5: 0.6, 3: 0.3, 1: 0.1}, concentration=3.0, reps=20, seed=4)
    pd.testing.assert_frame_equal(answers, again.answers)
    with pytest.raises(CXDataError, match="sum to 1"):
        repeat_answers(sizes, {5: 0.6, 3: 0.3}, concentration=3.0, seed=0)
    with pytest.raises(CXDataError, match=">= 1"):
        repeat_answers([0, 2], {5: 1.0}, concentration=3.0, seed=0)


def test_trim_weights_caps_and_keeps_the_total():
    # mean 2, cap 3: the 5 loses 2, shared by the three 1s in proportion (2/3 each)
    trimmed = trim_weights(pd.Series([1.0, 1.0, 1.0, 5.0], index=list("abcd")), upper=1.5)
    assert trimmed.tolist() == pytest.approx([5 / 3, 5 / 3, 5 / 3, 3.0])
    assert list(trimmed.index) == list("abcd") and trimmed.sum() == pytest.approx(8.0)
    # redistribution can push another weight over the cap: repeated until none is
    w = np.array([1.0, 1.0, 2.9, 10.0])  # mean 3.725, cap 1.2 * mean = 4.47
    out = trim_weights(w, upper=1.2, lower=0.3).to_numpy()
    assert out.max() <= 1.2 * w.mean() * (1 + 1e-9) and out.min() >= 0.3 * w.mean() * (1 - 1e-9)
    assert out.sum() == pytest.approx(w.sum())
    with pytest.raises(CXDataError, match="upper must be"):
        trim_weights(w, upper=0.9)


def test_bootstrap_ignores_respondents_without_answers():
    # respondent "z" has only a missing answer: the bootstrap resamples the two others only
    scores = pd.Series([5.0, 6.0, 7.0, 4.0, np.nan])
    cluster = pd.Series(["a", "a", "b", "b", "z"])
    with_empty = ces(scores, cluster=cluster, method="percentile", seed=3)
    without = ces(scores[:4], cluster=cluster[:4], method="percentile", seed=3)
    assert (with_empty.ci_low, with_empty.ci_high) == (without.ci_low, without.ci_high)
