"""Re-run the notebooks into HTML reports for analysts and for stakeholders.

``cxlib report`` (also ``python -m cxlib report``, used by ``make report``) executes every
notebook in ``notebooks/`` (or the ones named) with papermill, passing values for the variables
of its ``parameters`` cell, and writes into the reports folder:

- ``analyst/NN_topic.html``: the full notebook, code included;
- ``stakeholder/NN_topic.html``: code, prompts, warnings and per-customer rows removed, prose,
  tables and plots kept (only for notebooks that ran without error);
- ``index.html``: run date, cxlib version, the data files with their SHA-256, and per notebook
  its status (ok, failed with the failing cell and error, or skipped with the reason) and run time.

With your own data (``--transactions``, ``--survey``, ``--customers``, see :mod:`cxlib.byod`)
every file is checked before any notebook runs; customer ids are pseudonymised
(:mod:`cxlib.privacy`) and the files are handed to the notebooks whose ``parameters`` cell
declares the matching ``*_path`` variable. Notebooks that cannot use the given data are skipped
with the reason. A failed notebook does not stop the others; the command then exits non-zero.
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from tqdm.auto import tqdm

import cxlib
from cxlib.byod import INPUTS, prepare_inputs
from cxlib.data import DATA_FILES, data_dir, file_sha256
from cxlib.privacy import KEY_ENV, KEY_FILE, pseudonym_key

__all__ = [
    "ANALYST_ONLY_TAG",
    "NotebookRun",
    "find_notebooks",
    "notebook_parameters",
    "run_reports",
    "stakeholder_html",
    "write_index",
]

ROOT = Path(__file__).resolve().parent.parent

#: Cells with this tag are left out of stakeholder reports (e.g. a look at raw rows).
ANALYST_ONLY_TAG = "analyst-only"
_REMOVED_TAGS = {ANALYST_ONLY_TAG, "parameters", "injected-parameters"}
#: Outputs that mention this text are tables of individual customers: hidden for stakeholders.
_ROW_MARKERS = ("customer_id",)
_HIDDEN_NOTE = "(Per-customer rows are shown in the analyst report only.)"
#: Workers start fresh ("spawn"): no forked copy of the parent's threads or open kernels.
_SPAWN = multiprocessing.get_context("spawn")
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of one notebook: status ``"ok"``, ``"failed"`` or ``"skipped"``, and details.

    ``analyst`` and ``stakeholder`` are the HTML paths relative to the reports folder (empty if
    not written); ``error`` holds the failing cell and error, or the reason for a skip.
    """

    name: str
    status: str
    seconds: float = 0.0
    analyst: str = ""
    stakeholder: str = ""
    error: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)

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
    folder = folder or ROOT / "notebooks"
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


class _StakeholderFilter(Preprocessor):
    """Drop analyst-only cells, warnings, errors and tables of individual customers."""

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
                    if _shows_rows(out):
                        out = nbformat.v4.new_output("stream", name="stdout", text=_HIDDEN_NOTE)
                    outputs.append(out)
                cell.outputs = outputs
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def _shows_rows(output: Mapping[str, Any]) -> bool:
    """True when an output displays per-customer rows (a table or print naming a customer id)."""
    texts = [output.get("text", "")]
    data = output.get("data", {})
    texts += [data.get("text/plain", ""), data.get("text/html", "")]
    text = "\n".join(t if isinstance(t, str) else "".join(t) for t in texts)
    return any(marker in text for marker in _ROW_MARKERS)


def stakeholder_html(nb: nbformat.NotebookNode) -> str:
    """HTML of ``nb`` for stakeholders: no code, prompts, warnings or per-customer rows."""
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(_StakeholderFilter(), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _failure(err: BaseException) -> str:
    """Failing cell and error of a papermill run, in a few readable lines."""
    index = getattr(err, "cell_index", None)
    if index is not None:
        source = (getattr(err, "source", "") or "").strip().splitlines()
        first = source[0] if source else ""
        return (
            f"cell {index} (execution count {getattr(err, 'exec_count', '?')}): "
            f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', err)}\n"
            f"  first line of the cell: {first}"
        )
    return f"{type(err).__name__}: {err}".strip()


def _run_one(
    notebook: Path,
    out_dir: Path,
    parameters: dict[str, Any],
    kernel_name: str,
    workdir: Path,
    progress: bool,
) -> NotebookRun:
    import papermill  # imported here: it loads slowly and index/tests may not need it

    # papermill warns that it cannot parse parameter lines with comments and then calls the
    # parameters "unknown"; only declared parameters are passed here, so that is noise
    logging.getLogger("papermill").setLevel(logging.ERROR)

    executed = workdir / notebook.name
    analyst = Path("analyst") / f"{notebook.stem}.html"
    stakeholder = Path("stakeholder") / f"{notebook.stem}.html"
    start = time.perf_counter()
    error = ""
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            cwd=str(notebook.parent),
            kernel_name=kernel_name,
            # a second bar under the one over notebooks: cells of this notebook
            progress_bar={"desc": f"  {notebook.stem}", "leave": False, "position": 1}
            if progress
            else False,
            log_output=False,
            # The kernel's own log is not for users: a warning that it runs over TCP, and at every
            # shutdown "ERROR | KeyboardInterrupt caught in kernel" (jupyter_client interrupts a
            # kernel before shutting it down). Errors in cells reach the report through papermill.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except Exception as err:  # noqa: BLE001 - a failed notebook is reported, not fatal
        error = _failure(err)
    seconds = time.perf_counter() - start
    if not executed.exists():
        return NotebookRun(
            notebook.stem,
            "failed",
            seconds,
            error=error or "no output written",
            parameters=parameters,
        )
    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    (out_dir / analyst).write_text(body, encoding="utf-8")
    if not error:
        (out_dir / stakeholder).write_text(stakeholder_html(nb), encoding="utf-8")
    executed.unlink()
    return NotebookRun(
        notebook.stem,
        "failed" if error else "ok",
        seconds,
        analyst.as_posix(),
        "" if error else stakeholder.as_posix(),
        error,
        parameters,
    )


def _plan(notebook: Path, inputs: Mapping[str, str], min_cell: int) -> tuple[dict[str, Any], str]:
    """Parameters for ``notebook`` and, if it cannot use the given data, why it is skipped."""
    declared = notebook_parameters(notebook)
    params: dict[str, Any] = {"min_cell": min_cell} if "min_cell" in declared else {}
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


class _InProcess(Executor):
    """Runs each task at submit, in this process: no worker start-up when jobs == 1."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        super().__init__()

    def submit(  # noqa: D102 - Executor interface
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> Future[_T]:
        future: Future[_T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - surfaced by future.result(), as in a pool
            future.set_exception(err)
        return future


@contextmanager
def _inline_figures() -> Iterator[None]:
    """Unset MPLBACKEND for the kernels (and workers) unless it names an inline backend.

    A kernel started with ``MPLBACKEND=Agg`` (common on headless machines) shows no figures at
    all, which would leave the reports without plots.
    """
    saved = os.environ.get("MPLBACKEND")
    if saved is not None and "inline" not in saved:
        del os.environ["MPLBACKEND"]
    try:
        yield
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved


def run_reports(
    notebooks: Sequence[str | Path] | None = None,
    out_dir: Path | str = ROOT / "reports",
    *,
    transactions: str | Path | None = None,
    survey: str | Path | None = None,
    customers: str | Path | None = None,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
    min_cell: int = 10,
    kernel_name: str = "python3",
    jobs: int | None = None,
    progress: bool = True,
) -> list[NotebookRun]:
    """Execute notebooks into analyst and stakeholder HTML in ``out_dir`` plus ``index.html``.

    Parameters
    ----------
    notebooks : sequence of names or paths, optional
        Default: every ``notebooks/NN_*.ipynb`` (see :func:`find_notebooks`).
    out_dir : path, default ``reports/``
    transactions, survey, customers : path, optional
        Your own data (CSV or parquet); see :mod:`cxlib.byod`. When any is given, only the
        notebooks that can use it run; the others are listed as skipped with the reason.
    columns, date_format, decimal
        Column mapping (``{"customer_id": "KundenNr"}`` or ``["customer_id=KundenNr"]``), date
        format and CSV decimal mark of your files.
    min_cell : int, default 10
        Smallest group shown in stakeholder tables and plots (passed to notebooks that declare
        ``min_cell``).
    kernel_name : str, default "python3"
    jobs : int, optional
        Notebooks run at the same time, each in its own kernel with one BLAS thread. Default:
        2, or 1 on a one-core machine. Results and the index keep the notebook order.
    progress : bool, default True
        Show a progress bar over notebooks on the terminal (stderr).

    Returns
    -------
    list of NotebookRun
        One per notebook in order. Raises :class:`cxlib.CXDataError` listing every problem of
        your input files before any notebook runs.
    """
    paths = find_notebooks(notebooks)
    out = Path(out_dir)
    user_files = {"transactions": transactions, "survey": survey, "customers": customers}
    byod = any(v is not None for v in user_files.values())
    with tempfile.TemporaryDirectory(prefix="cxlib-report-") as tmp:
        files: list[dict[str, Any]] = []
        inputs: dict[str, str] = {}
        if byod:
            prepared = prepare_inputs(
                user_files,
                Path(tmp) / "inputs",
                key=lambda: pseudonym_key(out.resolve().parent),
                columns=columns,
                date_format=date_format,
                decimal=decimal,
            )
            inputs, files = prepared.parameters, prepared.files
        else:
            files = [
                {
                    "kind": "bundled",
                    "name": name,
                    "path": str(data_dir() / name),
                    "sha256": file_sha256(data_dir() / name),
                }
                for name in DATA_FILES
            ]
            files.append(
                {
                    "kind": "simulated",
                    "name": "cxlib.simulate.cx_panel: generated from the notebook's seed, no file",
                    "sha256": "",
                }
            )
        for sub in ("analyst", "stakeholder"):
            (out / sub).mkdir(parents=True, exist_ok=True)
            for path in paths:  # an older report of a notebook must not pass for this run's
                (out / sub / f"{path.stem}.html").unlink(missing_ok=True)
        plans = [(path, *_plan(path, inputs, min_cell)) for path in paths]
        n_run = sum(not skip for _, _, skip in plans)
        n_jobs = max(1, min(jobs or min(2, os.cpu_count() or 1), n_run))
        bar = tqdm(total=len(plans), desc="notebooks", unit="nb", position=0, disable=not progress)
        done: dict[Path, NotebookRun] = {}
        pool_type = _InProcess if n_jobs == 1 else ProcessPoolExecutor
        with _inline_figures(), pool_type(n_jobs, mp_context=_SPAWN) as pool:
            futures = {}
            for path, params, skip in plans:
                if skip:
                    done[path] = NotebookRun(path.stem, "skipped", error=skip, parameters=params)
                    bar.update()
                    continue
                # one kernel per worker; a per-cell bar only when notebooks run one at a time
                task = (path, out, params, kernel_name, Path(tmp), progress and n_jobs == 1)
                futures[pool.submit(_run_one, *task)] = path
            for future in as_completed(futures):
                path = futures[future]
                try:
                    done[path] = future.result()
                except Exception as err:  # noqa: BLE001 - e.g. a worker died: report, go on
                    done[path] = NotebookRun(path.stem, "failed", error=_failure(err))
                bar.set_postfix_str(f"{path.stem} {done[path].status}")
                bar.update()
        bar.close()
        runs = [done[path] for path, _, _ in plans]
    write_index(runs, out, files=files, settings=_settings(byod, columns, date_format, min_cell))
    return runs


def _settings(byod: bool, columns: Any, date_format: str | None, min_cell: int) -> dict[str, str]:
    from cxlib.byod import parse_columns

    settings = {
        "data": "your files (below)" if byod else "bundled data sets (below)",
        "min_cell": f"groups under {min_cell} customers suppressed in stakeholder reports",
    }
    if byod:
        mapping = parse_columns(columns)
        settings["columns"] = (
            ", ".join(f"{k} = {v}" for k, v in mapping.items()) or "as in the files"
        )
        settings["date format"] = date_format or "inferred"
        settings["customer ids"] = (
            f"pseudonymised (HMAC-SHA256); key from ${KEY_ENV} or the file {KEY_FILE} beside the "
            "reports folder, never in the reports"
        )
    return settings


def write_index(
    runs: Sequence[NotebookRun],
    out_dir: Path | str,
    *,
    files: Sequence[Mapping[str, Any]] = (),
    settings: Mapping[str, str] | None = None,
) -> Path:
    """Write ``index.html``: run date, cxlib version, data files and SHA-256, a row per notebook."""
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

    rows = "\n".join(
        f'<tr class="{r.status}"><td>{esc(r.name)}</td><td>{r.status}</td><td>{data(r)}</td>'
        f"<td>{'' if r.status == 'skipped' else f'{r.seconds:.1f} s'}</td>"
        f"<td>{link(r.stakeholder, 'stakeholder')}</td>"
        f"<td>{link(r.analyst, 'analyst')}</td><td><pre>{esc(r.error[-2000:])}</pre></td></tr>"
        for r in runs
    )
    file_rows = "\n".join(
        f"<tr><td>{esc(str(f.get('kind', '')))}</td><td>{esc(str(f['name']))}</td>"
        f"<td>{esc(str(f.get('rows', '')))}</td><td><code>{esc(str(f['sha256']))}</code></td></tr>"
        for f in files
    )
    setting_rows = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in (settings or {}).items())
    n_ok = sum(r.status == "ok" for r in runs)
    n_failed = sum(r.status == "failed" for r in runs)
    n_skipped = sum(r.status == "skipped" for r in runs)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cxlib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde0dc; }} tr.skipped td {{ color: #666; }}
pre {{ margin: 0; white-space: pre-wrap; }}
</style></head>
<body><h1>cxlib reports</h1>
<p>Run on {stamp} with cxlib {esc(cxlib.__version__)}: {n_ok} ok, {n_failed} failed,
{n_skipped} skipped, {sum(r.seconds for r in runs):.0f} s in notebooks.</p>
<ul>{setting_rows}</ul>
<h2>Notebooks</h2>
<table><tr><th>notebook</th><th>status</th><th>data</th><th>run time</th>
<th>for stakeholders (no code)</th><th>for analysts (with code)</th><th>error or reason</th></tr>
{rows}
</table>
<h2>Data files</h2>
<table><tr><th>input</th><th>file</th><th>rows</th><th>SHA-256</th></tr>
{file_rows}
</table>
</body></html>
"""
    index = out / "index.html"
    out.mkdir(parents=True, exist_ok=True)
    index.write_text(page, encoding="utf-8")
    return index
