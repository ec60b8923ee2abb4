"""Speed and memory of cxlib.clv fits beside the ``lifetimes`` package (issue 6).

Targets on two cores: BG/NBD on 1,000,000 customers under 2 s, Pareto/NBD on 100,000 under 3 s.

Run: ``.venv/bin/python benchmarks/clv.py`` (add ``--lifetimes-python PATH`` for the peer).

Data: seeded simulations from the models themselves (``cxlib.clv.simulate_bgnbd`` and
``simulate_paretonbd``) with the published CDNOW parameters, a 12-week acquisition cohort and a
39-week calibration period in weeks. Two recordings of the same customers:

- ``by day``: first purchase, last purchase and calibration end on whole days, as real
  transaction data are (recency rounded up to the day). Many customers share a history.
- ``continuous``: exact simulated times, so no two customers are identical (the worst case for
  cxlib, which pools identical histories).

Each fit runs in a fresh subprocess that loads the data, then fits; the figures are the fit's
wall-clock seconds (best of ``--repeat`` runs) and its peak memory: the kernel's peak-RSS mark
(VmHWM) is reset after the data are loaded, and its rise over the resident set at that moment is
the fit's peak (MiB). Variants: ``raw`` = one row per customer; ``pooled`` =
identical customers collapsed first (``aggregate_customers``) and fitted with ``weights``; the
seconds include the pooling.

The peer, ``lifetimes`` 0.11.3 (unmaintained; it needs pandas < 2), lives in its own venv, never
in this project's lock::

    python3 -m venv /tmp/lifetimes-venv
    /tmp/lifetimes-venv/bin/pip install "lifetimes==0.11.3" "pandas<2" "numpy<2" "scipy<1.12"

Without it the lifetimes rows are skipped with a message. The project machine is shared with
other jobs: the load average is printed, and figures vary with it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TRUTH = {
    "bgnbd": {"r": 0.2426, "alpha": 4.4136, "a": 0.7930, "b": 2.4259},
    "paretonbd": {"r": 0.5533, "alpha": 10.5776, "s": 0.6061, "beta": 11.6650},
}
SIZES = {"bgnbd": 1_000_000, "paretonbd": 100_000}
TARGETS = {"bgnbd": 2.0, "paretonbd": 3.0}
DEFAULT_LIFETIMES = "/tmp/lifetimes-venv/bin/python"


# ------------------------------------------------------------------ workers (fresh processes)
def _status_mib(key: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1]) / 1024  # kB
    return float("nan")


def _reset_peak() -> float:
    """Reset the kernel's peak-RSS mark (VmHWM) and return the current RSS in MiB (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    return _status_mib("VmRSS:")


def _worker(package: str, model: str, path: str, variant: str) -> dict:
    import pandas as pd

    if package == "cxlib":
        from cxlib.clv import BGNBD, ParetoNBD, aggregate_customers
    else:
        from lifetimes import BetaGeoFitter, ParetoNBDFitter
    data = np.load(path)
    frame = pd.DataFrame({k: data[k] for k in ("frequency", "recency", "T")})
    base = _reset_peak()  # after imports and data: the rise of the peak is what the fit needs
    t0 = time.perf_counter()
    if package == "cxlib":
        cls = BGNBD if model == "bgnbd" else ParetoNBD
        if variant == "pooled":
            pooled = aggregate_customers(frame)
            fitted = cls(time_unit="weeks").fit(pooled, weights="n_customers")
            rows = len(pooled)
        else:
            fitted = cls(time_unit="weeks").fit(frame)
            rows = len(frame)
        params, loglik = fitted.params_, fitted.loglik_
    else:
        fitter = BetaGeoFitter() if model == "bgnbd" else ParetoNBDFitter()
        if variant == "pooled":
            pooled = frame.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
            fitter.fit(pooled["frequency"], pooled["recency"], pooled["T"], weights=pooled["n"])
            rows = len(pooled)
        else:
            fitter.fit(frame["frequency"], frame["recency"], frame["T"])
            rows = len(frame)
        params = {k: float(v) for k, v in fitter.params_.items()}
        loglik = float("nan")
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_mib": max(_status_mib("VmHWM:") - base, 0.0),
        "rows": rows,
        "params": params,
        "loglik": loglik,
    }


# ------------------------------------------------------------------ driver
def make_data(model: str, n: int, recording: str, seed: int) -> dict[str, np.ndarray]:
    from cxlib.clv import simulate_bgnbd, simulate_paretonbd

    rng = np.random.default_rng(seed)
    days = rng.integers(190, 274, n)  # first purchase 190..273 days before calibration end
    simulate = simulate_bgnbd if model == "bgnbd" else simulate_paretonbd
    frame = simulate(n, TRUTH[model], T=days / 7, seed=seed + 1)
    recency = frame["recency"].to_numpy()
    if recording == "by day":
        recency = np.ceil(recency * 7 - 1e-9) / 7  # last purchase on a whole day
    return {
        "frequency": frame["frequency"].to_numpy(),
        "recency": recency,
        "T": frame["T"].to_numpy(),
    }


def run_worker(
    python: str, package: str, model: str, path: str, variant: str, timeout: float
) -> dict | None:
    cmd = [python, __file__, "--worker", package, model, path, variant]
    env = dict(os.environ)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def lifetimes_available(python: str) -> str | None:
    if not Path(python).exists():
        return f"{python} not found"
    probe = subprocess.run(
        [python, "-c", "import lifetimes; print(lifetimes.__version__)"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return "lifetimes is not importable there"
    return None


def fmt_params(params: dict) -> str:
    return ", ".join(f"{k}={v:.3g}" for k, v in params.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cxlib runs per cell (best taken)")
    parser.add_argument("--lifetimes-python", default=DEFAULT_LIFETIMES)
    parser.add_argument("--lifetimes-repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per lifetimes fit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(*args.worker)))
        return

    import numpy  # noqa: F401  (versions for the header)
    import pandas

    missing = lifetimes_available(args.lifetimes_python)
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in ("bgnbd", "paretonbd"):
            for recording in ("by day", "continuous"):
                data = make_data(model, SIZES[model], recording, args.seed)
                path = str(Path(tmp) / f"{model}-{recording.replace(' ', '')}.npz")
                np.savez(path, **data)
                peers = [("cxlib", sys.executable, args.repeat)]
                if missing is None:
                    peers.append(("lifetimes", args.lifetimes_python, args.lifetimes_repeat))
                for package, python, repeat in peers:
                    for variant in ("raw", "pooled"):
                        runs = [
                            run_worker(python, package, model, path, variant, args.timeout)
                            for _ in range(repeat)
                        ]
                        ok = [r for r in runs if r and "error" not in r]
                        if not ok:
                            rows.append(
                                {
                                    "model": model,
                                    "recording": recording,
                                    "package": package,
                                    "variant": variant,
                                    "note": runs[-1]["error"],
                                }
                            )
                            continue
                        best = min(ok, key=lambda r: r["seconds"])
                        rows.append(
                            {
                                "model": model,
                                "recording": recording,
                                "package": package,
                                "variant": variant,
                                "rows": best["rows"],
                                "seconds": best["seconds"],
                                "peak_mib": max(r["peak_mib"] for r in ok),
                                "params": fmt_params(best["params"]),
                            }
                        )
                        print(
                            f"  done: {model} {recording} {package} {variant} "
                            f"{best['seconds']:.2f} s",
                            file=sys.stderr,
                            flush=True,
                        )
    load_after = os.getloadavg()
    print(
        f"cxlib.clv fit benchmark: BG/NBD {SIZES['bgnbd']:,} customers, Pareto/NBD "
        f"{SIZES['paretonbd']:,}; seed {args.seed}; cxlib best of {args.repeat}, lifetimes "
        f"best of {args.lifetimes_repeat}"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pandas.__version__}; {os.cpu_count()} cores; load average {load_before[0]:.1f} "
        f"before, {load_after[0]:.1f} after (1 min); OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    if missing:
        print(f"lifetimes column skipped: {missing} (see the docstring to install it)")
    print()
    print(
        "| model | recording | package | variant | rows fitted | seconds | peak MiB | target "
        "| parameters |"
    )
    print("|---|---|---|---|---:|---:|---:|---|---|")
    for row in rows:
        name = "BG/NBD" if row["model"] == "bgnbd" else "Pareto/NBD"
        if "note" in row:
            print(
                f"| {name} | {row['recording']} | {row['package']} | {row['variant']} | | | "
                f"| | {row['note']} |"
            )
            continue
        target = TARGETS[row["model"]]
        verdict = "met" if row["seconds"] < target else "missed"
        verdict = f"< {target:g} s {verdict}" if row["package"] == "cxlib" else ""
        print(
            f"| {name} | {row['recording']} | {row['package']} | {row['variant']} | "
            f"{row['rows']:,} | {row['seconds']:.2f} | {row['peak_mib']:.0f} | {verdict} | "
            f"{row['params']} |"
        )


if __name__ == "__main__":
    main()
