"""Benchmark: customer_summary + rfm_scores against a hand-written groupby in the same engine.

Seeded synthetic data: purchase records of one customer per ten records over two years (every
customer buys at least once; purchase rates vary with a gamma mix; times to the second, so some
customers buy twice on one day). For pandas, polars, DuckDB and Spark (local mode) input, the
same process times

- ``cxlib``: ``rfm_scores(customer_summary(tx))``: validation in the engine, aggregation in the
  engine, pandas result, tie-aware scores;
- ``hand-written``: the same summary columns written directly in that engine (two group-bys,
  the obvious way; SQL for DuckDB, the DataFrame API for Spark), plus quintile scores the way
  they are usually written (``qcut`` of the rank, ``NTILE``; ties broken by position, no
  validation). It stays in its engine: polars' result is a polars frame, DuckDB's and Spark's
  come back as Arrow tables (no conversion to pandas).

At the largest size (``--sizes``, default 1, 3 and 10 million records), after a check that both
give the same summary, each case runs ``--repeat`` times, alternating, each run in a fresh
subprocess that first loads the data (so memory freed by one run cannot hide the next run's
peak): pandas, polars and DuckDB read the parquet file into memory (DuckDB into a table of an
in-memory database), Spark starts a local session (``local[2]``, 8 shuffle partitions) and caches
the file. The table shows the best wall-clock time, the least CPU time (all threads of the
process; for Spark, of the Java process plus Python), the largest peak memory (resident-set
high-water mark above the loaded data, from Linux ``/proc``; for Spark, the Java process's) and
the ratio cxlib / hand-written of the wall-clock times. At the smaller sizes only ``cxlib``
runs, for the scaling table: best seconds per engine and size, and the growth from the smallest
size to the largest. Spark's times include planning and code generation in a fresh session, as
a job on a cluster would; its data are in its cache, as the other engines' are in memory. Run:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/rfm.py [--sizes 1000000,3000000,10000000]
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


def duckdb_by_hand(tx):  # noqa: ANN001, ANN201 (DuckDB is optional for cxlib)
    """Summary and quintile scores written directly in DuckDB SQL; Arrow tables come back."""
    rel = tx  # a relation on the table `tx` of the process's connection
    end = rel.query("tx", "SELECT max(CAST(date AS DATE)) FROM tx").fetchall()[0][0]
    summary_sql = f"""
        WITH occasions AS (
            SELECT customer_id, CAST(date AS DATE) AS day, sum(amount) AS spend
            FROM tx GROUP BY ALL
        ), s AS (
            SELECT customer_id, count(*) AS n_occasions, min(day) AS first_purchase,
                   max(day) AS last_purchase, sum(spend) AS total_spend,
                   arg_min(spend, day) AS first_spend
            FROM occasions GROUP BY customer_id
        )
        SELECT *, n_occasions - 1 AS frequency,
               CAST(DATE '{end}' - last_purchase AS DOUBLE) AS days_since_last,
               CAST(last_purchase - first_purchase AS DOUBLE) AS recency,
               CAST(DATE '{end}' - first_purchase AS DOUBLE) AS T,
               total_spend / n_occasions AS mean_spend,
               CASE WHEN n_occasions > 1
                    THEN (total_spend - first_spend) / (n_occasions - 1) ELSE 0.0 END
                   AS monetary_value
        FROM s ORDER BY customer_id
    """
    import duckdb

    summary = rel.query("tx", summary_sql).fetch_arrow_table()  # a relation is re-run when reused
    scores = duckdb.sql(
        """SELECT customer_id,
                  ntile(5) OVER (ORDER BY -days_since_last) AS R,
                  ntile(5) OVER (ORDER BY n_occasions) AS F,
                  ntile(5) OVER (ORDER BY total_spend) AS M
           FROM summary"""
    )
    return summary, scores.fetch_arrow_table()


def spark_by_hand(tx):  # noqa: ANN001, ANN201 (pyspark is optional for cxlib)
    """Summary and quintile scores written directly with Spark's DataFrame API; Arrow back."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    day = F.to_date("date").alias("day")
    end = tx.select(F.max(day)).first()[0]
    occasions = tx.groupBy("customer_id", day).agg(F.sum("amount").alias("spend"))
    s = (
        occasions.groupBy("customer_id")
        .agg(
            F.count("*").alias("n_occasions"),
            F.min("day").alias("first_purchase"),
            F.max("day").alias("last_purchase"),
            F.sum("spend").alias("total_spend"),
            F.min_by("spend", "day").alias("first_spend"),
        )
        .withColumns(
            {
                "frequency": F.col("n_occasions") - 1,
                "days_since_last": F.datediff(F.lit(end), "last_purchase").cast("double"),
                "recency": F.datediff("last_purchase", "first_purchase").cast("double"),
                "T": F.datediff(F.lit(end), "first_purchase").cast("double"),
                "mean_spend": F.col("total_spend") / F.col("n_occasions"),
                "monetary_value": F.when(
                    F.col("n_occasions") > 1,
                    (F.col("total_spend") - F.col("first_spend")) / (F.col("n_occasions") - 1),
                ).otherwise(0.0),
            }
        )
        .cache()  # used twice: returned, and scored
    )
    scores = s.select(
        "customer_id",
        F.ntile(5).over(Window.orderBy(F.col("days_since_last").desc())).alias("R"),
        F.ntile(5).over(Window.orderBy("n_occasions")).alias("F"),
        F.ntile(5).over(Window.orderBy("total_spend")).alias("M"),
    )
    summary = s.orderBy("customer_id").toArrow()
    result = summary, scores.toArrow()
    s.unpersist()
    return result


def cxlib_path(tx) -> tuple[pd.DataFrame, pd.DataFrame]:  # noqa: ANN001
    from cxlib.customers import customer_summary, rfm_scores

    summary = customer_summary(tx)
    return summary, rfm_scores(summary)


# ---------------------------------------------------------------------------------------------
# Measurement (one engine per subprocess)
# ---------------------------------------------------------------------------------------------


def _status(field: str, pid: str = "self") -> int:
    """A field of /proc/<pid>/status in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: str = "self") -> None:
    """Reset the resident-set high-water mark (VmHWM) of a process (Linux >= 4.0)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _cpu_seconds(pid: str) -> float:
    """User + system CPU seconds of a process, all threads, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(engine: str, path: str):  # noqa: ANN202
    """The data in the engine's memory, the hand-written code, and the pid whose memory counts."""
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(path), polars_by_hand, "self"
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()  # in memory
        con.execute("SET threads TO 2")
        con.execute(f"CREATE TABLE tx AS SELECT * FROM read_parquet('{path}')")
        return con.table("tx"), duckdb_by_hand, "self"
    if engine == "spark":
        from cxlib.customers.spark import local_session

        spark = local_session(cores=2, shuffle_partitions=8, memory="8g", app_name="rfm-benchmark")
        tx = spark.read.parquet(path).cache()
        tx.count()  # fill the cache before the clock starts
        return tx, spark_by_hand, str(spark.sparkContext._gateway.proc.pid)
    return pd.read_parquet(path), pandas_by_hand, "self"


def _as_pandas(summary) -> pd.DataFrame:  # noqa: ANN001
    """A hand-written summary (polars, Arrow) as pandas indexed by customer id, for the check."""
    if isinstance(summary, pd.DataFrame):
        return summary
    return summary.to_pandas().set_index("customer_id").sort_index()


def check(engine: str, path: str) -> dict:
    """Both ways give the same summary (a fair race); run once, outside the timing."""
    tx, by_hand, _ = _load(engine, path)
    ours, _ = cxlib_path(tx)
    theirs = _as_pandas(by_hand(tx)[0])
    for column in ("n_occasions", "frequency", "days_since_last", "recency", "T"):
        np.testing.assert_array_equal(ours[column].to_numpy(), theirs[column].to_numpy())
    for column in ("total_spend", "mean_spend", "monetary_value"):
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-9)
    return {"customers": len(ours)}


def measure(engine: str, case: str, path: str) -> dict:
    """Seconds and peak memory of one run of ``case`` in a fresh process (data loaded first)."""
    tx, by_hand, pid = _load(engine, path)
    run = by_hand if case == "hand-written" else cxlib_path
    # Import cxlib before the clock starts: a one-off cost per process (SciPy, narwhals), not
    # part of summarising transactions; the hand-written code's engine is already imported too.
    import cxlib.customers  # noqa: F401

    gc.collect()
    base = _status("VmRSS", pid)
    _reset_peak(pid)
    jvm_start = _cpu_seconds(pid) if pid != "self" else 0.0
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run(tx)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if pid != "self":
        cpu += _cpu_seconds(pid) - jvm_start
    peak = _status("VmHWM", pid) - base
    del result
    return {"seconds": seconds, "cpu": cpu, "peak": peak}


def _worker(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,3000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="pandas,polars,duckdb,spark")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        job = check if len(args.worker) == 2 else measure
        print(json.dumps(job(*args.worker)))
        return

    import duckdb
    import polars as pl
    import pyspark

    sizes = sorted(int(n) for n in args.sizes.split(","))
    engines = args.engines.split(",")
    largest = sizes[-1]
    cases = ("hand-written", "cxlib")
    rows, scaling = [], {}
    load = os.getloadavg()
    wall_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = os.path.join(tmp, f"transactions_{size}.parquet")
            tx = make_transactions(size, size // 10)
            tx.to_parquet(path)
            del tx
            for engine in engines:
                if size == largest:
                    _worker(engine, path)  # the same summary both ways, before any timing
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
                    scaling[engine, size] = best["cxlib"]
                else:
                    times = [_worker(engine, "cxlib", path)["seconds"] for _ in range(args.repeat)]
                    scaling[engine, size] = min(times)
    load_after = os.getloadavg()
    minutes = (time.perf_counter() - wall_start) / 60
    print(
        f"customer_summary + rfm_scores: {largest:,} transactions, {largest // 10:,} customers; "
        f"best of {args.repeat}; {os.cpu_count()} cores, pandas {pd.__version__}, polars "
        f"{pl.__version__} on {pl.thread_pool_size()} threads, duckdb {duckdb.__version__} on 2 "
        f"threads, pyspark {pyspark.__version__} local[2]"
    )
    print(
        f"load average (1, 5, 15 min) before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
        f"whole benchmark {minutes:.0f} min"
    )
    print()
    print("| engine | method       | seconds | CPU seconds | peak memory (MB) | ratio |")
    print("|--------|--------------|--------:|------------:|-----------------:|------:|")
    for r in rows:
        print(
            f"| {r['engine']:<6} | {r['method']:<12} | {r['seconds']:7.2f} | {r['cpu']:11.2f} | "
            f"{r['peak_mb']:16.0f} | {r['ratio']:5.2f} |"
        )
    print()
    print(f"cxlib seconds by number of transactions (best of {args.repeat}; customers = rows / 10)")
    print()
    header = " | ".join(f"{n / 1e6:g}M" for n in sizes)
    print(f"| engine | {header} | {sizes[-1] / 1e6:g}M / {sizes[0] / 1e6:g}M |")
    print("|--------|" + "------:|" * len(sizes) + "------:|")
    for engine in engines:
        cells = " | ".join(f"{scaling[engine, n]:.2f}" for n in sizes)
        growth = scaling[engine, sizes[-1]] / scaling[engine, sizes[0]]
        print(f"| {engine:<6} | {cells} | {growth:.1f}x |")


if __name__ == "__main__":
    main()
