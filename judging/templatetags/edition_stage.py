"""`{% edition_stage edition %}`: where the edition stands in the award cycle and the viewer's next step."""

from django import template

from judging.services.edition_stages import edition_deliberation_refusal
from portal.models import Edition

register = template.Library()

STEPS = (Edition.State.JUDGING, Edition.State.DELIBERATION, Edition.State.FINALISED, Edition.State.PUBLISHED)


@register.inclusion_tag("judging/awards/_edition_stage.html", takes_context=True)
def edition_stage(context, edition: Edition) -> dict:
    user = context["request"].user
    state = edition.state
    may_end_judging = state == Edition.State.JUDGING and user.has_perm("judging.start_deliberation", edition)
    return {
        "edition": edition,
        "steps": [(step, Edition.State(step).label, step == state) for step in STEPS],
        "shown": state in STEPS,
        "may_end_judging": may_end_judging,
        "deliberation_refusal": edition_deliberation_refusal(edition) if may_end_judging else None,
        "may_finalise": state == Edition.State.DELIBERATION and user.has_perm("judging.finalise_edition", edition),
        "may_publish": state == Edition.State.FINALISED and user.has_perm("judging.publish_edition", edition),
        "csrf_token": context.get("csrf_token"),
    }
