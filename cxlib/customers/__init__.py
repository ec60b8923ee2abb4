"""Customers from their purchases: one row per customer, and RFM scores and segments.

=========================  ==========================================================
module                     holds
=========================  ==========================================================
:mod:`~.summary`           ``customer_summary``: transactions to one row per customer
                           (occasions, frequency, recency, T, spend, holdout), in the
                           input's own engine (pandas, polars, DuckDB, Spark via narwhals);
                           ``pooled_summary``: identical customers pooled in the engine
:mod:`~.spark`             whether Spark can run here; a local-mode session for trying it
:mod:`~.rfm`               RFM table, tie-aware scores, named segments, segment-map checks,
                           how segments bought afterwards
:mod:`~.segments_report`   periods, suppressed segment tables and prose for report templates
=========================  ==========================================================

Column names mean one thing everywhere: ``frequency`` and ``recency`` are the CLV models' x
(repeat purchases) and t_x (time from the first to the last purchase, in the summary's
``time_unit``); RFM's R and F are ``days_since_last`` and ``n_occasions``.
"""

from cxlib.customers.rfm import (
    DEFAULT_SEGMENT_MAP,
    RFM_COLUMNS,
    TIE_RTOL,
    rfm_scores,
    rfm_table,
    segment,
    segment_outcomes,
    tie_aware_bins,
    validate_segment_map,
)
from cxlib.customers.segments_report import (
    Periods,
    next_period_frame,
    next_period_reading,
    plot_next_period,
    plot_segment_sizes,
    segment_findings,
    segment_next_period,
    segment_sizes,
    sizes_reading,
    split_periods,
)
from cxlib.customers.summary import SUMMARY_COLUMNS, customer_summary, pooled_summary

__all__ = [
    "DEFAULT_SEGMENT_MAP",
    "Periods",
    "RFM_COLUMNS",
    "SUMMARY_COLUMNS",
    "TIE_RTOL",
    "customer_summary",
    "next_period_frame",
    "next_period_reading",
    "plot_next_period",
    "plot_segment_sizes",
    "pooled_summary",
    "rfm_scores",
    "rfm_table",
    "segment",
    "segment_findings",
    "segment_next_period",
    "segment_outcomes",
    "segment_sizes",
    "sizes_reading",
    "split_periods",
    "tie_aware_bins",
    "validate_segment_map",
]
