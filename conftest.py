"""pytest configuration shared by the unit tests and the nbval run of notebooks/.

Notebook outputs are compared to what was committed, so every kernel nbval starts must compute
exactly as the one that produced them: one BLAS/OpenMP thread and a fixed hash seed (never
MPLBACKEND=Agg: it would stop the kernels from showing figures at all). ``make test`` exports
the same variables; setting them here too keeps a bare ``pytest`` run identical.
"""

import os

# Report templates are saved without outputs and rendered by their own tests (test_template_*),
# on the bundled data, the German example export and crafted exports; nbval has nothing to compare.
collect_ignore_glob = ["cxlib/templates/*"]

for _name, _value in {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}.items():
    os.environ.setdefault(_name, _value)


def pytest_report_header(config):
    """Which BLAS kernel and NumPy SIMD paths compute here: CI logs show the configuration."""
    import numpy as np
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    from threadpoolctl import threadpool_info

    blas = ", ".join(
        f"{i['internal_api']} {i.get('architecture', '?')} ({i['num_threads']} thread(s))"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    simd = " ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)) or "baseline only"
    return f"numerics: numpy {np.__version__} SIMD {simd}; BLAS {blas}"
