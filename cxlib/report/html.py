"""HTML for the reports folder: stakeholder pages without code or rows, and the index.

Stakeholder pages drop code, prompts, warnings, errors, cells tagged ``analyst-only`` and any
output that names a ``customer_id`` (a table of individual customers). The index lists the run:
date, cxlib version, options, the pseudonym key's fingerprint (never the key), each input file
with its SHA-256 and what the checks repaired or dropped, and one row per notebook.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

import cxlib
from cxlib.byod import INPUTS
from cxlib.report.notebooks import NotebookRun

__all__ = ["ANALYST_ONLY_TAG", "GENERATOR", "stakeholder_html", "write_index"]

#: Cells with this tag are left out of stakeholder reports (e.g. a look at raw rows).
ANALYST_ONLY_TAG = "analyst-only"
#: Marks an index page written by cxlib, so a run only ever replaces a cxlib reports folder.
GENERATOR = '<meta name="generator" content="cxlib report">'
_REMOVED_TAGS = {ANALYST_ONLY_TAG, "parameters", "injected-parameters"}
#: Outputs that mention a customer id column or show a pseudonym (``P-`` + 12 hex digits) are
#: tables of individual customers, whatever their column names: hidden for stakeholders.
_ROW_MARKERS = ("customer_id",)
_PSEUDONYM = re.compile(r"\bP-[0-9a-f]{12}\b")
_FOOTER = re.compile(r"([\d,]+) rows (?:x|×) \d+ columns")
_HIDDEN_NOTE = "(Per-customer rows are shown in the analyst report only.)"


class _StakeholderFilter(Preprocessor):
    """Drop analyst-only cells, warnings, errors and tables of individual customers."""

    def __init__(self, customers: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.customers = customers

    def preprocess(  # noqa: D102 - nbconvert interface
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        kept = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & _REMOVED_TAGS:
                continue
            if cell.cell_type == "code":
                outputs = []
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error" or (
                        out.get("output_type") == "stream" and out.get("name") == "stderr"
                    ):
                        continue
                    if _shows_rows(out, self.customers):
                        out = nbformat.v4.new_output("stream", name="stdout", text=_HIDDEN_NOTE)
                    outputs.append(out)
                cell.outputs = outputs
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def _shows_rows(output: Mapping[str, Any], customers: int | None = None) -> bool:
    """True when an output displays per-customer rows, detected from what it shows.

    A table or print naming a customer id column or showing a pseudonym, or, when the number
    of customers is known, a table with at least as many rows as there are customers (pandas'
    ``[N rows x M columns]`` footer, or the rows of an HTML table shown whole).
    """
    texts = [output.get("text", "")]
    data = output.get("data", {})
    texts += [data.get(kind, "") for kind in ("text/plain", "text/html", "text/markdown")]
    text = "\n".join(t if isinstance(t, str) else "".join(t) for t in texts)
    if any(marker in text for marker in _ROW_MARKERS) or _PSEUDONYM.search(text):
        return True
    return customers is not None and customers > 1 and _table_rows(text) >= customers


def _table_rows(text: str) -> int:
    """Rows of the largest table in an output: pandas' footer, or ``<tr>`` in a table body."""
    footers = [int(n.replace(",", "")) for n in _FOOTER.findall(text)]
    bodies = [body.count("<tr") for body in re.findall(r"<tbody>(.*?)</tbody>", text, re.S)]
    return max([0, *footers, *bodies])


def stakeholder_html(nb: nbformat.NotebookNode, *, customers: int | None = None) -> str:
    """HTML of ``nb`` for stakeholders: no code, prompts, warnings or per-customer rows.

    ``customers``, the number of customers in the data the notebook ran on, lets tables with
    one row per customer be found by their length whatever their columns are called.
    """
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(_StakeholderFilter(customers), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _file_rows(files: Sequence[Mapping[str, Any]]) -> str:
    """Table rows for the input files, with what the checks repaired, warned about or dropped."""
    esc = html.escape
    rows = []
    for f in files:
        notes = "".join(f"<li>{esc(str(n))}</li>" for n in f.get("notes", ()))
        rows.append(
            f"<tr><td>{esc(str(f.get('kind', '')))}</td><td>{esc(str(f['name']))}</td>"
            f"<td>{esc(str(f.get('rows', '')))}</td><td><code>{esc(str(f['sha256']))}</code></td>"
            f"<td>{f'<ul>{notes}</ul>' if notes else ''}</td></tr>"
        )
    return "\n".join(rows)


def write_index(
    runs: Sequence[NotebookRun],
    out_dir: Path | str,
    *,
    files: Sequence[Mapping[str, Any]] = (),
    settings: Mapping[str, str] | None = None,
) -> Path:
    """Write ``index.html``: run date, cxlib version, settings, data files, a row per notebook.

    Parameters
    ----------
    runs : sequence of NotebookRun
        One row each, in order.
    out_dir : path
        Folder to write ``index.html`` into (created if needed).
    files : sequence of mappings
        Input files: ``kind``, ``name``, ``sha256``, optionally ``rows`` and ``notes`` (what the
        checks repaired, warned about or dropped, one sentence each).
    settings : mapping, optional
        The run's options and facts (data, column mapping, key fingerprint, ...), shown as a list.
    """
    out = Path(out_dir)
    esc = html.escape
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def link(target: str, label: str) -> str:
        return f'<a href="{esc(target)}">{label}</a>' if target else ""

    def data(run: NotebookRun) -> str:
        fed = [s.kind for s in INPUTS.values() if s.parameter in run.parameters]
        return (
            "your " + " and ".join(fed) if fed else ("" if run.status == "skipped" else "bundled")
        )

    def exports(run: NotebookRun) -> str:
        return "<br>".join(link(e, esc(Path(e).name)) for e in run.exports)

    rows = "\n".join(
        f'<tr class="{r.status}"><td>{esc(r.name)}</td><td>{r.status}</td><td>{data(r)}</td>'
        f"<td>{esc(r.headline)}</td>"
        f"<td>{link(r.stakeholder, 'stakeholder')}</td>"
        f"<td>{link(r.analyst, 'analyst')}</td><td>{exports(r)}</td>"
        f"<td>{'' if r.status == 'skipped' else f'{r.seconds:.1f} s'}</td>"
        f"<td><pre>{esc(r.error[-2000:])}</pre></td></tr>"
        for r in runs
    )
    setting_rows = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in (settings or {}).items())
    n_ok = sum(r.status == "ok" for r in runs)
    n_failed = sum(r.status == "failed" for r in runs)
    n_skipped = sum(r.status == "skipped" for r in runs)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{GENERATOR}<title>cxlib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde0dc; }} tr.skipped td {{ color: #666; }}
pre {{ margin: 0; white-space: pre-wrap; }} ul {{ margin: 0; padding-left: 1.2em; }}
</style></head>
<body><h1>cxlib reports</h1>
<p>Run on {stamp} with cxlib {esc(cxlib.__version__)}: {n_ok} ok, {n_failed} failed,
{n_skipped} skipped, {sum(r.seconds for r in runs):.0f} s in notebooks.</p>
<h2>Reports</h2>
<table><tr><th>report</th><th>status</th><th>data</th><th>main finding</th>
<th>for stakeholders (no code)</th><th>for analysts (with code)</th>
<th>exports (CSV, pseudonymised ids: for the team that acts on them)</th><th>run time</th>
<th>error or reason</th></tr>
{rows}
</table>
<h2>Settings</h2>
<ul>{setting_rows}</ul>
<h2>Data files</h2>
<table><tr><th>input</th><th>file</th><th>rows</th><th>SHA-256</th>
<th>checks: repaired, warned, dropped</th></tr>
{_file_rows(files)}
</table>
</body></html>
"""
    index = out / "index.html"
    out.mkdir(parents=True, exist_ok=True)
    index.write_text(page, encoding="utf-8")
    return index
