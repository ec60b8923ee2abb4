"""The transaction report templates (03 RFM segments, 04 customer value), and their helpers.

Each template is executed with papermill on (a) the bundled transactions, (b) the German example
export, prepared as ``cxlib report`` prepares it (pseudonyms, parquet), (c) a crafted export with
small segments and one heavy buyer whose purchases must never be shown alone, (d) a crafted
export too short for a check period (the absent input: no later period), and (e) the simulated
German line-item export with guest orders and returns (``positionen.csv``, returns netted).
The stakeholder HTML is checked for data-set names, currency signs, id columns, small-group
figures and the sentences the hard cases must produce. Renders are module-scoped: one kernel
start each.

The helpers of ``cxlib.customers.segments_report`` are tested first, against hand-computed values.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from notebook_helpers import assert_clean, markdown_text, render, summary_line

from cxlib.byod import load_transactions, prepare_inputs
from cxlib.clv import check_on_holdout
from cxlib.customers import (
    rfm_scores,
    rfm_table,
    segment,
    segment_findings,
    segment_next_period,
    segment_sizes,
    split_periods,
)
from cxlib.customers.summary import customer_summary
from cxlib.privacy import pseudonymise
from cxlib.prose import compare_intervals, format_money
from cxlib.validate import CXDataError

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "cxlib" / "templates"
EXAMPLES = ROOT / "data" / "examples"
KEY = b"template-test-key"
GERMAN = {
    "columns": {"customer_id": "KundenNr", "date": "Datum", "amount": "Betrag"},
    "date_format": "%d.%m.%Y",
    "decimal": ",",
}
LINE_ITEMS = {
    "columns": {
        "customer_id": "KundenNr",
        "date": "Datum",
        "quantity": "Menge",
        "unit_price": "Preis",
        "invoice": "BelegNr",
    },
    "date_format": "%d.%m.%Y %H:%M",
    "decimal": ",",
    "returns": "net",
}
HEAVY = "K-HEAVY"
MIN_CELL = 10


# ------------------------------------------------------------------------------ helper functions


def test_split_periods_default_half_and_given_date():
    tx = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-06-30", "2023-12-31"])})
    half = split_periods(tx)
    assert half.calibration_end == pd.Timestamp("2023-07-02")  # 364 days // 2 = 182 days on
    assert half.has_holdout and half.holdout_weeks == pytest.approx(182 / 7)
    assert "2 July 2023" in half.sentence and "31 December 2023" in half.sentence
    given = split_periods(tx, "2023-10-01")
    assert given.calibration_end == pd.Timestamp("2023-10-01")
    at_end = split_periods(tx, "2024-05-01")  # after the last day: no check period
    assert not at_end.has_holdout and "no later period" in at_end.sentence
    with pytest.raises(CXDataError, match="before the first purchase day"):
        split_periods(tx, "2022-12-31")


def test_split_periods_short_span_has_no_check_period():
    tx = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-02-20"])})  # 50 days < 56
    periods = split_periods(tx)
    assert not periods.has_holdout and periods.calibration_end == pd.Timestamp("2023-02-20")


def test_compare_intervals_needs_separate_intervals():
    assert compare_intervals((70, 65, 75), (40, 35, 45)) == "higher"
    assert compare_intervals((40, 35, 45), (70, 65, 75)) == "lower"
    assert compare_intervals((50, 40, 60), (55, 45, 65)) == "no clear difference"


def test_format_money_uses_the_currency_code():
    assert format_money(1234.5, "GBP") == "1,234 GBP"
    assert format_money(9.236, "EUR") == "9.24 EUR"


def _tiny():
    """12 customers in 3 segments (7, 4, 1): hand-countable."""
    table = pd.DataFrame(
        {
            "days_since_last": [1.0] * 7 + [100.0] * 4 + [300.0],
            "n_occasions": [5] * 7 + [1] * 4 + [2],
            "total_spend": [100.0] * 7 + [10.0] * 4 + [60.0],
        },
        index=pd.Index([f"P-{i:012x}" for i in range(12)], name="customer_id"),
    )
    segments = pd.Series(
        pd.Categorical(["Top"] * 7 + ["Mid"] * 4 + ["Low"], categories=["Top", "Mid", "Low"]),
        index=table.index,
    )
    after = pd.DataFrame(
        {"holdout_frequency": [1] * 5 + [0] * 2 + [1] + [0] * 3 + [1],
         "holdout_spend": [20.0] * 5 + [0.0] * 2 + [5.0] + [0.0] * 3 + [50.0]},
        index=table.index,
    )  # fmt: skip
    return table, segments, after


def test_segment_sizes_by_hand_with_secondary_suppression():
    table, segments, _ = _tiny()
    sizes = segment_sizes(table, segments, min_cell=2)
    # Low (1 customer) is blanked, and Mid (the next smallest) with it
    assert sizes["suppressed"].tolist() == [False, True, True]
    top = sizes.iloc[0]
    assert top["n"] == 7 and top["customers_pct"] == pytest.approx(100 * 7 / 12)
    assert top["spend_pct"] == pytest.approx(100 * 700 / 800)
    assert sizes.iloc[1:][["n", "customers_pct", "spend_pct"]].isna().all().all()


def test_segment_next_period_by_hand():
    table, segments, after = _tiny()
    check = segment_next_period(segments, after, level=0.95, min_cell=1)
    top = check.set_index("segment").loc["Top"]
    assert top["repeat_pct"] == pytest.approx(100 * 5 / 7)
    assert top["spend"] == pytest.approx(100 / 7)  # 5 x 20 over 7 customers
    assert top["repeat_ci_low"] < top["repeat_pct"] < top["repeat_ci_high"]
    blanked = segment_next_period(segments, after, level=0.95, min_cell=2)
    assert blanked.set_index("segment").loc[["Mid", "Low"], "repeat_pct"].isna().all()


def test_segment_findings_never_name_a_blanked_segment():
    table, segments, after = _tiny()
    tx_dates = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-12-31"])})
    periods = split_periods(tx_dates)
    sizes = segment_sizes(table, segments, min_cell=2)
    check = segment_next_period(segments, after, level=0.95, min_cell=2)
    lines = segment_findings(sizes, check, periods, n_customers=12, currency="EUR", min_cell=2)
    text = "\n".join(lines)
    assert lines[0].startswith("**Top bought again most often")
    assert "Mid" not in text and "Low" not in text
    assert "2 segments with fewer than 2 customers" in text


# ----------------------------------------------------------------------------- template renders


def _crafted_transactions(seed: int = 7) -> pd.DataFrame:
    """60 customers over a year, rates differing; one heavy buyer with 60 purchases."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    rows = []
    rates = rng.gamma(1.0, 1 / 150, size=60)  # purchases per day: about 2.4 a year
    for i, rate in enumerate(rates):  # test data: one loop over 60 customers
        first = int(rng.integers(0, 90))
        n = 1 + rng.poisson(rate * (365 - first))
        days = np.sort(np.concatenate([[first], rng.integers(first, 365, size=n - 1)]))
        rows += [(f"K-{i:03d}", start + pd.Timedelta(days=int(d)), round(float(a), 2))
                 for d, a in zip(days, rng.gamma(4, 10, size=n), strict=True)]  # fmt: skip
    heavy_days = np.sort(rng.choice(np.arange(0, 365), size=60, replace=False))
    rows += [(HEAVY, start + pd.Timedelta(days=int(d)), 500.0) for d in heavy_days]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame


def _short_transactions() -> pd.DataFrame:
    """30 customers over 40 days: too short for a check period."""
    rng = np.random.default_rng(3)
    ids = [f"K-{i:03d}" for i in rng.integers(0, 30, size=120)]
    days = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 40, size=120), "D")
    return pd.DataFrame(
        {"customer_id": ids, "date": days.strftime("%Y-%m-%d"),
         "amount": rng.gamma(4, 10, size=120).round(2)}
    )  # fmt: skip


def _prepare(source: Path, folder: Path, **options) -> str:
    prepared = prepare_inputs({"transactions": source}, folder, key=KEY, **options)
    return prepared.parameters["transactions_path"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    crafted, short = folder / "crafted.csv", folder / "short.csv"
    _crafted_transactions().to_csv(crafted, index=False)
    _short_transactions().to_csv(short, index=False)
    return {
        "german": _prepare(EXAMPLES / "umsaetze.csv", folder / "german", **GERMAN),
        "crafted": _prepare(crafted, folder / "crafted"),
        "short": _prepare(short, folder / "short"),
        "lineitems": _prepare(EXAMPLES / "positionen.csv", folder / "lineitems", **LINE_ITEMS),
    }


def _images(nb: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


@pytest.fixture(scope="module")
def renders(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("renders")
    runs = {}
    for template in ("03_rfm_segments.ipynb", "04_customer_value.ipynb"):
        stem = template[:2]
        runs[stem, "bundled"] = render(template, out / f"{stem}_bundled.ipynb")
        for data in ("german", "crafted", "short", "lineitems"):
            runs[stem, data] = render(
                template,
                out / f"{stem}_{data}.ipynb",
                transactions_path=inputs[data],
                data_label=f"{data}.csv",
                min_cell=MIN_CELL,
                export_dir=str(out / f"exports_{stem}_{data}"),
            )
    runs["exports"] = out
    return runs


def test_templates_are_saved_clean_and_tagged():
    for name in ("03_rfm_segments.ipynb", "04_customer_value.ipynb"):
        nb = nbformat.read(TEMPLATES / name, 4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code)
        tags = [t for c in code for t in c.metadata.get("tags", [])]
        assert tags.count("parameters") == 1 and tags.count("summary") == 1
        parameters = next(c.source for c in code if "parameters" in c.metadata.get("tags", []))
        for name_ in ("transactions_path", "data_label", "min_cell", "currency", "level",
                      "export_dir", "seed", "calibration_end"):  # fmt: skip
            assert re.search(rf"^{name_} = ", parameters, flags=re.M), name_
    value = nbformat.read(TEMPLATES / "04_customer_value.ipynb", 4)
    parameters = next(c.source for c in value.cells if "parameters" in c.metadata.get("tags", []))
    for name_ in ("horizon_months", "discount_rate", "margin"):
        assert re.search(rf"^{name_} = ", parameters, flags=re.M), name_


@pytest.mark.parametrize("template", ["03", "04"])
@pytest.mark.parametrize("data", ["bundled", "german", "crafted", "short", "lineitems"])
def test_every_render_is_clean_with_a_headline(renders, template, data):
    nb, html = renders[template, data]
    assert_clean(html)
    first = summary_line(nb)
    assert first.startswith("**") and first.endswith("**") and len(first) > 30
    assert (
        "your data" in markdown_text(nb)
        if data == "bundled"
        else f"{data}.csv" in markdown_text(nb)
    )
    if (template, data) != ("03", "short"):  # no spend figure without a check period
        assert "EUR" in markdown_text(nb)


def test_rfm_crafted_small_segments_are_never_named(renders, inputs):
    nb, html = renders["03", "crafted"]
    tx = load_transactions(inputs["crafted"])
    periods = split_periods(tx)
    table = rfm_table(tx, reference_date=periods.calibration_end)
    counts = segment(rfm_scores(table)).value_counts()
    small = [str(name) for name, n in counts.items() if 0 < n < MIN_CELL]
    assert small, "the crafted export must have a segment smaller than min_cell"
    text = markdown_text(nb)
    for name in small:
        assert name not in text, name  # never named with (or without) its figures
    assert f"with fewer than {MIN_CELL} customers" in text
    exported = pd.read_csv(renders["exports"] / "exports_03_crafted" / "rfm_segments.csv")
    assert exported.set_index("segment").loc[small, "n"].isna().all()
    per_customer = pd.read_csv(renders["exports"] / "exports_03_crafted" / "rfm_customers.csv")
    assert list(per_customer.columns) == ["customer_id", "R", "F", "M", "segment"]
    assert per_customer["customer_id"].str.fullmatch(r"P-[0-9a-f]{12}").all()


def test_the_heavy_buyer_is_never_shown_alone(renders, inputs):
    heavy = pseudonymise([HEAVY], key=KEY).iloc[0]
    for template in ("03", "04"):
        nb, html = renders[template, "crafted"]
        assert heavy not in html and heavy not in markdown_text(nb)
    # the check period's group of the heaviest buyers holds one customer: blanked, not drawn
    tx = load_transactions(inputs["crafted"])
    check, _, _ = check_on_holdout(tx, split_periods(tx), min_cell=MIN_CELL)
    assert check is not None
    top = check.by_frequency.iloc[-1]
    assert top["suppressed"] and pd.isna(top["actual"])
    assert _images(renders["04", "crafted"][0]) == 2  # check, value by tenth: no P(alive) plot
    exported = pd.read_csv(renders["exports"] / "exports_04_crafted" / "customer_value.csv")
    assert heavy in set(exported["customer_id"])  # per-customer values go to the export only


def test_customer_value_german_example_says_dropout_is_not_identified(renders):
    nb, html = renders["04", "german"]
    text = markdown_text(nb)
    assert "The data cannot tell when customers stop buying" in text
    assert summary_line(nb).startswith("**The data cannot tell when customers stop buying")
    assert "chance of still being active at the end" not in text  # no P(alive)
    assert "no chance of still being active is shown" in text
    assert "observed mean spend per purchase" in text  # the spend model is not identified
    assert "predicted" in text and "24 September 2023" in text  # the check, with its period
    folder = renders["exports"] / "exports_04_german"
    assert list(pd.read_csv(folder / "customer_value.csv").columns) == [
        "customer_id", "expected_purchases", "clv"
    ]  # fmt: skip
    deciles = pd.read_csv(folder / "value_deciles.csv")
    assert (deciles["n"] >= MIN_CELL).all()


def test_customer_value_bundled_data_is_identified(renders):
    nb, _ = renders["04", "bundled"]
    text = markdown_text(nb)
    assert "converged to a unique maximum and every parameter is identified" in text
    assert "chance of still being active at the end of the data" in text
    assert "1 October 1997 to 30 June 1998" in text  # the check period in words
    assert _images(nb) == 3


def test_rfm_bundled_data_checks_the_next_period(renders):
    nb, _ = renders["03", "bundled"]
    text = markdown_text(nb)
    assert "bought again most often" in text and "95% CI" in text
    assert _images(nb) == 2


def test_short_export_leaves_the_check_out_in_one_sentence(renders):
    rfm, _ = renders["03", "short"]
    assert "The data are too short to keep a later period apart, so this check is left out." in (
        markdown_text(rfm)
    )
    assert _images(rfm) == 1
    value, _ = renders["04", "short"]
    assert "too short to keep a later period apart" in markdown_text(value)


def test_rfm_german_example_exports_pseudonyms_only(renders):
    folder = renders["exports"] / "exports_03_german"
    per_customer = pd.read_csv(folder / "rfm_customers.csv")
    assert per_customer["customer_id"].str.fullmatch(r"P-[0-9a-f]{12}").all()
    assert not per_customer["customer_id"].str.startswith("K-").any()
    summary = pd.read_csv(folder / "rfm_segments.csv")
    shown = summary.dropna(subset=["n"])
    assert (shown["n"] >= MIN_CELL).all()


def test_customer_summary_after_matches_the_rfm_customers(inputs):
    tx = load_transactions(inputs["german"])
    periods = split_periods(tx)
    table = rfm_table(tx, reference_date=periods.calibration_end)
    after = customer_summary(tx, calibration_end=periods.calibration_end)
    assert after.index.equals(table.index)


def test_line_item_example_runs_through_segments_and_value(renders, inputs):
    tx = load_transactions(inputs["lineitems"])
    assert (tx["amount"] > 0).all()  # returns netted, days that net to nothing left out
    rfm, _ = renders["03", "lineitems"]
    periods = split_periods(tx)
    n = len(rfm_table(tx, reference_date=periods.calibration_end))
    assert f"{n:,} customers in all" in markdown_text(rfm)
    value, _ = renders["04", "lineitems"]
    assert f"The {tx['customer_id'].nunique():,} customers are expected" in summary_line(value)
