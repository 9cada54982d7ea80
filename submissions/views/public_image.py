"""An application's public image page (`submissions:application_image`): upload, consent, removal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.service_errors import add_service_errors

from ..forms.public_image import PublicImageForm
from ..models import Application
from ..services.public_image import application_public_image_set
from .loaders import EDIT, application_permission_required


@application_permission_required(EDIT)
@require_http_methods(["GET", "POST"])
def application_image(request, application: Application):
    form = PublicImageForm(request.POST or None, request.FILES or None,
                           initial={"consent": application.public_image_consent})
    if request.method == "POST" and form.is_valid():
        try:
            application_public_image_set(
                application=application, user=request.user, file=form.cleaned_data["image"] or None,
                consent=form.cleaned_data["consent"], remove=form.cleaned_data["remove"],
            )
        except ValidationError as error:
            add_service_errors(form, error, field="image")
        else:
            messages.success(request, _("Public image saved."))
            return redirect("submissions:application_image", pk=application.pk)
    return render(request, "submissions/applicant/application_image.html", {
        "application": application, "edition": application.edition, "form": form,
    })
