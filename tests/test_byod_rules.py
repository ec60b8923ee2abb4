"""cxlib.byod rules of one column (issue 15): decimal marks, date order and window, ids, parquet
types, undocumented columns. Each refusal names the column and the lines (header = line 1)."""

import datetime as dt

import pandas as pd
import pytest

from cxlib.byod import check_file
from cxlib.byod.dates import date_window
from cxlib.byod.numbers import to_numbers, wrong_decimal_mark
from cxlib.validate import CXDataError

TX = "customer_id;date;amount\n"


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(kind, path, **options):
    result = check_file(kind, path, **options)
    assert result.frame is None and result.problems
    return result.problems


def _lines(message):
    """CSV line numbers in the examples table of a message."""
    table = message.split("Examples:\n")[1].splitlines()[2:]
    return [int(row.split()[0]) for row in table]


# -- case 1: decimal mark --------------------------------------------------------------------


def test_dot_decimals_under_decimal_comma_are_refused_naming_column_and_lines(tmp_path):
    rows = "A;2024-01-02;1.234,56\nB;2024-01-03;97.09\nC;2024-01-04;1.234\nD;2024-01-05;1,234.56\n"
    (problem,) = _refused("transactions", _csv(tmp_path, TX + rows), decimal=",")
    assert problem.column == "amount"
    assert problem.message.startswith(
        "Column 'amount' must use ',' as the decimal mark, with '.' only between groups of three "
        "digits (these look like '.' decimals: give --decimal . if that is the file's decimal "
        "mark): 2 of 4 rows do not."
    )
    assert _lines(problem.message) == [3, 5]


def test_comma_decimals_under_decimal_point_are_refused_suggesting_decimal_comma(tmp_path):
    rows = "A;2024-01-02;5\nB;2024-01-03;97,09\nC;2024-01-04;1.234,56\n"
    (problem,) = _refused("transactions", _csv(tmp_path, TX + rows))
    assert problem.column == "amount" and "give --decimal , if that is" in problem.message
    assert _lines(problem.message) == [3, 4]


def test_thousands_separators_are_read_with_a_note(tmp_path):
    result = check_file("transactions", _csv(tmp_path, TX + "A;2024-01-02;1,234\nB;2024-01-03;2\n"))
    assert result.frame["amount"].tolist() == [1234.0, 2.0]
    assert result.notes == [
        "amount: ',' read as thousands separator in 1 value(s) (e.g. line 2: '1,234' = 1234); "
        "give --decimal , if it is the decimal mark"
    ]
    german = check_file("transactions", _csv(tmp_path, TX + "A;2024-01-02;1.234,5\n"), decimal=",")
    assert german.frame["amount"].tolist() == [1234.5] and german.notes == []


def test_the_decimal_rule_never_gives_a_number_off_by_a_factor():
    values = pd.Series(["97.09", "1.234,56", "1.234", "1,234.56", None, "-3,5"])
    wrong = [True, False, False, True, False, False]
    assert wrong_decimal_mark(values, decimal=",").tolist() == wrong
    numbers = to_numbers(values, decimal=",")
    assert numbers.isna().tolist() == [True, False, False, True, True, False]
    assert numbers[[1, 2, 5]].tolist() == [1234.56, 1234.0, -3.5]
    with pytest.raises(CXDataError, match="'decimal' parameter of to_numbers"):
        to_numbers(values, decimal=";")


# -- case 2: day/month order -----------------------------------------------------------------


def test_dates_that_read_two_ways_are_refused_showing_both_readings(tmp_path):
    rows = "A;12/10/2023;1\nB;01/02/2023;2\nC;05/05/2023;3\n"
    (problem,) = _refused("transactions", _csv(tmp_path, TX + rows))
    assert problem.column == "date"
    assert problem.message == (
        "Column 'date' holds dates that read two ways, and none has a day above 12 to decide: "
        "12/10/2023 (line 2) reads as 12 October 2023 (day first) or 10 December 2023 (month "
        "first). Say which with --day-first or --month-first, or give the format: "
        "--date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)."
    )


@pytest.mark.parametrize(
    ("options", "first"),
    [
        ({"day_first": True}, "2023-10-12"),
        ({"day_first": False}, "2023-12-10"),
        ({"date_format": "%d/%m/%Y"}, "2023-10-12"),
    ],
)
def test_an_option_decides_the_order(tmp_path, options, first):
    path = _csv(tmp_path, TX + "A;12/10/2023;1\nB;01/02/2023;2\n")
    result = check_file("transactions", path, **options)
    assert result.problems == [] and result.notes == []
    assert result.frame["date"].iloc[0] == pd.Timestamp(first)


def test_the_data_decide_the_order_when_they_can_with_a_note(tmp_path):
    day = check_file("transactions", _csv(tmp_path, TX + "A;12/10/2023;1\nB;13/10/2023;2\n"))
    assert day.frame["date"].tolist() == [pd.Timestamp("2023-10-12"), pd.Timestamp("2023-10-13")]
    assert day.notes == [
        "date: dates read day first (a value like 13/10/2023 on line 3 decides it)"
    ]
    month = check_file("transactions", _csv(tmp_path, TX + "A;12/10/2023;1\nB;10/13/2023;2\n"))
    assert month.frame["date"].iloc[0] == pd.Timestamp("2023-12-10")
    mixed = _csv(tmp_path, TX + "A;12/10/2023;1\nB;10/13/2023;2\nC;13/10/2023;3\n")
    (problem,) = _refused("transactions", mixed)
    assert problem.column == "date" and "13/10/2023 (line 4) has the day first" in problem.message


def test_iso_and_german_dot_dates_are_never_ambiguous(tmp_path):
    iso = check_file("transactions", _csv(tmp_path, TX + "A;2023-10-12;1\nB;2023-01-02;2\n"))
    assert iso.notes == [] and iso.frame["date"].iloc[0] == pd.Timestamp("2023-10-12")
    # dots are day first (the only convention written with dots), even when the first is <= 12
    dots = check_file("transactions", _csv(tmp_path, TX + "A;01.02.2024;1\nB;23.01.2023;2\n"))
    assert dots.notes == [] and dots.frame["date"].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2023-01-23"),
    ]


# -- case 3: plausible window ----------------------------------------------------------------


def test_dates_outside_the_plausible_window_are_refused_at_the_check(tmp_path):
    rows = "A;1850-01-01;1\nB;2099-07-01;2\nC;0001-01-01;3\nD;9999-12-31;4\nE;2024-01-02;5\n"
    (problem,) = _refused("transactions", _csv(tmp_path, TX + rows))
    start, end = date_window()
    assert start == pd.Timestamp("1950-01-01")
    assert end == pd.Timestamp.now().normalize() + pd.DateOffset(years=1)
    assert problem.column == "date"
    assert problem.message.startswith(
        f"Column 'date' must lie between 1950-01-01 and {end.date().isoformat()}, the plausible "
        "window for an export (give another with --date-window FROM:TO): 4 of 5 rows do not."
    )
    assert _lines(problem.message) == [2, 3, 4, 5]


@pytest.mark.filterwarnings("ignore:Could not infer format")
def test_the_window_can_be_widened_and_year_9999_does_not_overflow(tmp_path):
    rows = "A;0001-01-01;1\nB;9999-12-31;2\n"
    result = check_file(
        "transactions", _csv(tmp_path, TX + rows), date_window=("0001-01-01", "9999-12-31")
    )
    assert result.problems == []
    assert result.frame["date"].dt.year.tolist() == [1, 9999]
    late = check_file(
        "transactions", _csv(tmp_path, TX + "A;1920-05-01;1\n"), date_window=("1900-01-01", None)
    )
    assert late.problems == []
    with pytest.raises(CXDataError, match="date_window must end after it starts"):
        check_file("transactions", tmp_path / "data.csv", date_window=("2024-01-01", "2023-01-01"))


def test_parquet_dates_outside_the_window_are_refused_too(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "date": [dt.date(1, 1, 1), dt.date(2024, 1, 2)],
            "amount": [1.0, 2.0],
        }
    )
    frame.to_parquet(tmp_path / "tx.parquet")
    (problem,) = _refused("transactions", tmp_path / "tx.parquet")
    assert problem.column == "date" and problem.message.endswith("\n1    0001-01-01")


# -- case 5: ids trimmed, case differences noted ---------------------------------------------


def test_ids_are_trimmed_before_the_duplicate_check(tmp_path):
    text = "customer_id,tenure_months,churn\nK-1,1,yes\n K-1,2,no\nK-1 ,3,no\nK-2,4,no\n"
    result = check_file("customers", _csv(tmp_path, text))
    (problem,) = result.problems
    assert problem.column == "customer_id"
    assert problem.message.startswith("Column 'customer_id' must identify each row once")
    assert _lines(problem.message.split("\n(Spaces")[0]) == [2, 3, 4]
    assert problem.message.endswith("(Spaces around ids do not count.)")
    assert result.notes == ["customer_id: surrounding spaces trimmed in 2 row(s)"]


def test_ids_that_differ_only_in_case_are_kept_apart_with_a_note(tmp_path):
    text = "customer_id,tenure_months,churn\nK-1,1,yes\nK-2 ,2,no\nk-1,3,no\n"
    result = check_file("customers", _csv(tmp_path, text))
    assert result.frame["customer_id"].tolist() == ["K-1", "K-2", "k-1"]
    assert result.notes == [
        "customer_id: surrounding spaces trimmed in 1 row(s)",
        "customer_id: 2 ids differ only in upper/lower case from another id (lines 2, 4: "
        "'K-1' / 'k-1'); they count as different customers",
    ]


# -- case 9: parquet types -------------------------------------------------------------------


def test_parquet_dates_stored_as_integers_are_refused(tmp_path):
    frame = pd.DataFrame({"customer_id": ["A"], "date": [19_000], "amount": [1.0]})
    frame.to_parquet(tmp_path / "tx.parquet")
    (problem,) = _refused("transactions", tmp_path / "tx.parquet")
    assert (problem.file, problem.column) == (str(tmp_path / "tx.parquet"), "date")
    assert problem.message == (
        "Column 'date' is stored as int64 in the parquet file; dates must be a date or timestamp "
        "type, or text such as 2023-10-12 (integers would be read as nanoseconds after "
        "1970-01-01)."
    )


def test_parquet_list_or_struct_ids_are_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    for name, ids in (("list", [["A"], ["B"]]), ("struct", [{"k": 1}, {"k": 2}])):
        table = pa.table({"customer_id": ids, "tenure_months": [1, 2], "churn": [True, False]})
        pq.write_table(table, tmp_path / f"{name}.parquet")
        (problem,) = _refused("customers", tmp_path / f"{name}.parquet")
        assert problem.column == "customer_id"
        assert problem.message.endswith("in the parquet file; ids must be text or integers.")


def test_parquet_nullable_churn_with_na_is_refused_naming_the_row(tmp_path):
    churn = pd.array([True, pd.NA, False], dtype="boolean")
    frame = pd.DataFrame({"customer_id": [1, 2, 3], "tenure_months": [1, 2, 3], "churn": churn})
    frame.to_parquet(tmp_path / "cu.parquet")
    (problem,) = _refused("customers", tmp_path / "cu.parquet")
    assert problem.column == "churn"
    assert problem.message.startswith("Column 'churn' must not be missing: 1 of 3 rows do not.")
    assert _lines(problem.message) == [2]  # parquet rows are numbered from 1


def test_parquet_documented_types_are_accepted(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": [101, 102],
            "tenure_months": ["3", "4"],  # numbers as text
            "churn": [1, 0],  # integer 0/1
            "monthly_charges": [9.5, 10.0],
        }
    )
    frame.to_parquet(tmp_path / "cu.parquet")
    result = check_file("customers", tmp_path / "cu.parquet")
    assert result.problems == [] and result.frame["churn"].tolist() == [True, False]
    assert result.frame["customer_id"].tolist() == ["101", "102"]


# -- case 10: undocumented columns -----------------------------------------------------------


def test_undocumented_columns_are_dropped_with_a_note_unless_kept(tmp_path):
    text = "customer_id,tenure_months,churn,contract,name,email\nK-1,1,ja,Monatlich,Max,m@x.de\n"
    path = _csv(tmp_path, text)
    result = check_file("customers", path)
    assert list(result.frame.columns) == ["customer_id", "tenure_months", "churn", "contract"]
    assert result.notes == [
        "columns not used by the notebooks were dropped: name, email (keep one with "
        "--keep-column NAME)"
    ]
    kept = check_file("customers", path, keep_columns=["email"])
    assert "email" in kept.frame.columns and "name" not in kept.frame.columns
    (problem,) = _refused("customers", path, keep_columns=["emial"])
    assert problem.column == "emial"
    assert (
        problem.message
        == "--keep-column emial: the file has no column 'emial'; did you mean 'email'?"
    )


def test_a_mapped_column_is_not_overwritten_by_a_column_of_the_same_canonical_name(tmp_path):
    text = "Kunde,tenure_months,churn,Gekuendigt\nK-1,1,no,ja\n"
    result = check_file(
        "customers", _csv(tmp_path, text), columns={"customer_id": "Kunde", "churn": "Gekuendigt"}
    )
    assert result.frame["churn"].tolist() == [True]
    assert result.notes == [
        "columns not used by the notebooks were dropped: churn (keep one with --keep-column NAME)"
    ]


def test_a_kept_parquet_column_must_hold_plain_values(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"customer_id": ["A"], "nps": [9], "tags": [["x", "y"]]})
    pq.write_table(table, tmp_path / "s.parquet")
    dropped = check_file("survey", tmp_path / "s.parquet")
    assert dropped.problems == [] and "dropped: tags" in dropped.notes[0]
    (problem,) = _refused("survey", tmp_path / "s.parquet", keep_columns=["tags"])
    assert problem.column == "tags" and "stored as list<element: string>" in problem.message
