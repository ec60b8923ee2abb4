"""The row bootstrap shared by the driver analyses and the correlations (private).

A resample draws n row indices with replacement; a row's weight in it is its survey weight
times the number of times it was drawn. Every statistic in :mod:`cxlib.drivers` is a function of
the data and such row weights, so a block of resamples is one matrix of row weights (b, n) and
one call of the statistic, vectorised over the block. Blocks are sized to bound memory.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["MAX_CELLS", "Seed", "bootstrap"]

#: Array cells one block of resamples may use (bounds memory to a few hundred MB).
MAX_CELLS = 8_000_000
#: Most resamples in one block.
_MAX_BLOCK = 256

#: What a ``seed`` argument accepts: an int, a NumPy Generator (used as is) or None (fresh).
Seed = int | np.random.Generator | None


def bootstrap(
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    data: np.ndarray,
    weights: np.ndarray,
    *,
    n_boot: int,
    seed: Seed,
    cells: int,
) -> np.ndarray:
    """``statistic`` on ``n_boot`` row resamples of ``data``; (n_boot, ...).

    Parameters
    ----------
    statistic : callable
        ``statistic(data, counts)`` with ``counts`` (b, n) the row weights of b resamples,
        returning b results along the first axis (NaN where a resample is degenerate).
    data : ndarray
        The rows (n, q), passed to ``statistic`` unchanged.
    weights : ndarray
        Survey weights per row (n,); ones without.
    n_boot : int
        Number of resamples, at least 1.
    seed : int or numpy Generator, optional
        The same seed gives the same resamples, bit for bit.
    cells : int
        Array cells ``statistic`` needs per resample; sets the block size.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = len(data)
    block = int(np.clip(MAX_CELLS // cells, 1, _MAX_BLOCK))
    out = []
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        draws = rng.integers(0, n, size=(b, n))
        counts = np.bincount((draws + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out.append(statistic(data, counts.reshape(b, n) * weights[None, :]))
    return np.concatenate(out)
