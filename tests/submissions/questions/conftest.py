"""Builders for the form builder's tests: an open edition with a saved form, and a draft of an applicant's."""

import pytest
from django.conf import settings
from django.utils import translation

from submissions import services
from submissions.models import Question
from submissions.services.questions import form_questions_ensure, question_save
from tests.factories import CategoryFactory, EditionRoleFactory, MembershipFactory, VerifiedUserFactory


@pytest.fixture(autouse=True)
def site_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def category(db):
    return CategoryFactory(edition__slug="form-2026")


@pytest.fixture
def edition(category):
    return category.edition


@pytest.fixture
def secretariat(edition):
    user = VerifiedUserFactory()
    EditionRoleFactory(edition=edition, user=user, role="secretariat")
    return user


@pytest.fixture
def owner(db):
    return MembershipFactory(organisation__kind="city").user


@pytest.fixture
def draft(owner, category):
    """A draft with the fixed fields and the default form's eight answers filled: it passes every check."""
    application = services.application_create(user=owner, organisation=owner.organisations.get(), category=category)
    data = {key: f"{key} text" for key in ["summary", "problem", "solution", "impact_evidence", "inclusiveness",
                                           "scalability", "resources", "partners"]}
    data.update(title="A project", stage="pilot", links="https://example.org")
    return services.application_save_draft(application=application, user=owner, data=data)


@pytest.fixture
def add_question(edition, secretariat):
    """Add a question to the edition's form through the builder's service."""

    def add(**data):
        form_questions_ensure(edition=edition)
        data.setdefault("label_en", data.get("key", "Question").replace("_", " ").capitalize())
        return question_save(edition=edition, user=secretariat, data=data)

    return add


Kind = Question.Kind
