"""cxlib.estimate: the shared result type."""

import dataclasses

import pytest

from cxlib import CXDataError
from cxlib.estimate import ESTIMATE_COLUMNS, Estimate, z_value


def test_z_value_matches_normal_quantiles():
    # standard normal table: 1.959964 (95 %), 2.575829 (99 %), 1.644854 (90 %)
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    for bad in (0, 1, 95):
        with pytest.raises(CXDataError, match="level"):
            z_value(bad)


def test_estimate_is_frozen_with_readable_repr_and_frame():
    est = Estimate(78.4, 75.1, 81.5, 612, 540.2, 0.95, "wilson")
    expected = "Estimate(78.4 pct, 95% CI [75.1, 81.5], n=612, n_eff=540.2, method='wilson')"
    assert repr(est) == expected
    assert est.half_width == pytest.approx(3.2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.estimate = 1.0
    frame = est.to_frame()
    assert list(frame.columns)[: len(ESTIMATE_COLUMNS)] == ESTIMATE_COLUMNS
    assert frame.loc[0, "n"] == 612


def test_repr_shows_the_decimals_the_unit_carries():
    # the old repr printed one decimal for every unit: "Estimate(0.7 r, CI [0.7, 0.8])"
    r = Estimate(0.7123, 0.6871, 0.7358, 500, 500.0, 0.95, "bootstrap", unit="r")
    assert repr(r).startswith("Estimate(0.712 r, 95% CI [0.687, 0.736]")
    assert repr(Estimate(5.4321, 5.3, 5.5, 9, 9.0, 0.95, "t", unit="points")).startswith(
        "Estimate(5.43 points, 95% CI [5.30, 5.50]"
    )
    assert "0.125 rate" in repr(Estimate(0.125, 0.1, 0.15, 9, 9.0, 0.95, "wilson", unit="rate"))
    assert "35.17 EUR" in repr(Estimate(35.172, 30.0, 40.0, 9, 9.0, 0.95, "t", unit="EUR"))
