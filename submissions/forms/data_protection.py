"""The edition settings page's data protection part: the consent text applicants accept, and the retention period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin
from portal.models import ConsentText, Edition

MAX_RETENTION_DAYS = 3650


class DataProtectionForm(BilingualFormMixin, forms.Form):
    prefix = "privacy"
    bilingual = {"consent_text": (_("Data protection text applicants accept before submitting"),
                                  {"textarea_rows": 8, "max_length": 20000})}
    retention_days = forms.IntegerField(
        label=_("Retention period (days after publication)"), required=False, min_value=0,
        max_value=MAX_RETENTION_DAYS,
        help_text=_("After this many days from publication, drafts and files of applications that won nothing are "
                    "removed. Leave empty to keep them."),
    )

    @staticmethod
    def initial_for(edition: Edition) -> dict:
        latest = ConsentText.objects.filter(edition=edition).order_by("-version").first()
        return {
            "consent_text_en": (latest.text_en or "") if latest else "",
            "consent_text_ko": (latest.text_ko or "") if latest else "",
            "retention_days": edition.retention_days,
        }

    def consent_texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"consent_text_{code}") or "" for code in ("en", "ko")}
