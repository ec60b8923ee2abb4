"""Who is likely to leave? A churn model for a report: diagnostics, odds ratios, held-out AUC.

The churn-prediction template is a short sequence of these calls on the design matrix of
:func:`cxlib.churn.features.churn_features`:

- :func:`logistic_odds_ratios` fits a logistic regression (numeric columns per standard
  deviation), states whether it converged and whether a coefficient ran off to a bound
  (separation), and returns the odds ratios with intervals as a suppressed table;
- :func:`compare_models` splits customers into training and held-out sets, fits the logistic
  regression and gradient boosting, and compares their held-out ROC AUC with DeLong intervals
  (paired, for the difference); it also scores every customer by cross-validation for the export;
- :func:`delong_auc` is the DeLong et al. (1988) variance of one or more AUCs on the same
  customers, in the fast form of Sun & Xu (2014).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from cxlib.churn.features import FeatureDescription, feature_label
from cxlib.estimate import Estimate, z_value
from cxlib.privacy import suppress_small_cells
from cxlib.validate import CXDataError

__all__ = [
    "LogitResult",
    "ModelComparison",
    "clear_effects",
    "describe_effect",
    "effect_title",
    "compare_models",
    "delong_auc",
    "effect_word",
    "logistic_odds_ratios",
    "plot_ratios",
    "score_bins",
]


def effect_word(ci_low: float, ci_high: float) -> str:
    """``"raises risk"`` / ``"protects"`` when the ratio's interval excludes 1, else ``"no clear
    effect"`` (also for a blanked, NaN interval).

    >>> effect_word(1.2, 1.9), effect_word(0.4, 0.8), effect_word(0.8, 1.3)
    ('raises risk', 'protects', 'no clear effect')
    """
    if np.isfinite(ci_low) and ci_low > 1:
        return "raises risk"
    if np.isfinite(ci_high) and ci_high < 1:
        return "protects"
    return "no clear effect"


# ----------------------------------------------------------------------------- DeLong AUC
def delong_auc(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """ROC AUCs of one or more scores on the same customers, with their DeLong covariance.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        1 where the customer churned; needs both classes.
    scores : array-like, shape (n,) or (k, n)
        One score (higher = riskier) or k scores of the same n customers.

    Returns
    -------
    auc : ndarray, shape (k,)
        The AUCs (ties count one half).
    cov : ndarray, shape (k, k)
        Their covariance (DeLong, DeLong & Clarke-Pearson 1988, *Biometrics* 44:837; computed
        with midranks as in Sun & Xu 2014, *IEEE Signal Processing Letters* 21:1389).

    Examples
    --------
    >>> auc, cov = delong_auc([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1])
    >>> float(auc[0]), round(float(cov[0, 0]), 4)  # 3 of 4 pairs in order; var(V10)/2 + var(V01)/2
    (0.75, 0.125)
    """
    y = np.asarray(y_true).astype(bool)
    s = np.atleast_2d(np.asarray(scores, dtype="float64"))
    if s.shape[1] != len(y):
        raise CXDataError(f"scores have {s.shape[1]} customers, y_true {len(y)}.")
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        raise CXDataError("y_true needs churners and non-churners for an AUC.")
    pos, neg = s[:, y], s[:, ~y]
    tx = rankdata(pos, axis=1)
    ty = rankdata(neg, axis=1)
    tz = rankdata(np.concatenate([pos, neg], axis=1), axis=1)
    auc = (tz[:, :m].sum(axis=1) / m - (m + 1) / 2) / n
    v10 = (tz[:, :m] - tx) / n
    v01 = 1 - (tz[:, m:] - ty) / m
    cov = np.atleast_2d(np.cov(v10)) / m + np.atleast_2d(np.cov(v01)) / n
    return auc, cov


def _auc_estimate(auc: float, var: float, n: int, level: float) -> Estimate:
    z = z_value(level)
    half = z * float(np.sqrt(max(var, 0.0)))
    return Estimate(
        estimate=float(auc),
        ci_low=max(0.0, float(auc) - half),
        ci_high=min(1.0, float(auc) + half),
        n=int(n),
        n_eff=float(n),
        level=level,
        method="delong",
        unit="rate",
    )


# ----------------------------------------------------------------------------- logistic model
@dataclass(frozen=True)
class LogitResult:
    """A logistic regression of churn for a report, with its diagnostics.

    Attributes
    ----------
    fitted : bool
        False when the fit failed (singular design, no convergence at all); then ``table`` is
        empty and ``message`` says why.
    converged : bool
        The Newton iterations met the tolerance.
    at_bound : tuple of str
        Terms whose coefficient ran off towards +-infinity (|log odds ratio| > 10 or a
        standard error over 100): quasi-complete separation; their ratios are not estimable.
    events_per_parameter : float
        Churners (or stayers, whichever fewer) per coefficient; under 10 the intervals are wide
        and the estimates biased away from 1 (Peduzzi et al. 1996, *J Clin Epidemiol* 49:1373).
    table : DataFrame
        One row per term: ``term``, ``label``, ``per`` (what one unit of the ratio is: a yes, a
        level against the reference, or one standard deviation), ``n`` (customers the term
        describes), ``odds_ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``effect``
        (:func:`effect_word`), ``suppressed``; rows for fewer than ``min_cell`` blanked.
    pseudo_r2 : float
        McFadden's pseudo R^2.
    message : str
        One sentence on the fit for the report.
    """

    fitted: bool
    converged: bool
    at_bound: tuple[str, ...]
    events_per_parameter: float
    table: pd.DataFrame
    pseudo_r2: float
    message: str


def _term_label(term: str, description: FeatureDescription) -> str:
    """A design column as words; the tenure column is "tenure" whatever its name's unit."""
    return "tenure" if term == description.tenure else feature_label(term)


def _per_text(term: str, description: FeatureDescription, sd: float, unit: str) -> str:
    column = description.column_of(term)
    if term in description.binary:
        return "yes against no"
    if column in description.categorical and term != column:
        return f"against {description.categorical[column][0]}"
    extra = f" {unit}" if unit else ""
    return f"per {float(f'{sd:.3g}'):,g}{extra}, one standard deviation"


def logistic_odds_ratios(
    X: pd.DataFrame,
    y: Any,
    description: FeatureDescription,
    *,
    level: float = 0.95,
    min_cell: int = 10,
    tenure_unit: str = "months",
    currency: str = "",
) -> LogitResult:
    """Fit churn ~ X by logistic regression; odds ratios with intervals, suppressed by group size.

    Numeric columns are standardised, so their odds ratio is per standard deviation (stated in
    ``per``); yes/no and level columns are 0/1, their ratio is against no / the reference level.
    The fit is Newton's method (statsmodels ``Logit``); convergence and separation are checked
    before any ratio is reported (``message``).

    Parameters
    ----------
    X, description : from :func:`cxlib.churn.features.churn_features`.
    y : array-like of 0/1 or bool, aligned with ``X``.
    level : float, default 0.95
        Confidence level of the Wald intervals (on the log-odds scale).
    min_cell : int, default 10
        Rows describing fewer customers are blanked (:func:`cxlib.privacy.suppress_small_cells`).
    tenure_unit : str, default "months"
        The tenure column's unit, for its ``per`` text.
    currency : str, optional
        Currency of the money columns (``monthly_charges``), for their ``per`` text.
    """
    import statsmodels.api as sm

    target = np.asarray(y).astype(float)
    events = min(target.sum(), len(target) - target.sum())
    sd = X.std(ddof=0).replace(0, 1.0)
    scale = pd.Series(1.0, index=X.columns)
    numeric = [c for c in description.numeric if c in X.columns]
    scale[numeric] = sd[numeric]
    design = sm.add_constant((X / scale).astype(float), has_constant="add")
    epv = float(events) / max(X.shape[1], 1)
    empty = pd.DataFrame(
        columns=["term", "label", "per", "n", "odds_ratio", "ci_low", "ci_high", "p_value"]
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.Logit(target, design).fit(method="newton", maxiter=100, disp=0)
    except Exception as err:  # noqa: BLE001 - singular design, perfect separation: say so
        message = (
            "The logistic regression could not be fitted on these columns "
            f"({type(err).__name__}), so no odds ratios are shown."
        )
        return LogitResult(False, False, (), epv, empty, float("nan"), message)
    converged = bool(res.mle_retvals.get("converged", False))
    params, bse = res.params.drop("const"), res.bse.drop("const")
    at_bound = tuple(str(t) for t in params.index if abs(params[t]) > 10 or not bse[t] < 100)
    z = z_value(level)
    units = {
        c: tenure_unit if c.startswith("tenure") else currency if c == "monthly_charges" else ""
        for c in X.columns
    }
    table = pd.DataFrame(
        {
            "term": params.index,
            "label": [_term_label(t, description) for t in params.index],
            "per": [_per_text(t, description, sd[t], units[t]) for t in params.index],
            "n": [int(description.counts.get(t, len(X))) for t in params.index],
            "odds_ratio": np.exp(params.to_numpy()),
            "ci_low": np.exp(params.to_numpy() - z * bse.to_numpy()),
            "ci_high": np.exp(params.to_numpy() + z * bse.to_numpy()),
            "p_value": res.pvalues.drop("const").to_numpy(),
        }
    )
    table = table[~table["term"].isin(at_bound)].reset_index(drop=True)
    table = suppress_small_cells(table, count="n", min_cell=min_cell)
    table["effect"] = [
        effect_word(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
    ]
    if not converged:
        message = "The logistic regression did not converge, so its odds ratios are not shown."
        return LogitResult(False, False, at_bound, epv, empty, float("nan"), message)
    parts = [f"The logistic regression converged ({len(X):,} customers, {X.shape[1]} terms)."]
    if at_bound:
        names = ", ".join(feature_label(t) for t in at_bound)
        parts.append(
            f"For {names} the estimate runs off to the bound (the column separates churners "
            "almost perfectly), so no ratio is shown for it."
        )
    else:
        parts.append("No coefficient sits at a bound.")
    if epv < 10:
        parts.append(
            f"With {epv:.1f} churn events per term (fewer than 10), the intervals are wide and "
            "the ratios may be exaggerated."
        )
    return LogitResult(True, True, at_bound, epv, table, float(res.prsquared), " ".join(parts))


# ----------------------------------------------------------------------------- model comparison
@dataclass(frozen=True)
class ModelComparison:
    """Held-out comparison of the logistic regression and gradient boosting.

    Attributes
    ----------
    auc : dict
        Model name -> held-out ROC AUC as an :class:`Estimate` (unit "rate", DeLong interval).
    difference : Estimate
        AUC of gradient boosting minus the logistic regression (paired DeLong interval).
    test_y, test_scores : held-out outcomes and each model's held-out churn probabilities.
    cv_score : Series
        Cross-validated logistic churn probability for every customer (index of ``X``): each
        customer scored by a model that did not see them.
    n_train, n_test : int
    """

    auc: dict[str, Estimate]
    difference: Estimate
    test_y: np.ndarray
    test_scores: dict[str, np.ndarray]
    cv_score: pd.Series
    n_train: int
    n_test: int

    def better(self) -> str:
        """A sentence comparing the two models by held-out AUC, from the interval."""
        d = self.difference
        lr, gb = self.auc["logistic regression"], self.auc["gradient boosting"]
        if d.ci_low > 0:
            verdict = "Gradient boosting ranks churners better than the logistic regression"
        elif d.ci_high < 0:
            verdict = "The logistic regression ranks churners better than gradient boosting"
        else:
            verdict = "There is no clear difference between the two models"
        return (
            f"{verdict}: held-out AUC {gb.estimate:.2f} against {lr.estimate:.2f} "
            f"(difference {d.estimate:+.2f}, {d.level:.0%} CI {d.ci_low:+.2f} to "
            f"{d.ci_high:+.2f})."
        )


def _logistic_pipeline() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def compare_models(
    X: pd.DataFrame,
    y: Any,
    *,
    test_size: float = 0.25,
    seed: int = 0,
    level: float = 0.95,
    min_cell: int = 10,
    cv_splits: int = 5,
) -> ModelComparison:
    """Held-out AUC of logistic regression and gradient boosting, and cross-validated scores.

    Customers are split once (stratified by churn, ``seed``) into training and held-out sets;
    both models are fitted on the training set and scored on the held-out set. Gradient boosting
    is scikit-learn's ``HistGradientBoostingClassifier`` with leaves of at least
    ``max(min_cell, 20)`` customers. ``cv_score`` scores every customer by ``cv_splits``-fold
    cross-validation of the logistic regression (stratified, ``seed``).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

    target = np.asarray(y).astype(int)
    values = X.to_numpy(dtype="float64")
    idx_train, idx_test = train_test_split(
        np.arange(len(target)), test_size=test_size, stratify=target, random_state=seed
    )
    models = {
        "logistic regression": _logistic_pipeline(),
        "gradient boosting": HistGradientBoostingClassifier(
            max_iter=100,
            learning_rate=0.1,
            max_leaf_nodes=8,
            min_samples_leaf=max(min_cell, 20),
            random_state=seed,
        ),
    }
    scores = {}
    for name, model in models.items():
        model.fit(values[idx_train], target[idx_train])
        scores[name] = model.predict_proba(values[idx_test])[:, 1]
    y_test = target[idx_test]
    auc, cov = delong_auc(y_test, np.vstack(list(scores.values())))
    n_test = len(idx_test)
    estimates = {
        name: _auc_estimate(auc[k], cov[k, k], n_test, level) for k, name in enumerate(scores)
    }
    diff_var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    z = z_value(level)
    diff = float(auc[1] - auc[0])
    half = z * float(np.sqrt(max(diff_var, 0.0)))
    difference = Estimate(
        estimate=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        n=n_test,
        n_eff=float(n_test),
        level=level,
        method="delong",
        unit="rate",
    )
    splits = int(min(cv_splits, np.bincount(target).min()))
    folds = StratifiedKFold(n_splits=max(splits, 2), shuffle=True, random_state=seed)
    cv = cross_val_predict(_logistic_pipeline(), values, target, cv=folds, method="predict_proba")
    return ModelComparison(
        auc=estimates,
        difference=difference,
        test_y=y_test,
        test_scores=scores,
        cv_score=pd.Series(cv[:, 1], index=X.index, name="churn_score"),
        n_train=len(idx_train),
        n_test=n_test,
    )


def score_bins(n_customers: int, min_cell: int = 10, most: int = 10) -> int:
    """How many score bins (deciles at most) keep every bin at ``min_cell`` customers or more.

    >>> score_bins(7043), score_bins(60), score_bins(15)
    (10, 6, 1)
    """
    return int(max(1, min(most, n_customers // max(min_cell, 1))))


def plot_ratios(
    table: pd.DataFrame,
    *,
    ratio: str = "odds_ratio",
    ax: Any = None,
    xlabel: str = "odds ratio of churning (log scale)",
    title: str | None = None,
) -> Any:
    """Forest plot of ratios with intervals (log scale, line at 1), blanked rows left out.

    ``table`` is the suppressed table of :func:`logistic_odds_ratios` or
    :func:`cxlib.churn.survival_report.cox_hazard_ratios`, or any table with ``label``,
    ``ratio``, ``ci_low`` and ``ci_high`` (a lesson's own model); rows are labelled ``label``
    and, where the table has it and it is not empty, ``per`` in brackets. Rows flagged in a
    ``suppressed`` column are left out. Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, StrMethodFormatter

    if "suppressed" in table:
        shown = table[~table["suppressed"].to_numpy(dtype=bool)].sort_values(ratio)
    else:
        shown = table.sort_values(ratio)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1.2))
    y = np.arange(len(shown))
    ax.errorbar(
        shown[ratio],
        y,
        xerr=[shown[ratio] - shown["ci_low"], shown["ci_high"] - shown[ratio]],
        fmt="o",
        capsize=3,
    )
    ax.axvline(1, color="grey", linestyle="--")
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    candidates = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100])
    ax.set_xticks(candidates[(candidates >= low) & (candidates <= high)])
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    per = shown["per"].fillna("") if "per" in shown else pd.Series("", index=shown.index)
    labels = [f"{lab} ({p})" if p else str(lab) for lab, p in zip(shown["label"], per, strict=True)]
    ax.set_yticks(y, labels)
    ax.set(xlabel=xlabel, ylabel="")
    if title:
        ax.set_title(title)
    return ax


def clear_effects(table: pd.DataFrame, *, ratio: str = "odds_ratio") -> pd.DataFrame:
    """Rows of a ratio table that are shown and whose interval excludes 1, strongest first.

    Strength is how far the interval's end nearest 1 lies from 1 on the log scale, so a
    precisely estimated effect ranks above a larger but vague one, and a ratio of 0.5 and one of
    2 with mirrored intervals are equally strong.

    >>> t = pd.DataFrame({"label": ["a", "b", "c"], "odds_ratio": [1.5, 0.3, 1.1],
    ...                   "ci_low": [1.2, 0.2, 0.9], "ci_high": [1.9, 0.5, 1.4],
    ...                   "suppressed": [False, False, False]})
    >>> clear_effects(t)["label"].tolist()
    ['b', 'a']
    """
    shown = table[~table["suppressed"].astype(bool)]
    keep = shown[(shown["ci_low"] > 1) | (shown["ci_high"] < 1)]
    low = np.log(keep["ci_low"].to_numpy(dtype=float))
    high = np.log(keep["ci_high"].to_numpy(dtype=float))
    strength = np.where(low > 0, low, -high)
    return keep.iloc[np.argsort(-strength, kind="stable")]


def describe_effect(
    row: pd.Series, *, ratio: str = "odds_ratio", name: str = "odds ratio", level: float = 0.95
) -> str:
    """One phrase for a ratio row: label, what one unit is, the ratio and its interval.

    >>> row = pd.Series({"label": "contract = Two year", "per": "against Month-to-month",
    ...                  "odds_ratio": 0.257, "ci_low": 0.183, "ci_high": 0.362})
    >>> describe_effect(row)
    'contract = Two year (against Month-to-month): odds ratio 0.26 (95% CI 0.18 to 0.36)'
    """
    return (
        f"{row['label']} ({row['per']}): {name} {row[ratio]:.2f} "
        f"({level:.0%} CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"
    )


def effect_title(table: pd.DataFrame, *, ratio: str = "odds_ratio", outcome: str = "churn") -> str:
    """A plot title from the strongest clear effect: "... raises risk most" / "... protects
    most", or "No column has a clear effect on ..." when every interval includes 1.
    """
    clear = clear_effects(table, ratio=ratio)
    if clear.empty:
        return f"No column has a clear effect on {outcome}"
    top = clear.iloc[0]
    verb = "raises risk" if top["ci_low"] > 1 else "protects"
    return f"{top['label']} {verb} most ({ratio.replace('_', ' ')} {top[ratio]:.2f})"
