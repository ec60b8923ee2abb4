"""cxlib.experiment.power: equal to statsmodels where the methods coincide, and to simulation."""

import math

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import power_proportions_2indep, proportion_effectsize

from cxlib.experiment import power, sample_size
from cxlib.validate import CXDataError


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.5])
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_share_pooled_power_equals_statsmodels_power_proportions_2indep(ratio, alternative):
    # statsmodels: sample 1 = treatment (nobs1, prop1 = prop2 + diff), sample 2 = control
    for n_c, (pc, pt) in [(500, (75, 78)), (2000, (16.2, 14.7)), (120, (40, 55))]:
        ours = power("share", control=pc, treatment=pt, n_control=n_c, ratio=ratio,
                     alternative=alternative)  # fmt: skip
        theirs = power_proportions_2indep(
            (pt - pc) / 100, pc / 100, ratio * n_c, ratio=1 / ratio, alternative=alternative,
            return_results=False,
        )  # fmt: skip
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("ratio", [1.0, 0.5, 3.0])
def test_share_arcsine_power_equals_normalindpower_with_cohens_h(ratio):
    h = proportion_effectsize(0.78, 0.75)  # Cohen's h, treatment against control
    for n_c in (300, 3000):
        ours = power("share", control=75, treatment=78, n_control=n_c, ratio=ratio,
                     method="arcsine")  # fmt: skip
        assert ours == pytest.approx(NormalIndPower().power(h, n_c, 0.05, ratio=ratio), rel=1e-12)


@pytest.mark.parametrize("ratio", [1.0, 0.4, 2.0])
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_mean_power_equals_ttestindpower(ratio, alternative):
    # effect size d = (treatment - control) / sd, nobs1 = control, nobs2 = ratio * nobs1
    for n_c, diff in [(15, 0.9), (400, 0.15), (2500, -0.1)]:
        ours = power("mean", control=5.2, treatment=5.2 + diff, sd=1.5, n_control=n_c,
                     ratio=ratio, alternative=alternative)  # fmt: skip
        theirs = TTestIndPower().power(diff / 1.5, n_c, 0.05, ratio=ratio, alternative=alternative)
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_nps_power_equals_normalindpower_when_the_variances_are_equal():
    # the per-answer variance p + d - (p - d)^2 is the same for mirror-image answer mixes
    control, treatment = (45, 25), (25, 45)  # NPS +20 and -20
    var = 0.45 + 0.25 - 0.2**2
    d = (-0.2 - 0.2) / math.sqrt(var)
    for n_c, ratio in [(50, 1.0), (80, 2.0)]:
        ours = power("nps", control=control, treatment=treatment, n_control=n_c, ratio=ratio)
        assert ours == pytest.approx(NormalIndPower().power(d, n_c, 0.05, ratio=ratio), rel=1e-12)


def test_nps_power_matches_the_rejection_rate_of_simulated_wald_tests():
    # 20,000 simulated tests with 600 answers per group (multinomial counts), Wald z test of the
    # difference of two NPS; the planned power is the share of tests that reject
    rng = np.random.default_rng(11)
    n = 600
    planned = power("nps", control=(40, 25), treatment=(47, 22), n_control=n, ratio=1.5)
    counts_c = rng.multinomial(n, [0.40, 0.35, 0.25], size=20_000)  # promoter, passive, detractor
    counts_t = rng.multinomial(int(1.5 * n), [0.47, 0.31, 0.22], size=20_000)

    def nps_and_var(counts, size):
        p, d = counts[:, 0] / size, counts[:, 2] / size
        return p - d, (p + d - (p - d) ** 2) / size

    (a, va), (b, vb) = nps_and_var(counts_c, n), nps_and_var(counts_t, int(1.5 * n))
    rejected = np.mean(np.abs(b - a) / np.sqrt(va + vb) >= 1.959963984540054)
    assert rejected == pytest.approx(planned, abs=0.012)  # Monte Carlo SE 0.0034


def test_compare_uses_the_test_the_nps_plan_assumes():
    # for large groups, compare's adjusted-Wald p-value equals the plain Wald test's
    from scipy.stats import norm

    from cxlib.survey import compare

    rng = np.random.default_rng(2)
    a = rng.choice([3, 8, 10], p=[0.25, 0.35, 0.40], size=4000)
    b = rng.choice([3, 8, 10], p=[0.22, 0.31, 0.47], size=4000)
    result = compare(a, b, metric="nps")
    pa, da, pb, db = (a >= 9).mean(), (a <= 6).mean(), (b >= 9).mean(), (b <= 6).mean()
    se = np.sqrt((pa + da - (pa - da) ** 2) / 4000 + (pb + db - (pb - db) ** 2) / 4000)
    wald_p = 2 * norm.sf(abs((pb - db) - (pa - da)) / se)
    assert result.p_value == pytest.approx(wald_p, rel=0.05)


def test_power_takes_an_array_of_sizes_and_rises_with_n():
    curve = power("share", control=75, treatment=78, n_control=np.array([100, 1000, 10_000]))
    assert curve.shape == (3,) and np.all(np.diff(curve) > 0)
    assert curve[0] == pytest.approx(power("share", control=75, treatment=78, n_control=100))


def test_no_difference_gives_power_alpha():
    assert power("share", control=60, treatment=60, n_control=800) == pytest.approx(0.05)
    assert power("mean", control=1, treatment=1, sd=2, n_control=50) == pytest.approx(0.05)


@pytest.mark.parametrize("ratio", [1.0, 2.0, 0.5])
def test_sample_size_rounds_up_statsmodels_solve_power(ratio):
    h = proportion_effectsize(0.78, 0.75)
    n = NormalIndPower().solve_power(h, None, 0.05, 0.8, ratio=ratio)
    plan = sample_size("share", control=75, treatment=78, ratio=ratio, method="arcsine")
    assert plan.n_control == math.ceil(n) and plan.n_treatment == math.ceil(ratio * n)
    n_t = TTestIndPower().solve_power(0.1 / 1.5, None, 0.05, 0.9, ratio=ratio)
    plan_t = sample_size("mean", control=5.2, treatment=5.3, sd=1.5, power=0.9, ratio=ratio)
    assert plan_t.n_control == math.ceil(n_t)


def test_sample_size_is_the_smallest_whole_number_reaching_the_power():
    plan = sample_size("share", control=16, treatment=14.5)
    assert plan.power >= 0.8 and plan.n_total == plan.n_control + plan.n_treatment
    below = power("share", control=16, treatment=14.5, n_control=plan.n_control - 1)
    assert below < 0.8
    # the classic formula of the pooled test (Fleiss, Levin & Paik 2003, eq. 4.14), equal groups
    from scipy.stats import norm

    p1, p2 = 0.16, 0.145
    pbar = (p1 + p2) / 2
    za, zb = norm.isf(0.025), norm.isf(0.2)
    fleiss = (
        za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2 / (p1 - p2) ** 2  # noqa: E501
    assert abs(plan.n_control - fleiss) < 2  # the far tail adds almost nothing


def test_unequal_allocation_needs_more_customers_in_total():
    equal = sample_size("share", control=75, treatment=78)
    third = sample_size("share", control=75, treatment=78, ratio=0.5)
    assert third.n_total > equal.n_total
    # with ratio 1/2 the variance factor 1/n_c + 1/n_t is 3 / n_c instead of 2 / n: n_c grows
    # by half, the total by an eighth (up to the pooled variance)
    assert third.n_control == pytest.approx(1.5 * equal.n_control, rel=0.01)
    assert third.n_total == pytest.approx(1.125 * equal.n_total, rel=0.01)


def test_one_sided_plans_need_fewer_answers_and_refuse_the_wrong_direction():
    two = sample_size("nps", control=(40, 25), treatment=(45, 22))
    one = sample_size("nps", control=(40, 25), treatment=(45, 22), alternative="larger")
    assert one.n_control < two.n_control
    with pytest.raises(CXDataError, match="other direction"):
        sample_size("nps", control=(40, 25), treatment=(45, 22), alternative="smaller")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(metric="csat", control=1, treatment=2, n_control=10), "'metric' parameter"),
        (dict(metric="share", control=120, treatment=2, n_control=10), "control"),
        (dict(metric="share", control=50, treatment=60, n_control=0), "n_control"),
        (dict(metric="share", control=50, treatment=60, n_control=10, ratio=-1), "ratio"),
        (dict(metric="share", control=50, treatment=60, n_control=10, alpha=1.5), "alpha"),
        (dict(metric="mean", control=5, treatment=6, n_control=10), "needs sd"),
        (dict(metric="nps", control=(80, 30), treatment=(40, 20), n_control=10), "summing"),
        (dict(metric="share", control=50, treatment=60, n_control=10, method="wald"), "method"),
    ],
)
def test_bad_input_raises_cxdataerror(kwargs, match):
    metric = kwargs.pop("metric")
    with pytest.raises(CXDataError, match=match):
        power(metric, **kwargs)


def test_sample_size_refuses_no_difference_and_bad_power():
    with pytest.raises(CXDataError, match="no difference"):
        sample_size("share", control=50, treatment=50)
    with pytest.raises(CXDataError, match="power"):
        sample_size("share", control=50, treatment=55, power=0.01)
