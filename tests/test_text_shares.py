"""cxlib.text.shares: shares with intervals, and adjusted classify-and-count that covers."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlib import CXDataError
from cxlib.intervals import nps_ci
from cxlib.text import acc_kernel, adjusted_shares, sentiment_by_theme, theme_shares

Z = 1.959963984540054


def test_theme_shares_are_wilson_shares_of_all_comments():
    themes = pd.DataFrame({"Wifi": [True] * 7 + [False] * 13, "Preis": [True] * 12 + [False] * 8})
    before = themes.copy()
    table = theme_shares(themes)
    pd.testing.assert_frame_equal(themes, before)
    assert table["theme"].tolist() == ["Preis", "Wifi"]  # most mentioned first
    low, high = proportion_confint(7, 20, method="wilson")
    row = table.set_index("theme").loc["Wifi"]
    assert row["estimate"] == pytest.approx(35.0)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert row["n"] == 20 and row["method"] == "wilson"
    with pytest.raises(CXDataError, match="must be one of"):
        theme_shares(pd.DataFrame({"Wifi": [1, 2]}))


def test_sentiment_by_theme_counts_shares_and_net():
    long = pd.DataFrame(
        {
            "aspect": ["Zug"] * 10 + ["App"] * 4,
            "polarity": ["negative"] * 6 + ["neutral"] * 3 + ["positive"] + ["positive"] * 4,
        }
    )
    table = sentiment_by_theme(long).set_index("theme")
    assert table.index.tolist() == ["Zug", "App"]
    zug = table.loc["Zug"]
    assert (zug["negative"], zug["neutral"], zug["positive"], zug["n"]) == (6, 3, 1, 10)
    assert zug["negative_pct"] == 60.0 and zug["estimate"] == pytest.approx(-50.0)
    low, high = nps_ci(1, 6, 10)  # Rocks (2016) adjusted Wald, as for the NPS
    assert (zug["ci_low"], zug["ci_high"]) == pytest.approx((float(low), float(high)))
    wl, wh = proportion_confint(6, 10, method="wilson")
    assert (zug["negative_ci_low"], zug["negative_ci_high"]) == pytest.approx((100 * wl, 100 * wh))
    assert table.loc["App", "estimate"] == 100.0
    with pytest.raises(CXDataError, match="polarity"):
        sentiment_by_theme(long.assign(polarity="gut"))


def test_acc_for_two_classes_is_the_textbook_formula():
    # Forman (2008): p = (q - FPR) / (TPR - FPR); TPR = 80/100, FPR = 10/100, q = 30 %
    conf = pd.DataFrame([[90, 10], [20, 80]], index=[False, True], columns=[False, True])
    coded = pd.Series([True] * 300 + [False] * 700)
    table = adjusted_shares(coded, conf).set_index("class")
    assert table.loc[True, "estimate"] == pytest.approx(100 * (0.3 - 0.1) / (0.8 - 0.1))
    assert table.loc[True, "cc"] == pytest.approx(30.0)
    # delta method by hand:
    # Var = [q(1-q)/N + p^2 TPR(1-TPR)/m1 + (1-p)^2 FPR(1-FPR)/m0] / (TPR-FPR)^2
    p = 0.2 / 0.7
    var = (0.3 * 0.7 / 1000 + p**2 * 0.8 * 0.2 / 100 + (1 - p) ** 2 * 0.1 * 0.9 / 100) / 0.7**2
    assert table.loc[True, "se"] == pytest.approx(100 * np.sqrt(var))
    assert table.loc[True, "ci_high"] == pytest.approx(100 * (p + Z * np.sqrt(var)))
    assert table.loc[False, "se"] == pytest.approx(table.loc[True, "se"])


def test_acc_recovers_the_true_shares_when_counts_are_exact():
    c = np.array([[0.7, 0.25, 0.05], [0.15, 0.75, 0.10], [0.05, 0.30, 0.65]])
    pi = np.array([0.3, 0.6, 0.1])
    q_counts = 10_000 * (c.T @ pi)
    share, se, ok = acc_kernel(q_counts, 1_000 * c)
    np.testing.assert_allclose(share, pi, atol=1e-12)
    assert ok and np.all(se > 0)


def test_acc_by_group_and_unidentified_coders():
    conf = pd.DataFrame([[80, 20], [30, 70]], index=["neg", "pos"], columns=["neg", "pos"])
    coded = pd.Series(["neg"] * 50 + ["pos"] * 50)
    group = pd.Series(["A"] * 60 + ["B"] * 40)
    table = adjusted_shares(coded, conf, by=group)
    assert table["group"].tolist() == ["A", "A", "B", "B"]
    assert table.groupby("group")["estimate"].sum().tolist() == pytest.approx([100.0, 100.0])
    chance = pd.DataFrame([[50, 50], [50, 50]], index=["neg", "pos"], columns=["neg", "pos"])
    flat = adjusted_shares(coded, chance)
    assert not flat["identified"].any() and flat["estimate"].isna().all()
    with pytest.raises(CXDataError, match="must be one of"):
        adjusted_shares(pd.Series(["neg", "neu"]), conf)
    with pytest.raises(CXDataError, match="same classes"):
        adjusted_shares(coded, conf.loc[["pos", "neg"]])


def _simulate(pi, c, n_new, n_annotated, reps, seed):
    """Coded counts of new comments and confusion counts of annotated ones, ``reps`` times."""
    rng = np.random.default_rng(seed)
    k = len(pi)
    true_new = rng.multinomial(n_new, pi, size=reps)
    coded_new = sum(rng.multinomial(true_new[:, i], c[i]) for i in range(k))
    true_ann = rng.multinomial(n_annotated, pi, size=reps)
    conf = np.stack([rng.multinomial(true_ann[:, i], c[i]) for i in range(k)], axis=1)
    return coded_new, conf


def test_acc_intervals_cover_the_true_shares_in_95_percent_of_simulations():
    # Known confusion matrix, shares like GermEval's sentiment; 4,000 replications give a Monte
    # Carlo standard error of 0.34 points on a coverage of 95 %.
    c = np.array([[0.70, 0.25, 0.05], [0.15, 0.75, 0.10], [0.05, 0.30, 0.65]])
    pi = np.array([0.30, 0.62, 0.08])
    coded, conf = _simulate(pi, c, n_new=1_000, n_annotated=1_000, reps=4_000, seed=20)
    share, se, ok = acc_kernel(coded, conf)
    assert ok.all()
    coverage = 100 * (np.abs(share - pi) <= Z * se).mean(axis=0)
    assert np.all((coverage >= 93.5) & (coverage <= 96.5)), coverage
    assert np.abs(share.mean(axis=0) - pi).max() < 0.005  # ACC is (nearly) unbiased
    # counting the coded comments with a Wald/Wilson-type interval ignores the coding error:
    # the coded shares are C'pi = (30.7, 56.4, 12.9) %, so neutral and positive are missed
    # (negative errs both ways and happens to balance)
    q = coded / 1_000
    half = Z * np.sqrt(q * (1 - q) / 1_000)
    naive = 100 * (np.abs(q - pi) <= half).mean(axis=0)
    assert naive[0] > 85 and naive[1] < 80 and naive[2] < 5, naive


def test_acc_coverage_for_a_rare_theme():
    # a theme in 10 % of comments, found with TPR 0.7 and FPR 0.1
    c = np.array([[0.9, 0.1], [0.3, 0.7]])
    coded, conf = _simulate(np.array([0.9, 0.1]), c, 1_000, 500, 4_000, seed=21)
    share, se, _ = acc_kernel(coded, conf)
    coverage = 100 * (np.abs(share[:, 1] - 0.1) <= Z * se[:, 1]).mean()
    assert 93.5 <= coverage <= 96.5
