"""The small form of an application's public image page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.request_limits import file_input_limit_attrs
from submissions.services.public_image import MAX_PUBLIC_IMAGE_BYTES


class PublicImageForm(forms.Form):
    image = forms.FileField(
        label=_("Public image"), required=False,
        help_text=_("PNG, JPEG or WebP, at most 5 MB: a photo of the project that the press could use."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    consent = forms.BooleanField(label=_("This image may be shown publicly if we win"), required=False)
    remove = forms.BooleanField(label=_("Remove the image"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs.update(file_input_limit_attrs(MAX_PUBLIC_IMAGE_BYTES))
