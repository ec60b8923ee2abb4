"""Executing notebooks: one worker process per notebook, a time limit, cell progress, kill on stop.

Each notebook runs in its own process (``spawn``: nothing inherited but the arguments), which
starts a kernel through papermill, executes the notebook and writes its analyst and
stakeholder HTML. The worker reports each cell it starts and, at the end, its
:class:`~cxlib.report.notebooks.NotebookRun` through a one-way pipe. The parent starts at most
``jobs`` workers at a time, shows their progress, and stops a worker that exceeds the time
limit, or every worker when the run is interrupted. A stopped worker takes its kernel with it:
ipykernel ends itself when its parent process is gone.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import nbformat

from cxlib.report.notebooks import NotebookRun, headline

__all__ = ["Task", "duration", "execute", "run_notebook"]

_SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Task:
    """One notebook to execute: where to write its HTML, its parameters, its scratch folder."""

    notebook: Path
    out_dir: Path
    parameters: dict[str, Any]
    kernel_name: str
    workdir: Path
    customers: int | None = None  # in the data it reads: tables this long stay analyst-only


def failure_text(err: BaseException) -> str:
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


def duration(seconds: float) -> str:
    """``"20 s"``, ``"30 min"`` or ``"1.5 h"``: a time limit as people say it."""
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:g} min" if seconds < 7200 else f"{seconds / 3600:g} h"


def _engine() -> str:
    """Register (once) a papermill engine that reports each cell it starts; return its name."""
    from papermill.engines import NBClientEngine, papermill_engines

    class _Reporting(NBClientEngine):  # papermill is untyped: a plain base class here
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            on_cell: Callable[[int, int], None] | None = None,
            **kwargs: Any,
        ) -> Any:
            if on_cell is not None:
                start, total = nb_man.cell_start, len(nb_man.nb.cells)

                def cell_start(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                    on_cell((cell_index or 0) + 1, total)
                    return start(cell, cell_index, **kw)

                nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("cxlib", _Reporting)
    return "cxlib"


def run_notebook(task: Task, on_cell: Callable[[int, int], None] | None = None) -> NotebookRun:
    """Execute one notebook and write its analyst and (if it ran through) stakeholder HTML."""
    import papermill  # imported here: it loads slowly and index/tests may not need it
    from nbconvert import HTMLExporter

    from cxlib.report.html import stakeholder_html

    # papermill warns that it cannot parse parameter lines with comments and then calls the
    # parameters "unknown"; only declared parameters are passed here, so that is noise
    logging.getLogger("papermill").setLevel(logging.ERROR)
    notebook = task.notebook
    executed = task.workdir / notebook.name
    analyst = Path("analyst") / f"{notebook.stem}.html"
    stakeholder = Path("stakeholder") / f"{notebook.stem}.html"
    start = time.perf_counter()
    error = ""
    for attempt in range(_KERNEL_STARTS):
        error = _execute(papermill, task, executed, on_cell, engine=_engine())
        if not error.startswith(_KERNEL_START_FAILED) or attempt == _KERNEL_STARTS - 1:
            break
        # two kernels started at the same moment can pick the same free port: start again
        executed.unlink(missing_ok=True)
        time.sleep(0.5 + random.random())
    seconds = time.perf_counter() - start
    if not executed.exists():
        return NotebookRun(
            notebook.stem, "failed", seconds, error=error or "no output written",
            parameters=task.parameters,
        )  # fmt: skip
    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    (task.out_dir / analyst).write_text(body, encoding="utf-8")
    if not error:
        page = stakeholder_html(nb, customers=task.customers)
        (task.out_dir / stakeholder).write_text(page, encoding="utf-8")
    executed.unlink()
    return NotebookRun(
        notebook.stem,
        "failed" if error else "ok",
        seconds,
        analyst.as_posix(),
        "" if error else stakeholder.as_posix(),
        error,
        task.parameters,
        headline="" if error else headline(nb),
        exports=_exports(task),
    )


#: How often a notebook's kernel is started when it dies before it answers (a port clash).
_KERNEL_STARTS = 3
_KERNEL_START_FAILED = "RuntimeError: Kernel died before replying to kernel_info"


def _execute(
    papermill: Any,
    task: Task,
    executed: Path,
    on_cell: Callable[[int, int], None] | None,
    *,
    engine: str,
) -> str:
    """Run papermill once; return ``""`` or the failure text."""
    try:
        papermill.execute_notebook(
            str(task.notebook),
            str(executed),
            parameters=task.parameters,
            cwd=str(task.notebook.parent),
            kernel_name=task.kernel_name,
            engine_name=engine,
            on_cell=on_cell,
            progress_bar=False,
            log_output=False,
            # The kernel's own log is not for users: a warning that it runs over TCP, and at every
            # shutdown "ERROR | KeyboardInterrupt caught in kernel" (jupyter_client interrupts a
            # kernel before shutting it down). Errors in cells reach the report through papermill.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except Exception as err:  # noqa: BLE001 - a failed notebook is reported, not fatal
        return failure_text(err)
    return ""


def _exports(task: Task) -> tuple[str, ...]:
    """The CSV files the notebook wrote into its export folder, relative to the reports folder."""
    folder = task.parameters.get("export_dir")
    if not folder or not Path(folder).is_dir():
        return ()
    return tuple(p.relative_to(task.out_dir).as_posix() for p in sorted(Path(folder).glob("*.csv")))


def _worker(task: Task, pipe: Connection) -> None:
    """Body of a worker process: run the notebook, send cell progress and the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        run = run_notebook(task, on_cell=lambda i, n: pipe.send(("cell", i, n)))
    except Exception as err:  # noqa: BLE001 - e.g. the HTML could not be written
        run = NotebookRun(task.notebook.stem, "failed", error=failure_text(err))
    pipe.send(("done", run))
    pipe.close()


@dataclass
class _Running:
    """A worker in flight, as the parent sees it."""

    task: Task
    process: Any  # multiprocessing.context.SpawnProcess
    pipe: Connection
    started: float = field(default_factory=time.monotonic)
    cell: tuple[int, int] = (0, 0)
    result: NotebookRun | None = None
    closed: bool = False

    def receive(self) -> None:
        """Read every message waiting in the pipe (progress and the result)."""
        try:
            while not self.closed and self.pipe.poll():
                message = self.pipe.recv()
                if message[0] == "cell":
                    self.cell = (message[1], message[2])
                else:
                    self.result = message[1]
        except (EOFError, OSError):  # the worker closed its end or is gone
            self.closed = True

    def waitables(self) -> list[Any]:
        """What the parent waits on: the pipe while it is open, and the process sentinel."""
        return [self.process.sentinel] if self.closed else [self.pipe, self.process.sentinel]

    def stop(self) -> None:
        """Kill the worker (its kernel ends itself once its parent is gone)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.pipe.close()


def _start(task: Task) -> _Running:
    reader, writer = _SPAWN.Pipe(duplex=False)
    process = _SPAWN.Process(target=_worker, args=(task, writer), daemon=True)
    process.start()
    writer.close()  # the parent keeps only the reading end
    return _Running(task, process, reader)


def _finish(run: _Running, limit: float | None) -> NotebookRun | None:
    """The notebook's result if its worker is done or over time, else None (still running)."""
    run.receive()
    stem = run.task.notebook.stem
    elapsed = time.monotonic() - run.started
    if run.result is not None:  # done; give the worker a moment to exit, then make sure
        run.process.join(5)
        run.stop()
        return run.result
    if limit is not None and elapsed > limit:
        run.stop()
        for sub in ("analyst", "stakeholder"):
            (run.task.out_dir / sub / f"{stem}.html").unlink(missing_ok=True)
        cell, total = run.cell
        return NotebookRun(
            stem, "failed", elapsed,
            error=f"stopped after the time limit of {duration(limit)}, in cell {cell} of {total}; "
            "raise it with --time-limit",
            parameters=run.task.parameters,
        )  # fmt: skip
    if not run.process.is_alive():
        run.receive()
        if run.result is not None:
            return run.result
        return NotebookRun(
            stem, "failed", elapsed,
            error=f"the worker process stopped unexpectedly (exit code {run.process.exitcode})",
            parameters=run.task.parameters,
        )  # fmt: skip
    return None


def execute(
    tasks: Sequence[Task],
    *,
    jobs: int,
    time_limit: float | None,
    on_progress: Callable[[dict[str, tuple[int, int]], list[NotebookRun]], None] | None = None,
) -> dict[str, NotebookRun]:
    """Run every task, at most ``jobs`` at a time; return notebook stem -> result.

    Parameters
    ----------
    tasks : sequence of Task
    jobs : int
        Workers at the same time.
    time_limit : float, optional
        Seconds a notebook may run (start-up included); a worker over it is stopped and the
        notebook marked failed with the cell it was in. None: no limit.
    on_progress : callable, optional
        Called after every wake-up (at least once a second) with stem -> (cell, cells) of the
        running notebooks and the results that came in since the last call.

    An exception in the parent (``KeyboardInterrupt``, or the run's signal handler) stops every
    worker before it propagates.
    """
    queue = list(tasks)
    running: list[_Running] = []
    results: dict[str, NotebookRun] = {}
    try:
        while queue or running:
            while queue and len(running) < jobs:
                running.append(_start(queue.pop(0)))
            wait([w for r in running for w in r.waitables()], timeout=1.0)
            finished = []
            for run in list(running):
                result = _finish(run, time_limit)
                if result is not None:
                    running.remove(run)
                    results[run.task.notebook.stem] = result
                    finished.append(result)
            if on_progress is not None:
                on_progress({r.task.notebook.stem: r.cell for r in running}, finished)
    finally:
        for run in running:
            run.stop()
    return results
