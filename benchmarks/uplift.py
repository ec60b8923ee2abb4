"""Speed of uplift modelling and Qini curves on 100,000 customers (no test ever times code).

Run:  OMP_NUM_THREADS=1 .venv/bin/python benchmarks/uplift.py [--customers 100000] [--repeat 3]

The data: the randomised service-call campaign of ``cxlib.simulate`` (``cx_panel(...,
campaign=True)``) on a panel large enough that ``--customers`` customers are still active at its
end (the panel itself is not timed). The models are the notebook's: T- and X-learner on
scikit-learn's HistGradientBoosting (150 trees of 8 leaves); then the Qini curve with the true
gain, the Qini coefficient and uplift by decile of the X-learner's ranking. Prints the best wall
time and the best CPU time of ``--repeat`` runs per step, with the load average of the machine
(shared with other jobs: under load the wall time is an upper bound, the CPU time of a
one-thread run is what the step needs). Target: uplift fit plus Qini under 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from cxlib import experiment as ex
from cxlib.simulate import cx_panel

FEATURES = [
    "tenure_months",
    "revenue_12m_before",
    "purchases_12m_before",
    "days_since_last_purchase",
    "hotline_contacts_6m",
    "bad_experiences_6m",
    "bad_hotline_6m",
    "csat_mean_12m",
]
SETTINGS = dict(
    max_iter=150,
    learning_rate=0.05,
    max_leaf_nodes=8,
    min_samples_leaf=200,
    early_stopping=False,
    random_state=0,
)


def campaign_data(customers: int, seed: int = 0) -> pd.DataFrame:
    """The campaign of a panel with about ``customers`` active customers at its end, cut to
    exactly ``customers`` rows."""
    panel = cx_panel(int(customers / 0.72) + 1000, seed=seed, campaign=True)
    return panel.campaign.iloc[:customers].assign(
        true_uplift=panel.truth.campaign.effects["uplift_retention"].to_numpy()[:customers]
    )


def best_of(repeat: int, func, *args, **kwargs):
    """Best wall time and best CPU time (of this process) of ``repeat`` calls, and the result."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = func(*args, **kwargs)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return (min(wall), min(cpu)), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = campaign_data(args.customers)
    X = pd.concat([data[FEATURES], pd.get_dummies(data["segment"], dtype=float)], axis=1)
    y = (~data["churned_12m"]).astype(int).to_numpy()
    t = data["treated"].to_numpy()

    def t_learner():
        return ex.TLearner(HistGradientBoostingClassifier(**SETTINGS)).fit(X, y, t)

    def x_learner():
        return ex.XLearner(
            HistGradientBoostingClassifier(**SETTINGS), HistGradientBoostingRegressor(**SETTINGS)
        ).fit(X, y, t)

    rows = []
    fit_t, tl = best_of(args.repeat, t_learner)
    rows.append(("TLearner.fit (2 models)", fit_t, f"{len(y):,} customers"))
    fit_x, xl = best_of(args.repeat, x_learner)
    rows.append(("XLearner.fit (4 models)", fit_x, f"{t.sum():,} treated"))
    pred, score = best_of(args.repeat, xl.predict, X)
    rows.append(("XLearner.predict", pred, f"mean uplift {100 * score.mean():+.2f} pp"))
    qini_t, curve = best_of(
        args.repeat, ex.qini_curve, y, t, score, true_effect=data["true_uplift"].to_numpy()
    )
    rows.append(("qini_curve (with true gain)", qini_t, f"{len(curve):,} points"))
    coef_t, q = best_of(args.repeat, ex.qini_coefficient, curve)
    rows.append(("qini_coefficient", coef_t, f"{100 * q:.3f} per 100 customers"))
    bins_t, deciles = best_of(args.repeat, ex.uplift_by_bin, y, t, score)
    rows.append(
        (
            "uplift_by_bin (deciles)",
            bins_t,
            f"top decile {deciles['uplift'].iloc[0]:+.1f} pp in sample",
        )
    )
    total = tuple(sum(v) for v in zip(fit_x, pred, qini_t, coef_t, strict=True))
    rows.append(("X-learner fit + predict + Qini", total, "target < 10 s"))

    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"cxlib.experiment uplift on {len(y):,} customers; python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, load average {load} "
        f"(1 / 5 / 15 min), best of {args.repeat}\n"
    )
    print("| step                             | seconds | CPU seconds | result                   |")
    print("|----------------------------------|--------:|------------:|--------------------------|")
    for name, (seconds, cpu), result in rows:
        print(f"| {name:<32} | {seconds:7.2f} | {cpu:11.2f} | {result:<24} |")


if __name__ == "__main__":
    main()
