import factory
from allauth.account.models import EmailAddress

from portal.models import AuditEntry, EditionRole, Membership, Organisation, User

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class VerifiedUserFactory(UserFactory):
    """A user whose e-mail allauth knows as verified, so they can log in."""

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"City of Example {n}")
    kind = Organisation.Kind.CITY
    country = "KR"
    city = factory.Faker("city")
    population_band = Organisation.PopulationBand.FROM_1M


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    role = Membership.Role.OWNER


class EditionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionRole

    edition = factory.SubFactory("tests.factories.submissions.EditionFactory")
    user = factory.SubFactory(VerifiedUserFactory)
    role = EditionRole.Role.JUDGE


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    edition = factory.SubFactory("tests.factories.submissions.EditionFactory")
    actor = factory.SubFactory(UserFactory)
    action = "test.action"
    target_repr = factory.Sequence(lambda n: f"target {n}")
