"""Judging's writes, one module per thing a reader looks for; every state field has one writer.

- judges.py: judge profiles, bids, conflicts recorded by the secretariat
- rounds.py: round settings and THE round state machine (ROUND_TRANSITIONS, `round_move`)
- assignments.py: the assignment state machine (ASSIGNMENT_TRANSITIONS, `assignment_set_state`),
  changes by hand, the judge's progress, the replacement after a conflict
- assignment_summaries.py: the per-category counts and panels of a round's assignments, stored by every write
  that changes which assignments are active, read by the round's page
- conflicts.py: a conflict declared by the judge or found by the secretariat's record
- assignment_problem.py: a round read into the solver's problem; assignment_runs.py: the assigner's
  runs as a worker carries them out (RUN_TRANSITIONS, `assignment_run_move`)
- round_jobs.py: the buttons that enqueue a worker's job (run the assigner, compute results, close)
- rubrics.py, scoring.py (reviews, calibration, the queue's order), shortlist.py
- aggregation.py: results recomputed from the raw scores; aggregation_runs.py: the runs' state
  (AGGREGATION_RUN_TRANSITIONS); bulk_copy.py: COPY reads and writes
- locks.py: the edition's final lock and the round's row lock; formatting.py: local time

The e-mails to judges are built in judging/notifications.py; the tasks in judging/tasks/ are
leaves that import these services inside their functions.
"""
