"""Preparing your files for a report run: check all of them, then write pseudonymised parquet.

:func:`prepare_inputs` is what ``cxlib report --transactions ... --survey ... --customers ...``
runs before any notebook: every file is checked (:func:`cxlib.byod.check.check_input`), every
``--column`` is checked against the files' headers, and only when nothing is wrong is each input
written as parquet with canonical columns and keyed pseudonyms instead of customer ids
(:func:`cxlib.privacy.pseudonymise`). An unexpected error while checking a file becomes a
problem of that file (its traceback in :attr:`Problem.detail`, for a log), never a traceback.
"""

from __future__ import annotations

import difflib
import json
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from cxlib.byod import dates
from cxlib.byod.check import CheckResult, Problem, check_file
from cxlib.byod.numbers import DECIMAL_MARKS
from cxlib.byod.read import PREPARED_KEY, describe_file, parse_columns, read_header
from cxlib.byod.schema import INPUTS, KNOWN_COLUMNS, Kind
from cxlib.privacy import pseudonymise
from cxlib.validate import CXDataError, check_option

__all__ = ["InputFilesError", "PreparedInputs", "prepare_inputs"]


def _unused_mappings(
    mapping: Mapping[str, str],
    given: Mapping[str, Path],
    headers: Mapping[str, list[str]] | None = None,
) -> list[Problem]:
    """A problem for each ``--column`` of a given input whose column is in no file (a typo).

    Only canonical names that one of the given inputs uses are checked, so one long mapping can
    serve runs with fewer files. ``headers`` (kind -> column names) saves reading them again.
    """
    relevant = set().union(*(KNOWN_COLUMNS[kind] for kind in given))
    if headers is None:
        headers = {kind: read_header(path) for kind, path in given.items()}
    seen = {c for names in headers.values() for c in names}
    problems = []
    for canonical, yours in mapping.items():
        if canonical in relevant and seen and yours not in seen:
            close = difflib.get_close_matches(yours, sorted(seen), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            problems.append(
                Problem(
                    "--column",
                    yours,
                    f"{canonical}={yours}: no input file has a column {yours!r}{hint}",
                )
            )
    return problems


def _unused_keep(keep: Sequence[str], headers: Mapping[str, list[str]]) -> list[Problem]:
    """A problem for each ``--keep-column`` that no given file has (a typo)."""
    seen = sorted({c for names in headers.values() for c in names})
    problems = []
    for name in keep:
        if seen and name not in seen:
            close = difflib.get_close_matches(name, seen, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            problems.append(
                Problem("--keep-column", name, f"no input file has a column {name!r}{hint}")
            )
    return problems


class InputFilesError(CXDataError):
    """Raised by :func:`prepare_inputs` when any input file has a problem.

    The message lists every problem (numbered); :attr:`problems` holds them, with the
    traceback of an unexpected error in :attr:`Problem.detail`, and :attr:`details` joins
    those tracebacks for a log file.
    """

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems = list(problems)

    @property
    def details(self) -> str:
        """The tracebacks of unexpected errors, each after its file, for a log; empty if none."""
        return "\n\n".join(f"{p.file}:\n{p.detail}" for p in self.problems if p.detail)


@dataclass(frozen=True)
class PreparedInputs:
    """Your checked inputs, converted for the notebooks.

    Attributes
    ----------
    parameters : dict
        Notebook parameter (e.g. ``"transactions_path"``) -> prepared parquet file with canonical
        columns and pseudonymised ``customer_id``.
    files : list of dict
        Per input: ``kind``, ``name``, ``path``, ``sha256`` (of your original file), ``rows``,
        and ``notes`` (list of str: what the check repaired or noticed, one sentence each).
    """

    parameters: dict[str, str]
    files: list[dict[str, Any]]


def _check(kind: str, path: Path, **options: Any) -> CheckResult:
    """:func:`check_file`, with an unexpected exception turned into a problem of the file."""
    try:
        return check_file(cast(Kind, kind), path, **options)  # kind validated by the caller
    except Exception as err:  # noqa: BLE001 - any bug or library error: report it, go on
        message = (
            f"unexpected error while checking this file: {type(err).__name__}: {err}; "
            "the full traceback is in the log"
        )
        return CheckResult(None, [Problem(str(path), "", message, traceback.format_exc())])


def _write(frame: pd.DataFrame, target: Path, recorded: dict[str, Any]) -> None:
    """Write ``frame`` as parquet, recording the check options under :data:`PREPARED_KEY`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), PREPARED_KEY: json.dumps(recorded).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), target)


def prepare_inputs(
    paths: Mapping[str, str | Path | None],
    out_dir: str | Path,
    *,
    key: bytes | str | Callable[[], bytes],
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
) -> PreparedInputs:
    """Check every given input, then write each as parquet with pseudonymised customer ids.

    All files are checked before anything is written; if any has a problem, an
    :class:`InputFilesError` (a :class:`CXDataError`) lists every problem of every file
    (numbered, one paragraph each). An unexpected exception while checking a file is one of
    them ("unexpected error while checking this file: ..."), with its traceback in
    :attr:`Problem.detail`.

    Parameters
    ----------
    paths : mapping
        Kind (``"transactions"``, ``"survey"``, ``"customers"``) -> file; None entries are skipped.
    out_dir : path
        Folder for the prepared parquet files (the report runner uses a temporary folder that is
        removed after the run, so no row-level copy stays behind).
    key : bytes, str or callable
        Pseudonym key (:func:`cxlib.privacy.pseudonym_key`), or a function returning it, called
        only once every file has passed (so a refused run creates no key file). Ids are replaced
        by :func:`cxlib.privacy.pseudonymise` before any notebook sees them.
    columns, date_format, decimal, day_first, date_window
        As in :func:`cxlib.byod.check.check_file`; one setting serves all files.
    keep_columns : sequence of str
        Undocumented columns to pass on; each name must be a column of at least one file, and
        is kept in the files that have it.
    scales, missing_codes, drivers, overall, labels, touchpoint_columns
        The survey's declared scales, not-applicable codes, driver columns, key-driver
        outcome, codes for answers written as words and touchpoint rating columns, as in
        :func:`cxlib.byod.check.check_file` (used for the survey only). The prepared survey
        records them (the touchpoints as matched names), so ``load_survey(prepared)`` applies
        them again.
    sheet : str or int, optional
        The sheet of every Excel workbook given (name or position from 0).
    returns : {"net", "drop"}, optional
        What returns mean in the transactions (:mod:`cxlib.byod.lineitems`); the prepared
        file holds purchases with amounts >= 0.

    Returns
    -------
    PreparedInputs
        The notebook parameters pointing at the prepared files (which record ``keep_columns``
        and the date window, so that the notebooks' ``load_*`` check them the same way), and a
        description of each of your files, with its notes, for the report index.
    """
    mapping = parse_columns(columns)
    given = {k: Path(v) for k, v in paths.items() if v is not None}
    for kind in sorted(given):
        check_option(kind, INPUTS, parameter="paths", function="prepare_inputs")
    check_option(decimal, DECIMAL_MARKS, parameter="decimal", function="prepare_inputs")
    start, end = dates.date_window(date_window)
    window = (start.date().isoformat(), end.date().isoformat())
    keep = [
        str(k).strip() for k in ([keep_columns] if isinstance(keep_columns, str) else keep_columns)
    ]
    headers = {kind: read_header(path, sheet=sheet) for kind, path in given.items()}
    survey = {
        "scales": scales,
        "missing_codes": missing_codes,
        "drivers": drivers,
        "overall": overall,
        "labels": labels,
        "touchpoint_columns": touchpoint_columns,
    }
    results: dict[str, CheckResult] = {}
    for kind, path in given.items():
        results[kind] = _check(
            kind,
            path,
            columns=mapping,
            date_format=date_format,
            decimal=decimal,
            day_first=day_first,
            date_window=window,
            keep_columns=[k for k in keep if k in headers[kind]],
            sheet=sheet,
            **(survey if kind == "survey" else {}),
            **({"returns": returns} if kind == "transactions" else {}),
        )
    problems = [p for result in results.values() for p in result.problems]
    problems += _unused_mappings(mapping, given, headers) + _unused_keep(keep, headers)
    if problems:
        listed = "\n\n".join(f"{i}. {p}" for i, p in enumerate(problems, start=1))
        raise InputFilesError(
            f"{len(problems)} problem(s) in your input files; no notebook was run.\n\n{listed}",
            problems,
        )
    secret = key() if callable(key) else key
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parameters: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    for kind, result in results.items():
        frame = cast(pd.DataFrame, result.frame)  # no problems: every file has its frame
        safe = frame.copy()
        if "customer_id" in safe.columns:
            safe["customer_id"] = pseudonymise(safe["customer_id"], key=secret)
        target = out / f"{kind}.parquet"
        kept = [k for k in keep if k in safe.columns]
        recorded: dict[str, Any] = {"keep_columns": kept, "date_window": list(window)}
        recorded.update(frame.attrs.get("survey", {}) if kind == "survey" else {})
        safe.attrs = {}  # recorded under PREPARED_KEY, not in pandas' own metadata
        _write(safe, target, recorded)
        parameters[INPUTS[kind].parameter] = str(target)
        files.append(
            {
                "kind": kind,
                **describe_file(given[kind]),
                "rows": len(frame),
                "customers": int(frame["customer_id"].nunique())
                if "customer_id" in frame
                else None,
                "notes": list(result.notes),
            }
        )
    return PreparedInputs(parameters, files)
