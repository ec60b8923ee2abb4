"""cxlib.byod: your exports are checked before any notebook runs, one message per problem.

Loading in notebooks and preparing files for ``cxlib report``; reading is tested in
test_byod_read.py, the column rules in test_byod_check.py.
"""

import warnings
from pathlib import Path

import pandas as pd
import pytest

import cxlib.byod
import cxlib.byod.prepare
from cxlib.byod import (
    InputFilesError,
    check_file,
    load_customers,
    load_survey,
    load_transactions,
    prepare_inputs,
)
from cxlib.privacy import pseudonymise
from cxlib.validate import CXDataError

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"
GERMAN = {
    "customer_id": "KundenNr",
    "date": "Datum",
    "amount": "Betrag",
    "touchpoint": "Kontaktpunkt",
    "csat": "Zufriedenheit",
    "ces": "Aufwand",
    "nps": "Weiterempfehlung",
    "survey_id": "AntwortNr",
    "tenure_months": "Vertragsdauer",
    "churn": "Gekuendigt",
    "monthly_charges": "Monatsbetrag",
    "total_charges": "Gesamtbetrag",
    "contract": "Vertragsart",
}
GERMAN_OPTIONS = {"columns": GERMAN, "date_format": "%d.%m.%Y", "decimal": ","}


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_package_keeps_every_name_of_the_former_module():
    # what notebooks, cxlib.report, cxlib.__main__ and users import from cxlib.byod
    former = """INPUTS InputSpec PreparedInputs Problem check_input describe_file load_customers
        load_survey load_transactions parse_columns prepare_inputs read_table CHURN_VALUES
        GERMAN_HINTS KNOWN_COLUMNS"""
    for name in former.split():
        assert name in cxlib.byod.__all__ and hasattr(cxlib.byod, name)


def test_example_files_load_with_german_columns_mapped():
    tx = load_transactions(EXAMPLES / "umsaetze.csv", **GERMAN_OPTIONS)
    assert list(tx.columns) == ["customer_id", "date", "amount"]
    assert len(tx) == 1063 and tx["customer_id"].nunique() == 150
    assert tx["date"].min() == pd.Timestamp("2023-01-02")
    # first row of the file: K-10001;23.01.2023;46,02 (German date and decimal comma)
    assert tx.iloc[0].tolist() == ["K-10001", pd.Timestamp("2023-01-23"), 46.02]
    survey = load_survey(EXAMPLES / "befragung.csv", **GERMAN_OPTIONS)
    assert {"csat", "ces", "nps", "responded", "touchpoint", "timestamp"} <= set(survey.columns)
    assert survey["csat"].between(1, 5).all() or survey["csat"].isna().any()
    assert survey["nps"].isna().sum() > 0  # blanks are non-response, not zero
    customers = load_customers(EXAMPLES / "kunden.csv", **GERMAN_OPTIONS)
    assert customers["churn"].dtype == bool and customers["customer_id"].is_unique
    assert customers.loc[0, ["tenure_months", "monthly_charges"]].tolist() == [72, 66.57]
    assert "contract" in customers.columns


def test_none_means_bundled_data():
    assert len(load_transactions(None, sample=True)) == 6919  # CDNOW sample, Fader et al. 2005
    assert len(load_customers(None)) == 7043  # IBM Telco


def test_a_broken_file_raises_with_every_problem():
    with pytest.raises(CXDataError) as info:
        load_customers(EXAMPLES / "kunden.csv", decimal=",")
    assert str(info.value).count(str(EXAMPLES / "kunden.csv") + ": required column") == 3


def test_prepare_checks_all_files_first_and_lists_every_problem(tmp_path):
    bad_tx = _csv(tmp_path, "customer_id,date,amount\nA,2024-13-45,1\n", name="tx.csv")
    bad_cu = _csv(tmp_path, "customer_id,tenure_months,churn\nA,1,maybe\n", name="cu.csv")
    with pytest.raises(CXDataError) as info:
        prepare_inputs({"transactions": bad_tx, "customers": bad_cu}, tmp_path / "out", key=b"k")
    text = str(info.value)
    assert text.startswith("2 problem(s) in your input files; no notebook was run.")
    assert "1. " + str(bad_tx) in text and "2. " + str(bad_cu) in text
    assert not (tmp_path / "out").exists()


def test_prepared_files_are_canonical_parquet_with_pseudonyms(tmp_path):
    prepared = prepare_inputs(
        {"transactions": EXAMPLES / "umsaetze.csv", "survey": None},
        tmp_path,
        key=b"k",
        **GERMAN_OPTIONS,
    )
    assert set(prepared.parameters) == {"transactions_path"}
    tx = load_transactions(prepared.parameters["transactions_path"])
    assert tx.loc[0, "customer_id"] == pseudonymise(["K-10001"], key=b"k").iloc[0]
    assert not tx["customer_id"].str.startswith("K-").any()
    assert tx["amount"].sum() == pytest.approx(
        load_transactions(EXAMPLES / "umsaetze.csv", **GERMAN_OPTIONS)["amount"].sum()
    )
    (info,) = prepared.files
    assert info["kind"] == "transactions" and info["rows"] == 1063 and len(info["sha256"]) == 64


def test_a_column_mapping_that_matches_no_file_is_a_problem(tmp_path):
    with pytest.raises(CXDataError) as info:
        prepare_inputs(
            {"survey": EXAMPLES / "befragung.csv"},
            tmp_path,
            key=b"k",
            # amount=X belongs to transactions, not given here: not checked
            columns=["customer_id=KundenNr,csat=Zufriedenheit,nps=Weiterempfehlng,amount=X"],
            date_format="%d.%m.%Y",
        )
    assert str(info.value).endswith(
        "1. --column: nps=Weiterempfehlng: no input file has a column 'Weiterempfehlng'; "
        "did you mean 'Weiterempfehlung'?"
    )


def test_an_unknown_input_kind_is_refused_before_any_file_is_read(tmp_path):
    with pytest.raises(CXDataError, match=r"'paths' parameter of prepare_inputs must be one of"):
        prepare_inputs({"orders": tmp_path / "missing.csv"}, tmp_path / "out", key=b"k")
    assert not (tmp_path / "out").exists()


# -- issue 15: notes, options carried into the prepared files, unexpected errors -------------

README_COLUMNS = [  # the mapping of README.md, "Running reports on your own data"
    "customer_id=KundenNr,date=Datum,amount=Betrag",
    "csat=Zufriedenheit,ces=Aufwand,nps=Weiterempfehlung,touchpoint=Kontaktpunkt,survey_id=AntwortNr",
    "tenure_months=Vertragsdauer,churn=Gekuendigt,monthly_charges=Monatsbetrag,"
    "total_charges=Gesamtbetrag,contract=Vertragsart",
]


@pytest.mark.parametrize(
    ("kind", "name"),
    [("transactions", "umsaetze.csv"), ("survey", "befragung.csv"), ("customers", "kunden.csv")],
)
def test_example_files_pass_cleanly_with_the_readme_options(kind, name):
    result = check_file(
        kind, EXAMPLES / name, columns=README_COLUMNS, date_format="%d.%m.%Y", decimal=","
    )
    assert result.problems == [] and result.notes == [] and len(result.frame) > 0


def test_prepare_lists_the_notes_of_each_file(tmp_path):
    path = _csv(tmp_path, "customer_id,date,amount,name\n K-1,2024-01-02,5,Max\n", name="tx.csv")
    prepared = prepare_inputs({"transactions": path}, tmp_path / "out", key=b"k")
    (info,) = prepared.files
    assert info["notes"] == [
        "customer_id: surrounding spaces trimmed in 1 row(s)",
        "columns not used by the notebooks were dropped: name (keep one with --keep-column NAME)",
    ]


def test_prepared_files_carry_kept_columns_and_the_window_to_the_notebooks(tmp_path):
    text = (
        "customer_id,nps,Region,date,email\nK-1,9,Nord,1920-01-02,a@b.de\nK-2,7,Süd,2024-01-02,\n"
    )
    path = _csv(tmp_path, text, name="survey.csv")
    prepared = prepare_inputs(
        {"survey": path},
        tmp_path / "out",
        key=b"k",
        keep_columns=["Region"],
        date_window=("1900-01-01", None),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the notebook's load_survey: no problem, no note
        survey = load_survey(prepared.parameters["survey_path"])
    assert survey["Region"].tolist() == ["Nord", "Süd"] and "email" not in survey.columns
    assert survey["timestamp"].dt.year.tolist() == [1920, 2024]


def test_load_functions_take_the_new_options_and_warn_each_note(tmp_path):
    path = _csv(tmp_path, "customer_id,date,amount\nA,12/10/2023,1\nB,13/10/2023,2\n")
    with pytest.warns(UserWarning, match="date: dates read day first") as caught:
        tx = load_transactions(path)
    assert caught[0].filename == __file__  # stacklevel: the caller's line
    assert tx["date"].iloc[0] == pd.Timestamp("2023-10-12")
    with pytest.raises(CXDataError, match="Column 'date' must hold dates that can be parsed"):
        load_transactions(path, day_first=False)  # month first: 13/10/2023 is no date
    with pytest.raises(CXDataError, match="Column 'date' must lie between 2024-01-01 and"):
        load_transactions(path, date_window=("2024-01-01", None))
    with pytest.raises(CXDataError, match="--keep-column X: the file has no column 'X'"):
        load_transactions(path, keep_columns=["X"])


def test_a_keep_column_that_no_file_has_is_a_problem(tmp_path):
    path = _csv(tmp_path, "customer_id,date,amount,Region\nA,2024-01-02,1,Nord\n")
    with pytest.raises(InputFilesError) as info:
        prepare_inputs({"transactions": path}, tmp_path / "out", key=b"k", keep_columns=["Regoin"])
    assert str(info.value).endswith(
        "1. --keep-column: no input file has a column 'Regoin'; did you mean 'Region'?"
    )


def test_an_unexpected_error_becomes_a_problem_of_its_file_with_the_traceback(
    tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cxlib.byod.prepare, "check_file", broken)
    path = _csv(tmp_path, "customer_id,date,amount\nA,2024-01-02,1\n")
    with pytest.raises(InputFilesError) as info:
        prepare_inputs({"transactions": path}, tmp_path / "out", key=b"k")
    (problem,) = info.value.problems
    assert str(problem) == (
        f"{path}: unexpected error while checking this file: RuntimeError: boom; the full "
        "traceback is in the log"
    )
    assert "Traceback (most recent call last)" in problem.detail and "boom" in problem.detail
    assert info.value.details.startswith(f"{path}:\nTraceback")
    assert isinstance(info.value, CXDataError)


def test_notebooks_read_every_prepared_example_file_without_problem_or_note(tmp_path):
    paths = {
        "transactions": EXAMPLES / "umsaetze.csv",
        "survey": EXAMPLES / "befragung.csv",
        "customers": EXAMPLES / "kunden.csv",
    }
    prepared = prepare_inputs(paths, tmp_path, key=b"k", **GERMAN_OPTIONS)
    assert [info["notes"] for info in prepared.files] == [[], [], []]
    loaders = {
        "transactions_path": load_transactions,
        "survey_path": load_survey,
        "customers_path": load_customers,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = {p: loaders[p](path) for p, path in prepared.parameters.items()}
    assert len(frames["transactions_path"]) == 1063 and len(frames["customers_path"]) == 300
    assert frames["survey_path"]["responded"].any()


def test_ibm_telco_names_are_recognised_and_blank_charges_are_empty(tmp_path):
    """The raw IBM export: its optional columns need no --column, ' ' charges are missing."""
    path = tmp_path / "telco.csv"
    path.write_text(
        "customerID,SeniorCitizen,Partner,tenure,Contract,MonthlyCharges,TotalCharges,Churn\n"
        "7590-VHVEG,0,Yes,1,Month-to-month,29.85,29.85,No\n"
        "4472-LVYGI,1,No,0,Two year,52.55, ,No\n"
        "3668-QPYBK,0,No,2,Month-to-month,53.85,108.15,Yes\n"
    )
    mapping = {"customer_id": "customerID", "tenure_months": "tenure", "churn": "Churn"}
    result = check_file("customers", path, columns=mapping)
    assert result.problems == []
    frame = result.frame
    assert frame["senior_citizen"].tolist() == [False, True, False]
    assert frame["partner"].dtype == bool and frame["contract"].iloc[1] == "Two year"
    assert frame["total_charges"].isna().tolist() == [False, True, False]
    assert "cells holding only spaces were read as empty: TotalCharges (1)" in result.notes

    path.write_text(path.read_text().replace("1,No,0,Two", "vielleicht,No,0,Two"))
    problems = check_file("customers", path, columns=mapping).problems
    assert [p.column for p in problems] == ["SeniorCitizen"]
    assert "must be yes/no" in problems[0].message and "\n3 " in problems[0].message
