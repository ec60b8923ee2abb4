"""Which notebooks a run executes, with which parameters, and what each run came to.

Two kinds of notebook: the **lessons** in ``notebooks/`` teach on the bundled data and are
what a run without your data renders; the **report templates** in ``cxlib/templates/``
(:data:`TEMPLATES`) are short, data-driven reports that a run with your data renders. A template
receives your data when its cell tagged ``parameters`` declares the matching ``*_path``
variable (:data:`cxlib.byod.INPUTS`); :func:`plan` reads that cell and says what to pass (the
options a template declares, such as ``currency`` or ``export_dir``), or why it is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from cxlib.byod import INPUTS

__all__ = [
    "LESSONS",
    "ROOT",
    "TEMPLATES",
    "NotebookRun",
    "find_notebooks",
    "headline",
    "notebook_parameters",
    "plan",
]

#: The checkout: ``notebooks/`` and the default ``reports/`` live here.
ROOT = Path(__file__).resolve().parent.parent.parent
#: The lessons, on the bundled data.
LESSONS = ROOT / "notebooks"
#: The report templates, for your data (shipped with the package).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Tag of the template cell whose output is the executive summary; its first line is the headline.
SUMMARY_TAG = "summary"


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of one notebook: status ``"ok"``, ``"failed"`` or ``"skipped"``, and details.

    ``analyst`` and ``stakeholder`` are the HTML paths relative to the reports folder (empty if
    not written); ``error`` holds the failing cell and error, or the reason for a skip;
    ``headline`` the first line of a template's executive summary; ``exports`` the CSV files it
    wrote (relative paths).
    """

    name: str
    status: str
    seconds: float = 0.0
    analyst: str = ""
    stakeholder: str = ""
    error: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    headline: str = ""
    exports: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True unless the notebook failed (a skip is not a failure)."""
        return self.status != "failed"


def find_notebooks(
    names: Sequence[str | Path] | None = None, *, folder: Path | None = None
) -> list[Path]:
    """Notebooks to run: all ``NN_*.ipynb`` in ``folder`` (default ``notebooks/``), or those named.

    A name may be a path, a file name, a stem (``02_rfm_segmentation``) or just the number
    (``02``). Raises ``ValueError`` naming the ones not found, with the available stems.
    """
    folder = folder or LESSONS
    available = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        if not available:
            raise ValueError(f"No notebooks (NN_*.ipynb) in {folder}; run from a cxlib checkout.")
        return available
    chosen, unknown = [], []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path)
            continue
        hits = [
            p
            for p in available
            if p.stem == str(name) or p.name == str(name) or p.stem.split("_", 1)[0] == str(name)
        ]
        if hits:
            chosen.extend(hits)
        else:
            unknown.append(str(name))
    if unknown:
        raise ValueError(f"No notebook {unknown}; available: {[p.stem for p in available]}.")
    return chosen


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Variables of the notebook's cell tagged ``parameters``: name -> default (as source text)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            found = re.findall(
                r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=\s*(.+?)\s*(?:#.*)?$", cell.source, re.M
            )
            return dict(found)
    return {}


def plan(
    notebook: Path,
    inputs: Mapping[str, str],
    min_cell: int,
    options: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """Parameters for ``notebook`` and, if it cannot use the given data, why it is skipped.

    ``inputs`` maps notebook parameters (``"transactions_path"``) to prepared files; empty for
    a run on the bundled data. ``options`` (e.g. ``currency``, ``export_dir``) are passed to
    the notebooks that declare them, as is ``min_cell``.
    """
    declared = notebook_parameters(notebook)
    given = {"min_cell": min_cell, **(options or {})}
    params: dict[str, Any] = {k: v for k, v in given.items() if k in declared}
    if not inputs:
        return params, ""
    wants = [s for s in INPUTS.values() if s.parameter in declared]
    if not wants:
        return params, "runs on bundled or simulated data only: no *_path parameter for your data"
    missing = [s.option for s in wants if s.parameter not in inputs]
    if missing:
        return params, f"needs {' and '.join(missing)}, not given"
    params.update({s.parameter: inputs[s.parameter] for s in wants})
    return params, ""


def headline(nb: nbformat.NotebookNode) -> str:
    """First line of the output of the cell tagged ``summary`` (markdown or text), or ``""``."""
    for cell in nb.cells:
        if cell.cell_type != "code" or SUMMARY_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = data.get("text/markdown") or out.get("text") or data.get("text/plain") or ""
            text = "".join(text) if isinstance(text, list) else text
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return re.sub(r"^[#>*\s-]+|[*_]{2}", "", lines[0]).strip()
    return ""
