"""The edition's webhooks: the secretariat names an address and the events to send it, reads every delivery and
its outcome, tries a failed one again, and rotates the signing secret."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.formatting import local_time

from ..access import edition_permission_required
from ..forms import WebhookForm
from ..models import Webhook, WebhookDelivery
from ..service_errors import add_service_errors
from ..services import webhooks as webhook_services

DELIVERIES_PAGE_SIZE = 50


def _webhook(edition, pk: int) -> Webhook:
    webhook = Webhook.objects.filter(pk=pk, edition=edition).first()
    if webhook is None:
        raise Http404
    return webhook


@edition_permission_required("portal.manage_webhooks")
def webhook_list(request, edition):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = webhook_services.webhook_create(edition=edition, url=form.cleaned_data["url"],
                                                      events=form.cleaned_data["events"], user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Webhook added. Its signing secret is on its page."))
            return redirect("portal:webhook_detail", edition.slug, webhook.pk)
    webhooks = (Webhook.objects.filter(edition=edition).order_by("id")
                .annotate(failed=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
                          waiting=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING))))
    labels = dict(Webhook.Event.choices)
    rows = [{"webhook": w, "events": [labels.get(e, e) for e in w.events]} for w in webhooks]
    return render(request, "portal/webhooks/list.html", {"edition": edition, "rows": rows, "form": form})


@edition_permission_required("portal.manage_webhooks")
def webhook_detail(request, edition, pk: int):
    webhook = _webhook(edition, pk)
    form = WebhookForm(request.POST or None, initial={"url": webhook.url, "events": webhook.events,
                                                      "is_active": webhook.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            webhook_services.webhook_update(webhook=webhook, url=form.cleaned_data["url"],
                                            events=form.cleaned_data["events"],
                                            is_active=form.cleaned_data["is_active"], user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("portal:webhook_detail", edition.slug, webhook.pk)
    page = Paginator(webhook.deliveries.order_by("-created_at", "-id"), DELIVERIES_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [{"delivery": d, "created": local_time(d.created_at, edition=edition),
             "next_attempt": local_time(d.next_attempt_at, edition=edition)} for d in page.object_list]
    return render(request, "portal/webhooks/detail.html", {
        "edition": edition, "webhook": webhook, "form": form, "page": page, "rows": rows,
    })


@require_POST
@edition_permission_required("portal.manage_webhooks")
def webhook_delete(request, edition, pk: int):
    webhook_services.webhook_delete(webhook=_webhook(edition, pk), user=request.user)
    messages.success(request, _("Webhook removed; nothing more is sent to it."))
    return redirect("portal:webhook_list", edition.slug)


@require_POST
@edition_permission_required("portal.manage_webhooks")
def webhook_secret_rotate(request, edition, pk: int):
    webhook_services.webhook_secret_rotate(webhook=_webhook(edition, pk), user=request.user)
    messages.success(request, _("A new signing secret is in use from now on: give it to the receiving system."))
    return redirect("portal:webhook_detail", edition.slug, pk)


@require_POST
@edition_permission_required("portal.manage_webhooks")
def webhook_delivery_retry(request, edition, pk: int):
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=pk, webhook__edition=edition).first()
    if delivery is None:
        raise Http404
    try:
        webhook_services.delivery_retry(delivery=delivery, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent again."))
    return redirect("portal:webhook_detail", edition.slug, delivery.webhook_id)
