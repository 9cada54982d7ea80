"""Every process that loads Django asks BLAS for one thread unless told otherwise (no oversubscribed cores)."""

import os
import subprocess
import sys

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_seen(env: dict) -> str:
    code = "import os, config; print(' '.join(os.environ[name] for name in %r))" % (VARIABLES,)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(os.path.dirname(__file__))).stdout.strip()


def test_blas_gets_one_thread_per_process_by_default_and_the_environment_can_say_otherwise():
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    assert _threads_seen(env) == "1 1 1"
    assert _threads_seen({**env, "OPENBLAS_NUM_THREADS": "2"}) == "2 1 1"
