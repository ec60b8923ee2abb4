"""Shared by the report tests: tiny notebooks, rendered templates, and what a reader sees.

Imported by the test modules as ``notebook_helpers`` (pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from cxlib.report import stakeholder_html
from cxlib.report.notebooks import TEMPLATES

#: Never in a stakeholder page on a user's data: data-set names, a currency sign that is not
#: the user's, the id column's name, Python reprs.
FORBIDDEN = ("CDNOW", "Telco", "Fader", "Hardie", "$", "customer_id", "DataFrame", "Estimate(")


def make_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """A notebook with a markdown title, a cell tagged ``parameters`` and the given code cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# A tiny report\nThe finding in prose."))
    par = nbformat.v4.new_code_cell(parameters)
    par.metadata["tags"] = ["parameters"]
    nb.cells.append(par)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def render(
    template: str | Path, out: Path, **parameters: object
) -> tuple[nbformat.NotebookNode, str]:
    """Execute a template (name in ``cxlib/templates`` or path) into ``out``; the notebook and
    its stakeholder HTML."""
    import papermill as pm

    source = template if isinstance(template, Path) else TEMPLATES / template
    pm.execute_notebook(
        str(source), str(out), parameters=parameters, kernel_name="python3", progress_bar=False
    )
    nb = nbformat.read(out, 4)
    return nb, stakeholder_html(nb)


def visible(html: str) -> str:
    """What a reader sees of a page: no scripts or styles (nbconvert's MathJax has '$'), no
    embedded images."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r'src="data:[^"]*"', "", body)


def assert_clean(html: str) -> None:
    """No word of :data:`FORBIDDEN` in what a reader sees."""
    body = visible(html)
    for word in FORBIDDEN:
        assert word not in body, word


def markdown_text(nb: nbformat.NotebookNode) -> str:
    """Every Markdown output of an executed notebook, joined."""
    return "\n".join(
        output.get("data", {}).get("text/markdown", "")
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


def summary_line(nb: nbformat.NotebookNode) -> str:
    """First line of the Markdown output of the one cell tagged ``summary``, as written."""
    cells = [c for c in nb.cells if "summary" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    texts = [
        o["data"]["text/markdown"] for o in cells[0].outputs if "text/markdown" in o.get("data", {})
    ]
    return texts[0].splitlines()[0]
