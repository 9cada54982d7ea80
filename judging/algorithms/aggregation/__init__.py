"""Score aggregation statistics: pure functions, no Django, no database.

The services layer turns reviews into ``ReviewScore`` rows (one weighted total per
review) and calls :func:`aggregate`; everything here works on plain numbers so that it
can be tested exactly and benchmarked without a database. `least_squares` fits entry
qualities and judge offsets (the model and why), `bootstrap` resamples judges for the
intervals, `ranking` ranks (1, 2, 2, 4) and flags prize boundaries, `results` ties them
together in `aggregate`.
"""

from .ranking import RANK_DECIMALS, competition_ranks
from .results import (
    CALIBRATED,
    METHOD,
    METHOD_VERSION,
    METHODS,
    OFFSETS,
    EntryResult,
    JudgeResult,
    ReviewScore,
    aggregate,
    aggregate_arrays,
)
from .totals import weighted_totals

__all__ = [
    "CALIBRATED",
    "METHOD",
    "METHOD_VERSION",
    "METHODS",
    "OFFSETS",
    "RANK_DECIMALS",
    "EntryResult",
    "JudgeResult",
    "ReviewScore",
    "aggregate",
    "aggregate_arrays",
    "competition_ranks",
    "weighted_totals",
]
