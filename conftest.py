"""pytest configuration shared by the unit tests and the nbval run of notebooks/.

Notebook outputs are compared to what was committed, so every kernel nbval starts must compute
exactly as the one that produced them: one BLAS/OpenMP thread and a fixed hash seed (never
MPLBACKEND=Agg: it would stop the kernels from showing figures at all). ``make test`` exports the same variables; setting them here too keeps a bare
``pytest`` run identical.
"""

import os

for _name, _value in {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}.items():
    os.environ.setdefault(_name, _value)
