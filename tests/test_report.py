"""cxlib.report: notebooks run into analyst and stakeholder HTML, an index, failures isolated.

Runs use tiny throwaway notebooks written to tmp_path (a kernel start is the main cost), executed
once per module; the real notebooks are run by nbval and by ``make report``.
"""

import re
from pathlib import Path

import nbformat
import pytest
from notebook_helpers import make_notebook

from cxlib import __main__ as cli
from cxlib.report import NotebookRun, find_notebooks, notebook_parameters, run_reports, write_index
from cxlib.report.notebooks import TEMPLATES

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"
GERMAN = [
    "customer_id=KundenNr,date=Datum,amount=Betrag",
    "tenure_months=Vertragsdauer,churn=Gekuendigt,monthly_charges=Monatsbetrag",
]


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    """One ok notebook (prints customer rows), one failing, one plain; two at a time."""
    folder = tmp_path_factory.mktemp("nb")
    make_notebook(
        folder / "01_ok.ipynb",
        "min_cell = 10\nseed = 0",
        "import pandas as pd\nCODE_MARKER_7f3a = 1\n"
        "rows = pd.DataFrame({'customer_id': ['7590-VHVEG', '5575-GNVDE'], 'spend': [1.0, 2.0]})",
        "rows",
        "print('min_cell is', min_cell)",
    )
    make_notebook(folder / "02_broken.ipynb", "seed = 0", "x = 1", "1 / 0", "print('never')")
    make_notebook(folder / "03_plain.ipynb", "seed = 0", "print('plain ok')")
    out = tmp_path_factory.mktemp("reports")
    runs = run_reports(sorted(folder.glob("*.ipynb")), out, min_cell=5, progress=False, jobs=2)
    return out, {r.name: r for r in runs}


def test_every_notebook_gets_html_and_the_index_links_them(bundled_run):
    out, runs = bundled_run
    index = (out / "index.html").read_text()
    for name in ("01_ok", "03_plain"):
        assert runs[name].status == "ok"
        for kind in ("analyst", "stakeholder"):
            assert (out / kind / f"{name}.html").is_file()
            assert f'href="{kind}/{name}.html"' in index
    assert "cxlib" in index and "SHA-256" in index
    # the bundled data files are listed with their checksums
    assert "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef" in index
    assert re.search(r"Run on \d{4}-\d\d-\d\d \d\d:\d\d UTC", index)


def test_failing_notebook_is_marked_with_cell_and_error_and_others_still_run(bundled_run):
    out, runs = bundled_run
    broken = runs["02_broken"]
    assert broken.status == "failed" and not broken.ok
    assert "ZeroDivisionError" in broken.error and "1 / 0" in broken.error
    assert broken.stakeholder == ""  # a broken report is not for sending
    assert (out / "analyst" / "02_broken.html").is_file()
    index = (out / "index.html").read_text()
    assert re.search(r'<tr class="failed"><td>02_broken</td>.*ZeroDivisionError', index, re.S)
    assert runs["03_plain"].status == "ok"  # ran after the failure


def test_stakeholder_html_has_no_code_and_no_customer_rows(bundled_run):
    out, _ = bundled_run
    analyst = (out / "analyst" / "01_ok.html").read_text()
    stakeholder = (out / "stakeholder" / "01_ok.html").read_text()
    assert "CODE_MARKER_7f3a" in analyst and "7590-VHVEG" in analyst
    assert "CODE_MARKER_7f3a" not in stakeholder and "hl-ipython3" not in stakeholder
    assert "7590-VHVEG" not in stakeholder and "5575-GNVDE" not in stakeholder
    assert "The finding in prose." in stakeholder
    assert "min_cell is 5" in stakeholder  # the --min-cell value reached the notebook


def test_parameters_are_read_from_the_tagged_cell(tmp_path):
    path = make_notebook(
        tmp_path / "05_x.ipynb", "transactions_path = None  # bundled\nmin_cell: int = 10"
    )
    assert notebook_parameters(path) == {"transactions_path": "None", "min_cell": "10"}


def test_find_notebooks_by_number_and_unknown_names(tmp_path):
    a = make_notebook(tmp_path / "01_a.ipynb", "seed = 0")
    b = make_notebook(tmp_path / "02_b.ipynb", "seed = 0")
    assert find_notebooks(None, folder=tmp_path) == [a, b]
    assert find_notebooks(["02"], folder=tmp_path) == [b]
    with pytest.raises(ValueError, match="No notebooks"):
        find_notebooks(None, folder=tmp_path / "empty")
    with pytest.raises(ValueError, match=r"No notebook \['09'\]; available: \['01_a', '02_b'\]"):
        find_notebooks(["09"], folder=tmp_path)


def test_index_shows_skip_reasons(tmp_path):
    runs = [NotebookRun("07_journey", "skipped", error="runs on bundled or simulated data only")]
    text = write_index(runs, tmp_path).read_text()
    assert '<tr class="skipped"><td>07_journey</td><td>skipped</td><td></td><td></td>' in text
    assert "runs on bundled or simulated data only" in text


def test_byod_run_feeds_matching_notebooks_pseudonymised_and_skips_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLIB_PSEUDONYM_KEY", "test-key")
    tx = make_notebook(
        tmp_path / "02_tx.ipynb",
        "transactions_path = None\nmin_cell = 10",
        "from cxlib.byod import load_transactions\ntx = load_transactions(transactions_path)",
        "print(tx['customer_id'].iloc[0], len(tx))",
        "tx.groupby('customer_id')['amount'].sum().head()",
    )
    churn = make_notebook(tmp_path / "04_churn.ipynb", "customers_path = None", "print('churn')")
    sim = make_notebook(tmp_path / "07_sim.ipynb", "seed = 0", "print('sim')")
    out = tmp_path / "reports"
    (out / "stakeholder").mkdir(parents=True)
    (out / "stakeholder" / "04_churn.html").write_text("an older report on other data")
    runs = {
        r.name: r
        for r in run_reports(
            [tx, churn, sim],
            out,
            transactions=EXAMPLES / "umsaetze.csv",
            columns=GERMAN,
            date_format="%d.%m.%Y",
            decimal=",",
            progress=False,
        )
    }
    assert runs["02_tx"].status == "ok"
    assert runs["04_churn"].status == "skipped" and "needs --customers" in runs["04_churn"].error
    assert (
        runs["07_sim"].status == "skipped"
        and "bundled or simulated data only" in runs["07_sim"].error
    )
    assert not (out / "stakeholder" / "04_churn.html").exists()  # no stale report left behind
    analyst = (out / "analyst" / "02_tx.html").read_text()
    stakeholder = (out / "stakeholder" / "02_tx.html").read_text()
    assert "1063" in analyst  # all rows of the example file arrived
    for text in (analyst, stakeholder):  # ids were pseudonymised before the notebook saw them
        assert not re.search(r"K-1\d{4}", text)
    assert re.search(r"P-[0-9a-f]{12}", analyst)
    index = (out / "index.html").read_text()
    assert "umsaetze.csv" in index and "customer_id = KundenNr" in index
    assert "<td>02_tx</td><td>ok</td><td>your transactions</td>" in index
    assert "test-key" not in index + analyst + stakeholder
    assert not list(out.rglob("*.parquet"))  # no row-level copies left beside the reports


def test_cli_exits_2_with_every_input_problem_and_runs_nothing(tmp_path, capsys):
    bad = tmp_path / "kunden.csv"
    bad.write_text(
        "KundenNr;Vertragsdauer;Gekuendigt;Monatsbetrag\nV-1;12;ja;10,5\nV-1;-3;vielleicht;x\n",
        encoding="utf-8",
    )
    status = cli.main(
        [
            "report",
            "--out",
            str(tmp_path / "r"),
            "--customers",
            str(bad),
            "--decimal",
            ",",
            *[a for c in GERMAN for a in ("--column", c)],
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "4 problem(s) in your input files; no notebook was run." in err
    assert "Column 'KundenNr' must identify each row once" in err
    assert "Column 'Vertragsdauer' must lie in [0, inf]" in err
    assert "Column 'Gekuendigt' must be yes/no" in err and "vielleicht" in err
    assert "Column 'Monatsbetrag' must hold numbers" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r" / "index.html").exists()
    assert not (tmp_path / ".cxlib_pseudonym_key").exists()  # no key made for a refused run


def test_cli_exits_1_when_a_notebook_fails(tmp_path, monkeypatch, capsys):
    def fake(*args, **kwargs):
        return [
            NotebookRun("01_a", "ok", 1.0),
            NotebookRun("02_b", "failed", 1.0, error="cell 3: boom"),
        ]

    monkeypatch.setattr("cxlib.report.run_reports", fake)
    assert cli.main(["report", "--out", str(tmp_path)]) == 1
    assert "1 of 2 notebooks ok" in capsys.readouterr().out


def _page_text(path: Path) -> str:
    """What a reader sees: the page without scripts, styles, images and tags."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(), flags=re.S)
    text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", " ", text)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def test_every_template_on_the_german_example_export(tmp_path, monkeypatch):
    """All six report templates on data/examples (;-separated, decimal commas, dd.mm.yyyy)."""
    monkeypatch.setenv("CXLIB_PSEUDONYM_KEY", "test-key")
    runs = run_reports(
        None,
        tmp_path / "reports",
        transactions=EXAMPLES / "umsaetze.csv",
        survey=EXAMPLES / "befragung.csv",
        customers=EXAMPLES / "kunden.csv",
        columns=[
            *GERMAN,
            "csat=Zufriedenheit,ces=Aufwand,nps=Weiterempfehlung,touchpoint=Kontaktpunkt",
            "survey_id=AntwortNr,total_charges=Gesamtbetrag,contract=Vertragsart",
        ],
        date_format="%d.%m.%Y",
        decimal=",",
        progress=False,
    )
    out = tmp_path / "reports"
    assert [r.name for r in runs] == [p.stem for p in sorted(TEMPLATES.glob("*.ipynb"))]
    assert all(r.status == "ok" for r in runs), [(r.name, r.error) for r in runs]
    index = _page_text(out / "index.html")
    for run in runs:
        page = _page_text(out / run.stakeholder)
        assert run.headline and run.headline in index
        for word in ("CDNOW", "Telco", "Fader", "Hardie", "US dollar", "customer_id"):
            assert word not in page, (run.name, word)
        assert not re.search(r"P-[0-9a-f]{12}|K-1\d{4}|V-5\d{4}", page), run.name
        assert "$" not in page, run.name
    survival = _page_text(out / "stakeholder" / "06_churn_survival.html")
    assert "kunden.csv" in survival and "umsaetze.csv" not in survival  # its own file named
    value = _page_text(out / "stakeholder" / "04_customer_value.html")
    assert "The data cannot tell when customers stop buying" in value  # a ridge, said in words
    assert any(e.endswith(".csv") for r in runs for e in r.exports)


def test_your_data_renders_the_templates_with_options_headline_and_exports(tmp_path, monkeypatch):
    """A run with your data renders templates (not lessons), passes the options they declare,
    lists their exports and summary headline, and hides any output that shows pseudonyms."""
    monkeypatch.setenv("CXLIB_PSEUDONYM_KEY", "test-key")
    templates = tmp_path / "templates"
    templates.mkdir()
    template = make_notebook(
        templates / "01_spend.ipynb",
        "transactions_path = None\nexport_dir = None\ncurrency = 'EUR'\nmin_cell = 10",
        "from IPython.display import Markdown\nfrom cxlib.byod import load_transactions\n"
        "from cxlib.report.exports import export_csv\n"
        "tx = load_transactions(transactions_path)\n"
        "per = tx.groupby('customer_id', as_index=False)['amount'].sum()\n"
        "_ = export_csv(per, export_dir, 'spend', per_customer=True)",
        "total = per.amount.sum()\n"
        "Markdown(f'**{len(per)} customers spent {total:,.0f} {currency}.**\\n\\nMore.')",
        "print(per.rename(columns={'customer_id': 'who'}).head(3))",
        "per[['amount']]  # one row per customer, no id column: found by its length",
        "per[['amount']].describe()",
    )
    nb = nbformat.read(template, 4)
    nb.cells[3].metadata["tags"] = ["summary"]
    nbformat.write(nb, template)
    make_notebook(templates / "02_churn.ipynb", "customers_path = None", "print('churn')")
    monkeypatch.setattr("cxlib.report.run.TEMPLATES", templates)
    out = tmp_path / "reports"
    runs = run_reports(
        None,
        out,
        transactions=EXAMPLES / "umsaetze.csv",
        columns=GERMAN,
        date_format="%d.%m.%Y",
        decimal=",",
        currency="CHF",
        progress=False,
    )
    assert [(r.name, r.status) for r in runs] == [("01_spend", "ok"), ("02_churn", "skipped")]
    run = runs[0]
    assert run.parameters["currency"] == "CHF"
    assert run.headline == "150 customers spent 43,400 CHF."
    assert run.exports == ("exports/01_spend/spend.csv",)
    assert (out / run.exports[0]).read_text().startswith("customer_id,amount\nP-")
    index = (out / "index.html").read_text()
    assert (
        "150 customers spent 43,400 CHF." in index and 'href="exports/01_spend/spend.csv"' in index
    )
    stakeholder = (out / run.stakeholder).read_text()
    assert not re.search(r"P-[0-9a-f]{12}", stakeholder)  # the renamed id column is still hidden
    assert "Per-customer rows are shown in the analyst report only" in stakeholder
    assert "150 rows" not in stakeholder and "150 rows" in (out / run.analyst).read_text()
    assert "std" in stakeholder  # a summary of the same column is shown


def test_survey_options_without_a_survey_are_refused(tmp_path, capsys):
    args = [
        "report",
        "--out",
        str(tmp_path / "r"),
        "--transactions",
        str(EXAMPLES / "umsaetze.csv"),
    ]
    assert cli.main([*args, "--drivers", "Sitzkomfort", "--scale", "drivers=0-5"]) == 2
    err = capsys.readouterr().err
    assert "--scale, --drivers describe a survey; give it with --survey." in err
    assert not (tmp_path / "r").exists()


def test_cli_passes_line_item_wide_survey_and_label_options_on(tmp_path, monkeypatch):
    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        return [NotebookRun("03_rfm_segments", "ok", 1.0)]

    monkeypatch.setattr("cxlib.report.run_reports", fake)
    status = cli.main(
        [
            "report",
            "--out",
            str(tmp_path / "r"),
            "--transactions",
            "positionen.xlsx",
            "--survey",
            "passagiere.csv",
            "--column",
            "customer_id=KundenNr",
            "--quantity",
            "Menge",
            "--unit-price",
            "Preis",
            "--invoice",
            "BelegNr",
            "--returns",
            "net",
            "--sheet",
            "0",
            "--touchpoint-columns",
            "Sitz,WLAN",
            "--map",
            "csat=zufrieden:5,neutral oder unzufrieden:1",
            "--na-values",
            "0",
            "--scale",
            "score=0-5",
        ]
    )
    assert status == 0
    assert seen["columns"] == [
        "customer_id=KundenNr",
        "quantity=Menge",
        "unit_price=Preis",
        "invoice=BelegNr",
    ]
    assert seen["returns"] == "net" and seen["sheet"] == "0"
    assert seen["touchpoint_columns"] == "Sitz,WLAN" and seen["missing_codes"] == [0.0]
    assert seen["labels"] == ["csat=zufrieden:5,neutral oder unzufrieden:1"]


def test_cli_refuses_line_items_without_a_returns_policy_and_options_without_files(
    tmp_path, capsys
):
    base = ["report", "--out", str(tmp_path / "r")]
    status = cli.main(
        [
            *base,
            "--transactions",
            str(EXAMPLES / "positionen.csv"),
            "--column",
            "customer_id=KundenNr,date=Datum",
            "--quantity",
            "Menge",
            "--unit-price",
            "Preis",
            "--invoice",
            "BelegNr",
            "--decimal",
            ",",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2 and "1 problem(s) in your input files; no notebook was run." in err
    assert "lines are returns or cancellations" in err and "--returns net subtracts" in err
    assert cli.main([*base, "--returns", "drop"]) == 2
    assert "--returns describe transactions; give them with --transactions." in (
        capsys.readouterr().err
    )
    assert cli.main([*base, "--transactions", "t.csv", "--map", "csat=ja:5"]) == 2
    assert "--map describe a survey" in capsys.readouterr().err


def test_index_settings_say_how_returns_labels_sheets_and_touchpoints_were_read():
    from cxlib.report.run import _settings

    options = {
        "notebooks": "03_rfm_segments",
        "jobs": "default",
        "time_limit": 60,
        "min_cell": 10,
        "columns": ["quantity=Menge"],
        "date_format": None,
        "decimal": ",",
        "day_first": None,
        "date_window": None,
        "keep_columns": [],
        "currency": "EUR",
        "tenure_unit": "months",
        "scales": {"score": [0.0, 5.0]},
        "missing_codes": [0.0],
        "drivers": [],
        "overall": None,
        "sheet": "Umsätze",
        "returns": "net",
        "labels": ["csat=satisfied:5,neutral or dissatisfied:1"],
        "touchpoint_columns": "Sitz,WLAN",
    }
    settings = _settings(True, options, None)
    assert settings["returns"] == "netted against the same customer's purchases of the same day"
    assert settings["answers written as words"] == (
        "csat: satisfied = 5, neutral or dissatisfied = 1"
    )
    assert settings["sheet of Excel files"] == "Umsätze"
    assert settings["touchpoint columns"] == "Sitz,WLAN"
    assert settings["columns"] == "quantity = Menge"
