"""Speed of cxlib.text on the GermEval 2017 posts: masking, coding, cross-validation, shares.

Run: ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/text.py``
Prints a table (best of ``REPEATS``) with the machine's load average, for the README.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
import pandas as pd

from cxlib import text as tx
from cxlib.data import load_germeval

REPEATS = 3


def best(func, repeats: int = REPEATS) -> tuple[float, object]:
    """Fastest wall time of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    load_before = os.getloadavg()
    docs = load_germeval()
    posts = docs[docs["relevant"]].reset_index(drop=True)
    mentions = tx.aspect_matrix(posts)
    trained = [a for a in mentions.columns if mentions[a].sum() >= 30]
    labels = pd.concat([posts[["sentiment"]], mentions[trained].reset_index(drop=True)], axis=1)
    many = pd.concat([posts["text"]] * 50, ignore_index=True)  # 102,750 comments like posts
    rows = []
    seconds, _ = best(load_germeval)
    rows.append(("load_germeval (checksum, checks, masking)", seconds, f"{len(docs):,} posts"))
    seconds, _ = best(lambda: tx.mask_text(many), repeats=1)
    rows.append(("mask_text", seconds, f"{len(many):,} comments"))
    seconds, fitted = best(lambda: tx.TextCoder().fit(posts["text"], labels), repeats=1)
    rows.append(("TextCoder.fit (10 tasks)", seconds, f"{fitted.n_features_:,} features"))
    seconds, _ = best(lambda: fitted.predict(many[:10_000]), repeats=1)
    rows.append(("TextCoder.predict", seconds, "10,000 comments"))
    seconds, oof = best(
        lambda: tx.cross_val_codes(tx.TextCoder(), posts["text"], labels, stratify="sentiment"),
        repeats=1,
    )
    f1 = tx.macro_f1(labels["sentiment"], oof["sentiment"], n_boot=10).estimate
    rows.append(("cross_val_codes, 5 folds", seconds, f"macro-F1 {f1:.2f}"))
    seconds, _ = best(lambda: tx.macro_f1(labels["sentiment"], oof["sentiment"], n_boot=1000))
    rows.append(("macro_f1, 1,000 bootstrap resamples", seconds, f"{len(posts):,} posts"))
    rng = np.random.default_rng(0)
    conf = rng.integers(50, 500, size=(100_000, 3, 3))
    coded = rng.integers(100, 1000, size=(100_000, 3))
    seconds, _ = best(lambda: tx.acc_kernel(coded, conf))
    rows.append(("acc_kernel", seconds, "100,000 replications x 3 classes"))
    seconds, _ = best(lambda: tx.distinctive_words(posts["text"], mentions[trained]))
    rows.append(("distinctive_words", seconds, f"{len(trained)} groups"))
    load_after = os.getloadavg()
    print(
        f"cxlib.text on GermEval 2017 ({len(posts):,} relevant posts); python "
        f"{platform.python_version()}, {os.cpu_count()} cores; load average before "
        f"{' / '.join(f'{v:.1f}' for v in load_before)}, after "
        f"{' / '.join(f'{v:.1f}' for v in load_after)} (1 / 5 / 15 min)\n"
    )
    print("| step | seconds | result |")
    print("|---|---:|---|")
    for name, secs, result in rows:
        print(f"| {name} | {secs:.2f} | {result} |")


if __name__ == "__main__":
    main()
