"""config/process.py: glibc's malloc keeps large freed blocks for reuse instead of returning them to the kernel."""

import platform
import resource

import numpy as np
import pytest

from config import process

glibc = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")


@glibc
def test_the_thresholds_are_set():
    assert process.tune_process() is True
    assert process.tune_process() is True  # idempotent


@glibc
def test_freed_blocks_of_a_few_mib_are_reused_without_new_page_faults():
    """The bootstrap's pattern: several arrays of a few MiB allocated, written and freed together, again and
    again. Untuned, glibc returns them to the kernel and takes fresh pages each time (about 60,000 page faults
    for these 20 rounds); tuned, the heap's freed blocks are reused."""
    process.tune_process()
    size = 4 * 1024 * 1024 // 8

    def one_round() -> float:
        arrays = [np.ones(size) for _ in range(6)]
        return sum(float(array.sum()) for array in arrays)

    one_round()  # the heap grows once
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        one_round()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 2000
