"""Figures shared by the notebooks, in one consistent, colour-blind-safe style.

Every plotting function takes an optional ``ax`` and returns the Axes it drew on; the library
never calls ``plt.show()``. Computation lives in the other modules: pass their tables in.
"""

from __future__ import annotations

import matplotlib as mpl
import seaborn as sns

__all__ = ["PALETTE", "set_style"]

#: seaborn's colour-blind-safe palette, used by every cxlib figure.
PALETTE = "colorblind"


def set_style(*, context: str = "notebook") -> None:
    """Apply the cxlib look: seaborn whitegrid, colour-blind palette, readable sizes."""
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 90,
            "axes.titleweight": "bold",
            "axes.titlesize": "medium",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
