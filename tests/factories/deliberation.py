"""Factory of the committee's move of an entry to another category's consideration."""

import factory

from judging.models import CategoryConsideration

from .submissions import ApplicationFactory, CategoryFactory


class CategoryConsiderationFactory(factory.django.DjangoModelFactory):
    """An eligible entry considered in another category of its edition."""

    class Meta:
        model = CategoryConsideration

    application = factory.SubFactory(ApplicationFactory, status="eligible")
    edition = factory.LazyAttribute(lambda consideration: consideration.application.edition)
    category = factory.SubFactory(CategoryFactory, edition=factory.SelfAttribute("..edition"))
    reason = "It fits the other category's call better."
