"""Every model has a factory, and every factory builds a valid row that is saved in the database."""

import pytest
from django.apps import apps

import tests.factories as factories

pytestmark = pytest.mark.django_db

FACTORIES = sorted((getattr(factories, name) for name in factories.__all__ if name.endswith("Factory")),
                   key=lambda factory_class: factory_class.__name__)
PROJECT_APPS = ("portal", "submissions", "judging", "worker")


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda factory_class: factory_class.__name__)
def test_the_factory_builds_a_valid_row_and_saves_it(factory_class):
    model = factory_class._meta.model
    built = factory_class.build()
    assert built.pk is None

    made = factory_class()

    assert model.objects.filter(pk=made.pk).exists()
    # A field the model itself leaves empty (a default such as {}, or an actor set to NULL when the user is
    # deleted) is valid as stored even where a form would ask for it; every other field is validated.
    left_as_the_model_leaves_it = [
        field.name for field in model._meta.concrete_fields
        if (field.null and getattr(made, field.attname) is None)
        or (field.has_default() and getattr(made, field.attname) == field.get_default())
    ]
    made.full_clean(exclude=left_as_the_model_leaves_it)


def test_every_model_of_the_project_has_a_factory():
    models = {model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()}
    assert models - {factory_class._meta.model for factory_class in FACTORIES} == set()


def test_a_bid_is_on_an_entry_of_the_judges_edition_or_on_the_category_given():
    on_entry = factories.BidFactory()
    category = factories.CategoryFactory(edition=on_entry.judge.edition)
    on_category = factories.BidFactory(judge=on_entry.judge, category=category)
    assert (on_entry.application.edition, on_entry.category) == (on_entry.judge.edition, None)
    assert (on_category.application, on_category.category) == (None, category)
