"""The edition's mail templates: subject and body in English and Korean, with placeholders such as {name}.

The secretariat writes them (`judging.send_group_mail`); the chair and the observers read the list
(`judging.view_group_mail`). A template is looked up within the edition of the URL: another edition's answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import edition_permission_required
from portal.service_errors import add_service_errors

from ..forms.group_mail import MailTemplateForm
from ..models import MailTemplate
from ..selectors.group_mail import edition_templates
from ..services import group_mail as services
from ..services.group_mail_texts import PLACEHOLDERS

VIEW, SEND = "judging.view_group_mail", "judging.send_group_mail"


def _template(edition, template_id: int) -> MailTemplate:
    return get_object_or_404(MailTemplate, pk=template_id, edition=edition)


@edition_permission_required(VIEW)
def mail_template_list(request, edition):
    return render(request, "judging/group_mail/template_list.html", {
        "edition": edition, "templates": edition_templates(edition=edition),
        "can_send": request.user.has_perm(SEND, edition),
    })


def _form_page(request, edition, form, *, template=None, status=200):
    return render(request, "judging/group_mail/template_form.html", {
        "edition": edition, "form": form, "template_obj": template,
        "placeholders": [("{" + name + "}", label) for name, label in PLACEHOLDERS.items()],
    }, status=status)


def _save(request, edition, form, *, template=None):
    if form.is_valid():
        try:
            services.mail_template_save(template=form.instance, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Template saved: %(name)s.") % {"name": form.instance.name})
            return redirect("judging:mail_template_list", edition.slug)
    return _form_page(request, edition, form, template=template, status=400)


@edition_permission_required(SEND)
def mail_template_create(request, edition):
    if request.method == "POST":
        return _save(request, edition, MailTemplateForm(request.POST, edition=edition))
    return _form_page(request, edition, MailTemplateForm(edition=edition))


@edition_permission_required(SEND)
def mail_template_edit(request, edition, template_id: int):
    template = _template(edition, template_id)
    if request.method == "POST":
        return _save(request, edition, MailTemplateForm(request.POST, instance=template, edition=edition),
                     template=template)
    return _form_page(request, edition, MailTemplateForm(instance=template, edition=edition), template=template)


@edition_permission_required(SEND)
@require_POST
def mail_template_delete(request, edition, template_id: int):
    template = _template(edition, template_id)
    services.mail_template_delete(template=template, user=request.user)
    messages.success(request, _("Template deleted: %(name)s. The mails sent with it keep their words.")
                     % {"name": template.name})
    return redirect("judging:mail_template_list", edition.slug)
