"""cxlib.byod: your exports are checked before any notebook runs, one message per problem."""

from pathlib import Path

import pandas as pd
import pytest

from cxlib.byod import (
    check_input,
    load_customers,
    load_survey,
    load_transactions,
    parse_columns,
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


def _messages(kind, path, **options):
    frame, problems = check_input(kind, path, **options)
    assert frame is None
    return [p.message for p in problems], problems


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


def test_misnamed_columns_are_named_with_a_suggested_mapping():
    messages, problems = _messages("transactions", EXAMPLES / "umsaetze.csv", decimal=",")
    assert len(messages) == 3
    assert messages[0].startswith("required column 'customer_id' is missing; the file has")
    assert "Did you mean --column customer_id=KundenNr?" in messages[0]
    assert "--column date=Datum" in messages[1] and "--column amount=Betrag" in messages[2]
    assert str(problems[0]).startswith(str(EXAMPLES / "umsaetze.csv") + ": ")


def test_unparsable_dates_name_file_column_and_lines(tmp_path):
    path = _csv(tmp_path, "KundenNr;Datum;Betrag\nA;01.02.2024;1\nB;31.02.2024;2\nC;gestern;3\n")
    messages, problems = _messages("transactions", path, columns=GERMAN, date_format="%d.%m.%Y")
    assert problems[0].column == "Datum"
    assert "Column 'Datum' must hold dates that can be parsed: 2 of 3 rows do not" in messages[0]
    lines = messages[0].split("Examples:\n")[1]
    assert "3     31.02.2024" in lines and "4        gestern" in lines  # CSV line numbers


def test_missing_date_without_format_suggests_date_format(tmp_path):
    path = _csv(tmp_path, "customer_id,date,amount\nA,2024-01-05,1\nB,soon,2\n")
    messages, _ = _messages("transactions", path)
    assert "Give the format with --date-format" in messages[0]


def test_scores_outside_their_scale_each_get_a_message(tmp_path):
    path = _csv(tmp_path, "csat,ces,nps\n5,7,10\n6,0,11\n4.5,3,\n")
    messages, _ = _messages("survey", path)
    assert any("Column 'csat' must hold whole numbers: 1 of 3 rows do not" in m for m in messages)
    assert "Column 'ces' must lie in [1, 7]: 1 of 3 rows do not" in "\n".join(messages)
    assert "Column 'nps' must lie in [0, 10]: 1 of 3 rows do not" in "\n".join(messages)


def test_survey_needs_a_score_column(tmp_path):
    path = _csv(tmp_path, "KundenNr,Note\nA,5\n")
    messages, _ = _messages("survey", path)
    assert messages[0].startswith("needs at least one score column: csat (1-5), ces (1-7)")


def test_duplicate_ids_are_refused_where_ids_must_be_unique(tmp_path):
    path = _csv(tmp_path, "customer_id,tenure_months,churn\nA,3,yes\nB,4,no\nA,5,no\n")
    messages, _ = _messages("customers", path)
    assert messages == [
        "Column 'customer_id' must identify each row once (duplicates found): 2 of 3 rows do not."
        " Examples:\n     customer_id\nline            \n2              A\n4              A"
    ]
    answers = _csv(tmp_path, "survey_id,nps\n1,9\n1,3\n", name="s.csv")
    assert "Column 'survey_id' must identify" in _messages("survey", answers)[0][0]


def test_amounts_must_be_non_negative_numbers_and_ids_present(tmp_path):
    path = _csv(tmp_path, "customer_id,date,amount\nA,2024-01-01,x\n,2024-01-02,-1\n")
    messages, _ = _messages("transactions", path)
    text = "\n".join(messages)
    assert "Column 'customer_id' must not be missing: 1 of 2 rows do not" in text
    assert "Column 'amount' must hold numbers: 1 of 2 rows do not" in text


def test_unreadable_and_empty_files(tmp_path):
    assert _messages("transactions", tmp_path / "nope.csv")[0] == ["file not found."]
    empty = _csv(tmp_path, "customer_id,date,amount\n")
    assert _messages("transactions", empty)[0] == ["the file has no data rows."]


def test_parse_columns():
    assert parse_columns(["customer_id=KundenNr,date=Datum", "amount = Betrag"]) == {
        "customer_id": "KundenNr",
        "date": "Datum",
        "amount": "Betrag",
    }
    with pytest.raises(CXDataError, match="CANONICAL=YOURS"):
        parse_columns(["KundenNr"])
    with pytest.raises(CXDataError, match="maps 'date' twice"):
        parse_columns(["date=A", "date=B"])


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


def test_windows_german_csv_is_read_and_spreadsheets_get_a_hint(tmp_path):
    path = tmp_path / "kunden.csv"
    text = "Kunde;Monate;Gekündigt\nA;3;ja\nB;4;nein\n"
    path.write_bytes(text.encode("cp1252"))  # Excel's "CSV" on German Windows
    frame = load_customers(
        path, columns={"customer_id": "Kunde", "tenure_months": "Monate", "churn": "Gekündigt"}
    )
    assert frame["churn"].tolist() == [True, False]
    book = _csv(tmp_path, "x", name="export.xlsx")
    assert _messages("customers", book)[0] == [
        "spreadsheets are not read directly; save the sheet as CSV (UTF-8) or parquet."
    ]


def test_infinite_amounts_are_refused_and_time_zones_dropped(tmp_path):
    path = _csv(tmp_path, "customer_id;date;amount\n1;2024-01-01;5\n2;2024-01-02;1e400\n")
    messages, _ = _messages("transactions", path)
    assert messages[0].startswith("Column 'amount' must hold finite numbers: 1 of 2 rows do not")
    when = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 08:00"]).tz_localize("Europe/Berlin")
    frame = pd.DataFrame({"customer_id": [1, 2], "date": when, "amount": [1.0, 2.0]})
    frame.to_parquet(tmp_path / "tz.parquet")
    tx = load_transactions(tmp_path / "tz.parquet")
    assert tx["date"].dt.tz is None and tx["date"].iloc[0] == pd.Timestamp("2024-01-01")
