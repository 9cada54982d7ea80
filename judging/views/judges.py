"""The secretariat's page of an edition's judges: who judges, what they know, how much they take.

The committee (secretariat, chair, observers) reads it; only the secretariat adds or changes a judge,
through the services in judging/services/judges.py. An address with an account becomes a judge at once; any
other address is invited by e-mail (judging/services/people.py), and becomes a judge when they accept.
"""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.access import edition_permission_required
from portal.models import EditionRole, Organisation, RoleInvitation, User
from portal.service_errors import add_service_errors

from ..forms.assignment import JudgeForm
from ..models import JudgeProfile
from ..selectors import assignment as selectors
from ..services import judges as services
from ..services import people as people_services

JUDGES_PER_PAGE = 50
MAX_AFFILIATION_NAMES = 50


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class AddJudgeForm(JudgeForm):
    """Adding a judge by address: an account's owner becomes a judge, anyone else is invited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed names, not a list of every applicant: the page's size stays the same whatever the edition's.
        self.fields["affiliations"] = forms.CharField(
            label=_("Affiliations"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Names of the applicant organisations the judge works for or with, one a line: never "
                        "assigned their entries. They are chosen from a list on the judge's page later."))
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _("Without an account they receive an invitation by e-mail, and become a "
                                           "judge (with these values left at their defaults) when they accept.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        self.user = User.objects.filter(email__iexact=email).first()
        if self.user is not None and EditionRole.objects.filter(
                edition=self.edition, user=self.user, role=EditionRole.Role.JUDGE).exists():
            raise ValidationError(_("They are already a judge of this edition."))
        return email

    def clean_affiliations(self) -> list[Organisation]:
        """Each line names exactly one organisation that applied to this edition (case aside), in one query."""
        names = _names(self.cleaned_data["affiliations"])
        if len(names) > MAX_AFFILIATION_NAMES:
            raise ValidationError(_("At most %(n)s names; add more on the judge's page.") % {"n": MAX_AFFILIATION_NAMES})
        if not names:
            return []
        found: dict[str, list[Organisation]] = {}
        for organisation in self._applicants().filter(_any_of(names)):
            found.setdefault(organisation.name.casefold(), []).append(organisation)
        errors, chosen = [], []
        for name in names:
            matches = found.get(name.casefold(), [])
            if not matches:
                errors.append(_("No applicant of this edition is named “%(name)s”.") % {"name": name})
            elif len(matches) > 1:
                errors.append(_("Several applicants are named “%(name)s”: choose on the judge's page once they "
                                "are added.") % {"name": name})
            else:
                chosen.append(matches[0])
        if errors:
            raise ValidationError(errors)
        return chosen

    def _applicants(self):
        return Organisation.objects.filter(applications__edition=self.edition).distinct()


def _any_of(names: list[str]) -> Q:
    return reduce(or_, (Q(name__iexact=name) for name in names))


def _data(form: JudgeForm, names) -> dict:
    return {name: form.cleaned_data[name] for name in names if name != "email"}


@edition_permission_required("judging.view_rounds")
def judge_list(request, edition):
    can_manage = request.user.has_perm("judging.manage_rounds", edition)
    form = AddJudgeForm(request.POST or None, edition=edition, initial={"capacity": 20, "active": True})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat adds judges."))
        if form.is_valid():
            try:
                added = people_services.judge_add_or_invite(
                    edition=edition, email=form.cleaned_data["email"], actor=request.user,
                    language=request.LANGUAGE_CODE, **_data(form, form.fields))
            except ValidationError as error:
                add_service_errors(form, error, field="email")
            else:
                if isinstance(added, RoleInvitation):
                    messages.success(request, _("%(email)s has no account yet: an invitation to judge was sent. "
                                                "They become a judge when they accept.") % {"email": added.email})
                else:
                    messages.success(request, _("%(judge)s is now a judge of this edition.") % {"judge": added.user})
                return redirect("judging:judge_list", slug=edition.slug)
    page = Paginator(selectors.edition_judges(edition=edition), JUDGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "judging/assignment/judge_list.html", {
        "edition": edition, "page": page, "form": form if can_manage else None, "can_manage": can_manage,
    }, status=400 if form.is_bound else 200)


@edition_permission_required("judging.manage_rounds")
def judge_edit(request, edition, pk: int):
    judge = get_object_or_404(JudgeProfile.objects.select_related("user", "edition"), pk=pk, edition=edition)
    form = JudgeForm(request.POST or None, edition=edition, judge=judge, initial=JudgeForm.initial_for(judge))
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        try:
            services.judge_profile_update(judge=judge, actor=request.user, data=_data(form, changed))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. The next run of the assigner uses these values.") if changed
                             else _("Nothing was changed."))
            return redirect("judging:judge_list", slug=edition.slug)
    return render(request, "judging/assignment/judge_form.html", {
        "edition": edition, "judge": judge, "form": form,
    }, status=400 if form.is_bound else 200)
