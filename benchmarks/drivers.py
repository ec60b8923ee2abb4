"""Speed of cxlib.drivers (target: 12 drivers, 10,000 rows, 1,000 bootstrap resamples under 10 s).

Run: ``.venv/bin/python benchmarks/drivers.py`` (BLAS threads as the environment sets them; the
README figures use ``OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2``). Prints one row per method:
wall-clock seconds (best of ``--repeat`` runs) for the point estimate and for the bootstrap,
beside a peer: the textbook computation of the same Shapley values, one least-squares solve per
driver subset from the correlation matrix (``numpy.linalg.solve`` over all 4,095 subsets), timed
on one evaluation and scaled to ``--n-boot``; and the logistic variant (6 drivers, 5,000 rows,
200 resamples, every subset model refitted). The machine's load average is printed too: the
project machine is shared, so figures vary with what else runs.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import time

import numpy as np
import pandas as pd

from cxlib.drivers import logistic_shapley_importance, relative_weights, shapley_importance


def make_data(n: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Correlated touchpoint-like drivers and an outcome with R^2 about 0.5."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    names = [f"tp{j:02d}" for j in range(p)]
    X = pd.DataFrame(0.6 * common + rng.normal(size=(n, p)), columns=names)
    y = X @ np.linspace(1.0, 0.1, p) + 2.5 * rng.normal(size=n)
    return X, y.rename("overall")


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_shapley(corr: np.ndarray) -> np.ndarray:
    """Shapley values by one linear solve per subset (the peer)."""
    p = corr.shape[0] - 1
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for s in itertools.combinations(range(p), k):
            idx = list(s)
            r = corr[idx, p]
            r2[s] = float(r @ np.linalg.solve(corr[np.ix_(idx, idx)], r))
    phi = np.zeros(p)
    for s, value in r2.items():
        for j in range(p):
            if j in s:
                continue
            with_j = tuple(sorted((*s, j)))
            weight = math.factorial(len(s)) * math.factorial(p - len(s) - 1) / math.factorial(p)
            phi[j] += weight * (r2[with_j] - value)
    return phi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--drivers", type=int, default=12)
    parser.add_argument("--n-boot", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    X, y = make_data(args.rows, args.drivers)
    load = os.getloadavg()
    rows = []
    for func in (relative_weights, shapley_importance):
        func(X.iloc[:200], y.iloc[:200], n_boot=5, seed=0)  # warm-up
        point = best_of(args.repeat, lambda f=func: f(X, y))
        boot = best_of(args.repeat, lambda f=func: f(X, y, n_boot=args.n_boot, seed=0))
        rows.append(
            {"method": f"cxlib.drivers.{func.__name__}", "point_s": point, "bootstrap_s": boot}
        )
    corr = np.corrcoef(np.column_stack([X.to_numpy(), y.to_numpy()]), rowvar=False)
    t0 = time.perf_counter()
    peer = naive_shapley(corr)
    per_resample = time.perf_counter() - t0
    ours = shapley_importance(X, y).table.set_index("driver")["importance"].reindex(X.columns)
    if not np.allclose(peer, ours.to_numpy(), atol=1e-10):
        raise RuntimeError("the peer and cxlib disagree on the Shapley values")
    rows.append(
        {
            "method": "peer: one solve per subset (scaled)",
            "point_s": per_resample,
            "bootstrap_s": per_resample * (args.n_boot + 1),
        }
    )
    # the logistic variant refits every subset model: 6 drivers, 5,000 rows, 200 resamples
    Xl, yl = make_data(5_000, 6, seed=1)
    promoter = yl > yl.median()
    logistic_shapley_importance(Xl.iloc[:300], promoter.iloc[:300], n_boot=2, seed=0)  # warm-up
    rows.append(
        {
            "method": "logistic_shapley_importance (6 drivers, 5,000 rows, 200 resamples)",
            "point_s": best_of(args.repeat, lambda: logistic_shapley_importance(Xl, promoter)),
            "bootstrap_s": best_of(
                1, lambda: logistic_shapley_importance(Xl, promoter, n_boot=200, seed=0)
            ),
        }
    )
    table = pd.DataFrame(rows).set_index("method")
    print(
        f"{args.drivers} drivers, {args.rows:,} rows, {args.n_boot:,} bootstrap resamples; "
        f"best of {args.repeat}; {os.cpu_count()} cores, load average {load[0]:.1f} "
        f"(1 min) {load[1]:.1f} (5 min); OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    print(table.round(2).to_string())


if __name__ == "__main__":
    main()
