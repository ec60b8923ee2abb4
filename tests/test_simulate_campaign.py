"""cxlib.simulate.randomised: the campaign leaves the panel unchanged and follows its truth."""

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from cxlib.simulate import CAMPAIGN_PARAMS, Campaign, campaign, campaign_features, cx_panel
from cxlib.validate import CXDataError

FRAMES = ["customers", "interactions", "surveys", "relationship", "transactions"]


def digest(value) -> str:
    """sha256 (16 hex digits) of a frame, series, number or dict; floats rounded to float32, so
    that a last-bit difference of a libm on another machine cannot change it."""
    h = hashlib.sha256()
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        h.update(
            repr(
                [list(frame.columns), [str(d) for d in frame.dtypes], list(frame.index[:3])]
            ).encode()
        )
        rounded = frame.apply(lambda c: c.astype("float32") if c.dtype.kind == "f" else c)
        h.update(pd.util.hash_pandas_object(rounded, index=True).to_numpy().tobytes())
    elif isinstance(value, float):
        h.update(np.float32(value).tobytes())
    else:
        h.update(repr(value).encode())
    return h.hexdigest()[:16]


def panel_digests(panel) -> dict[str, str]:
    out = {name: digest(getattr(panel, name)) for name in FRAMES}
    for f in dataclasses.fields(panel.truth):
        if f.name != "campaign":
            out[f"truth.{f.name}"] = digest(getattr(panel.truth, f.name))
    out["start"], out["end"] = str(panel.start), str(panel.end)
    return out


# Computed with the code of main (commit 97fd3b0) before the campaign existed, by
# panel_digests(cx_panel(**args)) for the two argument sets below.
MAIN_DIGESTS = [
    (
        dict(n_customers=400, seed=7),
        {
            "customers": "fc21491b774d5814",
            "interactions": "8b96aa1801497ffe",
            "surveys": "20fcd2d6225dc8d7",
            "relationship": "64e2ce59b93e315b",
            "transactions": "27ea276a78180cf6",
            "truth.params": "dfea958869f1f092",
            "truth.driver_weights": "465b393b42672d50",
            "truth.driver_importance": "3ddd22ca95e6735c",
            "truth.driver_r2": "e906708b618c2707",
            "truth.latent": "691b057484f4f3ab",
            "truth.satisfaction_effect": "9f71083a03a4217c",
            "truth.confounding": "bbd005e321d250a4",
            "truth.bad_experience_churn_effect": "58468e63bbbb485d",
            "truth.response_model": "2967da8cb5978d0b",
            "truth.segment_shares": "560863fd1d8ed49b",
            "truth.monthly_churn": "1d7f397d3faee693",
            "truth.monthly_churn_rate": "f9ff124283d3c2b0",
            "truth.revenue_effect": "b5e5df987f4f3986",
            "truth.incident": "b40b3fbb9f9f2123",
            "start": "2023-01-01 00:00:00",
            "end": "2025-01-01 00:00:00",
        },
    ),
    (
        dict(
            n_customers=300,
            seed=12,
            months=13,
            start="2022-03-15",
            params={"churn_satisfaction": -0.6},
        ),
        {
            "customers": "ca1e5ac5f10262c9",
            "interactions": "056afed0ca51e3ef",
            "surveys": "a47e59afb0ef70ee",
            "relationship": "ec72a5df799df32d",
            "transactions": "2d84cf2e62611fa5",
            "truth.params": "45fdd281c0355a8e",
            "truth.driver_weights": "465b393b42672d50",
            "truth.driver_importance": "3ddd22ca95e6735c",
            "truth.driver_r2": "e906708b618c2707",
            "truth.latent": "8758f605e03432cc",
            "truth.satisfaction_effect": "54dd80724aa2a381",
            "truth.confounding": "bbd005e321d250a4",
            "truth.bad_experience_churn_effect": "58468e63bbbb485d",
            "truth.response_model": "2967da8cb5978d0b",
            "truth.segment_shares": "560863fd1d8ed49b",
            "truth.monthly_churn": "5a115b8d481c706a",
            "truth.monthly_churn_rate": "ab1dfcac1dec4d1d",
            "truth.revenue_effect": "61b35bcb1f29c63e",
            "truth.incident": "47be750e9e890511",
            "start": "2022-03-15 00:00:00",
            "end": "2023-04-15 00:00:00",
        },
    ),
]


@pytest.fixture(scope="module")
def big():
    return cx_panel(20_000, seed=3, campaign=True)


@pytest.mark.parametrize(("args", "expected"), MAIN_DIGESTS)
@pytest.mark.parametrize("with_campaign", [False, True])
def test_every_existing_frame_and_truth_field_is_as_on_main(args, expected, with_campaign):
    panel = cx_panel(**args, campaign=with_campaign)
    assert panel_digests(panel) == expected
    assert (panel.campaign is not None) == with_campaign


def test_the_campaign_changes_nothing_else_bit_for_bit():
    plain, tested = cx_panel(500, seed=4), cx_panel(500, seed=4, campaign=True)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(plain, name), getattr(tested, name))
    for f in dataclasses.fields(plain.truth):
        if f.name != "campaign":
            a, b = getattr(plain.truth, f.name), getattr(tested.truth, f.name)
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b)
            elif isinstance(a, pd.Series):
                pd.testing.assert_series_equal(a, b)
            else:
                assert a == b
    assert plain.campaign is None and plain.truth.campaign is None
    assert repr(plain.truth) == repr(tested.truth)
    # a Generator seed: the campaign continues that generator after the panel's draws
    g = cx_panel(500, seed=np.random.default_rng(4), campaign=True)
    pd.testing.assert_frame_equal(g.transactions, plain.transactions)


def test_same_seed_same_campaign_other_seed_rerandomises_the_same_customers():
    panel = cx_panel(1500, seed=9)
    a, b, c = campaign(panel, seed=1), campaign(panel, seed=1), campaign(panel, seed=2)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.truth.effects, b.truth.effects)
    assert not a.customers["treated"].equals(c.customers["treated"])
    assert a.customers["customer_id"].equals(c.customers["customer_id"])
    # the individual expected outcomes do not depend on the assignment
    cols = ["churn_prob_12m_control", "churn_prob_12m_treated", "uplift_retention"]
    pd.testing.assert_frame_equal(a.truth.effects[cols], c.truth.effects[cols])
    assert isinstance(a, Campaign) and "SIMULATED" in repr(a)


def test_campaign_frame_has_the_documented_columns_and_ranges(big):
    test = big.campaign
    active = big.customers.loc[big.customers["churn_date"].isna(), "customer_id"]
    assert test["customer_id"].tolist() == active.tolist()
    assert list(test.columns[:11]) == list(campaign_features(big).columns)
    assert test["treated"].dtype == bool and test["reached"].dtype == "boolean"
    assert test.loc[~test["treated"], "reached"].isna().all()
    assert test.loc[test["treated"], "reached"].notna().all()
    assert abs(test["treated"].mean() - 0.5) < 0.015
    answered = test["responded"]
    for column, low, high in [("csat", 1, 5), ("ces", 1, 7), ("nps", 0, 10)]:
        assert test.loc[~answered, column].isna().all()
        values = test.loc[answered, column]
        assert values.between(low, high).all() and (values == values.round()).all()
    assert (test["revenue_12m"] >= 0).all()
    assert (test.loc[test["purchases_12m"] == 0, "revenue_12m"] == 0).all()
    churned = test["churned_12m"]
    days = (test.loc[churned, "churn_date"] - big.end).dt.days
    assert days.between(0, 366).all() and test.loc[~churned, "churn_date"].isna().all()
    assert (test["survey_date"] - test["contact_date"]).dt.days.eq(3).all()
    assert (test["contact_date"] - big.end).dt.days.between(0, 27).all()
    assert "a campaign of" in repr(big)


def test_features_are_what_the_frames_say(big):
    feats = campaign_features(big).set_index("customer_id")
    tx = big.transactions
    year = tx[tx["date"] >= big.end - pd.DateOffset(months=12)]
    revenue = year.groupby("customer_id")["amount"].sum().reindex(feats.index, fill_value=0)
    assert np.allclose(feats["revenue_12m_before"], revenue.round(2))
    it = big.interactions
    recent = it[it["timestamp"] >= big.end - pd.DateOffset(months=6)]
    bad_hot = recent[recent["bad_experience"] & (recent["touchpoint"] == "Kundenservice-Hotline")]
    counts = bad_hot.groupby("customer_id").size().reindex(feats.index, fill_value=0)
    assert (feats["bad_hotline_6m"] == counts).all()
    assert (feats["bad_hotline_6m"] <= feats["bad_experiences_6m"]).all()
    assert (feats["days_since_last_purchase"] >= 0).all()
    assert feats["csat_mean_12m"].dropna().between(1, 5).all()


def test_truth_is_internally_consistent(big):
    eff = big.truth.campaign.effects
    assert np.allclose(
        eff["uplift_retention"], eff["churn_prob_12m_control"] - eff["churn_prob_12m_treated"]
    )
    assert np.allclose(
        eff["uplift_revenue_12m"], eff["revenue_12m_treated"] - eff["revenue_12m_control"]
    )
    # intention to treat: the reach probability times the effect of a call that reaches
    h, d = eff["churn_hazard_month"], eff["log_hazard_ratio"]
    reached = -np.expm1(-12 * h * np.exp(d))
    itt = eff["reach_prob"] * reached + (1 - eff["reach_prob"]) * -np.expm1(-12 * h)
    assert np.allclose(eff["churn_prob_12m_treated"], itt)
    avg = big.truth.campaign.average_effects
    assert avg["retention_pct"] == pytest.approx(100 * eff["uplift_retention"].mean())
    assert avg["churn_pct"] == pytest.approx(-avg["retention_pct"])
    w = eff["response_prob"] / eff["response_prob"].sum()
    assert avg["csat_pct"] == pytest.approx(
        100 * (w * (eff["csat_prob_treated"] - eff["csat_prob_control"])).sum()
    )
    assert eff["csat_prob_control"].between(0, 1).all()
    assert (eff["promoter_prob_control"] + eff["detractor_prob_control"] <= 1 + 1e-12).all()
    assert "CampaignTruth(" in repr(big.truth.campaign)


def test_observed_outcomes_follow_the_expected_ones(big):
    test, eff = big.campaign, big.truth.campaign.effects
    for arm, column in [(False, "control"), (True, "treated")]:
        rows = test["treated"].to_numpy() == arm
        p = eff.loc[rows, f"churn_prob_12m_{column}"].to_numpy()
        churned = test.loc[rows, "churned_12m"].to_numpy()
        se = np.sqrt(np.sum(p * (1 - p))) / rows.sum()
        assert abs(churned.mean() - p.mean()) < 4 * se
        revenue = test.loc[rows, "revenue_12m"]
        expected = eff.loc[rows, f"revenue_12m_{column}"].mean()
        assert abs(revenue.mean() - expected) < 4 * revenue.std() / np.sqrt(rows.sum())
        answered = rows & test["responded"].to_numpy()
        share = (test.loc[answered, "csat"] >= 4).mean()
        weights = eff.loc[rows, "response_prob"]
        expected = np.average(eff.loc[rows, f"csat_prob_{column}"], weights=weights)
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / answered.sum())
    # response follows the documented model
    pp = big.truth.params
    s = big.truth.latent.set_index("customer_id").loc[test["customer_id"], "satisfaction"]
    resp = expit(pp["relationship_response_logit"] + pp["response_satisfaction"] * s.to_numpy())
    assert np.allclose(eff["response_prob"], resp)
    # reach: treated customers are reached at the reach probability
    treated = test["treated"].to_numpy()
    reached = test.loc[treated, "reached"].astype(bool).mean()
    assert abs(reached - eff.loc[treated, "reach_prob"].mean()) < 0.015


def test_effects_are_heterogeneous_as_documented(big):
    test, eff = big.campaign, big.truth.campaign.effects
    premium = (test["segment"] == "Premium").to_numpy()
    bad = (test["bad_experiences_6m"] > 0).to_numpy()
    hot = (test["bad_hotline_6m"] > 0).to_numpy()
    # sleeping dogs: Premium customers without a recent bad experience stay less often if called
    assert (eff.loc[premium & ~bad, "uplift_retention"] < 0).all()
    # persuadables: a recent bad (hotline) experience makes the call help more
    assert (
        eff.loc[~premium & hot, "uplift_retention"].mean()
        > eff.loc[~premium & bad & ~hot, "uplift_retention"].mean()
        > eff.loc[~premium & ~bad, "uplift_retention"].mean()
    )
    # lost causes: far below average satisfaction the log hazard ratio fades to the Premium term
    s = big.truth.latent.set_index("customer_id").loc[test["customer_id"], "satisfaction"]
    low = (s.to_numpy() < -2.0) & ~premium
    assert np.abs(eff.loc[low, "log_hazard_ratio"]).max() < 0.15
    assert eff.loc[~premium & (s.to_numpy() > 0.5) & bad, "log_hazard_ratio"].max() < -0.5


def test_parameters_override_and_no_effect_means_zero_uplift():
    panel = cx_panel(1200, seed=5)
    none = campaign(
        panel,
        seed=0,
        params={
            "effect_log_hazard": {k: 0.0 for k in CAMPAIGN_PARAMS["effect_log_hazard"]},
            "effect_log_purchase": {k: 0.0 for k in CAMPAIGN_PARAMS["effect_log_purchase"]},
            "effect_satisfaction": {"base": 0.0, "bad_experience_6m": 0.0},
            "treated_share": 0.3,
        },
    )
    assert np.abs(none.truth.effects["uplift_retention"]).max() < 1e-12
    assert np.abs(none.truth.effects["uplift_revenue_12m"]).max() < 1e-9
    assert np.abs(none.truth.average_effects).max() < 1e-9
    assert abs(none.customers["treated"].mean() - 0.3) < 0.05
    assert none.truth.params["treated_share"] == 0.3
    assert CAMPAIGN_PARAMS["treated_share"] == 0.5  # defaults not modified


def test_the_panel_is_not_modified():
    panel = cx_panel(600, seed=2)
    before = {name: getattr(panel, name).copy() for name in FRAMES}
    campaign(panel, seed=3)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(panel, name), before[name])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(seed=-1), "seed"),
        (dict(params={"nope": 1}), "unknown key"),
        (dict(params={"treated_share": 1.5}), "treated_share"),
        (dict(params={"effect_log_hazard": {"Gold": 1.0}}), "effect_log_hazard"),
    ],
)
def test_bad_input_raises_cxdataerror(kwargs, match):
    panel = cx_panel(200, seed=1, months=12)
    with pytest.raises(CXDataError, match=match):
        campaign(panel, **kwargs)


def test_bad_panel_and_bad_campaign_argument_raise():
    with pytest.raises(CXDataError, match="CXPanel"):
        campaign(pd.DataFrame())
    with pytest.raises(CXDataError, match="campaign must be"):
        cx_panel(100, seed=1, campaign="yes")  # type: ignore[arg-type]
