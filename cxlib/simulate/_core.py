"""Private helpers shared by the modules of :mod:`cxlib.simulate`: codes, units, the window.

Touchpoints and journey stages travel through the simulation as integer codes (positions in
:data:`~cxlib.simulate.params.TOUCHPOINTS` and :data:`~cxlib.simulate.params.STAGES`); times as
whole days or minutes from the first day of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# touchpoint codes: positions in TOUCHPOINTS
WEB, APP, HOT, FIL, LIE, RE = range(6)
# stage codes: positions in STAGES
S_INFO, S_KAUF, S_LIEF, S_SERV, S_RECH = range(5)
DAYS_PER_YEAR = 365.25
MINUTES_PER_DAY = 1440


def vec(mapping: dict[str, float], names: list[str]) -> np.ndarray:
    """The values of ``mapping`` in the order of ``names``, as a float array."""
    return np.array([mapping[k] for k in names], dtype=float)


def categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """A categorical from integer ``codes`` into ``categories``."""
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=categories)


def choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1): the index of the chosen column."""
    n_rows: int = probs.shape[0]
    u = rng.random(n_rows)
    return (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


@dataclass(frozen=True)
class Window:
    """The simulated window: its months in days from the first day, and time converters.

    ``month_starts`` holds ``months + 2`` dates: the start of a burn-in month before the window,
    of each month of the window, and the end of the window (exclusive); ``bounds`` the same in
    whole days from ``start`` (``bounds[0] < 0``, ``bounds[1] == 0``).
    """

    start: pd.Timestamp
    month_starts: pd.DatetimeIndex
    bounds: np.ndarray

    @classmethod
    def of(cls, start: pd.Timestamp, months: int) -> Window:
        """The window of ``months`` months from ``start`` (calendar months from a first day)."""
        month_starts = pd.date_range(
            start - pd.DateOffset(months=1), periods=months + 2, freq=pd.DateOffset(months=1)
        )
        bounds = ((month_starts - start) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
        return cls(start=start, month_starts=month_starts, bounds=bounds)

    @property
    def months(self) -> int:
        """Number of months in the window (without the burn-in month)."""
        return self.bounds.size - 2

    @property
    def end_day(self) -> int:
        """First day after the window, in days from ``start``."""
        return int(self.bounds[-1])

    def to_time(self, minutes: np.ndarray) -> np.ndarray:
        """Minutes from ``start`` as datetime64[us] timestamps."""
        start64 = np.datetime64(self.start.to_datetime64(), "m")
        return (start64 + minutes.astype("timedelta64[m]")).astype("datetime64[us]")

    def to_date(self, days: np.ndarray) -> np.ndarray:
        """Days from ``start`` as datetime64[us] dates (midnight)."""
        start_day = np.datetime64(self.start.to_datetime64(), "m").astype("datetime64[D]")
        return (start_day + days.astype("timedelta64[D]")).astype("datetime64[us]")
