"""Bring your own data: read a team's exports, check them, and hand them to the report templates.

Three kinds of input feed the report templates (``cxlib/templates/``) that can use them
(``cxlib report --transactions ...``):

============  ==========================================================  =====================
input         canonical columns (required in **bold**)                    feeds
============  ==========================================================  =====================
transactions  **customer_id**, **date**, **amount** (>= 0, one row per     ``transactions_path``:
              purchase; several a day are summed by the templates), or    03 RFM segments,
              line items: quantity x unit_price, invoice, returns         04 customer value
survey        customer_id, survey_id (unique), timestamp, touchpoint,     ``survey_path``:
              comment (free text), driver rating columns (``drivers``),    01 CX metrics,
              and at least one score of **csat** (1-5), **ces** (1-7,      02 key drivers,
              CES 2.0 agreement), **nps** (0-10), **wrs** (1-5),           07 comments
              **score** (declared scale); empty = no answer
customers     **customer_id** (unique), **tenure_months** (>= 0),          ``customers_path``:
              **churn** (yes/no, ja/nein, true/false, 1/0), optional       05 churn prediction,
              monthly_charges, total_charges (>= 0), contract and any     06 churn survival
              other Telco-style feature columns
============  ==========================================================  =====================

The score scales are those of :data:`cxlib.survey.scales.SCALES` unless declared
(``scales=``). A template receives a file when its ``parameters`` cell declares the matching
``*_path`` variable; the report runner reads that cell, so the table above is what the templates
declare. The lessons in ``notebooks/`` teach on the bundled data and take no file.

Your column names are mapped onto the canonical ones with ``columns={"customer_id": "KundenNr"}``
(``--column customer_id=KundenNr`` on the command line). Every rule is checked before any
notebook runs, and every broken rule is reported, each with file, column and example rows (line
numbers as in the CSV file, header = line 1), never with a traceback from inside pandas. What
the check repairs (a Windows-1252 file, spaces around ids) or notices (ids that differ only in
case, undocumented columns dropped) comes back as notes; :mod:`~.check` has the table of what
is refused, what is repaired, and the option that overrides each.

Files may be CSV, Excel workbooks (one sheet) or parquet. Shop exports with one row per article
line (quantity, unit price, invoice, returns) are turned into purchases (:mod:`~.lineitems`);
wide surveys with one rating column per touchpoint are read with ``touchpoint_columns`` instead
of a score (:mod:`~.touchpoints`); answers written as words are mapped to codes
(:mod:`~.labels`); a missing column gets a suggestion judged by name and content
(:mod:`~.suggest`).

Notebooks load their input through :func:`load_transactions`, :func:`load_survey` and
:func:`load_customers`: given ``None`` they return the bundled data, given a path they read,
check and return the canonical frame (notes as warnings).

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.schema`            what each input must hold: ``INPUTS`` (``InputSpec``), known
                           columns, churn flags, German names for hints, the default
                           plausible date window
:mod:`~.excel`             Excel workbooks: one sheet (``sheet``), cells as Excel
                           typed them
:mod:`~.scan`              a CSV file's bytes before parsing: line length and fields
                           per line (``MAX_LINE_BYTES``, ``MAX_FIELDS``), mixed
                           encodings, duplicate header names, extra fields
:mod:`~.read`              reading files (``read_file``, ``read_table``,
                           ``read_header``, parquet types), ``parse_columns``,
                           ``describe_file``
:mod:`~.numbers`           decimal marks and thousands separators (``to_numbers``)
:mod:`~.dates`             day/month order of text dates, the plausible date window
:mod:`~.rules`             the rules of one column (ids, dates, numbers, churn flag,
                           parquet types)
:mod:`~.lineitems`         line items to purchases: quantity x price, invoices,
                           returns (``net`` or ``drop``), lines without a customer
:mod:`~.labels`            answers written as words: ``--map`` and the automatic
                           reading of German and English satisfaction labels
:mod:`~.touchpoints`       wide surveys: ``touchpoint_columns`` and
                           ``touchpoint_answers`` (one row per rating)
:mod:`~.suggest`           which column is probably the missing one, by name and
                           content
:mod:`~.check`             ``check_file`` (``CheckResult``: frame, problems, notes) and
                           ``check_input``, which collect every ``Problem`` of a file
:mod:`~.load`              ``load_transactions``, ``load_survey``, ``load_customers``
                           for the notebooks (bundled data for ``None``)
:mod:`~.prepare`           ``prepare_inputs`` for ``cxlib report``: check all files,
                           then write pseudonymised parquet (``PreparedInputs``)
=========================  ==========================================================

Everything listed in ``__all__`` is re-exported here, so ``from cxlib.byod import load_survey``.
"""

from cxlib.byod.check import CheckResult, InputNote, Problem, check_file, check_input
from cxlib.byod.load import load_customers, load_survey, load_transactions
from cxlib.byod.prepare import InputFilesError, PreparedInputs, prepare_inputs
from cxlib.byod.read import describe_file, parse_columns, read_table
from cxlib.byod.scan import MAX_FIELDS, MAX_LINE_BYTES
from cxlib.byod.schema import (
    CHURN_VALUES,
    DATE_WINDOW_START,
    DATE_WINDOW_YEARS_AHEAD,
    GERMAN_HINTS,
    INPUTS,
    KNOWN_COLUMNS,
    InputSpec,
    Kind,
)
from cxlib.byod.touchpoints import touchpoint_answers

__all__ = [
    "CHURN_VALUES",
    "DATE_WINDOW_START",
    "DATE_WINDOW_YEARS_AHEAD",
    "GERMAN_HINTS",
    "INPUTS",
    "KNOWN_COLUMNS",
    "MAX_FIELDS",
    "MAX_LINE_BYTES",
    "CheckResult",
    "InputFilesError",
    "InputNote",
    "InputSpec",
    "Kind",
    "PreparedInputs",
    "Problem",
    "check_file",
    "check_input",
    "describe_file",
    "load_customers",
    "load_survey",
    "load_transactions",
    "parse_columns",
    "prepare_inputs",
    "read_table",
    "touchpoint_answers",
]
