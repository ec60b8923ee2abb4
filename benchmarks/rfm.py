"""Benchmark: customer_summary + rfm_scores against a hand-written groupby in the same engine.

Seeded synthetic data: 10 million purchase records of 1 million customers over two years (every
customer buys at least once; purchase rates vary with a gamma mix; times to the second, so some
customers buy twice on one day). For pandas and for polars input, the same process times

- ``cxlib``: ``rfm_scores(customer_summary(tx))``: validation in the engine, aggregation in the
  engine, pandas result, tie-aware scores;
- ``hand-written``: the same summary columns written directly in that engine (two group-bys,
  the obvious way), plus quintile scores the way they are usually written (``qcut`` of the rank;
  ties broken by position, no validation). It stays in its engine (no conversion to pandas).

After a check that both give the same summary, each case runs ``--repeat`` times, alternating,
each run in a fresh subprocess that first loads the data (so memory freed by one run cannot hide
the next run's peak). The table shows the best wall-clock time, the least CPU time of the process
(all threads; less sensitive to other jobs on a shared machine), the largest peak memory
(resident-set high-water mark above the loaded data, from Linux ``/proc``) and the ratio
cxlib / hand-written of the wall-clock times. Run:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/rfm.py [--n-transactions 10000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261126


def make_transactions(n_transactions: int, n_customers: int, *, seed: int = SEED) -> pd.DataFrame:
    """Seeded synthetic purchases: customer_id (int64), date (datetime64[us]), amount (EUR)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 1.0, n_customers)
    extra = rng.choice(n_customers, n_transactions - n_customers, p=rate / rate.sum())
    ids = np.concatenate([np.arange(n_customers), extra]) + 1
    seconds = rng.integers(0, 730 * 86_400, n_transactions)
    dates = np.datetime64("2023-01-01", "us") + seconds.astype("timedelta64[s]")
    amount = np.round(rng.lognormal(3.0, 0.8, n_transactions), 2)
    order = rng.permutation(n_transactions)
    return pd.DataFrame({"customer_id": ids[order], "date": dates[order], "amount": amount[order]})


# ---------------------------------------------------------------------------------------------
# Hand-written baselines
# ---------------------------------------------------------------------------------------------


def pandas_by_hand(tx: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary and quintile scores written directly in pandas."""
    day = tx["date"].dt.normalize()
    end = day.max()
    occasions = (
        pd.DataFrame({"customer_id": tx["customer_id"], "day": day, "amount": tx["amount"]})
        .groupby(["customer_id", "day"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    s = occasions.groupby("customer_id").agg(
        n_occasions=("day", "size"),
        first_purchase=("day", "min"),
        last_purchase=("day", "max"),
        total_spend=("amount", "sum"),
        first_spend=("amount", "first"),  # occasions are sorted by day within customer
    )
    one_day = pd.Timedelta(days=1)
    s["frequency"] = s["n_occasions"] - 1
    s["days_since_last"] = (end - s["last_purchase"]) / one_day
    s["recency"] = (s["last_purchase"] - s["first_purchase"]) / one_day
    s["T"] = (end - s["first_purchase"]) / one_day
    s["mean_spend"] = s["total_spend"] / s["n_occasions"]
    repeat = (s["total_spend"] - s["first_spend"]) / s["frequency"].where(s["frequency"] > 0)
    s["monetary_value"] = repeat.fillna(0.0)
    labels = [1, 2, 3, 4, 5]
    scores = pd.DataFrame(
        {
            "R": pd.qcut((-s["days_since_last"]).rank(method="first"), 5, labels=labels),
            "F": pd.qcut(s["n_occasions"].rank(method="first"), 5, labels=labels),
            "M": pd.qcut(s["total_spend"].rank(method="first"), 5, labels=labels),
        }
    ).astype("int64")
    return s, scores


def polars_by_hand(tx):  # noqa: ANN001, ANN201 (polars is optional for cxlib)
    """Summary and quintile scores written directly in polars (lazy, one query each)."""
    import polars as pl

    def days(span: pl.Expr) -> pl.Expr:
        return span.dt.total_days().cast(pl.Float64)

    day = pl.col("day")
    lazy = tx.lazy().with_columns(pl.col("date").dt.date().alias("day"))
    end = lazy.select(day.max()).collect().item()
    occasions = lazy.group_by("customer_id", "day").agg(pl.col("amount").sum())
    s = (
        occasions.group_by("customer_id")
        .agg(
            pl.len().alias("n_occasions"),
            day.min().alias("first_purchase"),
            day.max().alias("last_purchase"),
            pl.col("amount").sum().alias("total_spend"),
            pl.col("amount").sort_by("day").first().alias("first_spend"),
        )
        .with_columns(
            frequency=pl.col("n_occasions") - 1,
            days_since_last=days(pl.lit(end) - pl.col("last_purchase")),
            recency=days(pl.col("last_purchase") - pl.col("first_purchase")),
            T=days(pl.lit(end) - pl.col("first_purchase")),
            mean_spend=pl.col("total_spend") / pl.col("n_occasions"),
        )
        .with_columns(
            monetary_value=pl.when(pl.col("frequency") > 0)
            .then((pl.col("total_spend") - pl.col("first_spend")) / pl.col("frequency"))
            .otherwise(0.0)
        )
        .sort("customer_id")
        .collect()
    )
    n = s.height

    def quintile(expr: pl.Expr) -> pl.Expr:
        return ((expr.rank("ordinal") - 1) * 5 // n + 1).cast(pl.Int64)

    scores = s.select(
        "customer_id",
        R=quintile(-pl.col("days_since_last")),
        F=quintile(pl.col("n_occasions")),
        M=quintile(pl.col("total_spend")),
    )
    return s, scores


def cxlib_path(tx) -> tuple[pd.DataFrame, pd.DataFrame]:  # noqa: ANN001
    from cxlib.customers import customer_summary, rfm_scores

    summary = customer_summary(tx)
    return summary, rfm_scores(summary)


# ---------------------------------------------------------------------------------------------
# Measurement (one engine per subprocess)
# ---------------------------------------------------------------------------------------------


def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    """Reset the resident-set high-water mark (VmHWM) of this process (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def _load(engine: str, path: str):  # noqa: ANN202
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(path), polars_by_hand
    return pd.read_parquet(path), pandas_by_hand


def check(engine: str, path: str) -> dict:
    """Both ways give the same summary (a fair race); run once, outside the timing."""
    tx, by_hand = _load(engine, path)
    ours, _ = cxlib_path(tx)
    theirs, _ = by_hand(tx)
    if engine == "polars":
        theirs = theirs.to_pandas().set_index("customer_id")
    for column in ("n_occasions", "frequency", "days_since_last", "recency", "T"):
        np.testing.assert_array_equal(ours[column].to_numpy(), theirs[column].to_numpy())
    for column in ("total_spend", "mean_spend", "monetary_value"):
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-9)
    return {"customers": len(ours), "rows": len(tx)}


def measure(engine: str, case: str, path: str) -> dict:
    """Seconds and peak memory of one run of ``case`` in a fresh process (data loaded first)."""
    tx, by_hand = _load(engine, path)
    run = by_hand if case == "hand-written" else cxlib_path
    # Import cxlib before the clock starts: a one-off cost per process (SciPy, narwhals), not
    # part of summarising transactions; the hand-written code's engine is already imported too.
    import cxlib.customers  # noqa: F401

    gc.collect()
    base = _status("VmRSS")
    _reset_peak()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run(tx)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _status("VmHWM") - base
    del result
    return {"seconds": seconds, "cpu": cpu, "peak": peak}


def _worker(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-transactions", type=int, default=10_000_000)
    parser.add_argument("--n-customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="pandas,polars")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        job = check if len(args.worker) == 2 else measure
        print(json.dumps(job(*args.worker)))
        return

    import polars as pl

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "transactions.parquet")
        tx = make_transactions(args.n_transactions, args.n_customers)
        tx.to_parquet(path)
        del tx
        load = os.getloadavg()
        rows = []
        cases = ("hand-written", "cxlib")
        for engine in args.engines.split(","):
            _worker(engine, path)
            runs = {case: [] for case in cases}
            for _ in range(args.repeat):  # alternate, so that load changes hit both alike
                for case in cases:
                    runs[case].append(_worker(engine, case, path))
            best = {case: min(r["seconds"] for r in runs[case]) for case in cases}
            for case in cases:
                rows.append(
                    {
                        "engine": engine,
                        "method": case,
                        "seconds": best[case],
                        "cpu": min(r["cpu"] for r in runs[case]),
                        "peak_mb": max(r["peak"] for r in runs[case]) / 2**20,
                        "ratio": best[case] / best["hand-written"],
                    }
                )
        load_after = os.getloadavg()
    print(
        f"customer_summary + rfm_scores: {args.n_transactions:,} transactions, "
        f"{args.n_customers:,} customers; best of {args.repeat}; "
        f"{os.cpu_count()} cores, polars {pl.__version__} on {pl.thread_pool_size()} threads, "
        f"pandas {pd.__version__}"
    )
    print(
        f"load average (1, 5, 15 min) before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    print()
    print("| engine | method       | seconds | CPU seconds | peak memory (MB) | ratio |")
    print("|--------|--------------|--------:|------------:|-----------------:|------:|")
    for r in rows:
        print(
            f"| {r['engine']:<6} | {r['method']:<12} | {r['seconds']:7.2f} | {r['cpu']:11.2f} | "
            f"{r['peak_mb']:16.0f} | {r['ratio']:5.2f} |"
        )


if __name__ == "__main__":
    main()
