"""The secretariat's forms take a programme's texts in both languages; one at least where the text is required."""

from django import forms

from portal.bilingual import BilingualFormMixin, per_language, with_languages


class NamedThingForm(BilingualFormMixin, forms.Form):
    bilingual = {"name": ("Name", {"max_length": 20}), "guidance": ("Guidance", {"textarea_rows": 2})}
    bilingual_required = ("name",)
    size = forms.IntegerField()


def test_each_translated_text_comes_in_english_then_korean_before_the_other_fields():
    form = NamedThingForm()
    assert list(form.fields) == ["name_en", "name_ko", "guidance_en", "guidance_ko", "size"]
    assert [str(form.fields[name].label) for name in ("name_en", "name_ko")] == ["Name (English)", "Name (Korean)"]


def test_one_language_is_enough_and_none_is_refused_beside_the_english_field():
    assert NamedThingForm({"name_ko": "이름", "size": "1"}).is_valid()
    assert NamedThingForm({"name_en": "Name", "size": "1"}).is_valid()
    refused = NamedThingForm({"name_en": " ", "guidance_ko": "도움말", "size": "1"})
    assert refused.errors == {"name_en": ["Enter the name in English or in Korean (or both)."]}
    assert NamedThingForm({"name_en": "x" * 21, "size": "1"}).errors == {
        "name_en": ["Ensure this value has at most 20 characters (it has 21)."]}


def test_service_field_lists_take_the_plain_name_first_then_each_language():
    assert per_language("name", "description") == ("name_en", "name_ko", "description_en", "description_ko")
    assert with_languages("name") == ("name", "name_en", "name_ko")
