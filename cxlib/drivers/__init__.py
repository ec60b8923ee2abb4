"""Key driver analysis: how much of an outcome's explained variance each driver carries.

Which touchpoint moves overall satisfaction (Gesamtzufriedenheit) most? Correlated drivers make
regression coefficients a poor answer; decompositions of the model's R^2 answer better, with
bootstrap intervals on importance, share and rank. Everything is imported from here::

    from cxlib.drivers import shapley_importance, relative_weights, correlation

The modules, one concept each:

=============================  ===================================================================
module                         holds
=============================  ===================================================================
:mod:`.importance`             :func:`shapley_importance` (Shapley value of R^2, LMG) and
                               :func:`relative_weights` (Johnson 2000), from the correlation
                               matrix; the pipeline shared with the logistic variant
:mod:`.logistic`               :func:`logistic_shapley_importance`: Shapley value of McFadden's
                               pseudo-R^2 for a 0/1 outcome, every subset model refitted
:mod:`.result`                 :class:`DriverImportance`, the result of all three (a table with
                               the columns :data:`DRIVER_COLUMNS`, R^2, n, method, bootstrap)
:mod:`.correlation`            :func:`correlation`: Pearson or Spearman, optionally partial, with
                               a bootstrap interval, as an :class:`~cxlib.estimate.Estimate`
``._data`` (private)           input checks and batched weighted correlation matrices
``._resample`` (private)       the row bootstrap, vectorised over blocks of resamples
=============================  ===================================================================
"""

from cxlib.drivers.correlation import correlation
from cxlib.drivers.importance import MAX_SHAPLEY_PREDICTORS, relative_weights, shapley_importance
from cxlib.drivers.logistic import MAX_LOGISTIC_PREDICTORS, logistic_shapley_importance
from cxlib.drivers.result import DRIVER_COLUMNS, DriverImportance

__all__ = [
    "DRIVER_COLUMNS",
    "MAX_SHAPLEY_PREDICTORS",
    "MAX_LOGISTIC_PREDICTORS",
    "DriverImportance",
    "correlation",
    "logistic_shapley_importance",
    "relative_weights",
    "shapley_importance",
]
