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
