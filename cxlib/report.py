"""Re-run the notebooks into HTML reports for stakeholders.

``python -m cxlib report`` (used by ``make report``) executes every notebook in ``notebooks/``
with papermill, writes one HTML file per notebook into ``reports/`` and an ``index.html`` that
links them with their status and run time. A notebook that fails does not stop the others; the
command then exits non-zero.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

__all__ = ["NotebookRun", "run_reports", "write_index"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of one notebook run: its name, HTML file, status, seconds and error text."""

    name: str
    html: str
    ok: bool
    seconds: float
    error: str = ""


def _run_one(notebook: Path, out_dir: Path, kernel_name: str) -> NotebookRun:
    executed = out_dir / notebook.name
    target = out_dir / f"{notebook.stem}.html"
    start = time.perf_counter()
    error = ""
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            cwd=str(notebook.parent),
            kernel_name=kernel_name,
            progress_bar=False,
        )
    except Exception as err:  # noqa: BLE001 - a failed notebook is reported, not fatal
        error = f"{type(err).__name__}: {err}".strip()
    seconds = time.perf_counter() - start
    if executed.exists():
        body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
        target.write_text(body, encoding="utf-8")
        executed.unlink()
    return NotebookRun(notebook.stem, target.name, not error, seconds, error)


def write_index(runs: list[NotebookRun], out_dir: Path) -> Path:
    """Write ``index.html`` linking each notebook report with its status and run time."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(r.html)}">{html.escape(r.name)}</a></td>'
        f"<td>{'ok' if r.ok else 'failed'}</td><td>{r.seconds:.1f} s</td>"
        f"<td><pre>{html.escape(r.error[-2000:])}</pre></td></tr>"
        for r in runs
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>cxlib reports</title></head>"
        f"<body><h1>cxlib reports</h1><p>Run on {stamp}.</p>"
        "<table><tr><th>notebook</th><th>status</th><th>run time</th><th>error</th></tr>"
        f"{rows}</table></body></html>"
    )
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def run_reports(
    notebooks: list[Path] | None = None,
    out_dir: Path | str = ROOT / "reports",
    *,
    kernel_name: str = "python3",
) -> list[NotebookRun]:
    """Execute ``notebooks`` (default: all of ``notebooks/``) into HTML in ``out_dir``."""
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) if notebooks is None else notebooks
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    for path in paths:
        run = _run_one(Path(path), out, kernel_name)
        print(f"{run.name}: {'ok' if run.ok else 'FAILED'} in {run.seconds:.1f} s", flush=True)
        runs.append(run)
    write_index(runs, out)
    return runs
