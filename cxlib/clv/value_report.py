"""What the customer-value report template needs: checked forecasts, suppressed tables, prose.

The template ``04_customer_value`` (``cxlib/templates/``) runs on anyone's transactions. Its
numbers come from here, each step stating what it can be trusted for:

- :func:`forecast_value`: expected purchases over a horizon from a fitted BG/NBD or Pareto/NBD,
  P(alive) only where dropout is identified (:func:`cxlib.clv.diagnostics.diagnose`), spend per
  purchase from the Gamma-Gamma model where it is identified, else the observed mean spend per
  purchase; discounted and multiplied by the margin;
- :func:`holdout_check`: predicted against actual purchases in the check period, by calibration
  frequency, small groups blanked (:func:`cxlib.privacy.suppress_small_cells`);
- :func:`value_deciles` and :func:`alive_bands`: one row per group, suppressed;
- :func:`value_findings`: the executive summary, headline first.

Customer value (CLV over a horizon H, in the data's currency) is
``margin x expected spend per purchase x sum_k E[purchases in period k] / (1 + d)^k`` over the
weeks k of the horizon, d the weekly rate equivalent to the annual discount rate (Fader, Hardie &
Lee 2005b; :meth:`cxlib.clv.TransactionModel.discounted_expected_purchases`).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research 42(4), 415-430.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlib.clv._core import TransactionModel
from cxlib.clv.bgnbd import BGNBD
from cxlib.clv.checks import holdout_evaluation
from cxlib.clv.diagnostics import FitDiagnostics, fit_and_diagnose
from cxlib.clv.gammagamma import GammaGamma
from cxlib.clv.nbd import NBD
from cxlib.clv.value import period_discount_rate
from cxlib.customers.segments_report import Periods
from cxlib.customers.summary import customer_summary
from cxlib.privacy import suppress_small_cells
from cxlib.prose import format_date, format_money
from cxlib.units import DAYS_PER_UNIT
from cxlib.validate import CXDataError, check_columns

__all__ = [
    "HoldoutCheck",
    "PurchaseFit",
    "ValueForecast",
    "alive_bands",
    "check_on_holdout",
    "fit_purchase_model",
    "fit_spend_model",
    "forecast_value",
    "holdout_check",
    "holdout_reading",
    "plot_alive_bands",
    "plot_holdout_check",
    "plot_value_deciles",
    "months_to_weeks",
    "spend_sentence",
    "value_deciles",
    "value_findings",
    "value_meaning",
]

#: Days in a month on average (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12


def months_to_weeks(months: float) -> float:
    """Weeks in ``months`` average months (30.44 days each).

    >>> round(months_to_weeks(12), 3)
    52.179
    """
    if not np.isfinite(months) or months <= 0:
        raise CXDataError(f"horizon_months must be a positive number; got {months!r}.")
    return float(months) * DAYS_PER_MONTH / DAYS_PER_UNIT["weeks"]


@dataclass(frozen=True)
class PurchaseFit:
    """The purchase model a report forecasts with, and what its diagnostics allow.

    Attributes
    ----------
    model : BGNBD or NBD
        The BG/NBD where its dropout is identified; otherwise the NBD (purchase rates without
        dropout, the limit the BG/NBD runs off to), so that no number comes from a ridge.
    dropout : FitDiagnostics
        Of the BG/NBD fit: whether dropout (P(alive)) is identified.
    rates : FitDiagnostics
        Of ``model``: whether purchase rates are identified (then forecasts can be shown).
    sentence : str
        The diagnostics in words: the BG/NBD's sentence, and the NBD's where it stands in.
    """

    model: TransactionModel
    dropout: FitDiagnostics
    rates: FitDiagnostics
    sentence: str

    @property
    def dropout_identified(self) -> bool:
        """P(alive) and dropout-based results can be shown."""
        return bool(self.dropout.dropout_identified)

    @property
    def usable(self) -> bool:
        """Purchase rates are identified: forecasts over a horizon can be shown."""
        return self.rates.rates_identified


def fit_purchase_model(summary: pd.DataFrame) -> PurchaseFit:
    """Fit the BG/NBD, diagnose it, and fall back to the NBD where dropout is not identified.

    Parameters
    ----------
    summary : DataFrame
        From :func:`cxlib.customers.customer_summary` (its time unit recorded), with at least one
        repeat purchase.

    Examples
    --------
    >>> from cxlib.clv import simulate_bgnbd
    >>> sim = simulate_bgnbd(500, {"r": 0.5, "alpha": 5.0, "a": 0.1, "b": 1e4}, T=52, seed=1)
    >>> sim.attrs["time_unit"] = "weeks"
    >>> fit = fit_purchase_model(sim)
    >>> type(fit.model).__name__, fit.dropout_identified, fit.usable
    ('NBD', False, True)
    """
    bgnbd, dropout = fit_and_diagnose(BGNBD(), summary)
    if dropout.dropout_identified:
        return PurchaseFit(bgnbd, dropout, dropout, dropout.sentence)
    nbd, rates = fit_and_diagnose(NBD(), summary)
    return PurchaseFit(nbd, dropout, rates, f"{dropout.sentence} {rates.sentence}")


@dataclass(frozen=True)
class ValueForecast:
    """Per-customer forecasts over a horizon and the settings that define them.

    Attributes
    ----------
    values : DataFrame
        One row per customer (the summary's index): ``expected_purchases`` (undiscounted, within
        the horizon), ``p_alive`` (NaN when dropout is not identified), ``expected_spend`` (per
        purchase, currency), ``clv`` (margin x spend x discounted purchases, currency).
    horizon_months, horizon_weeks : float
    annual_discount_rate, weekly_discount_rate : float
    margin : float
        Share of revenue that is margin, in (0, 1].
    spend_from_model : bool
        True: spend per purchase from the Gamma-Gamma model; False: the observed mean spend per
        purchase of all customers (``mean_spend``) for everyone.
    mean_spend : float
        Mean expected spend per purchase over customers (currency).
    dropout_identified : bool
    """

    values: pd.DataFrame
    horizon_months: float
    horizon_weeks: float
    annual_discount_rate: float
    weekly_discount_rate: float
    margin: float
    spend_from_model: bool
    mean_spend: float
    dropout_identified: bool


def forecast_value(
    fit: PurchaseFit,
    summary: pd.DataFrame,
    *,
    spend_model: GammaGamma | None,
    spend_diagnostics: FitDiagnostics | None,
    horizon_months: float,
    discount_rate: float,
    margin: float,
) -> ValueForecast:
    """Expected purchases, P(alive) (where identified), spend and value over a horizon.

    Parameters
    ----------
    fit : PurchaseFit
        From :func:`fit_purchase_model` on ``summary`` (in weeks); its purchase rates must be
        identified (else there is nothing to forecast). P(alive) only where dropout is.
    summary : DataFrame
        ``frequency``, ``recency``, ``T``, ``monetary_value``, ``total_spend``, ``n_occasions``.
    spend_model, spend_diagnostics : GammaGamma and its FitDiagnostics, or None
        Used when identified; otherwise every customer gets the observed mean spend per purchase
        (total spend / purchase occasions, all customers).
    horizon_months : float
        Horizon in months (converted to weeks with :func:`months_to_weeks`).
    discount_rate : float
        Annual discount rate (0.10 = 10 % a year), converted to a weekly rate.
    margin : float
        Share of revenue that is margin, in (0, 1]; 1 makes the value a revenue.

    Returns
    -------
    ValueForecast
    """
    if not fit.usable:
        raise CXDataError(
            "The purchase rates cannot be estimated from these data, so no forecast is made."
        )
    model = fit.model
    if not 0 < margin <= 1:
        raise CXDataError(f"margin must lie in (0, 1]; got {margin!r}.")
    check_columns(
        summary,
        ["frequency", "recency", "T", "monetary_value", "total_spend", "n_occasions"],
        name="summary",
    )
    weeks = months_to_weeks(horizon_months)
    weekly = period_discount_rate(discount_rate, time_unit="weeks")
    x, tx, big_t = (summary[c] for c in ("frequency", "recency", "T"))
    expected = np.asarray(model.conditional_expected_purchases(weeks, x, tx, big_t))
    discounted = np.asarray(
        model.discounted_expected_purchases(x, tx, big_t, discount_rate=weekly, horizon=weeks)
    )
    alive = (
        np.asarray(model.probability_alive(x, tx, big_t))
        if fit.dropout_identified
        else np.full(len(summary), np.nan)
    )
    used = spend_model if spend_diagnostics is not None and spend_diagnostics.identified else None
    from_model = used is not None
    if used is not None:
        spend = np.asarray(
            used.conditional_expected_spend(
                summary["frequency"].to_numpy(dtype=float),
                summary["monetary_value"].to_numpy(dtype=float),
            )
        )
    else:
        occasions = float(summary["n_occasions"].sum())
        observed = float(summary["total_spend"].sum()) / occasions if occasions else 0.0
        spend = np.full(len(summary), observed)
    values = pd.DataFrame(
        {
            "expected_purchases": expected,
            "p_alive": alive,
            "expected_spend": spend,
            "clv": margin * spend * discounted,
        },
        index=summary.index,
    )
    return ValueForecast(
        values=values,
        horizon_months=float(horizon_months),
        horizon_weeks=weeks,
        annual_discount_rate=float(discount_rate),
        weekly_discount_rate=weekly,
        margin=float(margin),
        spend_from_model=from_model,
        mean_spend=float(np.mean(spend)) if len(spend) else float("nan"),
        dropout_identified=fit.dropout_identified,
    )


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted against actual purchases in the check period.

    Attributes
    ----------
    by_frequency : DataFrame
        ``group`` (repeat purchases in the calibration period, last group "k+"), ``n``,
        ``actual`` and ``predicted`` (mean purchases per customer in the check period),
        ``suppressed``; groups of fewer than ``min_cell`` customers blanked.
    total_actual, total_predicted : float
        All customers' purchases in the check period (a total, never a group).
    error_pct : float
        (predicted - actual) / actual, percent points (NaN when nobody bought).
    weeks : float
        Length of the check period.
    """

    by_frequency: pd.DataFrame
    total_actual: float
    total_predicted: float
    error_pct: float
    weeks: float


def holdout_check(
    model: TransactionModel,
    summary: pd.DataFrame,
    *,
    holdout_weeks: float,
    min_cell: int,
    max_frequency: int = 7,
) -> HoldoutCheck:
    """Check a model fitted on the calibration period against the check period's purchases.

    Parameters
    ----------
    model : BGNBD or ParetoNBD
        Fitted (in weeks) on the calibration columns of ``summary``.
    summary : DataFrame
        From :func:`cxlib.customers.customer_summary` with ``calibration_end`` (weeks).
    holdout_weeks : float
        Length of the check period.
    min_cell : int
        Smallest group shown.
    max_frequency : int, default 7
        Calibration frequencies from this value up form one group.
    """
    evaluation = holdout_evaluation(
        model, summary, holdout_length=holdout_weeks, max_frequency=max_frequency
    )
    table = (
        evaluation.by_frequency.rename(columns={"n_customers": "n"})
        .rename_axis("group")
        .reset_index()
    )
    table["group"] = table["group"].astype(str)
    table = table[table["n"] > 0].reset_index(drop=True)
    actual, predicted = evaluation.total_actual, evaluation.total_predicted
    error = 100 * (predicted - actual) / actual if actual > 0 else float("nan")
    return HoldoutCheck(
        suppress_small_cells(table, count="n", min_cell=min_cell),
        actual,
        predicted,
        error,
        float(holdout_weeks),
    )


#: Names of the value groups by how many there are ("the most valuable tenth").
GROUP_WORDS = {10: "tenth", 9: "ninth", 8: "eighth", 7: "seventh", 6: "sixth", 5: "fifth",
               4: "quarter", 3: "third", 2: "half", 1: "whole"}  # fmt: skip


def value_deciles(values: pd.Series, *, min_cell: int) -> pd.DataFrame:
    """Customers in tenths by value (1 = most valuable): size, mean value, share of all value.

    Customers are sorted by value (ties keep their order; equal values give the same group
    figures whichever tied customer goes where), then cut into groups as equal as possible: ten,
    or as many as hold ``min_cell`` customers each when there are fewer than ``10 * min_cell``
    customers (e.g. fifths of 60 customers with ``min_cell=10``), so that the groups can be shown.

    Returns
    -------
    DataFrame
        ``decile`` (group 1, 2, ..., as text; 1 = most valuable), ``n``, ``mean_value``
        (currency), ``share_pct`` (percent points of the total value), ``suppressed``. The number
        of groups is its length; :data:`GROUP_WORDS` names a group ("tenth", "fifth").

    Examples
    --------
    >>> v = pd.Series(np.arange(1.0, 101.0))
    >>> value_deciles(v, min_cell=5).head(2)[["decile", "n", "mean_value", "share_pct"]]
      decile   n  mean_value  share_pct
    0      1  10        95.5  18.910891
    1      2  10        85.5  16.930693
    >>> len(value_deciles(v.head(45), min_cell=10))  # 45 customers: quarters of 11 or 12
    4
    """
    ordered = np.sort(values.to_numpy(dtype=float))[::-1]
    n = len(ordered)
    groups = int(min(10, max(1, n // min_cell)))
    decile = np.arange(n) * groups // max(n, 1) + 1
    total = ordered.sum()
    frame = pd.DataFrame({"decile": decile, "value": ordered})
    table = frame.groupby("decile").agg(n=("value", "size"), mean_value=("value", "mean"))
    table["share_pct"] = 100 * frame.groupby("decile")["value"].sum() / total if total else np.nan
    table = table.reset_index()
    table["decile"] = table["decile"].astype(str)
    return suppress_small_cells(table, count="n", min_cell=min_cell)


def alive_bands(p_alive: pd.Series, *, min_cell: int) -> pd.DataFrame:
    """Customers by chance of still being active: four bands of P(alive), small bands blanked.

    Returns
    -------
    DataFrame
        ``band`` ("under 25%", "25-50%", "50-75%", "75% or more"), ``n``, ``customers_pct``,
        ``suppressed``.

    Examples
    --------
    >>> alive_bands(pd.Series([0.1, 0.3, 0.6, 0.9, 0.95]), min_cell=1)[["band", "n"]]
              band  n
    0    under 25%  1
    1       25-50%  1
    2       50-75%  1
    3  75% or more  2
    """
    labels = ["under 25%", "25-50%", "50-75%", "75% or more"]
    bands = pd.cut(p_alive, [-np.inf, 0.25, 0.5, 0.75, np.inf], right=False, labels=labels)
    counts = bands.value_counts(sort=False).reindex(labels)
    table = pd.DataFrame(
        {
            "band": labels,
            "n": counts.to_numpy(dtype=np.int64),
            "customers_pct": 100 * counts.to_numpy(dtype=float) / max(len(p_alive), 1),
        }
    )
    return suppress_small_cells(table, count="n", min_cell=min_cell)


def value_meaning(
    *, horizon_months: float, discount_rate: float, margin: float, currency: str
) -> str:
    """One sentence: what 'customer value' means with this horizon, discount rate and margin.

    >>> value_meaning(horizon_months=12, discount_rate=0.1, margin=0.3, currency="EUR")
    'Customer value here is 30% of expected revenue (the margin) in EUR over the next 12 months, with later purchases discounted at 10% a year.'
    """  # noqa: E501
    what = (
        "expected revenue (margin set to 100%, so revenue rather than profit)"
        if margin == 1
        else f"{margin:.0%} of expected revenue (the margin)"
    )
    return (
        f"Customer value here is {what} in {currency} over the next {horizon_months:g} months, "
        f"with later purchases discounted at {discount_rate:.0%} a year."
    )


def value_findings(
    forecast: ValueForecast | None,
    check: HoldoutCheck | None,
    deciles: pd.DataFrame | None,
    periods: Periods,
    *,
    currency: str,
    spend_sentence: str,
    purchases: PurchaseFit | None = None,
) -> list[str]:
    """The executive summary of the customer-value report: headline first, then findings.

    Totals over all customers only, and figures of groups from the suppressed ``deciles``.
    Without a forecast (purchase rates not identified: ``forecast`` None) the headline says so
    and the diagnostics of ``purchases`` follow.
    """
    if forecast is None or deciles is None:
        lines = [
            "**The purchase rates cannot be estimated from these data, so no forecast of "
            "purchases or value is made.**"
        ]
        if purchases is not None:
            lines.append(purchases.sentence)
        lines.append(
            "The data are too short to keep a later period apart for checking the model."
            if not periods.has_holdout
            else "The model is not checked on a later period either, as it has no forecast."
        )
        return lines
    values = forecast.values
    n = len(values)
    n_purchases = float(values["expected_purchases"].sum())
    total = float(values["clv"].sum())
    months = f"{forecast.horizon_months:g} months"
    lines = []
    if forecast.dropout_identified:
        lines.append(
            f"**The {n:,} customers are expected to make {n_purchases:,.0f} purchases in the next "
            f"{months}, worth {format_money(total, currency)} in total.**"
        )
        alive = float(values["p_alive"].mean())
        lines.append(
            f"On average a customer has {_article(f'{alive:.0%}')} {alive:.0%} chance of still "
            "being active at the end of the data."
        )
    else:
        lines.append(
            "**The data cannot tell when customers stop buying; if they keep buying at their "
            f"current rates, the {n:,} customers would make {n_purchases:,.0f} purchases in the "
            f"next {months}.**"
        )
        lines.append(
            f"At those rates that is {format_money(total, currency)} in total, an upper value: "
            "customers who stop buying would lower it, and the data cannot say how many do."
        )
    if check is not None:
        direction = "over" if check.error_pct > 0 else "under"
        lines.append(
            f"Checked on the {check.weeks:.0f} weeks from "
            f"{format_date(periods.calibration_end + pd.Timedelta(days=1))} to "
            f"{format_date(periods.observation_end)}: the model predicted "
            f"{check.total_predicted:,.0f} purchases, customers made {check.total_actual:,.0f} "
            f"({abs(check.error_pct):.0f}% {direction}-forecast)."
            if np.isfinite(check.error_pct)
            else f"In the {check.weeks:.0f}-week check period nobody bought again."
        )
    else:
        lines.append("The data are too short to keep a later period apart for checking the model.")
    top = deciles[(deciles["decile"] == "1") & ~deciles["suppressed"].to_numpy(dtype=bool)]
    if len(top) and len(deciles) > 1:
        lines.append(
            f"The most valuable {GROUP_WORDS[len(deciles)]} of customers holds "
            f"{float(top['share_pct'].iloc[0]):.0f}% of the expected value."
        )
    lines.append(spend_sentence)
    return lines


def spend_sentence(
    forecast: ValueForecast | None, spend: FitDiagnostics | None, currency: str
) -> str:
    """One sentence on where the spend per purchase comes from, with the amount ("" without a
    forecast)."""
    if forecast is None:
        return ""
    amount = format_money(forecast.mean_spend, currency)
    if forecast.spend_from_model:
        return (
            f"Expected spend per purchase averages {amount}, each customer's own mean shrunk "
            "towards the average of all customers by the spend model."
        )
    why = (
        "there are too few repeat buyers to fit the spend model"
        if spend is None
        else "the spend model is not identified on these data"
    )
    return (
        f"Every customer is valued at the observed mean spend per purchase, {amount}, "
        f"because {why}."
    )


def fit_spend_model(summary: pd.DataFrame) -> tuple[GammaGamma | None, FitDiagnostics | None]:
    """Fit the Gamma-Gamma model to the repeat buyers with a positive mean spend, and diagnose it.

    Returns (None, None) when fewer than 3 such customers exist (the model needs them).
    """
    check_columns(summary, ["frequency", "monetary_value"], name="summary")
    spenders = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(spenders) < 3:
        return None, None
    model, diagnostics = fit_and_diagnose(GammaGamma(), spenders)
    return model, diagnostics


def check_on_holdout(
    transactions: pd.DataFrame, periods: Periods, *, min_cell: int
) -> tuple[HoldoutCheck | None, PurchaseFit | None, str]:
    """Fit the purchase model on the calibration period and check it on the check period.

    The model is chosen as for the forecast (:func:`fit_purchase_model`: the BG/NBD, or the NBD
    where dropout is not identified).

    Returns
    -------
    (HoldoutCheck or None, PurchaseFit or None, str)
        The check (None when there is no check period, no repeat purchase in the calibration
        period, or the calibration fit's purchase rates are not identified), the calibration
        fit, and one sentence saying what was done or why not.
    """
    if not periods.has_holdout:
        return (
            None,
            None,
            (
                "The data are too short to keep a later period apart, so the model cannot be "
                "checked against purchases it has not seen."
            ),
        )
    calibration = customer_summary(
        transactions, calibration_end=periods.calibration_end, time_unit="weeks"
    )
    if not (calibration["frequency"] > 0).any():
        return (
            None,
            None,
            (
                "Nobody bought twice before the check period, so the model cannot be fitted to it "
                "and checked."
            ),
        )
    fit = fit_purchase_model(calibration)
    if not fit.usable:
        return (
            None,
            fit,
            (
                "Fitted to the purchases before the check period alone, the model has no unique "
                "maximum, so it cannot be checked."
            ),
        )
    check = holdout_check(
        fit.model,
        calibration,
        holdout_weeks=periods.holdout_weeks,
        min_cell=min_cell,
    )
    return check, fit, holdout_reading(check, periods)


def holdout_reading(check: HoldoutCheck, periods: Periods) -> str:
    """One sentence: predicted against actual purchases in the check period."""
    first = format_date(periods.calibration_end + pd.Timedelta(days=1))
    if not np.isfinite(check.error_pct):
        return f"From {first} to {format_date(periods.observation_end)} nobody bought again."
    direction = "more" if check.error_pct > 0 else "fewer"
    return (
        f"Fitted to the purchases up to {format_date(periods.calibration_end)} only, the model "
        f"predicted {check.total_predicted:,.0f} purchases from {first} to "
        f"{format_date(periods.observation_end)}; customers made {check.total_actual:,.0f}, so "
        f"it predicted {abs(check.error_pct):.0f}% {direction} than happened."
    )


def plot_holdout_check(check: HoldoutCheck, *, ax: Any = None) -> Any:
    """Mean purchases per customer in the check period, actual and predicted, by group of
    calibration repeat purchases (blanked groups not drawn); returns the Axes."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = check.by_frequency[~check.by_frequency["suppressed"].to_numpy(dtype=bool)]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    long = shown.melt(
        id_vars="group", value_vars=["actual", "predicted"], var_name="", value_name="mean"
    )
    long["mean"] = long["mean"].astype(float)
    sns.barplot(long, x="group", y="mean", hue="", ax=ax)
    ax.set(
        xlabel="repeat purchases before the check period",
        ylabel=f"mean purchases per customer in {check.weeks:.0f} weeks",
        title=(
            "Predicted against actual purchases in the check period"
            if not np.isfinite(check.error_pct)
            else f"The model predicted {abs(check.error_pct):.0f}% "
            f"{'more' if check.error_pct > 0 else 'fewer'} purchases than customers made"
        ),
    )
    ax.legend(title="")
    return ax


def plot_value_deciles(deciles: pd.DataFrame, *, currency: str, ax: Any = None) -> Any:
    """Mean customer value per tenth of customers (1 = most valuable); blanked tenths not drawn."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = deciles[~deciles["suppressed"].to_numpy(dtype=bool)].astype({"mean_value": float})
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    sns.barplot(shown, x="decile", y="mean_value", color=sns.color_palette()[0], ax=ax)
    word = GROUP_WORDS[len(deciles)]
    ax.set(
        xlabel=f"{word} of customers by value (1 = most valuable)",
        ylabel=f"mean customer value ({currency})",
    )
    top = shown[shown["decile"] == "1"]
    if len(top) and len(deciles) > 1:
        ax.set_title(
            f"The most valuable {word} holds {float(top['share_pct'].iloc[0]):.0f}% of the value"
        )
    return ax


def plot_alive_bands(bands: pd.DataFrame, *, ax: Any = None) -> Any:
    """Share of customers per band of P(alive); blanked bands not drawn; returns the Axes."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = bands[~bands["suppressed"].to_numpy(dtype=bool)].astype({"customers_pct": float})
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    sns.barplot(shown, x="band", y="customers_pct", color=sns.color_palette()[0], ax=ax)
    ax.set(xlabel="chance of still being active", ylabel="customers (%)")
    if len(shown):
        most = shown.loc[shown["customers_pct"].idxmax()]
        ax.set_title(
            f"Most customers ({most['customers_pct']:.0f}%) are in the band {most['band']}"
        )
    return ax


def _article(percent: str) -> str:
    """``"an"`` before a percentage said with a vowel sound (8, 11, 18, 80-89 %), else ``"a"``.

    >>> _article("80%"), _article("8%"), _article("18%"), _article("70%"), _article("100%")
    ('an', 'an', 'an', 'a', 'a')
    """
    n = int(percent.rstrip("%"))
    return "an" if n in (8, 11, 18) or 80 <= n <= 89 else "a"
