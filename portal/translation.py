"""Which of the portal's fields a programme writes in English and Korean (modeltranslation adds name_en, name_ko...)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ConsentText, Edition


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("name", "programme", "description")


@register(ConsentText)
class ConsentTextTranslation(TranslationOptions):
    fields = ("text",)
