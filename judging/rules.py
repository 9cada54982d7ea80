"""Who may do what in judging. Judges see only what is assigned to them."""

import rules

from portal.rules import is_chair, is_committee, is_committee_member, is_judge, is_secretariat, via_edition

from .models import Assignment



is_round_secretariat = via_edition(is_secretariat, "is_round_secretariat")
# Secretariat, chair and observer read everything about a round.
is_round_committee = via_edition(is_committee, "is_round_committee")


@rules.predicate
def is_assigned_judge(user, assignment) -> bool:
    """The judge the assignment belongs to, while it is active (not released, no conflict declared)."""
    return (
        assignment is not None
        and user.is_authenticated
        and assignment.judge.user_id == user.pk
        and assignment.state in Assignment.ACTIVE_STATES
    )


rules.add_perm("judging.manage_round", is_round_secretariat)
rules.add_perm("judging.view_round", is_round_committee)
rules.add_perm("judging.review_assignment", is_assigned_judge)
# Edition-level (for edition_permission_required): the rounds list and round pages; running the assigner.
rules.add_perm("judging.view_rounds", is_committee)
rules.add_perm("judging.manage_rounds", is_secretariat)


# --- scoring (issue 5) ----------------------------------------------------------------------------------------
# Results are the committee's: never a judge's, even one who also holds a committee role in the same edition,
# since a judge must never read the other judges' scores.


is_round_judge = via_edition(is_judge, "is_round_judge")
is_round_chair = via_edition(is_chair, "is_round_chair")


rules.add_perm("judging.view_results", is_round_committee & ~is_round_judge)
rules.add_perm("judging.run_aggregation", is_round_secretariat & ~is_round_judge)
rules.add_perm("judging.manage_calibration", is_round_secretariat)
rules.add_perm("judging.manage_shortlist", (is_round_secretariat | is_round_chair) & ~is_round_judge)


# --- awards (issue 9) -----------------------------------------------------------------------------------------
# The deliberation shows the results, so it follows `view_results`: never someone who is also a judge in the
# edition, whatever committee role they hold besides. Edition-level predicates (the pages take the edition).


rules.add_perm("judging.deliberate", (is_chair | is_committee_member) & ~is_judge)
rules.add_perm("judging.view_awards", (is_committee | is_committee_member) & ~is_judge)
rules.add_perm("judging.view_awards_setup", is_committee)
rules.add_perm("judging.manage_awards", is_secretariat)
