"""Rows of the ceremony exports (results; all scores and reviews), for submissions.exports' CSV and XLSX writers.

Rows carry plain values (int, float, str, naive datetimes in the edition's time zone); the writers
format them and neutralise text a spreadsheet would run as a formula. They write nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition

from ..models import AwardDecision, Criterion, Review


def results_header(*, edition: Edition) -> list[str]:
    return [_("Category or award"), _("Prize"), _("Entry ID"), _("Title"), _("Organisation"), _("City"),
            _("Country"), _("Citation"), _("Departs from the ranking"), _("Reason"), _("Tie-break applied")]


def results_rows(decisions: Iterable[AwardDecision]) -> Iterator[list]:
    """One row per decision: category prizes by category and tier, then the edition's awards and mentions.

    A tier place the committee left empty is a row too ("No prize awarded").
    """
    for decision in decisions:
        application = decision.application
        organisation = application.organisation if application else None
        if decision.tier_id:
            where = decision.category.name if decision.category_id else ""
            prize = decision.tier.get_level_display()
        else:
            where, prize = decision.award.get_kind_display(), decision.award.name
        yield [
            where, prize,
            application.pk if application else None,
            application.title if application else _("No prize awarded"),
            organisation.name if organisation else "",
            organisation.city if organisation else "",
            str(organisation.country.name) if organisation else "",
            decision.citation,
            _("yes") if decision.departs else "",
            decision.reason,
            decision.tie_break,
        ]


def score_criteria(*, edition: Edition) -> list[Criterion]:
    """Every criterion of the edition's rubrics, one column each, in rubric and rubric order."""
    return list(Criterion.objects.filter(rubric__edition=edition).select_related("rubric")
                .order_by("rubric__category_id", "rubric_id", "position", "pk"))


def scores_header(*, edition: Edition, criteria: list[Criterion]) -> list[str]:
    names = [criterion.name for criterion in criteria]
    # Two rubrics with a criterion of the same name: the column says whose it is.
    columns = [f"{c.name} ({c.rubric.name})" if names.count(c.name) > 1 else c.name for c in criteria]
    return [_("Round"), _("Entry ID"), _("Title"), _("Category"), _("Organisation"), _("Judge"), _("Judge e-mail"),
            _("Review state"), *columns, _("Weighted total"), _("Confidence"), _("Comment for the committee"),
            _("Comment for the applicant"), _("Submitted at (%(time_zone)s)") % {"time_zone": edition.time_zone}]


def scores_rows(reviews: Iterable[Review], *, edition: Edition, criteria: list[Criterion]) -> Iterator[list]:
    """One row per review (drafts too, with their state), a column per criterion (empty where not scored)."""
    for review in reviews:
        assignment = review.assignment
        application = assignment.application
        judge = assignment.judge.user
        by_criterion = {score.criterion_id: score.score for score in review.scores.all()}
        submitted_at = (timezone.localtime(review.submitted_at, edition.tz).replace(tzinfo=None, microsecond=0)
                        if review.submitted_at else None)
        yield [
            assignment.round.name, application.pk, application.title, application.category.name,
            application.organisation.name, judge.get_full_name(), judge.email, review.get_state_display(),
            *[by_criterion.get(criterion.pk) for criterion in criteria],
            round(review.weighted_total, 3) if review.weighted_total is not None else None,
            review.confidence, review.committee_comment, review.applicant_comment, submitted_at,
        ]

