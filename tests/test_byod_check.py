"""cxlib.byod.check: every broken rule of a file (or why it cannot be read) is reported once."""

from pathlib import Path

import pandas as pd
import pytest

from cxlib.byod import check_input, load_customers, load_transactions
from cxlib.byod.schema import SURVEY_SCORES
from cxlib.survey.scales import SCALES
from cxlib.validate import CXDataError

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _messages(kind, path, **options):
    frame, problems = check_input(kind, path, **options)
    assert frame is None
    return [p.message for p in problems], problems


def test_unreadable_and_empty_files(tmp_path):
    assert _messages("transactions", tmp_path / "nope.csv")[0] == ["file not found."]
    empty = _csv(tmp_path, "customer_id,date,amount\n")
    assert _messages("transactions", empty)[0] == ["the file has no data rows."]


def test_windows_german_csv_is_read_and_old_spreadsheets_get_a_hint(tmp_path):
    path = tmp_path / "kunden.csv"
    text = "Kunde;Monate;Gekündigt\nA;3;ja\nB;4;nein\n"
    path.write_bytes(text.encode("cp1252"))  # Excel's "CSV" on German Windows
    with pytest.warns(UserWarning, match=r"^read as Windows-1252 \(the file is not UTF-8\)$"):
        frame = load_customers(
            path, columns={"customer_id": "Kunde", "tenure_months": "Monate", "churn": "Gekündigt"}
        )
    assert frame["churn"].tolist() == [True, False]
    book = _csv(tmp_path, "x", name="export.xlsx")  # not a workbook: said, never a traceback
    (message,) = _messages("customers", book)[0]
    assert message.startswith("cannot be read as an Excel workbook (BadZipFile:")
    old = _csv(tmp_path, "x", name="export.xls")
    assert _messages("customers", old)[0] == [
        ".xls spreadsheets are not read; save the sheet as .xlsx, CSV (UTF-8) or parquet."
    ]


def test_misnamed_columns_are_named_with_a_suggested_mapping():
    messages, problems = _messages("transactions", EXAMPLES / "umsaetze.csv", decimal=",")
    assert len(messages) == 3
    assert messages[0].startswith("required column 'customer_id' is missing; the file has")
    assert "Did you mean --column customer_id=KundenNr?" in messages[0]
    assert "--column date=Datum" in messages[1] and "--column amount=Betrag" in messages[2]
    assert str(problems[0]).startswith(str(EXAMPLES / "umsaetze.csv") + ": ")


def test_unparsable_dates_name_file_column_and_lines(tmp_path):
    path = _csv(tmp_path, "KundenNr;Datum;Betrag\nA;01.02.2024;1\nB;31.02.2024;2\nC;gestern;3\n")
    columns = {"customer_id": "KundenNr", "date": "Datum", "amount": "Betrag"}
    messages, problems = _messages("transactions", path, columns=columns, date_format="%d.%m.%Y")
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


@pytest.mark.parametrize("score", SURVEY_SCORES)
def test_a_score_outside_its_scale_is_reported_with_the_scale_from_survey_scales(tmp_path, score):
    low, high = SCALES[score]  # the package's one definition of the answer scales
    path = _csv(tmp_path, f"Antwort\n{low}\n{high}\n{high + 1}\n")
    messages, problems = _messages("survey", path, columns={score: "Antwort"})
    assert [p.column for p in problems] == ["Antwort"]
    assert messages[0].startswith(
        f"Column 'Antwort' must lie in [{low}, {high}]: 1 of 3 rows do not."
    )
    assert messages[0].split("\n")[-1].split() == ["4", str(float(high + 1))]  # CSV line 4


def test_survey_checks_follow_scales_not_a_copy_of_them(tmp_path, monkeypatch):
    monkeypatch.setitem(SCALES, "nps", (1, 11))  # if byod kept its own table, nothing would move
    path = _csv(tmp_path, "nps\n0\n11\n")
    assert _messages("survey", path)[0][0].startswith("Column 'nps' must lie in [1, 11]")
    none = _csv(tmp_path, "Note\n5\n", name="none.csv")
    assert "csat (1-5), ces (1-7) or nps (1-11);" in _messages("survey", none)[0][0]


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


def test_infinite_amounts_are_refused_and_time_zones_dropped(tmp_path):
    path = _csv(tmp_path, "customer_id;date;amount\n1;2024-01-01;5\n2;2024-01-02;1e400\n")
    messages, _ = _messages("transactions", path)
    assert messages[0].startswith("Column 'amount' must hold finite numbers: 1 of 2 rows do not")
    when = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 08:00"]).tz_localize("Europe/Berlin")
    frame = pd.DataFrame({"customer_id": [1, 2], "date": when, "amount": [1.0, 2.0]})
    frame.to_parquet(tmp_path / "tz.parquet")
    tx = load_transactions(tmp_path / "tz.parquet")
    assert tx["date"].dt.tz is None and tx["date"].iloc[0] == pd.Timestamp("2024-01-01")


def test_decimal_comma_applies_to_csv_and_parquet_keeps_its_dtypes(tmp_path):
    path = _csv(tmp_path, "customer_id;tenure_months;churn;monthly_charges\nA;1;ja;1.234,5\n")
    frame, problems = check_input("customers", path, decimal=",")
    assert problems == [] and frame["monthly_charges"].tolist() == [1234.5]
    frame.to_parquet(tmp_path / "c.parquet")
    again, problems = check_input("customers", tmp_path / "c.parquet", decimal=",")
    assert problems == [] and again["monthly_charges"].tolist() == [1234.5]


def test_an_unknown_kind_is_refused_with_the_valid_ones(tmp_path):
    with pytest.raises(
        CXDataError,
        match=r"^The 'kind' parameter of check_input must be one of "
        r"\{'customers', 'survey', 'transactions'\}\. Got 'orders' instead\.$",
    ):
        check_input("orders", _csv(tmp_path, "a\n1\n"))
