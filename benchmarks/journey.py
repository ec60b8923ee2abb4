"""Speed of cxlib.journey on one million interactions (a synthetic log; no test ever times code).

Run:  OMP_NUM_THREADS=1 .venv/bin/python benchmarks/journey.py [--events 1000000] [--repeat 3]

The log: 100,000 customers, touchpoints and stages drawn at random, sessions of a few events
minutes apart, sessions days apart, rows shuffled (so sorting is part of the work). Prints one
row per step with the best wall time of ``--repeat`` runs and the load average of the machine
(shared with other jobs, so figures under load are upper bounds).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from cxlib import journey

TOUCHPOINTS = ["Website", "App", "Kundenservice-Hotline", "Filiale", "Lieferung", "Rechnung"]
STAGES = ["Information", "Kauf", "Lieferung", "Nutzung/Service", "Rechnung"]


def synthetic_log(n_events: int, *, seed: int = 0) -> pd.DataFrame:
    """A shuffled log of ``n_events`` interactions in sessions of about three events."""
    rng = np.random.default_rng(seed)
    n_customers = max(n_events // 10, 1)
    customer = np.sort(rng.integers(1, n_customers + 1, n_events))
    new_session = rng.random(n_events) < 0.35
    step_minutes = np.where(
        new_session, rng.integers(24 * 60, 30 * 24 * 60, n_events), rng.integers(1, 20, n_events)
    )
    first = np.r_[True, customer[1:] != customer[:-1]]
    minutes = np.cumsum(step_minutes)
    minutes -= np.maximum.accumulate(np.where(first, minutes, 0))  # restart per customer
    start = np.datetime64("2023-01-01T00:00")
    log = pd.DataFrame(
        {
            "customer_id": customer.astype(np.int64),
            "timestamp": (start + minutes.astype("timedelta64[m]")).astype("datetime64[us]"),
            "touchpoint": pd.Categorical.from_codes(
                rng.choice(6, n_events, p=[0.3, 0.25, 0.1, 0.1, 0.15, 0.1]), TOUCHPOINTS
            ),
            "stage": pd.Categorical.from_codes(rng.integers(0, 5, n_events), STAGES),
        }
    )
    return log.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def best_of(repeat: int, func, *args, **kwargs):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    log = synthetic_log(args.events)
    rows = []
    t, events = best_of(args.repeat, journey.sessionize, log, gap="30min")
    rows.append(("sessionize (30 min gap)", t, f"{events['session_id'].max():,} sessions"))
    t, table = best_of(args.repeat, journey.journeys, events, stage="stage")
    rows.append(("journeys (paths, stage paths)", t, f"{len(table):,} journeys"))
    t, paths = best_of(args.repeat, journey.path_counts, table, top=20)
    rows.append(("path_counts (top 20)", t, f"top path {paths['share_pct'].iloc[0]:.1f} %"))
    t, matrix = best_of(args.repeat, journey.transition_matrix, events)
    rows.append(("transition_matrix (start/end)", t, f"{matrix.shape[0]}x{matrix.shape[1]}"))
    t, flows = best_of(args.repeat, journey.step_flows, events, max_steps=4)
    rows.append(("step_flows (4 steps)", t, f"{len(flows)} flows"))
    t, ttp = best_of(args.repeat, journey.time_to_first_purchase, log)
    rows.append(("time_to_first_purchase", t, f"{ttp['purchased'].mean():.0%} purchased"))
    total = sum(r[1] for r in rows)

    # moments of truth on a simulated panel of about the same number of interactions
    from cxlib.simulate import cx_panel

    n_sim = max(args.events // 32, 100)
    panel = cx_panel(n_sim, seed=0)
    t_pp, periods = best_of(
        args.repeat,
        journey.person_periods,
        panel.customers,
        panel.interactions,
        start="2023-01-01",
        end="2025-01-01",
        covariates=["segment"],
    )
    t_mot, mot = best_of(args.repeat, journey.moments_of_truth, periods, categorical=["segment"])
    mot_rows = [
        ("person_periods", t_pp, f"{len(periods):,} cust.-months"),
        ("moments_of_truth (cloglog)", t_mot, f"{mot.n_events:,} churns"),
    ]

    load = os.getloadavg()
    n_customers = log["customer_id"].nunique()
    print(f"cxlib.journey on {args.events:,} interactions, {n_customers:,} customers")
    print(
        f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(1 / 5 / 15 min), best of {args.repeat}"
    )
    print()
    print(f"| {'step':<32} | {'seconds':>7} | {'result':<22} |")
    print(f"|{'-' * 34}|{'-' * 8}:|{'-' * 24}|")
    for name, seconds, note in rows:
        print(f"| {name:<32} | {seconds:7.2f} | {note:<22} |")
    print(f"| {'total, log to all tables':<32} | {total:7.2f} | {'':<22} |")
    print()
    n_int = len(panel.interactions)
    print(f"moments of truth on cx_panel({n_sim:,}, seed=0): {n_int:,} interactions")
    print()
    print(f"| {'step':<32} | {'seconds':>7} | {'result':<22} |")
    print(f"|{'-' * 34}|{'-' * 8}:|{'-' * 24}|")
    for name, seconds, note in mot_rows:
        print(f"| {name:<32} | {seconds:7.2f} | {note:<22} |")


if __name__ == "__main__":
    main()
