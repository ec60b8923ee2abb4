"""cxlib.text.distinctive: Monroe, Colaresi & Quinn (2008) log-odds ratio, informative prior."""

import numpy as np
import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.text import distinctive_words, log_odds_dirichlet


def test_log_odds_match_the_formula_by_hand():
    # Monroe et al. (2008), eqs. 16, 18 and 19 with a_w = a0 * y_w / n:
    # y_i = (8, 2, 0), y_j = (2, 8, 10), a0 = 20, n = 30 -> a = (20/3, 20/3, 20/3)
    yi, yj, a0 = np.array([8.0, 2, 0]), np.array([2.0, 8, 10]), 20.0
    a = np.full(3, 20 / 3)
    ni, nj = 10.0, 20.0
    by_hand = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
    se = np.sqrt(1 / (yi + a) + 1 / (yj + a))
    delta, z = log_odds_dirichlet(yi, yj, prior_size=a0)
    np.testing.assert_allclose(delta, by_hand, rtol=1e-12)
    np.testing.assert_allclose(z, by_hand / se, rtol=1e-12)
    assert delta[0] > 0 > delta[2]


def test_symmetry_and_the_weak_prior_limit():
    delta, z = log_odds_dirichlet([30, 5], [5, 30])
    back, zback = log_odds_dirichlet([5, 30], [30, 5])
    np.testing.assert_allclose(delta, -back)
    np.testing.assert_allclose(z, -zback)
    # with a tiny prior and large counts: the plain log-odds ratio of the word
    yi, yj = np.array([4000.0, 6000]), np.array([1000.0, 9000])
    delta, _ = log_odds_dirichlet(yi, yj, prior_size=1e-9)
    plain = np.log(4000 / 6000) - np.log(1000 / 9000)
    assert delta[0] == pytest.approx(plain, rel=1e-9)


def test_bad_counts_are_refused():
    with pytest.raises(CXDataError, match="same length"):
        log_odds_dirichlet([1, 2], [1])
    with pytest.raises(CXDataError, match="negative"):
        log_odds_dirichlet([1, -2], [1, 2])
    with pytest.raises(CXDataError, match="prior_size"):
        log_odds_dirichlet([1, 2], [1, 2], prior_size=0)


def test_distinctive_words_find_the_theme_words_and_hide_rare_ones():
    wifi = ["Das WLAN im Zug ist wieder tot", "kein WLAN und kein Netz", "WLAN weg, Netz weg"] * 3
    late = ["Zug hat Verspätung", "wieder Verspätung im Zug", "20 Minuten verspätet"] * 3
    texts = pd.Series(wifi + late + ["Einmalig: Zeppelinstraße"])
    groups = pd.DataFrame(
        {"wifi": [True] * 9 + [False] * 10, "late": [False] * 9 + [True] * 9 + [False]}
    )
    before = groups.copy()
    table = distinctive_words(texts, groups, top=3, min_docs=3)
    pd.testing.assert_frame_equal(groups, before)
    assert table.loc[table["group"] == "wifi", "word"].iloc[0] == "wlan"
    assert table.loc[table["group"] == "late", "stem"].iloc[0] == "verspat"
    # the written form shown is the most frequent one of the stem
    assert table.loc[table["group"] == "late", "word"].iloc[0] == "verspätung"
    assert "zeppelinstraße" not in set(table["word"])  # in one comment only
    assert (table["z"] > 0).all()
    assert table.loc[table["word"] == "wlan", "docs_in_group"].iloc[0] == 9
    with pytest.raises(CXDataError, match="one row per comment"):
        distinctive_words(texts[:3], groups)
