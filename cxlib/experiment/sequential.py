r"""Looking at a running test without fooling yourself: peeking and alpha-spending boundaries.

Checking a running A/B test every day and stopping at the first p-value below 0.05 makes a false
positive far more likely than 5 %: each look is another chance for noise to cross the line.
:func:`peeking_simulation` shows how much, on simulated tests without any effect.

The correct alternative is a group-sequential design: decide the looks in advance and spend the
error rate :math:`\alpha` over them with a spending function (Lan & DeMets 1983). At look
:math:`k`, with information fraction :math:`t_k` (answers so far over answers planned), the test
stops for an effect when :math:`|Z_k| \ge c_k`, where the boundaries :math:`c_k` are chosen so
that, without an effect, the probability of stopping first at look :math:`k` equals the
:math:`\alpha` spent between :math:`t_{k-1}` and :math:`t_k`. Two-sided and symmetric: each side
spends :math:`\alpha/2` by

* ``'obrien-fleming'``: :math:`f(t) = 2 - 2\Phi\big(\Phi^{-1}(1 - \alpha/4) / \sqrt t\big)`,
  which spends almost nothing early (boundaries near 4-5 at the first looks) and keeps the last
  boundary close to the fixed test's 1.96;
* ``'pocock'``: :math:`f(t) = (\alpha/2) \ln(1 + (e - 1) t)`, nearly equal boundaries.

The boundaries come from the joint normal distribution of the :math:`Z_k` (independent
increments: :math:`\operatorname{corr}(Z_j, Z_k) = \sqrt{t_j / t_k}`), by recursive numerical
integration of the density of :math:`Z_k` over the paths that have not stopped (Armitage,
McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19) with Simpson's rule on a grid of step
0.02. :func:`sequential_test` applies them to the z statistics of the looks: the **stopping
rule** is to stop at the first look whose :math:`|Z_k|` reaches its boundary, and otherwise to
run to the planned end.

References
----------
Armitage, P., McPherson, C. K. & Rowe, B. C. (1969). Repeated significance tests on accumulating
    data. Journal of the Royal Statistical Society A 132(2), 235-244.
Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC.
Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries for clinical trials.
    Biometrika 70(3), 659-663.
Johari, R., Koomen, P., Pekelis, L. & Walsh, D. (2017). Peeking at A/B tests: why it matters,
    and what to do about it. KDD '17, 1517-1525.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxlib.experiment.analysis import OutcomeKind, effect
from cxlib.validate import CXDataError, check_columns, check_option

__all__ = [
    "PeekingResult",
    "SequentialResult",
    "interim_looks",
    "peeking_simulation",
    "sequential_test",
    "spending_boundary",
    "spending_function",
]

Spending = Literal["obrien-fleming", "pocock"]
_SPENDING = ("obrien-fleming", "pocock")
#: Grid step of the numerical integration (z units) and the |z| beyond which density is ignored.
GRID_STEP = 0.02
Z_MAX = 8.5
#: Below this spend at a look, the conditioning on earlier looks changes nothing that a double
#: can show: the boundary is the unconditional two-sided normal quantile.
TINY_SPEND = 1e-12


def spending_function(t: Any, *, alpha: float = 0.05, spending: Spending = "obrien-fleming") -> Any:
    """Cumulative two-sided alpha spent by information fraction ``t`` (array-like in [0, 1]).

    Examples
    --------
    >>> [round(float(v), 6) for v in spending_function([0.5, 1.0])]
    [0.003051, 0.05]
    """
    check_option(spending, _SPENDING, parameter="spending", function="spending_function")
    t = np.asarray(t, dtype=float)
    if spending == "pocock":
        return alpha * np.log1p((math.e - 1) * t)
    z = stats.norm.isf(alpha / 4)
    with np.errstate(divide="ignore"):
        per_side = 2 * stats.norm.sf(z / np.sqrt(t))
    return 2 * per_side


def _simpson(low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and Simpson weights on [low, high] with a step of at most GRID_STEP."""
    m = max(1, math.ceil((high - low) / (2 * GRID_STEP)))
    nodes = np.linspace(low, high, 2 * m + 1)
    h = (high - low) / (2 * m)
    weights = np.ones(2 * m + 1)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    return nodes, weights * h / 3


def _boundaries(fractions: np.ndarray, spent: np.ndarray) -> np.ndarray:
    """Two-sided symmetric boundaries for the cumulative spend ``spent`` at ``fractions``."""
    bounds = np.empty(fractions.size)
    nodes = weights = density = np.empty(0)
    for k, (t, spend) in enumerate(
        zip(fractions, np.diff(np.concatenate([[0.0], spent])), strict=True)
    ):
        if k == 0 or spend < TINY_SPEND:
            c = float(stats.norm.isf(spend / 2)) if spend > 0 else math.inf
        else:
            r = math.sqrt(fractions[k - 1] / t)
            s = math.sqrt((t - fractions[k - 1]) / t)
            mass = weights * density

            def crossing(
                c: float, u: np.ndarray = r * nodes, m: np.ndarray = mass, s: float = s
            ) -> float:
                """P(|Z_k| >= c, no stop before) for the paths at ``u`` with mass ``m``."""
                return float(m @ (stats.norm.sf((c - u) / s) + stats.norm.cdf((-c - u) / s)))

            if crossing(0.0) <= spend:  # everything left would stop: no finite boundary needed
                c = 0.0
            else:
                c = optimize.brentq(lambda c, a=spend: crossing(c) - a, 0.0, 40.0, xtol=1e-12)
        bounds[k] = c
        # density of Z_k on the paths that continue past look k
        edge = min(c, Z_MAX)
        new_nodes, new_weights = _simpson(-edge, edge)
        if k == 0:
            new_density = stats.norm.pdf(new_nodes)
        else:
            r = math.sqrt(fractions[k - 1] / t)
            s = math.sqrt((t - fractions[k - 1]) / t)
            kernel = stats.norm.pdf((new_nodes[:, None] - r * nodes[None, :]) / s) / s
            new_density = kernel @ (weights * density)
        nodes, weights, density = new_nodes, new_weights, new_density
    return bounds


def _fractions(information: Any) -> np.ndarray:
    if isinstance(information, int | np.integer) and not isinstance(information, bool):
        if information < 1:
            raise CXDataError(f"information must be >= 1 look; got {information!r}.")
        return np.arange(1, int(information) + 1) / int(information)
    try:
        t = np.asarray(information, dtype=float).ravel()
    except (TypeError, ValueError):
        raise CXDataError(
            f"information must be a number of looks or increasing fractions; got {information!r}."
        ) from None
    if (
        t.size == 0
        or not np.all(np.isfinite(t))
        or t[0] <= 0
        or t[-1] > 1
        or np.any(np.diff(t) <= 0)
    ):
        raise CXDataError(
            "information must be strictly increasing fractions in (0, 1] (answers so far / "
            f"answers planned); got {information!r}."
        )
    return t


def spending_boundary(
    information: Any, *, alpha: float = 0.05, spending: Spending = "obrien-fleming"
) -> pd.DataFrame:
    """Two-sided group-sequential boundaries from an alpha-spending function.

    Parameters
    ----------
    information : int or array-like of float
        The number of equally spaced looks, or the information fraction of each look (answers
        so far over answers planned), strictly increasing in (0, 1]; the last is normally 1.
    alpha : float, default 0.05
        Two-sided significance level of the whole sequence of looks.
    spending : {'obrien-fleming', 'pocock'}
        The Lan-DeMets spending function (see the module docstring).

    Returns
    -------
    DataFrame
        One row per look: ``look``, ``information``, ``alpha_cumulative`` (spent up to and
        including the look), ``alpha_spent`` (at the look), ``z_boundary`` (stop when
        ``|z| >= z_boundary``) and ``p_nominal`` (the same as a two-sided p-value threshold).

    Examples
    --------
    >>> spending_boundary(5)["z_boundary"].round(3).tolist()  # Jennison & Turnbull (2000)
    [4.877, 3.357, 2.68, 2.29, 2.031]
    """
    check_option(spending, _SPENDING, parameter="spending", function="spending_boundary")
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise CXDataError(f"alpha must lie strictly between 0 and 1; got {alpha!r}.")
    t = _fractions(information)
    spent = np.asarray(spending_function(t, alpha=alpha, spending=spending), dtype=float)
    bounds = _boundaries(t, spent)
    return pd.DataFrame(
        {
            "look": np.arange(1, t.size + 1),
            "information": t,
            "alpha_cumulative": spent,
            "alpha_spent": np.diff(np.concatenate([[0.0], spent])),
            "z_boundary": bounds,
            "p_nominal": 2 * stats.norm.sf(bounds),
        }
    )


@dataclass(frozen=True)
class SequentialResult:
    """What the stopping rule says about the looks so far.

    Attributes
    ----------
    table : DataFrame
        One row per look taken: the boundary columns plus ``z`` and ``crossed``.
    stopped : bool
        Whether a look reached its boundary.
    look : int or None
        The first look that did (1-based), or None.
    z : float
        The z statistic at that look (at the last look taken if none did).
    decision : str
        ``"stop: effect"``, ``"continue"`` (looks left) or ``"end: no effect shown"``.
    """

    table: pd.DataFrame
    stopped: bool
    look: int | None
    z: float
    decision: str

    def __repr__(self) -> str:
        where = (
            f"at look {self.look}" if self.look is not None else f"after {len(self.table)} looks"
        )
        return f"SequentialResult({self.decision} {where}, z={self.z:+.2f})"


def sequential_test(z: Any, boundary: pd.DataFrame) -> SequentialResult:
    """Apply the stopping rule to the z statistics of the looks taken so far.

    Parameters
    ----------
    z : array-like of float
        The z statistic (estimate / standard error) at each look so far, in order.
    boundary : DataFrame
        From :func:`spending_boundary`, with at least as many looks as ``z``.

    Returns
    -------
    SequentialResult
        Stop at the first look with ``|z| >= z_boundary``; otherwise continue, or end without an
        effect when the last planned look has been taken.

    Examples
    --------
    >>> sequential_test([1.2, 2.9, 3.1], spending_boundary(4))
    SequentialResult(stop: effect at look 3, z=+3.10)
    """
    check_columns(boundary, ["look", "information", "z_boundary"], name="boundary")
    values = np.asarray(z, dtype=float).ravel()
    if values.size == 0 or values.size > len(boundary) or not np.all(np.isfinite(values)):
        raise CXDataError(
            f"z must hold one finite statistic per look taken, at most {len(boundary)}; "
            f"got {values.size}."
        )
    table = boundary.iloc[: values.size][["look", "information", "z_boundary"]].copy()
    table["z"] = values
    table["crossed"] = np.abs(values) >= table["z_boundary"].to_numpy()
    crossed = np.flatnonzero(table["crossed"].to_numpy())
    if crossed.size:
        k = int(crossed[0])
        return SequentialResult(table.iloc[: k + 1], True, k + 1, float(values[k]), "stop: effect")
    decision = "continue" if values.size < len(boundary) else "end: no effect shown"
    return SequentialResult(table, False, None, float(values[-1]), decision)


def interim_looks(
    data: pd.DataFrame,
    *,
    outcome: str,
    metric: OutcomeKind,
    time: str,
    looks: Any,
    treatment: str = "treated",
    level: float = 0.95,
    **options: Any,
) -> pd.DataFrame:
    """The comparison as it stood at each look: everything observed before each look time.

    Parameters
    ----------
    data : DataFrame
        One row per answer (or customer) with the time it was observed in ``time``.
    outcome, metric, treatment, level, **options
        As in :func:`cxlib.experiment.effect`.
    time : str
        Column with the time each row became known (e.g. the survey date).
    looks : array-like of timestamps
        When the test is looked at; a look sees the rows with ``time < look``.

    Returns
    -------
    DataFrame
        One row per look: ``look_time``, ``n`` (non-missing answers so far), ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value`` and ``z`` (the signed normal quantile of the
        two-sided p-value, the statistic a boundary is compared with).
    """
    check_columns(data, [outcome, time, treatment])
    times = pd.to_datetime(pd.Series(np.asarray(looks))).to_numpy()
    stamps = pd.to_datetime(data[time]).to_numpy()
    answered = data[outcome].notna().to_numpy()
    rows = []
    for look in times:  # a loop over the looks, not over customers
        seen = data.loc[stamps < look]
        if (
            min(int(seen[treatment].astype(bool).sum()), int((~seen[treatment].astype(bool)).sum()))
            < 2
        ):
            raise CXDataError(
                f"The look at {pd.Timestamp(look)} sees fewer than two rows per group."
            )
        result = effect(
            seen, outcome=outcome, metric=metric, treatment=treatment, level=level, **options
        )
        z = math.copysign(float(stats.norm.isf(result.p_value / 2)), result.estimate)
        rows.append(
            {
                "look_time": pd.Timestamp(look),
                "n": int((answered & (stamps < look)).sum()),
                "estimate": result.estimate,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "z": z,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PeekingResult:
    """How often simulated tests declare an effect, by look, for three ways of reading them.

    Attributes
    ----------
    table : DataFrame
        One row per look: ``look``, ``n_per_group`` (answers per group so far), ``z_boundary``,
        and the share of simulated tests that have declared an effect by that look when
        stopping at the first ``p < alpha`` (``naive_rate``) or at the first boundary crossing
        (``sequential_rate``); rates in [0, 1].
    naive_rate, sequential_rate, fixed_rate : float
        Share of tests that ever declare an effect: peeking at every look, the sequential rule,
        and one test at the planned end only. Without a true effect these are false-positive
        rates; with one, power.
    mc_se : float
        Monte Carlo standard error of a rate near ``alpha`` (``sqrt(a (1 - a) / n_sims)``).
    mean_stop_look : float
        Mean look at which the sequential rule stops (the last look when it never does).
    n_sims, alpha, control, treatment : int, float, float, float
        The settings (shares in percent).
    """

    table: pd.DataFrame
    naive_rate: float
    sequential_rate: float
    fixed_rate: float
    mc_se: float
    mean_stop_look: float
    n_sims: int
    alpha: float
    control: float
    treatment: float

    def __repr__(self) -> str:
        return (
            f"PeekingResult({self.n_sims:,} simulated tests, {len(self.table)} looks: effect "
            f"declared by peeking {self.naive_rate:.1%}, sequential {self.sequential_rate:.1%}, "
            f"fixed {self.fixed_rate:.1%})"
        )


def peeking_simulation(
    *,
    control: float,
    treatment: float | None = None,
    n_per_look: int,
    looks: int,
    alpha: float = 0.05,
    spending: Spending = "obrien-fleming",
    n_sims: int = 10_000,
    seed: int | np.random.Generator = 0,
) -> PeekingResult:
    """Simulate A/B tests of a share that are looked at after every batch of answers.

    Each simulated test gets ``n_per_look`` new 0/1 answers per group at each of ``looks``
    looks (e.g. a day's CSAT answers); at every look the pooled two-proportion z test of all
    answers so far is computed. Three readings are compared: stop at the first look with
    ``p < alpha`` (peeking), stop at the first crossing of the :func:`spending_boundary`
    (the sequential rule), and test once at the end (fixed horizon).

    Parameters
    ----------
    control : float
        Share in the control group, percent.
    treatment : float, optional
        Share in the treatment group, percent; default ``control`` (no effect: every declared
        effect is a false positive).
    n_per_look, looks : int
        Answers per group between looks, and the number of looks.
    alpha, spending
        As in :func:`spending_boundary`.
    n_sims : int, default 10000
        Simulated tests.
    seed : int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    PeekingResult

    Examples
    --------
    >>> sim = peeking_simulation(control=80, n_per_look=100, looks=20, n_sims=4000, seed=1)
    >>> sim.naive_rate > 0.15, abs(sim.sequential_rate - 0.05) < 0.015
    (True, True)
    """
    for name, value in (("n_per_look", n_per_look), ("looks", looks), ("n_sims", n_sims)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise CXDataError(f"{name} must be a whole number >= 1; got {value!r}.")
    treatment = control if treatment is None else treatment
    for name, share in (("control", control), ("treatment", treatment)):
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100:
            raise CXDataError(f"{name} must be a share in percent, in [0, 100]; got {share!r}.")
    boundary = spending_boundary(looks, alpha=alpha, spending=spending)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    yes_c = np.cumsum(rng.binomial(n_per_look, control / 100, size=(n_sims, looks)), axis=1)
    yes_t = np.cumsum(rng.binomial(n_per_look, treatment / 100, size=(n_sims, looks)), axis=1)
    n = n_per_look * np.arange(1, looks + 1)
    pooled = (yes_c + yes_t) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (yes_t - yes_c) / n / se, 0.0)
    crit = stats.norm.isf(alpha / 2)
    naive = np.abs(z) >= crit
    sequential = np.abs(z) >= boundary["z_boundary"].to_numpy()[None, :]
    first = np.where(sequential.any(axis=1), sequential.argmax(axis=1) + 1, looks)
    table = pd.DataFrame(
        {
            "look": np.arange(1, looks + 1),
            "n_per_group": n,
            "z_boundary": boundary["z_boundary"].to_numpy(),
            "naive_rate": np.logical_or.accumulate(naive, axis=1).mean(axis=0),
            "sequential_rate": np.logical_or.accumulate(sequential, axis=1).mean(axis=0),
        }
    )
    return PeekingResult(
        table=table,
        naive_rate=float(table["naive_rate"].iloc[-1]),
        sequential_rate=float(table["sequential_rate"].iloc[-1]),
        fixed_rate=float(naive[:, -1].mean()),
        mc_se=math.sqrt(alpha * (1 - alpha) / n_sims),
        mean_stop_look=float(first.mean()),
        n_sims=int(n_sims),
        alpha=float(alpha),
        control=float(control),
        treatment=float(treatment),
    )
