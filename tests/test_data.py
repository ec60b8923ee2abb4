"""cxlib.data: bundled data sets load with the published row counts, dtypes and checksums."""

import shutil

import pandas as pd
import pytest

from cxlib import CXDataError
from cxlib.data import (
    DATA_FILES,
    TELCO_LABELS,
    TELCO_REFERENCE_LEVELS,
    data_dir,
    file_sha256,
    load_cdnow,
    load_telco,
    telco_label,
)


def test_bundled_files_match_published_checksums():
    # SHA-256 as listed in data/README.md and the project's PROVENANCE.md
    for name, sha in DATA_FILES.items():
        assert file_sha256(data_dir() / name) == sha


def test_cdnow_master_rows_customers_and_dtypes():
    # Fader, Hardie & Lee (2005): 23,570 customers with a first purchase in Q1 1997
    frame = load_cdnow()
    assert frame.shape == (69_659, 4)
    assert frame["customer_id"].nunique() == 23_570
    assert list(frame.columns) == ["customer_id", "date", "quantity", "amount"]
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert frame["quantity"].dtype == "int64" and frame["customer_id"].dtype == "int64"
    assert frame["amount"].dtype == "float64"
    assert frame["date"].min() == pd.Timestamp("1997-01-01")
    assert frame["date"].max() == pd.Timestamp("1998-06-30")
    first = frame.groupby("customer_id")["date"].min()
    assert first.max() < pd.Timestamp("1997-04-01")  # cohort: first purchase in Q1 1997


def test_cdnow_sample_is_the_1_in_10_sample_with_master_ids():
    sample = load_cdnow(sample=True)
    assert sample.shape == (6_919, 4)
    assert sample["customer_id"].nunique() == 2_357
    master = load_cdnow()
    # every sample record appears in the master file under the same id
    merged = sample.merge(master, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    # cents survive parsing (amounts are not truncated to integers)
    assert sample["amount"].iloc[0] == pytest.approx(29.33)


def test_telco_rows_churn_and_dtypes():
    telco = load_telco()
    assert telco.shape == (7_043, 21)
    assert telco["churn"].dtype == bool and int(telco["churn"].sum()) == 1_869
    assert telco["customer_id"].is_unique and telco["customer_id"].iloc[0] == "7590-VHVEG"
    for col in ["partner", "dependents", "phone_service", "paperless_billing", "senior_citizen"]:
        assert telco[col].dtype == bool, col
    assert isinstance(telco["contract"].dtype, pd.CategoricalDtype)
    assert set(telco["contract"].cat.categories) == {"Month-to-month", "One year", "Two year"}
    assert telco["total_charges"].dtype == "float64"
    assert telco["total_charges"].notna().all()
    # the 11 blank totals belong to the tenure-0 customers and become 0.0 (not yet billed)
    new = telco["tenure_months"] == 0
    assert new.sum() == 11 and (telco.loc[new, "total_charges"] == 0.0).all()


def test_changed_file_fails_checksum_naming_the_file(tmp_path):
    copy = tmp_path / "CDNOW_master.txt"
    shutil.copy(data_dir() / "CDNOW_master.txt", copy)
    with open(copy, "a") as handle:
        handle.write(" 99999 19980101  1   1.00\n")
    with pytest.raises(CXDataError, match="CDNOW_master.txt.*has changed"):
        load_cdnow(path=copy)


def test_missing_file_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLIB_DATA_DIR", str(tmp_path))
    with pytest.raises(CXDataError, match="WA_Fn-UseC_-Telco-Customer-Churn.csv' not found"):
        load_telco()
    with pytest.raises(CXDataError, match="CDNOW_sample.txt' not found"):
        load_cdnow(sample=True)


def test_telco_labels_cover_every_column_and_references_are_the_dropped_levels():
    telco = load_telco()
    assert set(TELCO_LABELS) == set(telco.columns)
    for column, reference in TELCO_REFERENCE_LEVELS.items():
        # the level that pd.get_dummies(drop_first=True) and statsmodels' C() leave out
        assert sorted(telco[column].astype(str).unique())[0] == reference, column
        dummies = pd.get_dummies(telco[column].astype(str), prefix=column, drop_first=True)
        assert all("(vs " in telco_label(name) for name in dummies.columns)


def test_telco_label_reads_columns_and_both_dummy_spellings():
    assert telco_label("senior_citizen") == "senior citizen"
    assert telco_label("contract_One year") == "contract: one year (vs month-to-month)"
    assert telco_label("contract = One year") == telco_label("contract_One year")
    assert telco_label("internet_service = Fiber optic") == (
        "internet service: fiber optic (vs DSL)"
    )
    assert telco_label("payment_method_Credit card (automatic)") == (
        "payment method: automatic credit card (vs automatic bank transfer)"
    )
    # a column whose name starts like another: the longest name wins
    assert telco_label("streaming_movies") == "streaming movies add-on"
    assert telco_label("tech_support_Yes") == "tech support add-on: yes"  # no reference level
    assert telco_label("monthly_charges_10usd") == "monthly charges 10usd"  # not a category
    assert telco_label("something_else") == "something else"
