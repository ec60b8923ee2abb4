"""Write the small example exports in this folder (German column names, as a CRM would export them).

The data are SIMULATED (seeded, numpy only): 150 customers of an online shop with purchases over
18 months, 300 survey answers, 300 contract customers with tenure and churn, and the order lines
of a second shop (one row per article, with guest orders, returns and cancellations). They exist
to show ``cxlib report`` on your own data, not to be analysed. Re-create them with
``.venv/bin/python data/examples/make_examples.py``; the output is identical for the same seed.
Files use ``;`` as separator, ``,`` as decimal mark and dd.mm.yyyy dates (German Excel export).
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(2024)

# Umsätze (transactions): Poisson purchase counts per customer, gamma spend per purchase.
n = 150
kunden = np.array([f"K-{10001 + i}" for i in range(n)])
first = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
rate = rng.gamma(1.5, 1 / 3, n)  # purchases per month
counts = 1 + rng.poisson(rate * 12)
rows = np.repeat(np.arange(n), counts)
offset = np.where(
    np.concatenate([[True], rows[1:] != rows[:-1]]), 0, rng.integers(1, 450, len(rows))
)
dates = first[rows] + pd.to_timedelta(offset, unit="D")
amount = np.round(rng.gamma(4, 9, len(rows)) + 5, 2)
tx = pd.DataFrame({"KundenNr": kunden[rows], "Datum": dates, "Betrag": amount})
tx = tx[tx["Datum"] <= "2024-06-30"].sort_values(["KundenNr", "Datum"], kind="stable")
tx["Datum"] = tx["Datum"].dt.strftime("%d.%m.%Y")
tx.to_csv(HERE / "umsaetze.csv", sep=";", decimal=",", index=False)

# Befragung (survey): CSAT 1-5, CES 1-7, NPS 0-10 from one latent satisfaction; some blanks.
m = 300
latent = rng.normal(0, 1, m)
touch = rng.choice(["Website", "App", "Kundenservice-Hotline", "Filiale"], m)
csat = np.clip(np.round(3.8 + 0.9 * latent + rng.normal(0, 0.5, m)), 1, 5)
ces = np.clip(np.round(5.2 + 1.1 * latent + rng.normal(0, 0.8, m)), 1, 7)
nps = np.clip(np.round(7.3 + 1.8 * latent + rng.normal(0, 1.0, m)), 0, 10)
survey = pd.DataFrame(
    {
        "AntwortNr": np.arange(1, m + 1),
        "KundenNr": rng.choice(kunden, m),
        "Datum": (
            pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 180, m), unit="D")
        ).strftime("%d.%m.%Y"),
        "Kontaktpunkt": touch,
        "Zufriedenheit": pd.array(csat, dtype="Int64"),
        "Aufwand": pd.array(ces, dtype="Int64"),
        "Weiterempfehlung": pd.array(nps, dtype="Int64"),
    }
)
for col, share in [("Zufriedenheit", 0.05), ("Aufwand", 0.15), ("Weiterempfehlung", 0.08)]:
    survey.loc[rng.random(m) < share, col] = pd.NA
survey.to_csv(HERE / "befragung.csv", sep=";", index=False)

# Kunden (customers): contract type drives both tenure and churn, as in the Telco data.
k = 300
vertrag = rng.choice(["Monatlich", "Ein Jahr", "Zwei Jahre"], k, p=[0.55, 0.25, 0.2])
hazard = np.select([vertrag == "Monatlich", vertrag == "Ein Jahr"], [0.045, 0.012], 0.004)
tenure = np.minimum(rng.geometric(hazard), 72)
churned = rng.random(k) < np.select(
    [vertrag == "Monatlich", vertrag == "Ein Jahr"], [0.42, 0.11], 0.03
)
monthly = np.round(rng.uniform(20, 110, k), 2)
customers = pd.DataFrame(
    {
        "KundenNr": [f"V-{50001 + i}" for i in range(k)],
        "Vertragsdauer": tenure,
        "Gekuendigt": np.where(churned, "ja", "nein"),
        "Monatsbetrag": monthly,
        "Gesamtbetrag": np.round(monthly * tenure, 2),
        "Vertragsart": vertrag,
    }
)
customers.to_csv(HERE / "kunden.csv", sep=";", decimal=",", index=False)

# Positionen (line items): one row per article of an order, as a shop system exports them (the
# shape of UCI Online Retail): order number, date and time, customer number (empty for guest
# orders), article, quantity, unit price. A return is an order of its own whose number starts
# with "C" and whose quantities are negative: a few on the day of the order (all of it or one
# article sent back at once), the others two to six weeks later.
c = 120
orders_per = 1 + rng.poisson(rng.gamma(1.2, 2.5, c))  # orders per customer over 18 months
owner = np.repeat(np.arange(c), orders_per)
guests = 60
owner = np.concatenate([owner, np.full(guests, -1)])  # guest orders: no customer number
rng.shuffle(owner)
n_orders = len(owner)
start = pd.Timestamp("2023-01-02")
when = (
    start
    + pd.to_timedelta(rng.integers(0, 545, n_orders), unit="D")
    + pd.to_timedelta(rng.integers(8 * 60, 22 * 60, n_orders), unit="min")
)
order_no = 500001 + np.arange(n_orders)
lines_per = 1 + rng.poisson(1.2, n_orders)
line_order = np.repeat(np.arange(n_orders), lines_per)
articles = np.array([f"A-{200 + i}" for i in range(40)])
price_of = np.round(rng.gamma(3, 4, len(articles)) + 0.5, 2)
article = rng.integers(0, len(articles), len(line_order))
items = pd.DataFrame(
    {
        "BelegNr": order_no[line_order].astype(str),
        "Datum": when[line_order],
        "KundenNr": np.where(
            owner[line_order] >= 0, np.char.add("K-", (20001 + owner[line_order]).astype(str)), ""
        ),
        "ArtikelNr": articles[article],
        "Menge": 1 + rng.poisson(1.0, len(line_order)),
        "Preis": price_of[article],
    }
)
# returns: a first line of some customers' orders sent back, on the same day or weeks later
first_line = np.concatenate([[True], line_order[1:] != line_order[:-1]])
back = first_line & (owner[line_order] >= 0) & (rng.random(len(line_order)) < 0.12)
later = rng.random(len(line_order)) < 0.6
returns = items.loc[back].copy()
returns["BelegNr"] = "C" + (600001 + np.arange(len(returns))).astype(str)
returns["Menge"] = -returns["Menge"]
delay = np.where(later[back], rng.integers(14, 43, len(returns)), 0)
returns["Datum"] = returns["Datum"] + pd.to_timedelta(delay, unit="D") + pd.Timedelta(hours=1)
items = pd.concat([items, returns]).sort_values("Datum", kind="stable")
items = items[items["Datum"] < "2024-07-01"]
items["Datum"] = items["Datum"].dt.strftime("%d.%m.%Y %H:%M")
items.to_csv(HERE / "positionen.csv", sep=";", decimal=",", index=False)
