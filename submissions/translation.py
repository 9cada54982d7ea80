"""Which texts of an edition's call a programme writes in English and Korean."""

from modeltranslation.translator import TranslationOptions, register

from .models import Category, FormSection


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(FormSection)
class FormSectionTranslation(TranslationOptions):
    fields = ("title", "guidance")
