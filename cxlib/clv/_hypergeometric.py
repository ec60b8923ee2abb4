"""log 2F1(a, b; a+1; z), the hypergeometric function of the Pareto/NBD likelihood, in log space."""

from __future__ import annotations

import numpy as np
from scipy import special


def _log_hyp2f1_tanh_sinh(
    a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray
) -> np.ndarray:
    """log 2F1(a, b; a+1; z) = log(a integral_0^1 v^(a-1) (1 - z v)^(-b) dv) by tanh-sinh rule.

    Summed in log space (no overflow for large b with z near 1); ``zc`` = 1 - z, passed exactly.
    """
    t = np.arange(-7.0, 4.5 + 1e-9, 1 / 24)  # reaches v = exp(-1700): fine for a >= 0.01
    u = 0.5 * np.pi * np.sinh(t)
    log_v = -np.logaddexp(0.0, -2 * u)  # v = (1 + tanh u) / 2 = expit(2u)
    one_minus_v = special.expit(-2 * u)  # exact near v = 1
    log_dv = (
        np.log(0.5 * np.pi * np.cosh(t)) - 2 * np.logaddexp(u, -u) + np.log(2.0) + np.log(1 / 24)
    )
    a, b, z, zc = (np.asarray(v, dtype=float)[..., None] for v in (a, b, z, zc))
    log_f = (a - 1) * log_v - b * np.log(zc + z * one_minus_v) + log_dv
    return np.log(a[..., 0]) + special.logsumexp(log_f, axis=-1)


_SERIES_MAX_Z = 0.6  # below: Euler-transformed power series (at most ~75 terms)


def _log_hyp2f1_series(a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a+1; z) for 0 <= z <= 0.6 by Euler's transformation and its power series.

    2F1(a, b; a+1; z) = (1-z)^(1-b) sum_k (a+1-b)_k / (a+1)_k z^k. For b <= a + 1 every term is
    positive and each is at most z times the one before, so the sum has no cancellation and
    K terms leave a relative error below z^K / (1 - z); K is chosen for 1e-16.
    """
    zmax = float(z.max(initial=0.0))
    n_terms = 1 if zmax == 0 else int(np.ceil(np.log(1e-16 * (1 - zmax)) / np.log(zmax))) + 1
    c = a + 1.0 - b
    term = np.ones_like(z)
    total = np.ones_like(z)
    num, den = c.copy(), a + 1.0
    for _ in range(n_terms):
        term *= num
        term /= den
        term *= z
        total += term
        num += 1.0
        den += 1.0
    return (1.0 - b) * np.log(zc) + np.log(total)


def _log_hyp2f1_c(a: np.ndarray, b: np.ndarray, z: np.ndarray, zc: np.ndarray) -> np.ndarray:
    """log 2F1(a, b; a+1; z) for a, b > 0 and 0 <= z < 1 (``zc`` = 1 - z, given exactly).

    Three routes, each where it is reliable: the Euler-transformed power series for z <= 0.6 and
    b <= a + 1 (all terms positive; fast, vectorised); elsewhere SciPy's ``hyp2f1`` where its value
    is plausible, i.e. lies in [1, (1-z)^(-b)] (the integral representation bounds it); and where
    it is not (overflow for large b with z near 1, or a failed evaluation) the integral computed
    by tanh-sinh quadrature in log space.
    """
    a, b, z, zc = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, z, zc))
    series = (z <= _SERIES_MAX_Z) & (b <= a + 1.0)
    if series.all():
        return _log_hyp2f1_series(a, b, z, zc)
    out = np.empty(z.shape)
    if series.any():
        out[series] = _log_hyp2f1_series(a[series], b[series], z[series], zc[series])
    rest = ~series
    if rest.any():
        ar, br, zr, zcr = a[rest], b[rest], z[rest], zc[rest]
        with np.errstate(all="ignore"):
            value = np.log(special.hyp2f1(ar, br, ar + 1.0, zr))
            upper = -br * np.log(zcr)
        ok = np.isfinite(value) & (value >= -1e-12) & (value <= upper * (1 + 1e-9) + 1e-12)
        if not np.all(ok):
            bad = ~ok
            value[bad] = _log_hyp2f1_tanh_sinh(ar[bad], br[bad], zr[bad], zcr[bad])
        out[rest] = value
    return out
