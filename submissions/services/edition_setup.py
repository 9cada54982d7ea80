"""An edition's settings the secretariat edits: its categories (its form: services.questions)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.bilingual import with_languages
from portal.models import Edition, User
from portal.services.audit import audit_log, snapshot
from submissions.models import Category

# Translated texts come as the plain name (the active language) and per language (portal.bilingual).
CATEGORY_FIELDS = (*with_languages("name"), "slug", *with_languages("description"), "allowed_kinds",
                   "max_entries_per_organisation", "position")


def _edition_part(model, *, edition: Edition, instance):
    """Re-read `instance` under a lock, and only within `edition` (a form may have changed the object in memory)."""
    if instance is None or instance.pk is None:
        return None
    found = model.objects.select_for_update().filter(pk=instance.pk, edition=edition).first()
    if found is None:
        raise ValidationError(_("This belongs to another edition."), code="other_edition")
    return found


def _save_edition_part(part, *, edition: Edition, user: User, before: dict | None, action: str):
    """Validate and save a category or form section; audit it only when something changed."""
    part.full_clean()
    if before is not None and snapshot(part) == before:
        return part
    part.save()
    audit_log(actor=user, action=f"{action}.update" if before else f"{action}.create", target=part,
              edition=edition, before=before, after=snapshot(part))
    return part


@transaction.atomic
def category_save(*, edition: Edition, user: User, data: dict, category: Category | None = None) -> Category:
    """Create a category of `edition` (category=None) or change one of its categories; audited when it changes."""
    existing = _edition_part(Category, edition=edition, instance=category)
    before = snapshot(existing) if existing else None
    category = existing or Category(edition=edition)
    for field in CATEGORY_FIELDS:
        if field in data:
            setattr(category, field, data[field])
    category.allowed_kinds = sorted(set(category.allowed_kinds or []))
    if Category.objects.filter(edition=edition, slug=category.slug).exclude(pk=category.pk).exists():
        raise ValidationError({"slug": _("Another category of this edition already uses “%(slug)s”.")
                                       % {"slug": category.slug}})
    return _save_edition_part(category, edition=edition, user=user, before=before, action="category")


@transaction.atomic
def category_delete(*, edition: Edition, user: User, category: Category) -> None:
    """Remove a category that nobody has entered yet."""
    category = _edition_part(Category, edition=edition, instance=category)
    if category.applications.exists():
        raise ValidationError(
            _("“%(name)s” already has applications and cannot be removed.") % {"name": category.name}, code="in_use"
        )
    before = snapshot(category)
    audit_log(actor=user, action="category.delete", target=category, edition=edition, before=before)
    category.delete()
