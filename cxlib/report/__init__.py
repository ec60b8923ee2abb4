"""Re-run the notebooks into HTML reports for analysts and for stakeholders.

``cxlib report`` (also ``python -m cxlib report``, used by ``make report``) executes every
notebook in ``notebooks/`` (or the ones named) with papermill, passing values for the variables
of its ``parameters`` cell, and writes into the reports folder:

- ``analyst/NN_topic.html``: the full notebook, code included;
- ``stakeholder/NN_topic.html``: code, prompts, warnings and per-customer rows removed, prose,
  tables and plots kept (only for notebooks that ran without error);
- ``index.html``: run date, cxlib version, the run's options, the data files with their SHA-256
  and what the checks repaired or dropped, and per notebook its status (ok, failed with the
  failing cell and error, or skipped with the reason) and run time.

With your own data (``--transactions``, ``--survey``, ``--customers``, see :mod:`cxlib.byod`)
every file is checked before any notebook runs; customer ids are pseudonymised
(:mod:`cxlib.privacy`) and the files are handed to the notebooks whose ``parameters`` cell
declares the matching ``*_path`` variable. Notebooks that cannot use the given data are skipped
with the reason. A failed notebook does not stop the others; the command then exits non-zero.

A run is atomic: it is built beside the reports folder and replaces it only when complete; a
second run into the same folder is refused while the first holds its lock; SIGINT or SIGTERM
stops every worker and kernel and leaves the previous report unchanged.

=====================  ==========================================================
module                 holds
=====================  ==========================================================
:mod:`~.notebooks`     ``find_notebooks``, ``notebook_parameters``, ``plan``, ``NotebookRun``
:mod:`~.execute`       worker processes: papermill with cell progress, time limit, kill
:mod:`~.html`          stakeholder HTML (``stakeholder_html``) and ``write_index``
:mod:`~.folder`        the reports folder: checks, lock, partial and work folders, swap
:mod:`~.run`           ``run_reports``: the order of a run, signals, the log
=====================  ==========================================================
"""

from cxlib.report.folder import ReportError
from cxlib.report.html import ANALYST_ONLY_TAG, stakeholder_html, write_index
from cxlib.report.notebooks import ROOT, NotebookRun, find_notebooks, notebook_parameters
from cxlib.report.run import (
    DEFAULT_TIME_LIMIT,
    LOG_FILE,
    ReportInterrupted,
    format_exception,
    run_reports,
    write_log,
)

__all__ = [
    "ANALYST_ONLY_TAG",
    "DEFAULT_TIME_LIMIT",
    "LOG_FILE",
    "ROOT",
    "NotebookRun",
    "ReportError",
    "ReportInterrupted",
    "find_notebooks",
    "format_exception",
    "notebook_parameters",
    "run_reports",
    "stakeholder_html",
    "write_index",
    "write_log",
]
