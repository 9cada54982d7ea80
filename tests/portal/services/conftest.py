import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def site_language():
    """Messages in the site's language: a page test before may have left Korean active in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
