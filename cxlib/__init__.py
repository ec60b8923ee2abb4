"""cxlib: customer experience (CX) analytics with honest uncertainty.

Modules, one concept each: :mod:`cxlib.data` (bundled data sets), :mod:`cxlib.validate`
(input checks and :class:`CXDataError`), and more as the notebooks need them.
"""

from importlib.metadata import PackageNotFoundError, version

from cxlib.validate import CXDataError

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["CXDataError", "__version__"]
