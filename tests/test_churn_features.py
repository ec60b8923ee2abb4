"""cxlib.churn.features, .prediction and .survival_report: hand-computed values on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib.churn import (
    churn_features,
    clear_effects,
    cox_hazard_ratios,
    delong_auc,
    effect_title,
    effect_word,
    km_table,
    logistic_odds_ratios,
    median_tenure,
    plot_ratios,
    score_bins,
    survival_at,
    survival_groups,
)
from cxlib.validate import CXDataError


def _frame(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "tenure_months": rng.integers(1, 30, n),
            "churn": rng.random(n) < 0.4,
            "Balance": [f"{x:.2f}" for x in rng.normal(5000, 2000, n)],  # text that parses
            "Score": rng.integers(300, 850, n),
            "Surname": [f"S{i}" for i in range(n)],
            "Plan": ["A"] * 20 + ["B"] * 15 + ["C"] * 3 + ["D"] * 2,
            "Active": np.where(np.arange(n) % 2 == 0, "ja", "nein"),
            "Region": ["X"] * n,
            "total_charges": rng.normal(100, 5, n),
        }
    )


# ----------------------------------------------------------------------------- features
def test_roles_inferred_from_values() -> None:
    frame = _frame()
    before = frame.copy()
    X, d = churn_features(frame, min_cell=10)
    pd.testing.assert_frame_equal(frame, before)  # input not modified
    assert d.numeric == ("tenure_months", "Balance", "Score")  # text numbers stay one column
    assert d.binary == ("Active",)
    assert X["Active"].tolist() == [1.0, 0.0] * 20
    # A 20, B 15, C 3 + D 2 pooled = 5 < 10: the pool joins the reference level A
    assert d.categorical == {"Plan": ("A", ("A", "B"))}
    assert X["Plan = B"].sum() == 15
    assert d.dropped == {"Surname": "id_like", "Region": "constant", "total_charges": "collinear"}
    assert list(X.columns) == ["tenure_months", "Balance", "Score", "Plan = B", "Active"]
    assert not X.isna().any().any()


def test_pool_kept_when_large_enough() -> None:
    frame = pd.DataFrame(
        {
            "tenure_months": range(60),
            "plan": ["A"] * 30 + ["B"] * 18 + ["C"] * 6 + ["D"] * 6,
        }
    )
    X, d = churn_features(frame, min_cell=10, exclude=())
    assert d.categorical["plan"] == ("A", ("A", "B", "other"))
    assert X["plan = other"].sum() == 12
    assert "pooled as 'other'" in " ".join(d.sentences())


def test_sentences_name_each_left_out_column() -> None:
    _, d = churn_features(_frame(), min_cell=10)
    text = " ".join(d.sentences())
    assert "Surname has nearly a different value for every customer" in text
    assert "Region has the same value" in text
    assert "total charges grows with tenure" in text


def test_rare_yes_no_and_missing_numbers() -> None:
    frame = pd.DataFrame(
        {
            "tenure_months": np.arange(30),
            "flag": ["yes"] * 3 + ["no"] * 27,
            "amount": [1.5, None] + [2.0] * 28,
        }
    )
    X, d = churn_features(frame, min_cell=10, exclude=())
    assert d.dropped == {"flag": "rare"}
    assert d.filled == {"amount": 1}
    assert X["amount"].iloc[1] == 2.0  # the median


def test_duplicated_and_redundant_design_columns_dropped() -> None:
    frame = pd.DataFrame(
        {
            "tenure_months": np.arange(40),
            "internet": ["No"] * 20 + ["Yes"] * 20,
            "backup": ["No internet"] * 20 + ["Yes"] * 10 + ["No"] * 10,
        }
    )
    X, d = churn_features(frame, min_cell=10, exclude=())
    # reference "No internet" (20); backup = No + backup = Yes is internet = Yes: the last goes
    assert d.redundant == ("backup = Yes",)
    assert "backup = Yes" not in X and "backup = No" in X


def test_row_number_is_id_like_but_a_score_is_not() -> None:
    frame = pd.DataFrame(
        {"tenure_months": np.arange(40), "RowNumber": np.arange(1, 41), "Score": np.arange(40) * 13}
    )
    _, d = churn_features(frame, exclude=())
    assert d.dropped == {"RowNumber": "id_like"}
    assert "Score" in d.numeric


def test_without_tenure_and_bad_min_cell() -> None:
    X, _ = churn_features(_frame(), include_tenure=False)
    assert "tenure_months" not in X
    with pytest.raises(CXDataError):
        churn_features(_frame(), min_cell=0)


# ----------------------------------------------------------------------------- prediction
def test_delong_matches_hand_and_sklearn() -> None:
    # pairs: (.9>.5) (.9>.1) (.4<.5) (.4>.1): AUC 3/4; V10 = (1, .5), V01 = (.5, 1)
    auc, cov = delong_auc([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1])
    assert auc[0] == 0.75
    assert cov[0, 0] == pytest.approx(0.125 / 2 + 0.125 / 2)
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    y = rng.random(200) < 0.3
    s = np.round(rng.random(200) + y, 1)  # ties included
    assert delong_auc(y, s)[0][0] == pytest.approx(roc_auc_score(y, s))


def test_effect_words_and_titles() -> None:
    assert effect_word(1.01, 2) == "raises risk"
    assert effect_word(0.2, 0.99) == "protects"
    assert effect_word(0.9, 1.1) == "no clear effect"
    assert effect_word(np.nan, np.nan) == "no clear effect"
    t = pd.DataFrame(
        {
            "label": ["vague", "precise", "none"],
            "odds_ratio": [0.05, 0.3, 1.0],
            "ci_low": [0.001, 0.25, 0.8],
            "ci_high": [0.9, 0.36, 1.2],
            "suppressed": [False, False, False],
        }
    )
    assert clear_effects(t)["label"].tolist() == ["precise", "vague"]
    assert effect_title(t).startswith("precise protects most")
    assert effect_title(t.iloc[2:]) == "No column has a clear effect on churn"


def test_score_bins_keep_min_cell() -> None:
    assert score_bins(1000, 10) == 10
    assert score_bins(55, 10) == 5
    assert score_bins(5, 10) == 1


def test_logistic_odds_ratios_match_statsmodels_and_suppress() -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 60, n),
            "plan": np.where(rng.random(n) < 0.5, "A", "B"),
        }
    )
    y = rng.random(n) < 1 / (1 + np.exp(-(0.5 - 0.04 * frame["tenure_months"])))
    X, d = churn_features(frame, exclude=())
    r = logistic_odds_ratios(X, y, d, min_cell=10)
    assert r.fitted and r.converged and r.at_bound == ()
    ref = sm.Logit(y.astype(float), sm.add_constant(X.astype(float))).fit(disp=0)
    row = r.table.set_index("term").loc["tenure_months"]
    sd = X["tenure_months"].std(ddof=0)
    assert row["odds_ratio"] == pytest.approx(np.exp(ref.params["tenure_months"] * sd))
    assert row["label"] == "tenure"
    assert "months, one standard deviation" in row["per"]
    assert "converged" in r.message
    # a design column describing 4 customers is blanked (and the next smallest with it)
    d_small = type(d)(**{**d.__dict__, "counts": {**d.counts, "plan = B": 4}})
    small = logistic_odds_ratios(X, y, d_small, min_cell=10)
    assert small.table["suppressed"].sum() == 2
    assert small.table["odds_ratio"].isna().sum() == 2


# ----------------------------------------------------------------------------- survival
def test_km_table_hand_values_and_cut() -> None:
    # times 1 2 2 3, events 1 1 0 1: S = 3/4, 3/4 * 2/3 = 1/2, then 0
    t = km_table([1, 2, 2, 3], [1, 1, 0, 1], min_cell=1)
    assert t["survival"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.0])
    assert t["at_risk"].tolist() == [4, 4, 3, 1]
    # Greenwood at t=1: var = S^2 * 1/(4*3); log(-log) interval contains S
    assert t.loc[1, "ci_low"] < 0.75 < t.loc[1, "ci_high"]
    cut = km_table([1, 2, 2, 3], [1, 1, 0, 1], min_cell=2)
    assert cut["time"].tolist() == [0.0, 1.0, 2.0]  # time 3 has 1 at risk: not shown


def test_km_table_matches_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(7)
    d = rng.integers(0, 30, 300)
    e = rng.random(300) < 0.4
    ours = km_table(d, e, min_cell=1).set_index("time")
    km = KaplanMeierFitter().fit(d, e)
    times = ours.index[ours.index > 0]
    assert ours.loc[times, "survival"].to_numpy() == pytest.approx(
        km.survival_function_at_times(times).to_numpy()
    )
    ci = km.confidence_interval_.loc[times]
    assert ours.loc[times, "ci_low"].to_numpy() == pytest.approx(ci.iloc[:, 0].to_numpy(), abs=1e-9)


def test_median_and_survival_at() -> None:
    t = km_table([1, 2, 2, 3], [1, 1, 0, 1], min_cell=1)
    assert median_tenure(t)[0] == 2.0
    assert median_tenure(km_table([5] * 10, [0] * 10)) is None
    at = survival_at(t, [0.5, 1, 2.5, 9])
    assert at["survival"].tolist()[:3] == [1.0, 0.75, 0.5]
    assert np.isnan(at["survival"].iloc[3])


def test_survival_groups_pool_checked_again() -> None:
    v = pd.Series(["A"] * 30 + ["B"] * 12 + ["C"] * 3)
    g = survival_groups(v, min_cell=10)
    assert g.value_counts().to_dict() == {"A": 30, "other": 15}  # C alone (3) too small: + B
    v2 = pd.Series(["A"] * 30 + ["B"] * 12 + ["C"] * 6 + ["D"] * 5)
    assert survival_groups(v2, min_cell=10).value_counts().to_dict() == {
        "A": 30,
        "B": 12,
        "other": 11,
    }


def test_cox_too_few_events_is_a_sentence() -> None:
    rng = np.random.default_rng(1)
    n = 60
    frame = pd.DataFrame(
        {"tenure_months": rng.integers(0, 11, n), "x": rng.normal(size=n), "z": rng.normal(size=n)}
    )
    events = np.zeros(n, bool)
    events[:8] = True  # 8 events for 2 terms
    X, d = churn_features(frame, include_tenure=False, exclude=())
    r = cox_hazard_ratios(X, frame["tenure_months"], events, d)
    assert r.status == "too_few_events"
    assert "too few churn events (8 for 2 terms" in r.message
    assert r.table.empty


def test_cox_fits_and_reports() -> None:
    rng = np.random.default_rng(2)
    n = 400
    x = rng.normal(size=n)
    time = rng.exponential(10 * np.exp(-0.7 * x))
    censor = rng.exponential(15, n)
    frame = pd.DataFrame({"x": x})
    X, d = churn_features(frame.assign(tenure_months=0), include_tenure=False, exclude=())
    r = cox_hazard_ratios(X, np.minimum(time, censor), time <= censor, d)
    assert r.status == "fitted" and "converged" in r.message
    hr = r.table.set_index("term").loc["x", "hazard_ratio"]
    assert hr == pytest.approx(np.exp(0.7 * x.std()), rel=0.2)
    assert r.table.loc[0, "effect"] == "raises risk"
    assert r.changing == ()  # simulated with proportional hazards


def test_plot_ratios_labels_with_and_without_per_and_leaves_blanked_rows_out() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = pd.DataFrame(
        {
            "label": ["contract: two year", "senior citizen", "tiny group"],
            "hazard_ratio": [0.2, 1.4, 3.0],
            "ci_low": [0.1, 1.1, 1.0],
            "ci_high": [0.4, 1.8, 9.0],
        }
    )
    ax = plot_ratios(table, ratio="hazard_ratio", xlabel="hazard ratio")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["contract: two year", "senior citizen", "tiny group"]  # sorted by ratio
    plt.close(ax.figure)
    with_per = table.assign(per=["vs month", "", None], suppressed=[False, False, True])
    ax = plot_ratios(with_per, ratio="hazard_ratio")
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "contract: two year (vs month)",
        "senior citizen",
    ]
    plt.close(ax.figure)
