"""Transactions written as line items (cxlib.byod.lineitems): amounts from quantity x price,
invoices grouped into purchases, returns under both policies, lines without a customer id.

The crafted file has the shape of UCI Online Retail (Chen, Sain & Guo 2012): InvoiceNo,
StockCode, Quantity, InvoiceDate (month first, with a time), UnitPrice, CustomerID, Country;
cancellations have an invoice number starting with "C" and a negative quantity. Every expected
table is worked out by hand in the comments.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib.byod import InputNote, check_file, load_transactions, prepare_inputs
from cxlib.byod.lineitems import is_cancellation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data" / "examples"

RETAIL = """InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,6,12/1/2010 8:28,1.85,17850,United Kingdom
C536379,D,-1,12/1/2010 9:41,27.50,14527,United Kingdom
536380,22961,24,12/1/2010 9:41,1.45,14527,United Kingdom
536381,22139,2,12/13/2010 9:41,4.25,,United Kingdom
C536383,35004C,-1,12/2/2010 9:49,4.65,15311,United Kingdom
536384,82484,3,12/3/2010 9:53,6.45,15311,United Kingdom
536385,22960,-2,12/3/2010 10:01,6.45,15311,United Kingdom
"""
COLUMNS = {
    "customer_id": "CustomerID",
    "date": "InvoiceDate",
    "quantity": "Quantity",
    "unit_price": "UnitPrice",
    "invoice": "InvoiceNo",
}


@pytest.fixture
def retail(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_text(RETAIL)
    return path


def _check(path, **options):
    options = {"columns": COLUMNS, "day_first": False, **options}
    return check_file("transactions", path, **options)


def test_cancellations_start_with_c_in_any_case():
    flags = is_cancellation(pd.Series(["C536379", "536365", " c1", None, "AC1", "CH-2023"]))
    assert flags.tolist() == [True, False, True, False, False, False]


def test_returns_without_a_policy_are_refused_naming_both_policies_and_the_lines(retail):
    result = _check(retail)
    assert result.frame is None
    (problem,) = result.problems
    assert problem.message == (
        "3 of 8 lines are returns or cancellations (a negative quantity or an invoice number "
        'of "C" and digits). Say what they mean: --returns net subtracts them from the same '
        "customer's purchases of the same day, --returns drop leaves them out. Examples:\n"
        "     CustomerID      InvoiceDate Quantity UnitPrice InvoiceNo\n"
        "line                                                         \n"
        "5         14527   12/1/2010 9:41       -1     27.50   C536379\n"
        "8         15311   12/2/2010 9:49       -1      4.65   C536383\n"
        "10        15311  12/3/2010 10:01       -2      6.45    536385"
    )


def test_drop_policy_sums_invoices_and_leaves_returns_out(retail):
    result = _check(retail, returns="drop")
    assert result.problems == []
    expected = pd.DataFrame(
        {
            "customer_id": ["17850", "17850", "14527", "15311"],
            "date": pd.to_datetime(["2010-12-01", "2010-12-01", "2010-12-01", "2010-12-03"]),
            # 6 x 2.55 + 6 x 3.39 = 35.64; 6 x 1.85 = 11.10; 24 x 1.45 = 34.80; 3 x 6.45 = 19.35
            "amount": [35.64, 11.10, 34.80, 19.35],
        }
    )
    pd.testing.assert_frame_equal(result.frame, expected, check_dtype=False, atol=1e-9)
    assert (
        "returns: 3 of 8 lines (37.5%; value 45.05) are returns or cancellations and were "
        "left out (--returns drop)" in result.notes
    )  # 27.50 + 4.65 + 2 x 6.45 = 45.05


def test_net_policy_nets_returns_against_the_same_customers_day(retail):
    result = _check(retail, returns="net")
    assert result.problems == []
    expected = pd.DataFrame(
        {
            "customer_id": ["17850", "14527", "15311"],
            "date": pd.to_datetime(["2010-12-01", "2010-12-01", "2010-12-03"]),
            # 17850: 35.64 + 11.10; 14527: 34.80 - 27.50; 15311 on 3 Dec: 19.35 - 12.90.
            # 15311 on 2 Dec returned 4.65 and bought nothing: -4.65, left out.
            "amount": [46.74, 7.30, 6.45],
        }
    )
    pd.testing.assert_frame_equal(result.frame, expected, check_dtype=False, atol=1e-9)
    assert (
        "returns: 3 return or cancellation lines (value 45.05) were netted against the same "
        "customer's purchases of the same day (--returns net); 1 of 3 customer-days with "
        "returns netted to zero or less (net value -4.65) and were left out" in result.notes
    )


def test_lines_without_a_customer_are_left_out_with_count_and_share(retail):
    result = _check(retail, returns="drop")
    assert (
        "CustomerID: 1 of 9 lines (11.1%) have no customer id and were left out (guest orders "
        "cannot be followed over time)" in result.notes
    )
    assert "columns not used by the notebooks were dropped: StockCode, Country" in "\n".join(
        result.notes
    )


def test_without_invoices_every_kept_line_is_a_row(retail):
    columns = {k: v for k, v in COLUMNS.items() if k != "invoice"}
    result = _check(retail, columns=columns, returns="drop")
    # the C invoices are still returns by their negative quantity
    assert result.frame["amount"].round(2).tolist() == [15.30, 20.34, 11.10, 34.80, 19.35]


def test_a_file_of_purchases_with_a_negative_amount_gets_the_returns_hint(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("customer_id,date,amount\nA,2024-01-01,10\nA,2024-01-01,-4\nB,2024-01-02,5\n")
    (problem,) = check_file("transactions", path).problems
    assert problem.message.startswith(
        "1 of 3 lines are returns or cancellations (a negative amount). Say what they mean"
    )
    netted = check_file("transactions", path, returns="net").frame
    assert netted["amount"].tolist() == [6.0, 5.0]
    # a file of purchases keeps refusing a missing customer id: only line items drop them
    path.write_text("customer_id,date,amount\n,2024-01-01,10\n")
    assert "must not be missing" in check_file("transactions", path).problems[0].message


def test_an_invoice_naming_two_customers_is_refused(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("Beleg;Kunde;Datum;Menge;Preis\n1;A;2024-01-01;1;2\n1;B;2024-01-01;1;3\n")
    columns = {
        "customer_id": "Kunde",
        "date": "Datum",
        "quantity": "Menge",
        "unit_price": "Preis",
        "invoice": "Beleg",
    }
    (problem,) = check_file("transactions", path, columns=columns).problems
    assert problem.message.startswith(
        "Columns 'Beleg', 'Kunde' must name one customer per invoice (the lines of an invoice "
        "are one purchase): 2 of 2 rows do not."
    )


def test_amount_and_price_together_and_negative_prices_are_refused(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("k,d,q,p,amount\nA,2024-01-01,1,-2,3\n")
    columns = {"customer_id": "k", "date": "d", "quantity": "q", "unit_price": "p"}
    (both,) = check_file("transactions", path, columns=columns).problems
    assert both.message.startswith("give either an amount ('amount') or a quantity and a unit")
    path.write_text("k,d,q,p\nA,2024-01-01,1,-2\n")
    (price,) = check_file("transactions", path, columns=columns).problems
    assert price.message.startswith("Column 'p' must lie in [0, inf]: 1 of 1 rows do not.")


def test_the_returns_option_is_checked():
    with pytest.raises(ValueError, match="'returns' parameter of check_file must be one of"):
        check_file("transactions", "x.csv", returns="keep")


def test_input_is_not_modified_and_loaders_pass_the_policy(retail):
    before = retail.read_bytes()
    with pytest.warns(InputNote) as caught:
        frame = load_transactions(retail, columns=COLUMNS, day_first=False, returns="net")
    assert any("have no customer id" in str(w.message) for w in caught)
    assert retail.read_bytes() == before and len(frame) == 3


# ---- the simulated German line-item example (data/examples/positionen.csv) ---------------------

GERMAN_LINES = {
    "columns": {
        "customer_id": "KundenNr",
        "date": "Datum",
        "quantity": "Menge",
        "unit_price": "Preis",
        "invoice": "BelegNr",
    },
    "decimal": ",",
    "date_format": "%d.%m.%Y %H:%M",
}


def _by_hand() -> pd.DataFrame:
    """The example's lines read with plain pandas, independently of cxlib."""
    raw = pd.read_csv(EXAMPLES / "positionen.csv", sep=";", decimal=",", dtype={"KundenNr": str})
    raw = raw.dropna(subset=["KundenNr"])
    raw["day"] = pd.to_datetime(raw["Datum"], format="%d.%m.%Y %H:%M").dt.normalize()
    raw["value"] = raw["Menge"] * raw["Preis"]
    return raw


def test_german_line_items_under_both_policies_match_a_hand_computation():
    raw = _by_hand()
    assert raw["BelegNr"].str.startswith("C").sum() == (raw["Menge"] < 0).sum() > 20
    net = check_file("transactions", EXAMPLES / "positionen.csv", returns="net", **GERMAN_LINES)
    days = raw.groupby(["KundenNr", "day"])["value"].sum()
    returned = raw.loc[raw["Menge"] < 0].groupby(["KundenNr", "day"]).size()
    kept = days[(days > 0) | ~days.index.isin(returned.index)]
    assert len(net.frame) == len(kept)
    assert net.frame["amount"].sum() == pytest.approx(kept.sum())
    assert (net.frame["amount"] > 0).all()
    drop = check_file("transactions", EXAMPLES / "positionen.csv", returns="drop", **GERMAN_LINES)
    sales = raw.loc[raw["Menge"] > 0]
    assert len(drop.frame) == sales["BelegNr"].nunique()
    assert drop.frame["amount"].sum() == pytest.approx(sales["value"].sum())
    guests = [n for n in net.notes if n.startswith("KundenNr:")]
    assert guests and "have no customer id and were left out" in guests[0]


def test_german_line_items_prepare_into_purchases_with_pseudonyms(tmp_path):
    prepared = prepare_inputs(
        {"transactions": EXAMPLES / "positionen.csv"},
        tmp_path,
        key=b"k",
        returns="net",
        **GERMAN_LINES,
    )
    frame = load_transactions(prepared.parameters["transactions_path"])
    assert list(frame.columns) == ["customer_id", "date", "amount"]
    assert frame["customer_id"].str.match(r"^P-[0-9a-f]{12}$").all()
    assert np.all(frame["amount"].to_numpy() > 0)
    assert any(n.startswith("returns:") for n in prepared.files[0]["notes"])
