"""`{% round_rubric_gaps round as gaps %}`: what stops the round from opening for lack of a complete rubric;
`{{ level|level_text }}`: a criterion level's guidance in the reader's language."""

from django import template
from django.utils import translation

from judging.models import JudgingRound
from judging.models.rubrics import level_description
from judging.services.rubrics import round_rubric_gaps as gaps_of

register = template.Library()

# Only a round that has yet to open can be stopped by its rubrics; later ones skip the queries.
NOT_YET_OPEN = (JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING)


@register.simple_tag
def round_rubric_gaps(judging_round: JudgingRound) -> list[str]:
    return gaps_of(judging_round) if judging_round.state in NOT_YET_OPEN else []


@register.filter
def level_text(level: dict) -> str:
    return level_description(level, translation.get_language() or "")
