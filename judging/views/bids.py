"""The judge's bidding page: which entries and whole categories they would like to judge, as in HotCRP.

Only a judge of the edition reaches it, and sees only their own bids. Entries are listed as the
judges will see them: without the applicant's name when any round of the edition is blind.
Bids count for the next run of the assigner; they change nothing already assigned.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from portal.access import edition_permission_required
from submissions.models import Application

from ..forms.assignment import BidFilterForm, BidsForm, shown_entry_ids
from ..selectors import bids as selectors
from ..selectors.scoring import judge_profile
from ..services import judges as services
from ..services.locks import edition_is_locked

BIDS_PER_PAGE = 50


ONLY_JUDGES = _lazy("Only the active judges of this edition bid on its entries.")


@edition_permission_required("portal.judge_edition", refusal=ONLY_JUDGES)
@require_http_methods(["GET", "POST"])
def bids(request, edition):
    judge = judge_profile(user=request.user, edition=edition)
    if judge is None or not judge.active:
        raise PermissionDenied(ONLY_JUDGES)
    judge.edition = edition
    categories = selectors.edition_categories(edition=edition)
    filters = BidFilterForm(request.GET or None, categories=categories)
    category_id, search = (filters.cleaned_data["category"], filters.cleaned_data["q"]) if filters.is_valid() else (
        None, "")
    blind = selectors.edition_is_blind(edition=edition)
    found = selectors.biddable_entries(edition=edition, category_id=category_id, search=search)
    if blind and search:
        found = selectors.matching_as_shown(entries=found, search=search)
    page = Paginator(found, BIDS_PER_PAGE).get_page(request.GET.get("page"))
    entries = selectors.entries_as_shown(entries=list(page.object_list), blind=blind)
    closed = edition_is_locked(edition)

    status, error = 200, ""
    if request.method == "POST":
        error = _save(request, judge, categories)
        if not error:
            return redirect(request.get_full_path())
        # Nothing was saved: show the page again with every choice the judge made.
        data = request.POST.copy()
        data["shown"] = ",".join(str(entry.pk) for entry in entries)
        form = BidsForm(data, categories=categories, entries=entries)
        form.is_valid()
        status = 400
    else:
        initial = {f"entry_{pk}": level for pk, level in
                   selectors.judge_entry_bids(judge=judge, application_ids=[e.pk for e in entries]).items()}
        initial.update({f"category_{pk}": level for pk, level in selectors.judge_category_bids(judge=judge).items()})
        form = BidsForm(initial=initial, categories=categories, entries=entries)

    conflicts = selectors.judge_pair_conflicts(judge=judge, entries=entries)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "judging/bids.html", {
        "edition": edition,
        "judge": judge,
        "form": form,
        "filters": filters,
        "error": error,
        "closed": closed,
        "blind": blind,
        "category_rows": [(category, form[f"category_{category.pk}"]) for category in categories],
        "entry_rows": [(entry, form[f"entry_{entry.pk}"], conflicts.get(entry.pk, [])) for entry in entries],
        "page": page,
        "query": query.urlencode(),
    }, status=status)


def _save(request, judge, categories) -> str:
    """Save the posted bids; the error to show, or "" once saved (with a message)."""
    shown = shown_entry_ids(request.POST.get("shown", ""))
    posted = list(Application.objects.filter(edition_id=judge.edition_id, pk__in=shown or []))
    if shown is None or len(posted) != len(set(shown)):
        return _("This form does not match the entries of this edition; nothing was saved. Please choose again.")
    form = BidsForm(request.POST, categories=categories, entries=posted)
    if not form.is_valid():
        return _("Some choices were not valid; nothing was saved. Please check the marked bids.")
    entry_bids, category_bids = form.bids()
    try:
        changed = services.bids_save(judge=judge, user=request.user, entries=entry_bids, categories=category_bids)
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    messages.success(request, ngettext("Saved: %(n)s bid changed. Bids count for the next run of the assigner.",
                                       "Saved: %(n)s bids changed. Bids count for the next run of the assigner.",
                                       changed) % {"n": changed})
    return ""
