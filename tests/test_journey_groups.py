"""cxlib.journey.groups: CX against UX, customers grouped by product and service experience.

Expected values are worked out by hand from the small frames written out in each test; the
simulated panel checks that a good product does not save bad service, against its truth.
"""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.journey import PRODUCT_SERVICE_GROUPS, product_service_groups
from cxlib.simulate import cx_panel

SIDES = {"product": ["Website", "App"], "service": ["Hotline", "Lieferung"]}


def ratings() -> pd.DataFrame:
    """Six customers: side means worked out in the comment of each row (good >= 8, bad <= 5)."""
    return pd.DataFrame(
        {
            "Website": [9, 10, 4, 3, 7, np.nan],
            "App": [8, np.nan, 5, 2, 9, np.nan],
            "Hotline": [8, 2, 9, np.nan, 5, 9],
            "Lieferung": [9, 5, 8, 4, 6, 9],
            "Filiale": [1, 1, 1, 1, 1, 1],  # on neither side: ignored
        },
        index=[11, 12, 13, 14, 15, 16],
    )
    # product, service means: 8.5/8.5, 10/3.5, 4.5/8.5, 2.5/4, 8/5.5, -/9


def test_groups_by_side_means_hand_built():
    scores = ratings()
    before = scores.copy()
    groups = product_service_groups(scores, **SIDES, good=8, bad=5)
    assert groups.index.tolist() == [11, 12, 13, 14, 15, 16]
    assert groups.name == "group"
    assert list(groups.cat.categories) == PRODUCT_SERVICE_GROUPS
    assert groups.iloc[:5].tolist() == [
        "good product, good service",
        "good product, bad service",  # the Website alone counts when the App is missing
        "bad product, good service",
        "bad product, bad service",  # the hotline was never used: judged on the delivery
        "in between",  # product 8 is good, service 5.5 is neither
    ]
    assert pd.isna(groups.iloc[5])  # no product-side score at all: no group
    pd.testing.assert_frame_equal(scores, before)  # input not modified


def test_thresholds_are_inclusive():
    scores = pd.DataFrame({"App": [8.0, 5.0], "Hotline": [5.0, 8.0]})
    groups = product_service_groups(scores, product=["App"], service=["Hotline"], good=8, bad=5)
    assert groups.tolist() == ["good product, bad service", "bad product, good service"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"product": [], "service": ["Hotline"], "good": 8, "bad": 5}, "at least one"),
        ({"product": ["App"], "service": ["App"], "good": 8, "bad": 5}, "both sides"),
        ({"product": ["App"], "service": ["Hotline"], "good": 5, "bad": 5}, "below good"),
        ({"product": ["App"], "service": ["Filiale"], "good": 8, "bad": 5}, "Filiale"),
    ],
)
def test_bad_settings_raise(options, message):
    scores = pd.DataFrame({"App": [8.0], "Hotline": [5.0]})
    with pytest.raises(CXDataError, match=message):
        product_service_groups(scores, **options)


def test_non_numeric_scores_raise_naming_the_column():
    scores = pd.DataFrame({"App": ["gut", "schlecht"], "Hotline": [5.0, 8.0]})
    with pytest.raises(CXDataError, match="App"):
        product_service_groups(scores, product=["App"], service=["Hotline"], good=8, bad=5)


def test_good_product_does_not_save_bad_service_in_the_simulator():
    # the simulator's churn hazard and NPS follow latent satisfaction, to which the service
    # touchpoints contribute more (driver weights 0.35 + 0.25 + 0.20) than the app and website
    # (0.15 + 0.10): customers with a good product side and a bad service side must churn more
    # and recommend less than those with both sides good
    panel = cx_panel(4000, seed=5)
    latent = panel.truth.latent.set_index("customer_id")
    experience = latent.filter(like="experience_").rename(columns=lambda c: c[11:])
    groups = product_service_groups(
        experience,
        product=["Website", "App"],
        service=["Kundenservice-Hotline", "Lieferung", "Rechnung"],
        good=0.5,
        bad=-0.5,
    )
    truth = latent.groupby(groups, observed=True)[["satisfaction", "churn_hazard_month"]].mean()
    assert truth.loc["good product, bad service", "satisfaction"] < 0
    assert truth.loc["good product, good service", "satisfaction"] > 0.5
    assert (
        truth.loc["good product, bad service", "churn_hazard_month"]
        > 1.5 * truth.loc["good product, good service", "churn_hazard_month"]
    )
