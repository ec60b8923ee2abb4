"""Speed and memory of cxlib.simulate.cx_panel (target: 100,000 customers in under 10 s).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/simulate.py``. Prints one row per panel size:
wall-clock seconds (best of ``--repeat`` runs), peak memory traced by ``tracemalloc`` during a
separate run (NumPy and pandas buffers included) and the number of rows generated.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import pandas as pd

from cxlib.simulate import cx_panel


def measure(n: int, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        panel = cx_panel(n, seed=0)
        times.append(time.perf_counter() - t0)
    del panel
    gc.collect()
    tracemalloc.start()
    panel = cx_panel(n, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n_customers": n,
        "seconds": min(times),
        "peak_mib": peak / 2**20,
        "interactions": len(panel.interactions),
        "transactions": len(panel.transactions),
        "surveys": len(panel.surveys),
        "relationship": len(panel.relationship),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cx_panel(100, seed=0)  # warm-up (imports, first-call overhead)
    rows = [measure(n, args.repeat) for n in args.sizes]
    table = pd.DataFrame(rows).set_index("n_customers")
    print(table.round({"seconds": 2, "peak_mib": 0}).to_string())


if __name__ == "__main__":
    main()
