"""One report run: check the folder and your files, execute the notebooks, swap the result in.

The order of a run, and what the reports folder holds at each step:

1. the folder is checked (writable, a cxlib report or new) and locked; a second run into it is
   refused (:mod:`cxlib.report.folder`);
2. your files are checked (:func:`cxlib.byod.prepare_inputs`) and written, pseudonymised, into
   a private work folder beside the reports; any problem stops the run before a notebook starts;
3. the notebooks run, at most ``jobs`` at a time, each with a time limit
   (:mod:`cxlib.report.execute`), into a partial folder beside the reports;
4. the index is written and the partial folder replaces the old report in one step.

Until step 4 the previous report stays as it was. ``SIGINT`` (Ctrl-C) or ``SIGTERM`` stops the
workers and their kernels, deletes the partial and work folders and raises
:class:`ReportInterrupted`: the previous report is left complete and unchanged.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from tqdm import tqdm  # the terminal bar: tqdm.auto would want widgets inside a kernel

from cxlib.byod import INPUTS, InputNote, prepare_inputs
from cxlib.byod.read import parse_columns
from cxlib.data import DATA_FILES, data_dir, file_sha256
from cxlib.privacy import KEY_ENV, KEY_FILE, key_fingerprint, pseudonym_key
from cxlib.report.execute import Task, duration, execute
from cxlib.report.exports import EXPORTS_FOLDER
from cxlib.report.folder import (
    ReportError,
    check_target,
    locked,
    prepare_folders,
    remove,
    swap_in,
)
from cxlib.report.html import write_index
from cxlib.report.notebooks import (
    LESSONS,
    ROOT,
    TEMPLATES,
    NotebookRun,
    find_notebooks,
    notebook_parameters,
    plan,
)
from cxlib.validate import check_option

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "LOG_FILE",
    "ReportInterrupted",
    "format_exception",
    "run_reports",
    "write_log",
]

#: Seconds a notebook may run before it is stopped and marked failed (``--time-limit`` minutes).
DEFAULT_TIME_LIMIT = 30 * 60
#: Log with the full traceback of an unexpected error, written beside the reports folder.
LOG_FILE = "cxlib-report.log"
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ReportInterrupted(ReportError):
    """The run was stopped by SIGINT or SIGTERM; the previous report is unchanged."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def write_log(out: Path, text: str) -> Path:
    """Append ``text`` with a time stamp to the log beside the reports folder; return its path."""
    log = Path(out).absolute().parent / LOG_FILE
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"--- {stamp}\n{text.rstrip()}\n")
    return log


@contextmanager
def _signal_handlers(handler: Any) -> Iterator[None]:
    """Install ``handler`` for SIGINT and SIGTERM for the block (main thread only), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _interruptible() -> Any:
    """Turn SIGINT and SIGTERM into :class:`ReportInterrupted` for the block.

    After the first signal both are ignored until the block is left, so the clean-up that the
    exception triggers is not itself interrupted.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise ReportInterrupted(signal.Signals(signum).name)

    return _signal_handlers(handler)


def _uninterruptible() -> Any:
    """Ignore SIGINT and SIGTERM for the block: the swap takes microseconds."""
    return _signal_handlers(signal.SIG_IGN)


@contextmanager
def _kernel_environment() -> Iterator[None]:
    """Environment the workers and kernels inherit: inline figures, one BLAS thread each.

    A kernel started with ``MPLBACKEND=Agg`` (common on headless machines) shows no figures,
    so a non-inline backend is unset; thread counts the user did not set are pinned to 1, as in
    ``make`` and nbval, so that parallel notebooks do not compete and outputs match.
    """
    saved = {k: os.environ.get(k) for k in ("MPLBACKEND", *_THREAD_VARIABLES)}
    if saved["MPLBACKEND"] is not None and "inline" not in saved["MPLBACKEND"]:
        del os.environ["MPLBACKEND"]
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _bundled_files() -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = [
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
    return files


def _progress(bar: Any) -> Any:
    """Callback for :func:`execute`: count finished notebooks, show the cells of running ones."""

    def update(cells: dict[str, tuple[int, int]], finished: list[NotebookRun]) -> None:
        if finished:
            bar.update(len(finished))
        text = ", ".join(f"{stem[:2]} cell {i}/{n}" for stem, (i, n) in cells.items())
        bar.set_postfix_str(
            text or (finished[-1].name + " " + finished[-1].status if finished else "")
        )

    return update


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
    day_first: bool | None = None,
    date_window: tuple[str | None, str | None] | None = None,
    keep_columns: Sequence[str] = (),
    scales: Mapping[str, tuple[float, float]] | None = None,
    missing_codes: Sequence[float] = (),
    drivers: Sequence[str] = (),
    overall: str | None = None,
    sheet: str | int | None = None,
    returns: str | None = None,
    labels: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
    touchpoint_columns: str | Sequence[str] = (),
    currency: str = "EUR",
    tenure_unit: str = "months",
    min_cell: int = 10,
    kernel_name: str = "python3",
    jobs: int | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    progress: bool = True,
) -> list[NotebookRun]:
    """Execute notebooks into analyst and stakeholder HTML in ``out_dir`` plus ``index.html``.

    Parameters
    ----------
    notebooks : sequence of names or paths, optional
        Default: every ``notebooks/NN_*.ipynb`` (see :func:`find_notebooks`).
    out_dir : path, default ``reports/``
        Replaced as a whole when the run ends (pages of earlier runs do not stay); it must be
        new, empty or a cxlib reports folder.
    transactions, survey, customers : path, optional
        Your own data (CSV, Excel or parquet); see :mod:`cxlib.byod`. When any is given, only
        the notebooks that can use it run; the others are listed as skipped with the reason.
    columns, date_format, decimal, day_first, date_window, keep_columns
        How to read your files, as in :func:`cxlib.byod.check_input`.
    scales, missing_codes, drivers, overall
        Survey reading rules (declared answer scales, codes for "not applicable", driver
        rating columns, the outcome of the key-driver analysis), as in
        :func:`cxlib.byod.check_input`; also passed to the templates that declare them.
    sheet, returns, labels, touchpoint_columns
        The sheet of Excel workbooks, the returns policy of line-item transactions, codes for
        survey answers written as words, and the touchpoint rating columns of a wide survey,
        as in :func:`cxlib.byod.check_input`.
    currency : str, default "EUR"
        Currency of your amounts, as the templates write it.
    tenure_unit : {"months", "years"}, default "months"
        Unit of your customers' tenure column.
    min_cell : int, default 10
        Smallest group shown in stakeholder tables and plots (passed to notebooks that declare
        ``min_cell``).
    kernel_name : str, default "python3"
    jobs : int, optional
        Notebooks run at the same time, each in its own process and kernel with one BLAS
        thread. Default: 2, or 1 on a one-core machine. Results and the index keep the order.
    time_limit : float, optional, default 1800
        Seconds one notebook may take; it is then stopped and marked failed. None: no limit.
    progress : bool, default True
        Show a progress bar (notebooks done, the cell each running one is in) on stderr.

    Returns
    -------
    list of NotebookRun
        One per notebook in order. Raises :class:`cxlib.CXDataError` listing every problem of
        your input files, or :class:`ReportError` when the folder cannot take the report, before
        any notebook runs; :class:`ReportInterrupted` on SIGINT/SIGTERM.
    """
    user_files = {"transactions": transactions, "survey": survey, "customers": customers}
    byod = any(v is not None for v in user_files.values())
    # lessons teach on the bundled data; your data gets the report templates
    paths = find_notebooks(notebooks, folder=TEMPLATES if byod else LESSONS)
    out = Path(out_dir).absolute()
    check_option(tenure_unit, ("months", "years"), parameter="tenure_unit", function="run_reports")
    survey_rules: dict[str, Any] = {  # for the templates: plain lists, as papermill passes them
        "scales": {k: [float(v[0]), float(v[1])] for k, v in (scales or {}).items()},
        "missing_codes": list(missing_codes),
        "drivers": list(drivers),
        "overall": overall,
    }
    check_target(out)
    with _interruptible(), locked(out):
        check_target(out)  # again, now that no other run can change it
        stage, work = prepare_folders(out)
        try:
            keys: list[bytes] = []
            files: list[dict[str, Any]] = _bundled_files()
            inputs: dict[str, str] = {}
            if byod:

                def key() -> bytes:
                    keys.append(pseudonym_key(out.parent))
                    return keys[-1]

                prepared = prepare_inputs(
                    user_files,
                    work / "inputs",
                    key=key,
                    columns=columns,
                    date_format=date_format,
                    decimal=decimal,
                    day_first=day_first,
                    date_window=date_window,
                    keep_columns=keep_columns,
                    scales=scales,
                    missing_codes=missing_codes,
                    drivers=drivers,
                    overall=overall,
                    sheet=sheet,
                    returns=returns,
                    labels=labels,
                    touchpoint_columns=touchpoint_columns,
                )
                inputs, files = prepared.parameters, list(prepared.files)
                for f in files:  # also in the index; said now, before the notebooks run
                    for note in f["notes"]:
                        warnings.warn(f"{f['name']}: {note}", InputNote, stacklevel=2)
            template_options = {
                **survey_rules,
                "currency": currency,
                "tenure_unit": tenure_unit,
            }
            file_labels = {INPUTS[f["kind"]].parameter: str(f["name"]) for f in files if byod}
            counts = {INPUTS[f["kind"]].parameter: f.get("customers") for f in files if byod}
            runs = _run_all(
                paths,
                stage,
                work,
                inputs,
                template_options,
                file_labels,
                counts,
                min_cell,
                kernel_name,
                jobs,
                time_limit,
                progress,
            )
            options = {
                "notebooks": ", ".join(p.stem for p in paths),
                "jobs": str(jobs or "default"),
                "time_limit": time_limit,
                "min_cell": min_cell,
                "columns": columns,
                "date_format": date_format,
                "decimal": decimal,
                "day_first": day_first,
                "date_window": date_window,
                "keep_columns": keep_columns,
                "currency": currency,
                "tenure_unit": tenure_unit,
                "sheet": sheet,
                "returns": returns,
                "labels": labels,
                "touchpoint_columns": touchpoint_columns,
                **survey_rules,
            }
            settings = _settings(byod, options, keys[-1] if keys else None)
            write_index(runs, stage, files=files, settings=settings)
            with _uninterruptible():  # never half-swapped: old report gone, new one not in place
                swap_in(stage, out)
        except BaseException:
            remove(stage)
            raise
        finally:
            remove(work)
    return runs


def _run_all(
    paths: Sequence[Path],
    stage: Path,
    work: Path,
    inputs: Mapping[str, str],
    options: Mapping[str, Any],
    labels: Mapping[str, str],
    counts: Mapping[str, int | None],
    min_cell: int,
    kernel_name: str,
    jobs: int | None,
    time_limit: float | None,
    progress: bool,
) -> list[NotebookRun]:
    """Plan every notebook (skip the ones that cannot use the data), execute the rest, in order.

    A template that declares ``export_dir`` writes its CSV exports into ``exports/<name>/``;
    ``data_label`` names the file(s) it reads (``labels``: notebook parameter -> file name);
    ``counts`` (parameter -> customers in that file) lets the stakeholder page drop any table
    with one row per customer.
    """
    done: dict[str, NotebookRun] = {}
    tasks = []
    for path in paths:
        exports = {"export_dir": str(stage / EXPORTS_FOLDER / path.stem)}
        params, skip = plan(path, inputs, min_cell, {**options, **exports})
        if "data_label" in notebook_parameters(path):
            params["data_label"] = ", ".join(v for k, v in labels.items() if k in params)
        if skip:
            done[path.stem] = NotebookRun(path.stem, "skipped", error=skip, parameters=params)
        else:
            customers = [n for k, n in counts.items() if k in params and n]
            task = Task(path, stage, params, kernel_name, work, min(customers, default=None))
            tasks.append(task)
    n_jobs = max(1, min(jobs or min(2, os.cpu_count() or 1), len(tasks)))
    with (
        tqdm(
            total=len(paths), desc="notebooks", unit="nb", disable=not progress, initial=len(done)
        ) as bar,
        _kernel_environment(),
    ):
        done |= execute(tasks, jobs=n_jobs, time_limit=time_limit, on_progress=_progress(bar))
    return [done[path.stem] for path in paths]


def _settings(byod: bool, options: Mapping[str, Any], key: bytes | None) -> dict[str, str]:
    """What the index says about the run: data, options, and the key's fingerprint."""
    limit = options["time_limit"]
    settings = {
        "data": "your files (below)" if byod else "bundled data sets (below)",
        "notebooks": options["notebooks"],
        "min_cell": f"groups under {options['min_cell']} customers suppressed in stakeholder "
        "reports",
        "time limit": f"{duration(limit)} per notebook" if limit else "none",
        "jobs": options["jobs"],
    }
    if not byod:
        return settings
    mapping = parse_columns(options["columns"])
    window = options["date_window"]
    settings |= {
        "columns": ", ".join(f"{k} = {v}" for k, v in mapping.items()) or "as in the files",
        "date format": options["date_format"] or "inferred",
        "day first": {None: "decided by the data", True: "yes", False: "no (month first)"}[
            options["day_first"]
        ],
        "date window": " to ".join(str(d or "default") for d in window) if window else "default",
        "decimal mark": options["decimal"],
        "extra columns kept": ", ".join(options["keep_columns"]) or "none",
        "currency": options["currency"],
        "tenure unit": options["tenure_unit"],
        "declared scales": ", ".join(
            f"{k} {lo:g}-{hi:g}" for k, (lo, hi) in options["scales"].items()
        )
        or "the defaults",
        "codes for not applicable": ", ".join(f"{c:g}" for c in options["missing_codes"]) or "none",
        "driver columns": ", ".join(options["drivers"]) or "none",
        "touchpoint columns": _listed(options["touchpoint_columns"]) or "none",
        "answers written as words": _labels_setting(options["labels"]),
        "sheet of Excel files": "the only one"
        if options["sheet"] is None
        else str(options["sheet"]),
        "returns": {
            None: "none allowed",
            "net": "netted against the same customer's purchases of the same day",
            "drop": "left out",
        }[options["returns"]],
        "customer ids": f"pseudonymised (HMAC-SHA256); key from ${KEY_ENV} or the file "
        f"{KEY_FILE} beside the reports folder, never in the reports",
    }
    if key is not None:
        settings["pseudonym key fingerprint"] = key_fingerprint(key)
    return settings


def _listed(items: str | Sequence[str]) -> str:
    """Items of an option as one text (a single text stays as given)."""
    return items if isinstance(items, str) else ", ".join(str(i) for i in items)


def _labels_setting(labels: Any) -> str:
    """``--map`` as the index shows it, or how answers written as words are read."""
    from cxlib.byod.labels import parse_maps

    maps = parse_maps(labels)
    if not maps:
        return "csat read automatically on a known scale; others must be numbers"
    return "; ".join(
        f"{name}: " + ", ".join(f"{label} = {code:g}" for label, code in m.items())
        for name, m in maps.items()
    )


def format_exception(err: BaseException) -> str:
    """The full traceback of ``err`` as text, for :func:`write_log`."""
    return "".join(traceback.format_exception(err))
