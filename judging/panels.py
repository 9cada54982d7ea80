"""What judging shows on the dashboard and in an edition's cockpit (registered in apps.py with
portal.dashboard, which may not import this app)."""

from django.utils import timezone

from portal.dashboard import Panel
from portal.formatting import local_time

from .selectors.completion import edition_completion, user_queues


def judge_dashboard_panel(*, user, roles_by_edition) -> Panel | None:
    """The judge's queues, one line per round with to-do/draft/done and a link straight to the workbench."""
    judge_editions = [edition for edition, roles in roles_by_edition if "judge" in roles]
    if not judge_editions:
        return None
    queues = user_queues(user=user)
    for queue in queues:
        # Written as every deadline of the portal is (portal.formatting), in the edition's time zone.
        queue.deadline_text = local_time(queue.deadline, edition=queue.edition, with_zone=True)
    with_queue = {queue.edition_slug for queue in queues}
    return Panel("judging/panels/judge_dashboard.html", {
        "queues": queues,
        "waiting": [edition for edition in judge_editions if edition.slug not in with_queue],
        "now": timezone.now(),
    })


def workspace_completion_panel(*, user, edition, roles) -> Panel | None:
    """Review completion per round and per judge; a judge who is not on the committee sees their own line only."""
    # The rules decide (cached roles, no query): the committee reads every judge's line, the secretariat reminds.
    committee = user.has_perm("judging.view_rounds", edition)
    if not committee and "judge" not in roles:
        return None
    completions = edition_completion(edition=edition, judge_user=None if committee else user)
    for completion in completions:
        completion.deadline_text = local_time(completion.round.deadline, edition=edition, with_zone=True)
    if not completions and not committee:
        return None
    return Panel("judging/panels/workspace_completion.html", {
        "edition": edition,
        "completions": completions,
        "committee": committee,
        "can_remind": user.has_perm("judging.manage_rounds", edition),
        "now": timezone.now(),
    })
