"""The reports folder: checked before a run, locked during it, replaced in one step after it.

A run never writes into the reports folder itself. Everything goes into hidden folders beside
it (``reports`` -> ``.reports.partial-<pid>`` for the HTML, ``.reports.work-<pid>``, mode 0700,
for the prepared row-level inputs and executed notebooks); when the run ends, the partial
folder replaces the old one by two renames, and the work folder is deleted. An interrupted
run deletes both, so the previous complete report stays as it was. A lock file
(``.reports.lock``, held with ``flock``) refuses a second run into the same folder, and the
leftovers of a run that was killed outright (``SIGKILL``, power loss) are removed by the next
run, under the lock.

Because the old folder is replaced as a whole, a run only replaces a folder that holds a cxlib
report (``index.html`` written by cxlib, ``analyst/``, ``stakeholder/``, ``exports/``) or
nothing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cxlib.report.html import GENERATOR

__all__ = ["ReportError", "check_target", "locked", "prepare_folders", "remove", "swap_in"]

_REPORT_ENTRIES = {"analyst", "stakeholder", "exports", "index.html"}
_LEFTOVERS = ("partial", "work", "old")


class ReportError(RuntimeError):
    """A run that cannot start or finish (folder not writable, locked, ...): one sentence."""


def _hidden(out: Path, what: str) -> Path:
    return out.parent / f".{out.name}.{what}-{os.getpid()}"


def check_target(out: Path) -> None:
    """Raise :class:`ReportError` unless ``out`` can be replaced by a new report.

    The folder beside which the report is staged must be writable; an existing ``out`` must be
    a folder that holds only a cxlib report, and its folders must be writable (so that the old
    report can be removed). Nothing is written.
    """
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out} is a file, not a folder; choose another --out.")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"cannot create the folder {parent}: {err.strerror}.") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(
            f"{parent} is not writable; the report is built beside {out.name} and swapped in, "
            "so choose another --out or make the folder writable."
        )
    if not out.is_dir():
        return
    entries = {p.name for p in out.iterdir()}
    foreign = sorted(entries - _REPORT_ENTRIES)
    index = out / "index.html"
    head = index.read_text(errors="replace")[:2000] if index.is_file() else GENERATOR
    if GENERATOR not in head and "<title>cxlib reports</title>" not in head:  # or an older one
        foreign.insert(0, "index.html")
    if foreign:
        raise ReportError(
            f"{out} holds files that are not part of a cxlib report ({', '.join(foreign[:5])}); "
            "a run replaces the whole folder, so choose a new or empty --out."
        )
    folders = [out, *(out / name for name in ("analyst", "stakeholder") if (out / name).is_dir())]
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ReportError(
                f"{folder} is read-only, so the old report cannot be replaced; "
                "make it writable or choose another --out."
            )


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock of ``out`` for the duration; raise :class:`ReportError` if another run has it.

    The lock is ``flock`` on ``.<name>.lock`` beside the folder: the operating system releases
    it when the process ends, however it ends, so a killed run never leaves a stale lock.
    """
    import fcntl  # POSIX only; cxlib report runs on Linux and macOS

    lock = out.parent / f".{out.name}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            raise ReportError(
                f"another cxlib report is writing to {out} ({holder}); wait for it to finish "
                "or choose another --out."
            ) from None
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        os.write(fd, f"pid {os.getpid()}, started {started}".encode())
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def prepare_folders(out: Path) -> tuple[Path, Path]:
    """Remove leftovers of killed runs; create and return the partial and the work folder.

    Call under :func:`locked`. The partial folder gets the usual permissions (it becomes the
    report); the work folder, which holds row-level data while the run lasts, is private (0700).
    """
    for what in _LEFTOVERS:
        for stale in out.parent.glob(f".{out.name}.{what}-*"):
            shutil.rmtree(stale, ignore_errors=True)
    stage, work = _hidden(out, "partial"), _hidden(out, "work")
    for sub in ("analyst", "stakeholder"):
        (stage / sub).mkdir(parents=True)
    work.mkdir(mode=0o700)
    return stage, work


def swap_in(stage: Path, out: Path) -> None:
    """Replace ``out`` by ``stage`` (two renames), then delete the old report."""
    old = None
    if out.exists():
        old = _hidden(out, "old")
        os.rename(out, old)
    os.rename(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove(*folders: Path) -> None:
    """Delete the run's hidden folders (interrupted or failed run); missing ones are fine."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
