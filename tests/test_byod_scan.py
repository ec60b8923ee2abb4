"""cxlib.byod.scan: a CSV file's bytes are checked before pandas parses them (issue 15).

Each crafted file is a few lines written into tmp_path; each test asserts the column and the
CSV line numbers (header = line 1) that the refusal names.
"""

import numpy as np
import pandas as pd
import pytest

from cxlib.byod import MAX_FIELDS, MAX_LINE_BYTES, check_file, read_table
from cxlib.byod.read import read_header
from cxlib.byod.scan import detect_encoding, scan_csv

TX = "customer_id;date;amount\n"


def _write(tmp_path, data, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _refused(kind, path, **options):
    result = check_file(kind, path, **options)
    assert result.frame is None and result.problems
    return result.problems


# -- case 4: encodings -----------------------------------------------------------------------


def test_a_utf8_file_with_one_windows_1252_line_is_refused_naming_the_line(tmp_path):
    data = (TX + "K-Müller;2024-01-02;5\n").encode("utf-8")
    data += "K-Jäger;2024-01-03;6\n".encode("cp1252")  # line 3, pasted from an Excel export
    data += "K-Öz;2024-01-04;7\n".encode()
    (problem,) = _refused("transactions", _write(tmp_path, data))
    offset = data.index(b"\xe4")
    assert problem.column == ""
    assert problem.message.startswith(
        "the file mixes encodings: it holds UTF-8 text, but line 3 is not UTF-8 "
        f"(byte 0xE4 at offset {offset}: 'K-J\\xe4ger;2024-01-03;6')"
    )


def test_the_whole_file_is_scanned_not_only_its_first_mebibyte(tmp_path):
    filler = "".join(f"K-{i};2024-01-01;1\n" for i in range(70_000)).encode()
    assert len(filler) > 1 << 20
    data = (TX + "K-Müller;2024-01-02;5\n").encode() + filler + "K-Jäger;x;1\n".encode("cp1252")
    (problem,) = _refused("transactions", _write(tmp_path, data))
    assert "line 70003 is not UTF-8" in problem.message


def test_an_entirely_windows_1252_file_is_read_as_such_with_a_note(tmp_path):
    data = (TX + "K-Müller;2024-01-02;5\nK-Jäger;2024-01-03;6\n").encode("cp1252")
    result = check_file("transactions", _write(tmp_path, data))
    assert result.problems == []
    assert result.frame["customer_id"].tolist() == ["K-Müller", "K-Jäger"]
    assert result.notes == ["read as Windows-1252 (the file is not UTF-8)"]


def test_encoding_detection_without_a_loop_over_lines():
    assert detect_encoding("a;ü\n".encode()) == ("utf-8-sig", None, None)
    assert detect_encoding(b"\xef\xbb\xbfa;b\n")[0] == "utf-8-sig"  # BOM
    assert detect_encoding("a;ü\n".encode("cp1252"))[0] == "cp1252"


# -- case 6: duplicate header names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("customer_id;date;amount;amount", "column 3 'amount' and column 4 'amount'."),
        (
            "customer_id;date;amount; amount",
            "column 3 'amount' and column 4 ' amount' (spaces around a name do not count).",
        ),
    ],
)
def test_a_header_naming_a_column_twice_is_refused_naming_both(tmp_path, header, shown):
    path = _write(tmp_path, f"{header}\nK-1;2024-01-02;5;6\n")
    (problem,) = _refused("transactions", path)
    assert problem.column == "amount"
    assert problem.message == (
        f"the header names column 'amount' twice: {shown} Rename or remove one of them."
    )


def test_parquet_column_names_that_clash_after_trimming_are_refused(tmp_path):
    frame = pd.DataFrame({"customer_id": ["A"], "date": ["2024-01-02"], "amount": [1.0]})
    frame[" amount"] = 2.0
    frame.to_parquet(tmp_path / "tx.parquet")
    (problem,) = _refused("transactions", tmp_path / "tx.parquet")
    assert problem.column == "amount" and "column 3 'amount' and column 4 ' amount'" in (
        problem.message
    )


# -- case 7: more fields than the header -----------------------------------------------------


def test_a_separator_at_the_end_of_every_line_is_refused_with_the_real_cause(tmp_path):
    rows = "".join(f"K-{i};2024-01-0{i};{i},5;\n" for i in range(1, 8))
    (problem,) = _refused("transactions", _write(tmp_path, TX + rows), decimal=",")
    assert problem.column == ""
    assert problem.message.startswith(
        "line 2 has 4 fields, one more than the header's 3 (a separator at the end of the "
        "line?); 7 of 7 data lines have more fields than the header: line 2 (4 fields), "
        "3 (4 fields), 4 (4 fields), 5 (4 fields), 6 (4 fields) and 2 more."
    )


def test_one_line_with_an_unquoted_separator_is_named(tmp_path):
    path = _write(tmp_path, TX + "K-1;2024-01-02;5\n\nK-2;2024-01-03;Nord;6\n")
    (problem,) = _refused("transactions", path)
    assert problem.message.startswith(
        "line 4 has 4 fields, one more than the header's 3 (a separator inside a value that "
        "is not in quotes?)"
    )


def test_pandas_never_takes_an_implicit_index_column(tmp_path):
    # header and rows both end with ';': equal counts, so no refusal; nothing shifts
    path = _write(tmp_path, "customer_id;date;amount;\nK-1;2024-01-02;5;\n")
    result = check_file("transactions", path)
    assert result.frame.iloc[0].tolist() == ["K-1", pd.Timestamp("2024-01-02"), 5.0]


def test_quoted_separators_and_line_breaks_are_one_field_and_lines_stay_true(tmp_path):
    text = 'customer_id,nps,comment\nA,9,"gut, sehr\ngut"\n\nB,x,"ok"\n'
    frame = read_table(_write(tmp_path, text))
    assert frame.index.tolist() == [2, 5]  # B is on line 5: a quoted line break, a blank line
    (problem,) = _refused("survey", tmp_path / "data.csv", keep_columns=["comment"])
    assert problem.column == "nps" and problem.message.endswith("\n5      x")


# -- case 8: pathological lines --------------------------------------------------------------


def test_a_4_mb_line_with_2_million_fields_is_refused_before_pandas_reads_it(tmp_path):
    line = "a" + ";a" * 2_000_000  # 4 MB; pandas needed 22 GB of memory for it
    (problem,) = _refused("transactions", _write(tmp_path, f"{TX}K-1;2024-01-02;5\n{line}\n"))
    assert problem.column == ""
    assert problem.message == (
        f"1 line(s) are longer than {MAX_LINE_BYTES:,} bytes (1 MiB), the most a line of an "
        "export may hold: line 3 (4,000,001 bytes). Is this a CSV file with one record per line?"
    )
    assert read_header(tmp_path / "data.csv") == ["customer_id", "date", "amount"]


def test_a_line_with_more_fields_than_the_bound_is_refused(tmp_path):
    line = "K-1;2024-01-02;5" + ";" * MAX_FIELDS  # short, but 1,003 fields
    (problem,) = _refused("transactions", _write(tmp_path, f"{TX}{line}\n"))
    assert problem.message.startswith(
        "1 line(s) hold more than 1,000 fields, the most a line may hold (separators ';' "
        "counted regardless of quotes): line 2 (1,003 fields)."
    )


def test_scan_finds_record_lines_and_field_counts():
    scan = scan_csv(b'a;b\r\n1;"x;\r\ny"\r\n\r\n2;3\r\n')
    assert scan.header == ("a", "b") and scan.separator == ";"
    assert scan.lines.tolist() == [1, 2, 5] and scan.fields.tolist() == [2, 2, 2]
    assert np.asarray(scan.trailing).tolist() == [False, False, False]
