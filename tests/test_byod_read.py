"""cxlib.byod.read: exports in any common CSV dialect or parquet; either decimal mark."""

import pandas as pd
import pytest

from cxlib.byod import describe_file, parse_columns, read_table
from cxlib.byod.read import read_header, to_numbers
from cxlib.validate import CXDataError


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


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


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_any_separator_gives_text_cells_indexed_by_csv_line(tmp_path, sep):
    rows = [["KundenNr", " Betrag "], ["K-1", "0012.50"], ["K-2", ""]]
    path = _csv(tmp_path, "\n".join(sep.join(row) for row in rows) + "\n")
    frame = read_table(path)
    assert list(frame.columns) == ["KundenNr", "Betrag"]  # names stripped
    assert frame.loc[2].tolist() == ["K-1", "0012.50"]  # header = line 1, cells as written
    assert frame["Betrag"].isna().tolist() == [False, True]  # empty cell = missing
    assert read_header(path) == ["KundenNr", "Betrag"]


def test_the_decimal_mark_is_an_argument_not_a_frame_attribute(tmp_path):
    frame = read_table(_csv(tmp_path, "customer_id;amount\nA;1.234,5\nB;2,5\n"))
    assert frame.attrs == {}  # nothing travels in attrs, which pandas drops on many operations
    before = frame.copy()
    assert to_numbers(frame["amount"], decimal=",").tolist() == [1234.5, 2.5]
    assert to_numbers(frame["amount"]).isna().tolist() == [True, True]
    pd.testing.assert_frame_equal(frame, before)  # input not modified


def test_numbers_from_parquet_keep_their_values_and_text_becomes_nan():
    assert to_numbers(pd.Series([1, 2]), decimal=",").tolist() == [1.0, 2.0]
    assert to_numbers(pd.Series(["7", "sieben", None])).isna().tolist() == [False, True, True]


def test_describe_file_and_unreadable_header(tmp_path):
    path = _csv(tmp_path, "a\n1\n")
    info = describe_file(path)
    assert info["name"] == "data.csv" and info["path"] == str(path) and len(info["sha256"]) == 64
    assert read_header(tmp_path / "missing.parquet") == []
