"""Preparing your files for a report run: check all of them, then write pseudonymised parquet.

:func:`prepare_inputs` is what ``cxlib report --transactions ... --survey ... --customers ...``
runs before any notebook: every file is checked (:func:`cxlib.byod.check.check_input`), every
``--column`` is checked against the files' headers, and only when nothing is wrong is each input
written as parquet with canonical columns and keyed pseudonyms instead of customer ids
(:func:`cxlib.privacy.pseudonymise`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pandas as pd

from cxlib.byod.check import Problem, check_input
from cxlib.byod.read import describe_file, parse_columns, read_header
from cxlib.byod.schema import INPUTS, KNOWN_COLUMNS, Kind
from cxlib.privacy import pseudonymise
from cxlib.validate import CXDataError, check_option

__all__ = ["PreparedInputs", "prepare_inputs"]


def _unused_mappings(mapping: Mapping[str, str], given: Mapping[str, Path]) -> list[Problem]:
    """A problem for each ``--column`` of a given input whose column is in no file (a typo).

    Only canonical names that one of the given inputs uses are checked, so one long mapping can
    serve runs with fewer files.
    """
    relevant = set().union(*(KNOWN_COLUMNS[kind] for kind in given))
    seen = {c for path in given.values() for c in read_header(path)}
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


@dataclass(frozen=True)
class PreparedInputs:
    """Your checked inputs, converted for the notebooks.

    Attributes
    ----------
    parameters : dict
        Notebook parameter (e.g. ``"transactions_path"``) -> prepared parquet file with canonical
        columns and pseudonymised ``customer_id``.
    files : list of dict
        Per input: ``kind``, ``name``, ``path``, ``sha256`` (of your original file), ``rows``.
    """

    parameters: dict[str, str]
    files: list[dict[str, str | int]]


def prepare_inputs(
    paths: Mapping[str, str | Path | None],
    out_dir: str | Path,
    *,
    key: bytes | str | Callable[[], bytes],
    columns: Mapping[str, str] | Sequence[str] | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> PreparedInputs:
    """Check every given input, then write each as parquet with pseudonymised customer ids.

    All files are checked before anything is written; if any has a problem, a
    :class:`CXDataError` lists every problem of every file (numbered, one paragraph each).

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
    columns, date_format, decimal
        As in :func:`cxlib.byod.check.check_input`; one mapping serves all files.

    Returns
    -------
    PreparedInputs
        The notebook parameters pointing at the prepared files, and a description of each of
        your files for the report index.
    """
    mapping = parse_columns(columns)
    given = {k: Path(v) for k, v in paths.items() if v is not None}
    for kind in sorted(given):
        check_option(kind, INPUTS, parameter="paths", function="prepare_inputs")
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for kind, path in given.items():
        frame, found = check_input(
            cast(Kind, kind),  # validated against INPUTS above
            path,
            columns=mapping,
            date_format=date_format,
            decimal=decimal,
        )
        problems += found
        if frame is not None:
            frames[kind] = frame
    problems += _unused_mappings(mapping, given)
    if problems:
        listed = "\n\n".join(f"{i}. {p}" for i, p in enumerate(problems, start=1))
        raise CXDataError(
            f"{len(problems)} problem(s) in your input files; no notebook was run.\n\n{listed}"
        )
    secret = key() if callable(key) else key
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parameters: dict[str, str] = {}
    files: list[dict[str, str | int]] = []
    for kind, frame in frames.items():
        safe = frame.copy()
        if "customer_id" in safe.columns:
            safe["customer_id"] = pseudonymise(safe["customer_id"], key=secret)
        target = out / f"{kind}.parquet"
        safe.to_parquet(target, index=False)
        parameters[INPUTS[kind].parameter] = str(target)
        files.append({"kind": kind, **describe_file(given[kind]), "rows": len(frame)})
    return PreparedInputs(parameters, files)
