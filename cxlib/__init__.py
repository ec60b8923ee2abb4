"""cxlib: customer experience (CX) analytics with honest uncertainty.

One package per field of CX research (:mod:`cxlib.survey`, :mod:`cxlib.customers`,
:mod:`cxlib.clv`, :mod:`cxlib.churn`, :mod:`cxlib.journey`, :mod:`cxlib.drivers`,
:mod:`cxlib.simulate`), on a small base: input checks (:mod:`cxlib.validate`), the result type
of every statistic (:mod:`cxlib.estimate`), intervals (:mod:`cxlib.intervals`), units
(:mod:`cxlib.units`) and model fitting (:mod:`cxlib.fitting`). The README's module table maps
them all.
"""

from importlib.metadata import PackageNotFoundError, version

from cxlib.fitting import ConvergenceWarning, NotFittedError
from cxlib.validate import CXDataError

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["CXDataError", "ConvergenceWarning", "NotFittedError", "__version__"]
