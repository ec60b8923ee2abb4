"""Excel workbooks (cxlib.byod.excel): one sheet chosen, cells as Excel typed them, same checks.

The workbooks are written here with openpyxl: two sheets, dates typed as dates (one with a
time), numbers typed as numbers next to numbers typed as text, a blank row, ids typed as
numbers next to text ids.
"""

import datetime as dt

import pandas as pd
import pytest

from cxlib.byod import check_file, prepare_inputs
from cxlib.byod.excel import resolve_sheet
from cxlib.byod.read import read_header

openpyxl = pytest.importorskip("openpyxl")

COLUMNS = {"customer_id": "KundenNr", "date": "Datum", "amount": "Betrag"}


@pytest.fixture
def book(tmp_path):
    wb = openpyxl.Workbook()
    sales = wb.active
    sales.title = "Umsätze"
    sales.append(["KundenNr", "Datum", "Betrag", "Notiz"])
    sales.append(["K-1", dt.datetime(2023, 10, 12, 14, 30), 12.5, "x"])
    sales.append([17850, dt.date(2023, 10, 13), "12,50", None])  # text in a number column
    sales.append([None, None, None, None])  # a blank row, as Excel exports leave them
    sales.append(["K-2", "14.10.2023", 3, None])  # a date typed as text
    info = wb.create_sheet("Info")
    info.append(["Hinweis"])
    info.append(["Export vom 1.1.2024"])
    path = tmp_path / "umsaetze.xlsx"
    wb.save(path)
    return path


def test_a_workbook_with_two_sheets_needs_one_chosen(book):
    (problem,) = check_file("transactions", book, columns=COLUMNS).problems
    assert problem.message == (
        "the workbook has 2 sheets ('Umsätze', 'Info'); choose one with --sheet NAME or "
        "--sheet POSITION (0 = the first)."
    )
    (wrong,) = check_file("transactions", book, columns=COLUMNS, sheet="umsätze").problems
    assert wrong.message.endswith("has 'Umsätze', 'Info'; did you mean 'Umsätze'?")
    (far,) = check_file("transactions", book, columns=COLUMNS, sheet="2").problems
    assert far.message.endswith("positions run from 0 to 1.")


@pytest.mark.parametrize("sheet", ["Umsätze", 0, "0"])
def test_cells_keep_the_types_excel_gave_them(book, sheet):
    result = check_file("transactions", book, columns=COLUMNS, sheet=sheet, decimal=",")
    assert result.problems == []
    expected = pd.DataFrame(
        {
            "customer_id": ["K-1", "17850", "K-2"],
            "date": pd.to_datetime(["2023-10-12", "2023-10-13", "2023-10-14"]),
            "amount": [12.5, 12.5, 3.0],  # 12.5 typed as a number, "12,50" as German text
        }
    )
    pd.testing.assert_frame_equal(result.frame, expected, check_dtype=False)
    assert "read sheet 'Umsätze' of the workbook" in result.notes


def test_text_numbers_are_judged_by_the_decimal_mark_with_excel_rows(book):
    (problem,) = check_file("transactions", book, columns=COLUMNS, sheet=0).problems
    assert problem.message.startswith("Column 'Betrag' must use '.' as the decimal mark")
    assert "give --decimal , if that is the file's decimal mark" in problem.message
    assert problem.message.endswith("Examples:\n    Betrag\nrow       \n3    12,50")


def test_serial_day_numbers_and_repeated_names_are_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["KundenNr", "Datum", "Betrag"])
    wb.active.append(["K-1", 45211, 3.0])  # a date cell without date format: a serial number
    path = tmp_path / "serial.xlsx"
    wb.save(path)
    (problem,) = check_file("transactions", path, columns=COLUMNS).problems
    assert problem.message == (
        "Column 'Datum' is stored as whole numbers in the workbook; dates must be a date or "
        "timestamp type, or text such as 2023-10-12 (these look like Excel serial day "
        "numbers: format the cells as dates)."
    )
    wb = openpyxl.Workbook()
    wb.active.append(["KundenNr", "Betrag", "Betrag"])
    wb.active.append(["K-1", 1, 2])
    wb.save(path)
    (twice,) = check_file("transactions", path).problems
    assert twice.message.startswith("the header names column 'Betrag' twice")


def test_headers_and_prepare_read_the_chosen_sheet(book, tmp_path):
    assert read_header(book, sheet="Info") == ["Hinweis"]
    assert read_header(book) == []  # two sheets, none chosen: check_file says why
    prepared = prepare_inputs(
        {"transactions": book}, tmp_path / "in", key=b"k", columns=COLUMNS, sheet=0, decimal=","
    )
    assert prepared.files[0]["rows"] == 3 and prepared.files[0]["name"] == "umsaetze.xlsx"


def test_resolve_sheet_prefers_a_name_over_a_position():
    assert resolve_sheet(["1", "Daten"], "1") == ("1", None)
    assert resolve_sheet(["1", "Daten"], 1) == ("Daten", None)


def test_cells_holding_only_spaces_are_empty_as_in_a_csv(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["customer_id", "tenure_months", "churn", "total_charges"])
    wb.active.append(["A", 0, "Yes", " "])  # IBM Telco's TotalCharges of a new customer
    wb.active.append(["B", 3, "No", 29.85])
    path = tmp_path / "kunden.xlsx"
    wb.save(path)
    result = check_file("customers", path)
    assert result.frame["total_charges"].isna().tolist() == [True, False]
    assert "cells holding only spaces were read as empty: total_charges (1)" in result.notes
