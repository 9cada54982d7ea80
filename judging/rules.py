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


# --- awards: jobs, exports, certificates (issue 9, W4) --------------------------------------------------------
# The chair and the secretariat start the awards jobs; the observer and the committee members read them and
# download the material. All scores and reviews go to the committee and the observer only: never to a judge,
# even one who also holds a committee role (a judge never reads the other judges' scores).

can_read_ceremony = is_committee | is_committee_member

rules.add_perm("judging.view_award_jobs", can_read_ceremony)
rules.add_perm("judging.run_award_jobs", is_secretariat | is_chair)
rules.add_perm("judging.export_results", can_read_ceremony)
rules.add_perm("judging.export_scores", can_read_ceremony & ~is_judge)
# --- the committee's vote (issue 9) ---------------------------------------------------------------------------
# The chair and the committee members vote. The vote's count (how many ballots, who voted, the pairwise matrix,
# the order) is read by the voters and by the secretariat, the chair and the observers; it holds no score, so a
# judge who also holds one of those roles reads it too. A judge with no other role in the edition never does,
# nor does anyone of another edition. Nobody ever reads another member's ballot.

is_voter = is_chair | is_committee_member
is_round_voter = via_edition(is_voter, "is_round_voter")

rules.add_perm("judging.vote", is_round_voter)
rules.add_perm("judging.view_votes", is_round_voter | is_round_committee)
# Edition-level: the link to the edition's votes on its workspace.
rules.add_perm("judging.view_edition_votes", is_voter | is_committee)
# --- awards (issue 9) -----------------------------------------------------------------------------------------
# The deliberation shows the results, so it follows `view_results`: never someone who is also a judge in the
# edition, whatever committee role they hold besides. Edition-level predicates (the pages take the edition).


rules.add_perm("judging.deliberate", (is_chair | is_committee_member) & ~is_judge)
rules.add_perm("judging.view_awards", (is_committee | is_committee_member) & ~is_judge)
rules.add_perm("judging.view_awards_setup", is_committee)
rules.add_perm("judging.manage_awards", is_secretariat)
# --- the edition's last states (issue 9): deliberation, finalisation, publication ---------------------------------
# Edition-level (edition_permission_required). The secretariat or the chair ends judging; only the chair
# finalises (with their second factor) and publishes.

rules.add_perm("judging.start_deliberation", is_secretariat | is_chair)
rules.add_perm("judging.finalise_edition", is_chair)
rules.add_perm("judging.publish_edition", is_chair)
# --- rubrics (issue 10) ---------------------------------------------------------------------------------------
# The secretariat writes the rubrics; the chair and the observers read them. A judge reads the criteria on the
# review form only, never the editor.
rules.add_perm("judging.view_rubrics", is_committee)
rules.add_perm("judging.manage_rubrics", is_secretariat)
# --- mail to a group (issue 14) ---------------------------------------------------------------------------------
# The secretariat writes the templates and sends; the chair and the observers read the log and the templates.
rules.add_perm("judging.view_group_mail", is_committee)
rules.add_perm("judging.send_group_mail", is_secretariat)
