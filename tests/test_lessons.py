"""The lessons keep the house format: what they answer, for whom, exercises with answers, checks.

DESIGN.md: each lesson opens with Question / Data / For whom / Not covered, ends with takeaways,
two or three "Try it yourself" exercises with worked answers and references, puts its key figures
in ``assert`` cells and closes with a versions cell whose output nbval ignores.
"""

import json
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parent.parent / "notebooks"
#: Lessons rewritten to the full format of issue 18; the others join this list as they are.
FORMATTED = [
    "00_start_here",
    "01_cx_metrics",
    "02_rfm_segmentation",
    "03_customer_lifetime_value",
    "04_churn_prediction",
    "05_churn_survival",
    "06_cx_scores_and_clv",
    "07_customer_journey",
]


def cells(name: str) -> list[dict]:
    return json.loads((LESSONS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("name", FORMATTED)
def test_lesson_opens_with_question_data_for_whom_not_covered(name):
    opening = text(cells(name)[0])
    assert opening.startswith(f"# {name[:2]} · ")
    positions = [opening.find(f"**{part}") for part in ("Question.", "Data.", "For whom.", "Not")]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "simulated" in opening.lower() or "real" in opening.lower()  # says which data


@pytest.mark.parametrize("name", FORMATTED)
def test_lesson_ends_with_takeaways_exercises_answers_and_versions(name):
    notebook = cells(name)
    markdown = [text(c) for c in notebook if c["cell_type"] == "markdown"]
    joined = "\n".join(markdown)
    order = [joined.find(h) for h in ("## Takeaways", "## Try it yourself", "## Answers")]
    assert -1 not in order and order == sorted(order), order
    exercises = joined[order[1] : order[2]]
    numbered = [line for line in exercises.splitlines() if line[:3] in {"1. ", "2. ", "3. ", "4. "}]
    assert len(numbered) >= 3  # two or three exercises and a stakeholder's question
    assert "stakeholder" in exercises.lower()
    assert "## References" in joined
    code = [text(c) for c in notebook if c["cell_type"] == "code"]
    assert any("assert " in source for source in code)  # key figures are checked
    assert code[-1].startswith("# NBVAL_IGNORE_OUTPUT")


def test_no_lesson_calls_the_wrs_a_referral_rate():
    # the WRS is the willingness to recommend (Weiterempfehlungsbereitschaft), not referrals made
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        assert "Weiterempfehlungsrate" not in path.read_text(encoding="utf-8"), path.name
