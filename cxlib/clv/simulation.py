"""Seeded, vectorised simulation of customer summaries from the BG/NBD and Pareto/NBD models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlib.clv._core import (
    _as_float,
)
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.paretonbd import ParetoNBD
from cxlib.validate import CXDataError


def _sim_setup(
    n: int, params: dict[str, float], names: tuple[str, ...], T: Any, seed: Any
) -> tuple[np.random.Generator, np.ndarray]:
    missing = [k for k in names if k not in params]
    if missing or any(not params[k] > 0 for k in names):
        raise CXDataError(f"params must give positive values for {list(names)}; got {params!r}.")
    big_t = np.broadcast_to(_as_float(T, "T"), (n,)).astype(float)
    if np.any(~np.isfinite(big_t)) or np.any(big_t <= 0):
        raise CXDataError(
            "T must be positive (periods from first purchase to the end of calibration)."
        )
    return np.random.default_rng(seed), big_t


def _sim_frame(x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> pd.DataFrame:
    index = pd.RangeIndex(1, len(x) + 1, name="customer_id")
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": tx, "T": big_t}, index=index)


def simulate_bgnbd(n: int, params: dict[str, float], *, T: Any, seed: Any = 0) -> pd.DataFrame:
    """Simulate ``n`` customer summaries from the BG/NBD model (vectorised).

    Each customer draws lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b); they make repeat
    purchases as a Poisson process and drop out after the K-th repeat purchase, K ~ Geometric(p).
    With N ~ Poisson(lambda T) purchase opportunities in (0, T], x = min(N, K), and t_x is the
    x-th of N uniform order statistics on (0, T], i.e. T Beta(x, N - x + 1).

    Parameters
    ----------
    n : int
        Customers.
    params : dict
        ``r``, ``alpha``, ``a``, ``b`` (rates per period of whatever unit T is in).
    T : float or array of length n
        Observation length per customer (periods since the first purchase).
    seed : int or numpy.random.Generator
        Same seed, same customers.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, indexed by ``customer_id`` 1..n.
    """
    rng, big_t = _sim_setup(n, params, BGNBD._names, T, seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    n_events = rng.poisson(lam * big_t)
    k = rng.geometric(p)
    x = np.minimum(n_events, k)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = big_t[pos] * rng.beta(x[pos], n_events[pos] - x[pos] + 1)
    return _sim_frame(x, tx, big_t)


def simulate_paretonbd(n: int, params: dict[str, float], *, T: Any, seed: Any = 0) -> pd.DataFrame:
    """Simulate ``n`` customer summaries from the Pareto/NBD model (vectorised).

    lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta); lifetime tau ~ Exponential(mu). The
    customer buys as a Poisson process on (0, min(tau, T)]; x ~ Poisson(lambda min(tau, T)) and
    t_x, the last of x uniform times on that interval, is min(tau, T) U^(1/x).
    Parameters and return value as in :func:`simulate_bgnbd` (``r``, ``alpha``, ``s``, ``beta``).
    """
    rng, big_t = _sim_setup(n, params, ParetoNBD._names, T, seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    active = np.minimum(rng.exponential(1.0, n) / mu, big_t)
    x = rng.poisson(lam * active)
    pos = x > 0
    tx = np.zeros(n)
    tx[pos] = active[pos] * rng.random(int(pos.sum())) ** (1.0 / x[pos])
    return _sim_frame(x, tx, big_t)
