"""`{% next_step edition %}`: where the edition stands, what comes next, who does it and what blocks it."""

from django import template

from judging.selectors.stages import edition_next_step

register = template.Library()


@register.inclusion_tag("judging/_next_step.html", takes_context=True)
def next_step(context, edition) -> dict:
    return {"edition": edition, "step": edition_next_step(edition, context["request"].user)}
