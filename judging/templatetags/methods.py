"""`{{ result.method|method_label }}`: the stored name of an aggregation method as the reader's language says it.

Results record the method's name in English (it is part of the published, recomputable dataset); pages show it
followed by the label of the round setting that chose it, translated (nothing for a name no setting has)."""

from django import template

from ..algorithms.aggregation import METHODS
from ..models import JudgingRound

register = template.Library()

_LABELS = {name: JudgingRound.AggregationMethod(key).label for key, (name, _version) in METHODS.items()}


@register.filter
def method_label(name: str) -> str:
    return str(_LABELS.get(name, ""))
