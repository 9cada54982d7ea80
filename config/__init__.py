import os

# One BLAS/OpenMP thread per process unless the environment says otherwise: a worker or gunicorn process per core
# already uses the machine, and multi-threaded BLAS on top oversubscribes it (the aggregation's statistics slowed
# far more than the load rose). Set before numpy is first imported, which happens only after this package.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# Load the Celery app whenever Django starts so that @shared_task binds to it.
from .celery_app import app as celery_app

__all__ = ("celery_app",)
