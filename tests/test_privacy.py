"""cxlib.privacy: keyed pseudonyms and small-cell suppression."""

import hmac
import os
import stat

import numpy as np
import pandas as pd
import pytest

from cxlib.privacy import (
    KEY_ENV,
    KEY_FILE,
    pseudonym_key,
    pseudonymise,
    suppress_crosstab,
    suppress_small_cells,
)
from cxlib.validate import CXDataError


def test_pseudonym_is_hmac_sha256_rfc4231_test_case_2():
    # RFC 4231, section 4.3: HMAC-SHA-256(key="Jefe", "what do ya want for nothing?")
    # = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
    assert pseudonymise(["what do ya want for nothing?"], key="Jefe").tolist() == ["P-5bdcc146bf60"]


def test_pseudonym_is_stable_for_a_key_and_differs_across_keys():
    ids = pd.Series(
        ["K-1001", "K-1002", "K-1001", 1001], index=[10, 11, 12, 13], name="customer_id"
    )
    before = ids.copy()
    a1 = pseudonymise(ids, key=b"key-one")
    a2 = pseudonymise(ids, key="key-one")
    b = pseudonymise(ids, key=b"key-two")
    assert a1.equals(a2)
    assert a1.iloc[0] == a1.iloc[2] != a1.iloc[1]
    assert (a1 != b).all()
    assert a1.index.tolist() == [10, 11, 12, 13] and a1.name == "customer_id"
    assert a1.str.fullmatch(r"P-[0-9a-f]{12}").all()
    assert not a1.isin(ids.astype(str)).any()
    pd.testing.assert_series_equal(ids, before)  # input not modified
    # an int id and its text form are the same customer
    assert pseudonymise([1001], key=b"key-one").iloc[0] == a1.iloc[3]


def test_missing_ids_stay_missing_and_empty_key_is_refused():
    out = pseudonymise(pd.Series(["a", None, "a"]), key=b"k")
    assert out.isna().tolist() == [False, True, False]
    with pytest.raises(CXDataError, match="must not be empty"):
        pseudonymise(["a"], key=b"")


def test_key_file_is_generated_private_reused_and_env_wins(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    first = pseudonym_key(tmp_path)
    file = tmp_path / KEY_FILE
    assert len(first) == 64 and file.is_file()
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert pseudonym_key(tmp_path) == first
    assert pseudonym_key(tmp_path / "other") != first  # a new folder gets a new random key
    monkeypatch.setenv(KEY_ENV, "from-env")
    assert pseudonym_key(tmp_path) == b"from-env"
    assert hmac.compare_digest(pseudonym_key(None), b"from-env")


def test_small_cells_are_blanked_labels_kept_input_untouched():
    table = pd.DataFrame(
        {"region": ["Nord", "Süd", "Ost"], "estimate": [71.5, 64.0, 80.0], "n": [250, 9, 10]}
    )
    before = table.copy()
    out = suppress_small_cells(table, min_cell=10, secondary=False)
    pd.testing.assert_frame_equal(table, before)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["region"].tolist() == ["Nord", "Süd", "Ost"]
    assert np.isnan(out.loc[1, "estimate"]) and pd.isna(out.loc[1, "n"])
    assert out["n"].dtype == "Int64"  # counts stay whole numbers
    assert out.loc[2, "estimate"] == 80.0 and out.loc[2, "n"] == 10  # exactly min_cell is shown
    only = suppress_small_cells(table, min_cell=10, columns=["estimate"], secondary=False)
    assert only.loc[1, "n"] == 9 and np.isnan(only.loc[1, "estimate"])


def test_nothing_suppressed_keeps_dtypes_and_empty_groups_stay_visible():
    table = pd.DataFrame({"g": ["a", "b", "empty"], "n": [12, 30, 0]})
    out = suppress_small_cells(table, min_cell=10)
    assert out["n"].dtype == "int64" and not out["suppressed"].any()


def test_suppression_rejects_bad_settings():
    table = pd.DataFrame({"g": ["a"], "n": [5]})
    with pytest.raises(CXDataError, match=r"missing the required column\(s\) \['count'\]"):
        suppress_small_cells(table, count="count")
    with pytest.raises(CXDataError, match="min_cell must be a positive whole number"):
        suppress_small_cells(table, min_cell=0)


def test_one_blanked_group_takes_the_next_smallest_with_it():
    """Secondary suppression: with a total known, one blanked count could be derived."""
    table = pd.DataFrame({"g": list("abcd"), "n": [250, 4, 31, 12], "rate": [0.1, 0.2, 0.3, 0.4]})
    out = suppress_small_cells(table, min_cell=10)
    assert out["suppressed"].tolist() == [False, True, False, True]  # d (12) goes with b (4)
    two = suppress_small_cells(table.assign(n=[250, 4, 31, 5]), min_cell=10)
    assert two["suppressed"].tolist() == [False, True, False, True]  # two blanked: enough
    empty = suppress_small_cells(table.assign(n=[250, 4, 0, 31]), min_cell=10)
    assert empty["suppressed"].tolist() == [False, True, False, True]  # empty groups stay


def test_crosstab_blanks_small_cells_small_lines_and_a_second_cell_per_line():
    # by hand: B -> X (3) is small; row B's smallest other cell (Z, 25) and column X's (A, 40)
    # go with it; then column Z has one blank (B) and takes A -> Z (20); every line has 0 or 2
    counts = pd.DataFrame(
        {"X": [40, 3, 50], "Y": [12, 30, 60], "Z": [20, 25, 70]}, index=["A", "B", "C"]
    )
    before = counts.copy()
    shares = suppress_crosstab(counts, min_cell=10)
    pd.testing.assert_frame_equal(counts, before)
    blank = shares.isna().to_numpy()
    assert blank.tolist() == [[True, False, True], [True, False, True], [False, False, False]]
    # shares shown are those of the full counts: blanking never changes a denominator
    assert shares.loc["A", "Y"] == pytest.approx(12 / 72)
    assert shares.loc["C"].sum() == pytest.approx(1.0)
    # no line has exactly one blanked non-empty cell
    lone = (blank & (counts.to_numpy() > 0)).sum(axis=1) == 1
    assert not lone.any() and not ((blank & (counts.to_numpy() > 0)).sum(axis=0) == 1).any()
    without = suppress_crosstab(counts, min_cell=10, secondary=False)
    assert without.isna().sum().sum() == 1  # only the small cell


def test_crosstab_small_rows_and_columns_are_blanked_whole_zeros_included():
    # row "few" has 2 people (zeros too would describe them); column "rare" has 3
    counts = pd.DataFrame(
        {"stay": [500, 2, 0], "move": [100, 0, 300], "rare": [0, 0, 3], "none": [0, 0, 0]},
        index=["big", "few", "other"],
    )
    out = suppress_crosstab(counts, min_cell=10, normalize=None, secondary=False)
    assert out.loc["few"].isna().all() and out["rare"].isna().all()
    assert out.loc["big", "stay"] == 500 and out.loc["big", "none"] == 0  # empty column shown
    cols = suppress_crosstab(counts, min_cell=10, normalize="columns", secondary=False)
    assert cols.loc["other", "move"] == pytest.approx(300 / 400) and cols["none"].isna().all()


def test_crosstab_rejects_bad_counts_and_settings():
    with pytest.raises(CXDataError, match="Column 'count' must hold whole numbers"):
        suppress_crosstab(pd.DataFrame({"a": [1.5, 2.0]}))
    with pytest.raises(CXDataError, match=r"Column 'count' must lie in \[0, inf\]"):
        suppress_crosstab(pd.DataFrame({"a": [-1, 2]}))
    with pytest.raises(CXDataError, match="normalize"):
        suppress_crosstab(pd.DataFrame({"a": [1, 2]}), normalize="rows")
    with pytest.raises(CXDataError, match="min_cell"):
        suppress_crosstab(pd.DataFrame({"a": [1, 2]}), min_cell=0)
