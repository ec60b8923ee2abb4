"""Render the customer report templates (churn prediction, churn survival) on three inputs.

(a) the bundled sample (path None), (b) the German example export ``data/examples/kunden.csv``,
(c) crafted exports: a bank-like file (tenure in years, numeric columns kept, a surname column,
a geography column with a group whose churners are too few for a curve, a contract type with 3
customers, too few churn events for a Cox model) and a minimal file (id, tenure, churn only).
Each render is checked in its stakeholder HTML: ran without error, no names of bundled data sets,
no ``$``, no ``customer_id``, a summary headline, the hard-case sentences, and no figure of a
group under ``min_cell``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("papermill")
pytest.importorskip("lifelines")
pytest.importorskip("sklearn")

import papermill as pm  # noqa: E402

from cxlib.byod import prepare_inputs  # noqa: E402
from cxlib.report import stakeholder_html  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "cxlib" / "templates"
PREDICTION = TEMPLATES / "05_churn_prediction.ipynb"
SURVIVAL = TEMPLATES / "06_churn_survival.ipynb"
KEY = b"test-template-customers"
FORBIDDEN = ("CDNOW", "Telco", "Fader", "Hardie", "$", "customer_id")


def _bank_like(path: Path, n: int = 200, seed: int = 1) -> pd.DataFrame:
    """A bank churn export: tenure in years 0-10, numeric columns, a surname, 3 'Special'."""
    rng = np.random.default_rng(seed)
    geography = np.array(["France"] * 110 + ["Germany"] * 75 + ["Spain"] * 15)
    contract = np.array(["Monthly"] * 120 + ["Yearly"] * 77 + ["Special"] * 3)
    rng.shuffle(contract)
    tenure = rng.integers(0, 11, n)
    age = rng.integers(18, 80, n)
    p = 1 / (1 + np.exp(-(-1.6 + 0.04 * (age - 45) - 0.1 * (tenure - 5))))
    churn = rng.random(n) < p
    spain = np.flatnonzero(geography == "Spain")
    churn[spain] = False
    churn[spain[:3]] = True  # 3 of the 15 Spanish customers left: too few for a curve
    frame = pd.DataFrame(
        {
            "CustomerId": [f"B-{10000 + i}" for i in range(n)],
            "Surname": [f"Name{i:04d}" for i in rng.permutation(n)],
            "CreditScore": rng.integers(350, 851, n),
            "Geography": geography,
            "Age": age,
            "Tenure": tenure,
            "Balance": np.round(np.where(rng.random(n) < 0.3, 0, rng.normal(9e4, 3e4, n)), 2),
            "Contract": contract,
            "Exited": churn.astype(int),
        }
    )
    frame.to_csv(path, index=False)
    return frame


def _minimal(path: Path, n: int = 120, seed: int = 2) -> None:
    """Only the required columns: id, tenure (months), churn."""
    rng = np.random.default_rng(seed)
    pd.DataFrame(
        {
            "customer_id": [f"M-{i}" for i in range(n)],
            "tenure_months": rng.integers(1, 40, n),
            "churn": np.where(rng.random(n) < 0.35, "yes", "no"),
        }
    ).to_csv(path, index=False)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    folder = tmp_path_factory.mktemp("customers")
    german = prepare_inputs(
        {"customers": ROOT / "data" / "examples" / "kunden.csv"},
        folder / "de",
        key=KEY,
        columns={
            "customer_id": "KundenNr",
            "tenure_months": "Vertragsdauer",
            "churn": "Gekuendigt",
            "monthly_charges": "Monatsbetrag",
            "total_charges": "Gesamtbetrag",
            "contract": "Vertragsart",
        },
        date_format="%d.%m.%Y",
        decimal=",",
    )
    _bank_like(folder / "bank.csv")
    bank = prepare_inputs(
        {"customers": folder / "bank.csv"},
        folder / "bank",
        key=KEY,
        columns={
            "customer_id": "CustomerId",
            "tenure_months": "Tenure",
            "churn": "Exited",
            "contract": "Contract",
        },
        keep_columns=["CreditScore", "Age", "Balance", "Surname", "Geography"],
    )
    _minimal(folder / "minimal.csv")
    minimal = prepare_inputs({"customers": folder / "minimal.csv"}, folder / "min", key=KEY)
    return {
        "bundled": None,
        "german": german.parameters["customers_path"],
        "bank": bank.parameters["customers_path"],
        "minimal": minimal.parameters["customers_path"],
    }


_CACHE: dict[tuple[str, str, str], tuple[nbformat.NotebookNode, str]] = {}


def render(
    template: Path, path: str | None, tmp: Path, **parameters: object
) -> tuple[nbformat.NotebookNode, str]:
    """Execute ``template`` on ``path`` (cached per call); return the notebook and visible HTML."""
    key = (template.name, str(path), repr(sorted(parameters.items())))
    if key not in _CACHE:
        out = tmp / f"{template.stem}-{len(_CACHE)}.ipynb"
        pm.execute_notebook(
            str(template),
            str(out),
            parameters={"customers_path": path, **parameters},
            kernel_name="python3",
            progress_bar=False,
        )
        nb = nbformat.read(out, 4)
        html = stakeholder_html(nb)
        # what a reader sees: no scripts/styles (nbconvert's MathJax setup has "$"), no images
        visible = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        visible = re.sub(r'src="data:[^"]*"', "", visible)
        _CACHE[key] = (nb, visible)
    return _CACHE[key]


def headline(nb: nbformat.NotebookNode) -> str:
    """First line of the markdown output of the cell tagged ``summary``."""
    cells = [c for c in nb.cells if "summary" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    texts = [
        o["data"]["text/markdown"] for o in cells[0].outputs if "text/markdown" in o.get("data", {})
    ]
    return texts[0].splitlines()[0]


def check_clean(nb: nbformat.NotebookNode, visible: str) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            assert output.get("name") != "stderr", output.get("text")
    for word in FORBIDDEN:
        assert word not in visible, word
    first = headline(nb)
    assert first.startswith("**") and first.endswith(".**"), first


def test_templates_are_saved_clean() -> None:
    for template in (PREDICTION, SURVIVAL):
        nb = nbformat.read(template, 4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        for name in (
            "customers_path",
            "data_label",
            "min_cell",
            "currency",
            "level",
            "export_dir",
            "seed",
            "tenure_unit",
        ):
            assert re.search(rf"^{name} = ", tagged[0].source, flags=re.M), name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.mark.parametrize("template", [PREDICTION, SURVIVAL], ids=["prediction", "survival"])
@pytest.mark.parametrize("data", ["bundled", "german"])
def test_template_renders(
    template: Path, data: str, inputs: dict, exports: Path, tmp_path: Path
) -> None:
    folder = str(exports) if data == "german" else None  # the bundled ids are not pseudonyms
    nb, visible = render(
        template, inputs[data], tmp_path, data_label=f"{data}.csv", export_dir=folder
    )
    check_clean(nb, visible)
    assert f"{data}.csv" in visible


def test_prediction_bank_like_years(inputs: dict, tmp_path: Path) -> None:
    nb, visible = render(
        PREDICTION, inputs["bank"], tmp_path, tenure_unit="years", data_label="bank.csv"
    )
    check_clean(nb, visible)
    assert "Surname has nearly a different value for every customer" in visible
    assert "per 3.12 years" in visible  # tenure in the file's unit, numeric (not one-hot)
    for column in ("Balance", "Age", "CreditScore"):  # numeric: one row, never one-hot
        assert column in visible and f"{column} = " not in visible
    assert "Special" not in visible  # the contract type of 3 customers has no row
    assert "fewer than 10" in visible  # few events per term: said before the ratios


def test_survival_bank_like_years(inputs: dict, tmp_path: Path) -> None:
    nb, visible = render(
        SURVIVAL,
        inputs["bank"],
        tmp_path,
        tenure_unit="years",
        data_label="bank.csv",
        segment="Geography",
    )
    check_clean(nb, visible)
    assert "counted in years" in visible and "months" not in visible
    assert "too few churn events" in visible  # no Cox model, no failure
    assert "Spain has fewer than 10 customers who left, so its curve is not drawn." in visible
    assert "Special" not in visible
    # Spain's own figures (15 customers, 3 left, 20 %) are not shown
    spain = [s for s in re.split(r"(?<=[.!?])\s", re.sub(r"<[^>]+>", " ", visible)) if "Spain" in s]
    assert spain and all(not re.search(r"\b(15|3|20 ?%)\b", s) for s in spain), spain


def test_survival_contract_group_of_three_is_pooled(inputs: dict, tmp_path: Path) -> None:
    nb, visible = render(SURVIVAL, inputs["bank"], tmp_path, tenure_unit="years")
    check_clean(nb, visible)
    assert "pooled as 'other'" in visible
    assert "Special" not in visible


def test_minimal_file_leaves_sections_out(inputs: dict, tmp_path: Path) -> None:
    nb, visible = render(SURVIVAL, inputs["minimal"], tmp_path)
    check_clean(nb, visible)
    assert "The file has no column that splits customers into two or more groups" in visible
    assert "No column besides tenure can describe customers" in visible
    nb, visible = render(PREDICTION, inputs["minimal"], tmp_path)
    check_clean(nb, visible)
    assert "months, one standard deviation" in visible  # tenure alone, in the file's unit


def test_exports(inputs: dict, exports: Path, tmp_path: Path) -> None:
    for template in (PREDICTION, SURVIVAL):  # the renders of test_template_renders (cached)
        render(
            template, inputs["german"], tmp_path, data_label="german.csv", export_dir=str(exports)
        )
    scores = pd.read_csv(exports / "churn_scores.csv")
    assert len(scores) == 300
    assert scores["customer_id"].str.fullmatch(r"P-[0-9a-f]{12}").all()
    assert scores["churn_score"].between(0, 1).all()
    groups = pd.read_csv(exports / "churn_score_groups.csv")
    assert groups["customers"].sum() == 300 and (groups["customers"] >= 10).all()
    tenure = pd.read_csv(exports / "tenure_by_group.csv")
    assert (tenure["n"].dropna() >= 10).all()
