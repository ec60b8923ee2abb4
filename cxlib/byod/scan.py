"""A CSV file's bytes, checked before pandas parses them: bounds, encoding, header, field counts.

pandas reads what it is given: a line with two million fields takes 22 GB of memory, a file with
one Windows-1252 line is decoded as Windows-1252 throughout (``K-Müller`` becomes ``K-MÃ¼ller``),
a header that names a column twice is mangled into ``amount.1``, and a separator at the end of
every line makes the first column an index. :func:`scan_csv` looks at the bytes first, with
NumPy and byte-string methods (no Python loop over lines), and returns what the reader needs
(encoding, separator, the header as written, the line of every record) or the problems.

Bounds (documented limits, not tuning knobs): a line may be at most :data:`MAX_LINE_BYTES` long
and hold at most :data:`MAX_FIELDS` fields. Fields are counted as separators + 1 *without regard
to quotes*, so the count is an upper bound: a separator inside a quoted cell counts too.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field

import numpy as np

from cxlib.validate import MAX_EXAMPLES

__all__ = [
    "MAX_FIELDS",
    "MAX_LINE_BYTES",
    "CsvScan",
    "duplicate_names",
    "extra_fields",
    "scan_csv",
    "sniff_separator",
]

#: Longest line accepted, in bytes (1 MiB); a longer one is not a record of a CX export.
MAX_LINE_BYTES = 1 << 20
#: Most fields per line, counted as separators + 1 regardless of quotes (an upper bound).
MAX_FIELDS = 1_000

_CHUNK = 1 << 24  # bytes decoded at a time when checking the encoding (memory stays bounded)
_QUOTE, _CR, _LF = ord('"'), ord("\r"), ord("\n")
_SEPARATORS = ",;\t|"
_SHORT = 16  # records up to this length are looked at byte by byte for "only whitespace"


@dataclass(frozen=True)
class CsvScan:
    """What the byte scan found out about a CSV file.

    Attributes
    ----------
    encoding : str
        ``"utf-8-sig"`` or ``"cp1252"`` (a file that is entirely Windows-1252).
    separator : str
        The field separator (``,`` ``;`` tab or ``|``).
    header : tuple of str
        Column names as written (not stripped), read with the :mod:`csv` module.
    lines : ndarray of int
        CSV line number (first line = 1) of each record, header first; blank lines left out.
        Quotes are honoured (RFC 4180: a quoted cell may hold separators and line breaks).
    fields : ndarray of int
        Fields of each record, counted the same way.
    trailing : ndarray of bool
        True for records that end with the separator (an empty last field).
    problems : list of (column, message)
        Broken rules; when there is any, the file is not parsed.
    notes : list of str
        Repairs made (e.g. read as Windows-1252).
    """

    encoding: str
    separator: str
    header: tuple[str, ...]
    lines: np.ndarray
    fields: np.ndarray
    trailing: np.ndarray
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _line_ends(b: np.ndarray) -> np.ndarray:
    """Offsets of the line breaks: ``\\n`` (also ends ``\\r\\n``), or ``\\r`` in old Mac files."""
    ends = np.flatnonzero(b == _LF)
    return ends if ends.size or not (b == _CR).any() else np.flatnonzero(b == _CR)


def _spans(ends: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop offsets of the lines (or records) that ``ends`` delimit."""
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [size]))
    if starts[-1] >= size:  # the file ends with a line break: no empty last line
        starts, stops = starts[:-1], stops[:-1]
    return starts, stops


def _examples(lines: np.ndarray, values: np.ndarray | None = None, unit: str = "") -> str:
    """``"2, 7 and 9"`` or ``"2 (4,000,001 bytes), 7 (...)"``: up to MAX_EXAMPLES lines."""
    shown = [
        f"{line}" if values is None else f"{line} ({value:,} {unit})"
        for line, value in zip(
            lines[:MAX_EXAMPLES].tolist(),
            (values if values is not None else lines)[:MAX_EXAMPLES].tolist(),
            strict=True,
        )
    ]
    more = f" and {len(lines) - MAX_EXAMPLES} more" if len(lines) > MAX_EXAMPLES else ""
    return ", ".join(shown) + more


def _long_lines(starts: np.ndarray, stops: np.ndarray) -> str | None:
    """A message if any line is longer than :data:`MAX_LINE_BYTES`."""
    length = stops - starts
    long = np.flatnonzero(length > MAX_LINE_BYTES)
    if long.size == 0:
        return None
    return (
        f"{long.size} line(s) are longer than {MAX_LINE_BYTES:,} bytes (1 MiB), the most a line "
        f"of an export may hold: line {_examples(long + 1, length[long], 'bytes')}. "
        "Is this a CSV file with one record per line?"
    )


def _utf8_scan(data: bytes, errors: str) -> tuple[int | None, bool]:
    """Decode ``data`` as UTF-8 in steps: (offset of the first bad byte or None, any non-ASCII)."""
    view, pos, wide = memoryview(data), 0, False
    while pos < len(data):
        end = min(pos + _CHUNK, len(data))
        try:
            text, used = codecs.utf_8_decode(view[pos:end], errors, end == len(data))
        except UnicodeDecodeError as err:
            return pos + err.start, wide
        wide = wide or not text.isascii()
        pos += max(used, 1)
    return None, wide


def _excerpt(data: bytes, offset: int) -> str:
    """Up to 30 bytes either side of ``offset`` on its line, non-UTF-8 bytes escaped."""
    start = max(data.rfind(b"\n", 0, offset) + 1, offset - 30)
    stop = data.find(b"\n", offset)
    stop = min(len(data) if stop < 0 else stop, offset + 30)
    return data[start:stop].decode("utf-8", "backslashreplace").rstrip("\r")


def detect_encoding(data: bytes) -> tuple[str, str | None, str | None]:
    """The file's encoding, a problem if it mixes encodings, and a note if it was repaired.

    The whole file is checked (in 16 MiB steps). Valid UTF-8 (with or without BOM) is read as
    UTF-8. A file that is not valid UTF-8 and holds no UTF-8 multi-byte character at all is
    read as Windows-1252 (Excel's "CSV" on German Windows), with a note. A file that holds both,
    UTF-8 characters and bytes that are not UTF-8, mixes encodings (typically lines pasted from
    another export) and is refused with the line and offset of the first offending byte.
    """
    bad, _ = _utf8_scan(data, "strict")
    if bad is None:
        return "utf-8-sig", None, None
    _, wide = _utf8_scan(data, "ignore")
    if not wide:
        return "cp1252", None, "read as Windows-1252 (the file is not UTF-8)"
    line = data.count(b"\n", 0, bad) + 1
    return (
        "utf-8-sig",
        f"the file mixes encodings: it holds UTF-8 text, but line {line} is not UTF-8 "
        f"(byte 0x{data[bad]:02X} at offset {bad:,}: '{_excerpt(data, bad)}'), typically a "
        "line pasted from a Windows-1252 (Excel) export. Save the whole file as UTF-8.",
        None,
    )


def sniff_separator(head: str) -> str:
    """Guess a CSV file's field separator (comma, semicolon, tab, pipe) from its first lines.

    When the header line holds exactly one of the four, that is the separator (so that rows
    with an extra separator cannot mislead the guess); otherwise :class:`csv.Sniffer` decides
    from the first lines, and failing that the one most frequent in the header (or a comma).

    Examples
    --------
    >>> sniff_separator("KundenNr;Datum;Betrag\\nK-1;01.02.2024;5,5;\\n")
    ';'
    """
    header = head.lstrip("\r\n").splitlines()[0] if head.strip() else ""
    counts = {c: header.count(c) for c in _SEPARATORS}
    present = [c for c, n in counts.items() if n]
    if len(present) == 1:
        return present[0]
    try:
        return csv.Sniffer().sniff(head, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        return max(counts, key=lambda c: counts[c]) if present else ","


def _too_many_fields(b: np.ndarray, ends: np.ndarray, n_lines: int, sep: str) -> str | None:
    """A message if a line holds more than :data:`MAX_FIELDS` fields (quotes not honoured)."""
    seps = np.flatnonzero(b == ord(sep))
    per_line = np.bincount(np.searchsorted(ends, seps), minlength=n_lines)[:n_lines] + 1
    over = np.flatnonzero(per_line > MAX_FIELDS)
    if over.size == 0:
        return None
    return (
        f"{over.size} line(s) hold more than {MAX_FIELDS:,} fields, the most a line may hold "
        f"(separators {sep!r} counted regardless of quotes): line "
        f"{_examples(over + 1, per_line[over], 'fields')}. Is {sep!r} the separator of this file?"
    )


def _blank(b: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """True for records that hold only spaces, tabs and line-break bytes (pandas skips them)."""
    length = stops - starts
    blank = length == 0
    short = np.flatnonzero((length > 0) & (length <= _SHORT))
    if short.size:
        offsets = starts[short, None] + np.arange(_SHORT)
        inside = offsets < stops[short, None]
        chunk = b[np.minimum(offsets, len(b) - 1)]
        white = np.isin(chunk, np.frombuffer(b" \t\r", dtype=np.uint8)) | ~inside
        blank[short] = white.all(axis=1)
    return blank


def _ends_with(b: np.ndarray, starts: np.ndarray, stops: np.ndarray, sep: str) -> np.ndarray:
    """True for records whose last byte (before a ``\r``) is the separator."""
    last = stops - 1
    last = np.where((last > starts) & (b[np.maximum(last, 0)] == _CR), last - 1, last)
    return (last >= starts) & (b[np.maximum(last, 0)] == ord(sep))


def _records(
    b: np.ndarray, ends: np.ndarray, sep: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Line number, field count, start and stop of each non-blank record, quotes honoured.

    A separator or line break is inside a quoted cell when an odd number of quote characters
    comes before it (RFC 4180: quotes open and close cells, and a quote inside one is doubled).
    """
    seps = np.flatnonzero(b == ord(sep))
    quotes = np.flatnonzero(b == _QUOTE)
    record_ends = ends
    if quotes.size:
        seps = seps[np.searchsorted(quotes, seps) % 2 == 0]
        record_ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
    starts, stops = _spans(record_ends, len(b))
    fields = np.bincount(np.searchsorted(record_ends, seps), minlength=len(starts))
    fields = fields[: len(starts)] + 1
    lines = np.searchsorted(ends, starts) + 1
    keep = ~_blank(b, starts, stops)
    return lines[keep], fields[keep], starts[keep], stops[keep]


def _header(data: bytes, start: int, stop: int, encoding: str, sep: str) -> tuple[str, ...]:
    """The header's names as written, read with the :mod:`csv` module."""
    text = data[start:stop].decode(encoding, errors="replace").rstrip("\r\n")
    try:
        return tuple(next(csv.reader([text], delimiter=sep), []))
    except csv.Error:  # e.g. a name longer than csv's field limit: split plainly
        return tuple(text.split(sep))


def duplicate_names(names: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """A (column, message) for each name that occurs twice, exactly or after trimming spaces.

    Examples
    --------
    >>> duplicate_names(["id", "amount", " amount"])[0][1]  # doctest: +NORMALIZE_WHITESPACE
    "the header names column 'amount' twice: column 2 'amount' and column 3 ' amount'
    (spaces around a name do not count). Rename or remove one of them."
    """
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name.strip():  # unnamed columns get distinct names from pandas
            positions.setdefault(name.strip(), []).append(i)
    out = []
    for name, where in positions.items():
        if len(where) > 1:
            shown = " and ".join(f"column {i + 1} {names[i]!r}" for i in where)
            spaces = (
                " (spaces around a name do not count)" if len({names[i] for i in where}) > 1 else ""
            )
            count = "twice" if len(where) == 2 else f"{len(where)} times"
            out.append(
                (
                    names[where[0]],
                    f"the header names column {name!r} {count}: {shown}{spaces}. "
                    "Rename or remove one of them.",
                )
            )
    return out


def extra_fields(scan: CsvScan) -> str | None:
    """A message if a data line has more fields than the header, with example lines.

    pandas would silently make the first column an index (or drop the extra cells), so that
    every column shifts by one; the usual cause is a separator at the end of each line.
    """
    n_header = len(scan.header)
    over = np.flatnonzero(scan.fields[1:] > n_header)
    if over.size == 0:
        return None
    lines, fields = scan.lines[1:][over], scan.fields[1:][over]
    extra = int(fields[0]) - n_header
    more = "one more" if extra == 1 else f"{extra} more"
    cause = (
        "a separator at the end of the line?"
        if scan.trailing[1:][over[0]]
        else "a separator inside a value that is not in quotes?"
    )
    return (
        f"line {lines[0]} has {fields[0]} fields, {more} than the header's {n_header} ({cause}); "
        f"{over.size} of {len(scan.fields) - 1} data lines have more fields than the header: "
        f"line {_examples(lines, fields, 'fields')}. The columns would shift; remove the extra "
        "separators, or put values that hold one in quotes."
    )


def scan_csv(data: bytes) -> CsvScan:
    """Check a CSV file's bytes before parsing (see the module docstring for the rules).

    Lines longer than :data:`MAX_LINE_BYTES`, mixed encodings, more than :data:`MAX_FIELDS`
    fields on a line, and a header that names a column twice are problems; a file that is
    entirely Windows-1252 is read as such, with a note. The scan takes a few NumPy passes over
    the bytes, so a pathological file is refused in about the time it takes to read it.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    ends = _line_ends(b)
    starts, stops = _spans(ends, len(b))
    empty = np.zeros(0, dtype=np.int64)
    problems = [("", m) for m in (_long_lines(starts, stops),) if m]
    encoding, mixed, note = detect_encoding(data)
    notes = [note] if note else []
    if mixed:
        problems.append(("", mixed))
    if problems:
        return CsvScan(encoding, ",", (), empty, empty, empty > 0, problems, notes)
    separator = sniff_separator(data[: 64 * 1024].decode(encoding, errors="replace"))
    crowded = _too_many_fields(b, ends, len(starts), separator)
    if crowded:
        return CsvScan(encoding, separator, (), empty, empty, empty > 0, [("", crowded)], notes)
    lines, fields, rec_starts, rec_stops = _records(b, ends, separator)
    trailing = _ends_with(b, rec_starts, rec_stops, separator)
    if lines.size == 0:
        return CsvScan(encoding, separator, (), lines, fields, trailing, [], notes)
    header = _header(data, int(rec_starts[0]), int(rec_stops[0]), encoding, separator)
    clashes = duplicate_names(header)
    return CsvScan(encoding, separator, header, lines, fields, trailing, clashes, notes)
