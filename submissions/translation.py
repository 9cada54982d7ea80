"""Which texts of an edition's call a programme writes in English and Korean."""

from modeltranslation.translator import TranslationOptions, register

from .models import Category, Question


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("label", "help_text", "choices")
