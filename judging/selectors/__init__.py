"""Judging's reads, with their joins applied: assignment.py (rounds, judges, pair scores), bids.py,
scoring.py (the judge's queue and entry, redaction in blind rounds), results.py (the committee's results)."""
