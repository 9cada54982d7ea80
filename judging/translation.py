"""Which judging texts a programme writes in English and Korean: rubric criteria and their guidance, round names,
the edition's own awards."""

from modeltranslation.translator import TranslationOptions, register

from .models import Criterion, EditionAward, JudgingRound, Rubric


@register(Rubric)
class RubricTranslation(TranslationOptions):
    fields = ("name",)


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "guidance")


@register(JudgingRound)
class JudgingRoundTranslation(TranslationOptions):
    fields = ("name",)


@register(EditionAward)
class EditionAwardTranslation(TranslationOptions):
    fields = ("name", "description")
