r"""Who responds to the change? Uplift (heterogeneous treatment effect) models from a test.

A randomised test gives the average effect; the **uplift** of a customer with features
:math:`x` is the effect expected for customers like them,
:math:`\tau(x) = E[Y \mid x, \text{treated}] - E[Y \mid x, \text{control}]`. Two meta-learners
turn any scikit-learn model into an uplift model (Künzel, Sekhon, Bickel & Yu 2019):

:class:`TLearner` (two models)
    :math:`\mu_0` fitted on the control group and :math:`\mu_1` on the treatment group;
    :math:`\hat\tau(x) = \hat\mu_1(x) - \hat\mu_0(x)`. Simple; the difference of two noisy
    models is noisier still, and each model's regularisation acts on the outcome, not the
    effect.
:class:`XLearner`
    After the two models, each customer gets an imputed effect: treated
    :math:`D^1_i = Y_i - \hat\mu_0(x_i)`, control :math:`D^0_i = \hat\mu_1(x_i) - Y_i`; a model of
    the effect is fitted in each group, :math:`\hat\tau_1` on :math:`D^1` and :math:`\hat\tau_0` on
    :math:`D^0`, and combined as :math:`\hat\tau(x) = g\,\hat\tau_0(x) + (1 - g)\,\hat\tau_1(x)`
    with :math:`g` the probability of treatment (the treated share in a randomised test). Works
    well when the groups differ in size or the effect is simpler than the outcome.

For a 0/1 outcome with a classifier (anything with ``predict_proba``), :math:`\mu` are predicted
probabilities and the uplift is a difference of probabilities (a rate); otherwise the models'
``predict``, and the uplift is in the outcome's unit. Both learners follow scikit-learn's
habits: settings in the constructor (the estimators are cloned, never changed), ``fit`` returns
the learner and sets attributes ending in ``_``, ``predict`` gives the uplift.

References
----------
Künzel, S. R., Sekhon, J. S., Bickel, P. J. & Yu, B. (2019). Metalearners for estimating
    heterogeneous treatment effects using machine learning. PNAS 116(10), 4156-4165.
Gutierrez, P. & Gérardy, J.-Y. (2017). Causal inference and uplift modelling: a review of the
    literature. Proceedings of Machine Learning Research 67, 1-13.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from cxlib.fitting import NotFittedError
from cxlib.validate import CXDataError, check_choice, check_no_missing

__all__ = ["TLearner", "XLearner"]


def _check_fit_input(X: Any, y: Any, treatment: Any) -> tuple[np.ndarray, np.ndarray]:
    """Outcome as floats and treatment as bool, aligned with ``X`` by position."""
    n = len(X)
    frame = pd.DataFrame({"y": np.asarray(y), "treatment": np.asarray(treatment)})
    if len(frame) != n:
        raise CXDataError(
            f"X, y and treatment must have one row per customer; got {n}, {len(frame)}."
        )
    check_no_missing(frame, "y")
    check_no_missing(frame, "treatment")
    check_choice(frame, "treatment", [0, 1, True, False])
    t = frame["treatment"].to_numpy().astype(bool)
    try:
        yv = frame["y"].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise CXDataError("y must hold numbers (0/1 for a share such as retained).") from None
    for label, mask in (("treatment", t), ("control", ~t)):
        if mask.sum() < 2:
            raise CXDataError(f"The {label} group needs two customers or more; got {mask.sum()}.")
    return yv, t


def _rows(X: Any, mask: np.ndarray) -> Any:
    return X.loc[mask] if isinstance(X, pd.DataFrame) else np.asarray(X)[mask]


def _binary(y: np.ndarray) -> bool:
    return bool(np.isin(y, [0.0, 1.0]).all())


def _expected(model: Any, X: Any, proba: bool) -> np.ndarray:
    """The model's expected outcome: P(y = 1) for a classifier on a 0/1 outcome, else predict."""
    if proba:
        classes = list(model.classes_)
        return np.asarray(model.predict_proba(X)[:, classes.index(1.0)], dtype=float)
    return np.asarray(model.predict(X), dtype=float)


class TLearner:
    """Uplift from two models, one per group (the two-model approach or T-learner).

    Parameters
    ----------
    estimator : scikit-learn estimator
        Model of the outcome given the features, cloned for each group (e.g.
        ``HistGradientBoostingClassifier(...)`` for a 0/1 outcome).
    treated_estimator : scikit-learn estimator, optional
        A different model for the treatment group; default a clone of ``estimator``.

    Attributes
    ----------
    control_model_, treated_model_ : estimator
        The fitted models.
    proba_ : bool
        Whether uplifts are differences of probabilities (a classifier on a 0/1 outcome).
    n_obs_, n_treated_ : int
        Customers fitted on, and how many of them in the treatment group.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> x = np.linspace(0, 1, 200)[:, None]
    >>> t = np.arange(200) % 2 == 0
    >>> y = 1 + x[:, 0] + t * (2 * x[:, 0])  # uplift 2 x
    >>> TLearner(LinearRegression()).fit(x, y, t).predict([[0.0], [0.5]]).round(6).tolist()
    [0.0, 1.0]
    """

    def __init__(self, estimator: Any, *, treated_estimator: Any = None) -> None:
        self.estimator = estimator
        self.treated_estimator = treated_estimator

    def __repr__(self) -> str:
        return f"TLearner(estimator={self.estimator!r})"

    def fit(self, X: Any, y: Any, treatment: Any) -> Self:
        """Fit one model on the control rows and one on the treatment rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like
            Features known before the assignment, one row per customer.
        y : array-like
            Outcome (0/1 or a number), aligned with ``X`` by position; no missing values.
        treatment : array-like of bool or 0/1
            1 / True for the treatment group.
        """
        from sklearn.base import clone

        yv, t = _check_fit_input(X, y, treatment)
        second = self.estimator if self.treated_estimator is None else self.treated_estimator
        self.proba_ = _binary(yv) and all(
            hasattr(model, "predict_proba") for model in (self.estimator, second)
        )
        target = yv.astype(int) if self.proba_ else yv
        self.control_model_ = clone(self.estimator).fit(_rows(X, ~t), target[~t])
        self.treated_model_ = clone(second).fit(_rows(X, t), target[t])
        self.n_obs_, self.n_treated_ = len(yv), int(t.sum())
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "control_model_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(X, y, treatment) first."
            )

    def predict_outcomes(self, X: Any) -> pd.DataFrame:
        """Expected outcome of each customer without (``control``) and with (``treated``) it."""
        self._check_fitted()
        return pd.DataFrame(
            {
                "control": _expected(self.control_model_, X, self.proba_),
                "treated": _expected(self.treated_model_, X, self.proba_),
            },
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )

    def predict(self, X: Any) -> np.ndarray:
        """The uplift of each customer: expected outcome treated minus control."""
        outcomes = self.predict_outcomes(X)
        return (outcomes["treated"] - outcomes["control"]).to_numpy()


class XLearner(TLearner):
    """Uplift from imputed individual effects (the X-learner of Künzel et al. 2019).

    Parameters
    ----------
    estimator : scikit-learn estimator
        Model of the outcome (first stage), cloned for each group.
    effect_estimator : scikit-learn regressor
        Model of the imputed effects (second stage), cloned for each group.
    propensity : float, optional
        Probability of being treated, in (0, 1); default the treated share of the data fitted
        on (right for a randomised test with a fixed share).

    Attributes
    ----------
    control_model_, treated_model_ : estimator
        First-stage outcome models.
    effect_control_model_, effect_treated_model_ : estimator
        Second-stage effect models fitted on the control and the treatment group.
    propensity_ : float
        The weight ``g`` of the control group's effect model.
    proba_, n_obs_, n_treated_
        As in :class:`TLearner`.
    """

    def __init__(self, estimator: Any, effect_estimator: Any, *, propensity: float | None = None):
        super().__init__(estimator)
        self.effect_estimator = effect_estimator
        self.propensity = propensity

    def __repr__(self) -> str:
        return f"XLearner(estimator={self.estimator!r}, effect_estimator={self.effect_estimator!r})"

    def fit(self, X: Any, y: Any, treatment: Any) -> Self:
        """Fit the two outcome models, then the two effect models on the imputed effects."""
        from sklearn.base import clone

        if self.propensity is not None and not 0 < self.propensity < 1:
            raise CXDataError(
                f"propensity must lie strictly between 0 and 1; got {self.propensity!r}."
            )
        super().fit(X, y, treatment)
        yv, t = _check_fit_input(X, y, treatment)
        x_t, x_c = _rows(X, t), _rows(X, ~t)
        imputed_t = yv[t] - _expected(self.control_model_, x_t, self.proba_)
        imputed_c = _expected(self.treated_model_, x_c, self.proba_) - yv[~t]
        self.effect_treated_model_ = clone(self.effect_estimator).fit(x_t, imputed_t)
        self.effect_control_model_ = clone(self.effect_estimator).fit(x_c, imputed_c)
        self.propensity_ = float(t.mean()) if self.propensity is None else float(self.propensity)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The uplift of each customer: ``g * tau_0(x) + (1 - g) * tau_1(x)``."""
        self._check_fitted()
        if not hasattr(self, "effect_control_model_"):
            raise NotFittedError(
                "This XLearner is not fitted yet: call fit(X, y, treatment) first."
            )
        tau_c = np.asarray(self.effect_control_model_.predict(X), dtype=float)
        tau_t = np.asarray(self.effect_treated_model_.predict(X), dtype=float)
        g = self.propensity_
        return g * tau_c + (1 - g) * tau_t
