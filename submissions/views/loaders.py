"""The objects applicant URLs name, loaded for `edition_permission_required(load=...)`, and their permissions."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy

from portal.access import edition_permission_required

from ..models import Application, Attachment

VIEW = "submissions.application_view"
EDIT = "submissions.application_edit"
REFUSALS = {
    VIEW: _lazy("Only members of the organisation that owns this application can open it."),
    EDIT: _lazy("Only members of the organisation that owns this application can change it."),
}


def load_application(request, pk: int) -> Application:
    return get_object_or_404(Application.objects.select_related("edition", "category", "organisation"), pk=pk)


def load_attachment(request, pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("application__edition", "application__category",
                                          "application__organisation"),
        pk=pk,
    )


def application_permission_required(perm: str, *, load=load_application, refusal=None, **options):
    """An application's page (or a file's, with `load` and `on`): `perm` on the application, then MFA for the
    edition's staff reading it (its members need none)."""
    return edition_permission_required(perm, load=load, refusal=refusal or REFUSALS[perm], mfa_unless=EDIT,
                                       **options)


def load_current_attachment(request, pk: int) -> Attachment:
    """An attachment not removed yet."""
    return get_object_or_404(
        Attachment.objects.select_related("application__edition", "application__category",
                                          "application__organisation"),
        pk=pk, removed_at__isnull=True,
    )
