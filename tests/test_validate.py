"""cxlib.validate: messages name the column, the rule and up to five offending rows."""

import numpy as np
import pandas as pd
import pytest

from cxlib.validate import (
    CXDataError,
    check_choice,
    check_columns,
    check_dates,
    check_integer,
    check_no_missing,
    check_numeric,
    check_range,
    check_unique,
    check_weights,
    to_series,
    to_timestamp,
)


def test_cxdataerror_is_a_valueerror():
    assert issubclass(CXDataError, ValueError)


def test_missing_columns_are_named_with_those_present():
    frame = pd.DataFrame({"id": [1], "when": ["2024-01-01"]})
    expected = r"missing the required column\(s\) \['date'\].*\['id', 'when'\]"
    with pytest.raises(CXDataError, match=expected):
        check_columns(frame, ["id", "date"], name="transactions")
    with pytest.raises(CXDataError, match="must be a pandas DataFrame"):
        check_columns([1, 2], ["id"])


def test_range_message_names_column_rule_count_and_at_most_five_rows():
    frame = pd.DataFrame({"csat": [1, 9, 2, 0, 7, 8, 6, 10, 3]})
    with pytest.raises(CXDataError) as info:
        check_range(frame, "csat", low=1, high=5)
    message = str(info.value)
    assert "Column 'csat' must lie in [1, 5]: 6 of 9 rows do not" in message
    shown = message.split("Examples:\n")[1].splitlines()[1:]
    assert [int(line.split()[0]) for line in shown] == [1, 3, 4, 5, 6]  # first five row labels


def test_range_exclusive_bounds_and_missing_values_pass():
    frame = pd.DataFrame({"p": [0.5, np.nan]})
    check_range(frame, "p", low=0, high=1, low_inclusive=False, high_inclusive=False)
    with pytest.raises(CXDataError, match=r"lie in \(0, 1\]"):
        check_range(pd.DataFrame({"p": [0.0]}), "p", low=0, high=1, low_inclusive=False)


def test_numeric_rejects_text_and_bool():
    with pytest.raises(CXDataError, match="'amount' must hold numbers.*\n.*\n1\\s+abc"):
        check_numeric(pd.DataFrame({"amount": ["1.0", "abc"]}), "amount")
    with pytest.raises(CXDataError, match="dtype bool"):
        check_numeric(pd.DataFrame({"flag": [True, False]}), "flag")


def test_integer_rule():
    check_integer(pd.DataFrame({"nps": [0.0, 10.0, np.nan]}), "nps")
    with pytest.raises(CXDataError, match="'nps' must hold whole numbers: 1 of 2"):
        check_integer(pd.DataFrame({"nps": [7, 7.5]}), "nps")


def test_unique_shows_every_duplicate():
    frame = pd.DataFrame({"customer_id": ["a", "b", "a"], "x": [1, 2, 3]})
    with pytest.raises(CXDataError, match="identify each row once.*2 of 3 rows"):
        check_unique(frame, "customer_id")


def test_no_missing_and_choice():
    with pytest.raises(CXDataError, match="'segment' must not be missing: 1 of 2"):
        check_no_missing(pd.DataFrame({"segment": ["a", None]}), "segment")
    with pytest.raises(CXDataError, match=r"'touchpoint' must be one of \['App', 'Website'\]"):
        check_choice(pd.DataFrame({"touchpoint": ["App", "Fax"]}), "touchpoint", ["App", "Website"])


def test_dates_parse_or_name_bad_rows_and_leave_input_alone():
    frame = pd.DataFrame({"date": ["2024-01-31", "31.01.2024x", None]})
    before = frame.copy()
    with pytest.raises(CXDataError, match="'date' must hold dates that can be parsed: 1 of 3"):
        check_dates(frame, "date", format="%Y-%m-%d")
    good = check_dates(pd.DataFrame({"date": ["2024-01-31", None]}), "date")
    assert good.iloc[0] == pd.Timestamp("2024-01-31") and pd.isna(good.iloc[1])
    pd.testing.assert_frame_equal(frame, before)


def test_weights_rules():
    assert check_weights([1, 2], 2).tolist() == [1.0, 2.0]
    with pytest.raises(CXDataError, match="one value per observation"):
        check_weights([1, 2, 3], 2)
    with pytest.raises(CXDataError, match="'weights' must not be negative"):
        check_weights([1, -1], 2)
    with pytest.raises(CXDataError, match="must not all be zero"):
        check_weights([0, 0], 2)
    with pytest.raises(CXDataError, match="aligned"):
        check_weights(pd.Series([1, 1], index=[5, 6]), 2, index=pd.RangeIndex(2))
    reordered = check_weights(pd.Series([1.0, 2.0], index=[1, 0]), 2, index=pd.RangeIndex(2))
    assert reordered.tolist() == [2.0, 1.0]


def test_to_series_keeps_index_and_rejects_frames():
    s = to_series(pd.Series([1, 2], index=["x", "y"]), name="score")
    assert list(s.index) == ["x", "y"] and s.name == "score"
    assert to_series([1, 2], name="score").tolist() == [1, 2]
    with pytest.raises(CXDataError, match="not a DataFrame"):
        to_series(pd.DataFrame({"a": [1]}), name="score")


def test_option_rule_lists_valid_names_in_sklearn_wording():
    from cxlib.validate import check_option

    check_option("wald", {"wald": None, "adjusted-wald": None}, parameter="method", function="nps")
    with pytest.raises(
        CXDataError,
        match=r"^The 'method' parameter of nps must be one of \{'adjusted-wald', 'wald'\}\. "
        r"Got 'wilsn' instead\.$",
    ):
        check_option("wilsn", ["wald", "adjusted-wald"], parameter="method", function="nps")
    with pytest.raises(CXDataError, match="Got \\['wald'\\] instead"):
        check_option(["wald"], ["wald"], parameter="method", function="nps")


def test_to_timestamp_parses_dates_and_names_the_argument_otherwise():
    assert to_timestamp("2024-01-31", name="x") == pd.Timestamp("2024-01-31")
    assert to_timestamp(pd.Timestamp("2024-01-31 10:00"), name="x").hour == 10
    for bad in ["31.02.2024", None, "not a date", float("nan"), [2024]]:
        with pytest.raises(CXDataError, match="period_end must be a date such as"):
            to_timestamp(bad, name="period_end")
