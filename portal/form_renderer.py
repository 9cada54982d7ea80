"""The form renderer of every form of the portal: Django's, with a cheaper template for a field (as_field_group).

A draft form or a review form renders a dozen fields or more; for each, Django's field.html renders the error list
through two more templates even when it is empty, which is most fields on most pages. portal/forms/field.html is
Django's template with that list rendered only when there are errors, so the HTML is the same
(tests/portal/test_form_renderer.py compares the two).
"""

from django.forms.renderers import DjangoTemplates


class PortalFormRenderer(DjangoTemplates):
    field_template_name = "portal/forms/field.html"
