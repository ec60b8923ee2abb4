"""Suggestions for a missing column (cxlib.byod.suggest): by name and by content.

The raw Online Retail file once got "Did you mean --column amount=Country?" (close letters) and
no suggestion for the date; these tests pin what a user is told now.
"""

import pandas as pd

from cxlib.byod import check_file
from cxlib.byod.suggest import candidates

RETAIL = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,12/13/2010 8:28,1.85,17850,United Kingdom
536367,84879,ASSORTED COLOUR BIRD,32,12/1/2010 8:34,1.69,13047,United Kingdom
536368,22960,JAM MAKING SET,6,12/1/2010 8:34,4.25,13047,France
"""


def test_raw_online_retail_gets_content_based_suggestions(tmp_path):
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL)
    messages = {p.column: p.message for p in check_file("transactions", path).problems}
    have = (
        "['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', "
        "'CustomerID', 'Country']"
    )
    assert messages["customer_id"] == (
        f"required column 'customer_id' is missing; the file has {have}. Did you mean "
        "--column customer_id=CustomerID?"
    )
    assert messages["date"] == (
        f"required column 'date' is missing; the file has {have}. Did you mean --column "
        "date=InvoiceDate? Its dates carry a time of day (e.g. '12/1/2010 8:26'): "
        '--date-format "%m/%d/%Y %H:%M" reads them.'
    )  # 12/13/2010 decides: month first
    assert messages["amount"] == (
        f"required column 'amount' is missing; the file has {have}. The file looks like line "
        "items (one row per article): --quantity Quantity --unit-price UnitPrice compute "
        "amount = quantity x unit price; --invoice InvoiceNo makes the lines of one invoice "
        "one purchase."
    )
    assert "Country" not in messages["amount"].split("has")[-1].split("]")[-1]


def test_content_decides_when_names_do_not_help():
    frame = pd.DataFrame(
        {
            "Land": ["DE", "DE", "AT", "DE"],
            "Summe": ["12.50", "3.99", "7.00", "1.25"],
            "Nummer": ["A7", "A7", "B2", "A7"],
            "Zeit": ["2024-01-01", "2024-01-02", "2024-01-05", "2024-02-01"],
            "Lfd": ["1", "2", "3", "4"],
        }
    )
    assert candidates("amount", frame)[0] == "Summe"  # numbers with decimals, none negative
    assert candidates("date", frame) == ["Zeit"]
    assert candidates("customer_id", frame)[0] == "Nummer"  # an id by name and by repeats
    assert candidates("survey_id", frame) == ["Lfd"]  # unique whole numbers
    negative = frame.assign(Summe=["-12.50", "-3.99", "-7.00", "1.25"])
    assert "Summe" not in candidates("amount", negative)


def test_ambiguous_dates_with_times_show_both_formats(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Kunde,Zeitpunkt,Betrag\nK1,01/02/2024 10:15,3\nK1,03/04/2024 11:00,4\n")
    messages = {p.column: p.message for p in check_file("transactions", path).problems}
    assert messages["date"].endswith(
        "Did you mean --column date=Zeitpunkt? Its dates carry a time of day (e.g. '01/02/2024 "
        '10:15\'): --date-format "%d/%m/%Y %H:%M" (day first) or --date-format '
        '"%m/%d/%Y %H:%M" (month first).'
    )


def test_german_export_names_still_win(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Kunde;Laufzeit_Monate;Gekuendigt\nA;3;ja\nB;4;nein\n")
    messages = {p.column: p.message for p in check_file("customers", path).problems}
    assert messages["customer_id"].endswith("Did you mean --column customer_id=Kunde?")
    assert messages["tenure_months"].endswith(
        "Did you mean --column tenure_months=Laufzeit_Monate?"
    )
    assert messages["churn"].endswith("Did you mean --column churn=Gekuendigt?")
