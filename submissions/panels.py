"""What submissions shows on the dashboard and in an edition's cockpit (registered in apps.py with
portal.dashboard, which may not import this app)."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dashboard import Panel
from portal.formatting import local_time

from .models import Application, Category

Status = Application.Status
# Who reads the cockpit's counts: those who may read the screening list (submissions.view_screening).
COUNT_READERS = frozenset({"secretariat", "chair", "observer"})


def _next_action(application: Application, now) -> str:
    """What the applicant does next, in one sentence."""
    edition = application.edition
    if application.status == Status.DRAFT:
        if edition.is_accepting(now):
            return _("Complete and submit it before the deadline.")
        return _("The call is closed: this draft can no longer be submitted.")
    return {
        Status.SUBMITTED: _("Nothing to do: the secretariat screens it next."),
        Status.ELIGIBLE: _("Nothing to do: it goes on to the judges."),
        Status.INELIGIBLE: _("Read the secretariat's reason on the application's page."),
        Status.WITHDRAWN: _("Nothing to do: it was withdrawn."),
    }.get(application.status, "")


def applicant_dashboard_panel(*, user, roles_by_edition) -> Panel | None:
    """The applications of the user's organisations, with status, deadline and next step (one query)."""
    applications = list(
        Application.objects.filter(organisation__memberships__user=user)
        .select_related("edition", "category", "organisation")
        .order_by("-edition__closes_at", "organisation__name", "id")
        .distinct()
    )
    if not applications:
        return None
    now = timezone.now()
    rows = [
        {
            "application": application,
            "deadline": local_time(application.edition.closes_at, edition=application.edition, with_zone=True),
            "deadline_passed": application.edition.closes_at <= now,
            "next_action": _next_action(application, now),
            "editable": application.status == Status.DRAFT and application.edition.is_accepting(now),
        }
        for application in applications
    ]
    return Panel("submissions/panels/applicant_dashboard.html", {"rows": rows})


def application_counts(*, edition) -> dict:
    """Applications of an edition by category and status: {"rows": [(category, [counts], total)], "totals": [...],
    "statuses": [(value, label)], "total": n}. Two queries."""
    categories = list(Category.objects.filter(edition=edition).order_by("position", "name"))
    counted: dict[tuple[int, str], int] = {
        (row["category_id"], row["status"]): row["n"]
        for row in Application.objects.filter(edition=edition).order_by()
        .values("category_id", "status").annotate(n=Count("id"))
    }
    statuses = list(Status.choices)
    rows = []
    for category in categories:
        counts = [counted.get((category.pk, value), 0) for value, _label in statuses]
        rows.append((category, counts, sum(counts)))
    totals = [sum(row[1][index] for row in rows) for index in range(len(statuses))]
    return {"rows": rows, "totals": totals, "statuses": statuses, "total": sum(totals)}


def workspace_counts_panel(*, user, edition, roles) -> Panel | None:
    if not roles & COUNT_READERS:
        return None
    return Panel("submissions/panels/workspace_counts.html", {"edition": edition, **application_counts(edition=edition)})
