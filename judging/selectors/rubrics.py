"""Reads of the rubric editor: an edition's rubrics, one rubric with its criteria, the rubrics a user may copy."""

from django.db.models import Count, QuerySet

from portal.models import EditionRole, User

from ..models import Criterion, Rubric

# Roles that read an edition's rubrics (rules: judging.view_rubrics), hence may copy them into another edition.
READER_ROLES = [EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR, EditionRole.Role.OBSERVER]


def edition_rubrics(edition) -> list[Rubric]:
    """The edition's rubrics with their category and how many criteria each has: the default one first."""
    rubrics = (Rubric.objects.filter(edition=edition).select_related("category")
               .annotate(criterion_count=Count("criteria")).order_by("category__position", "category_id"))
    return sorted(rubrics, key=lambda rubric: rubric.category_id is not None)


def rubric_with_criteria(rubric: Rubric) -> list[Criterion]:
    """The rubric's criteria in order, their stage weights prefetched."""
    return list(Criterion.objects.filter(rubric=rubric).order_by("position", "id").prefetch_related("stage_weights"))


def copy_sources(user: User) -> QuerySet[Rubric]:
    """Rubrics with criteria, of every edition whose rubrics the user reads (newest edition first)."""
    editions = EditionRole.objects.filter(user=user, role__in=READER_ROLES).values("edition")
    return (Rubric.objects.filter(edition__in=editions, criteria__isnull=False).distinct()
            .select_related("edition", "category").order_by("-edition_id", "category__position", "name"))


def rubric_next_position(rubric: Rubric) -> int:
    last = Criterion.objects.filter(rubric=rubric).order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1

