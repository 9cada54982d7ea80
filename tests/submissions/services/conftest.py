"""Builders for the submissions services' tests: an owner of a city, and a complete draft of theirs."""

import pytest
from django.conf import settings
from django.utils import translation

from submissions import services
from tests.factories import CategoryFactory, MembershipFactory


@pytest.fixture(autouse=True)
def site_language():
    """Messages in the site's language: a page test before may have left Korean active in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def owner():
    return MembershipFactory(organisation__kind="city").user


@pytest.fixture
def complete_draft():
    """Build a draft of `user`'s organisation, in a new category, that passes every submission check."""

    def build(user, **category_kwargs):
        category = CategoryFactory(**category_kwargs)
        organisation = user.organisations.get()
        application = services.application_create(user=user, organisation=organisation, category=category)
        data = {field: f"{field} text" for field in
                ["title", "summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability",
                 "resources", "partners"]}
        data.update(stage="pilot", links="https://example.org")
        return services.application_save_draft(application=application, user=user, data=data)

    return build
