from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from portal.models import (
    AuditEntry,
    Edition,
    EditionRole,
    Invitation,
    LoginAttempt,
    Membership,
    Organisation,
    RoleInvitation,
    User,
    Webhook,
    WebhookDelivery,
)

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


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    name = factory.Sequence(lambda n: f"Test Prize {n}")
    slug = factory.Sequence(lambda n: f"test-prize-{n}")
    time_zone = "Asia/Seoul"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    state = Edition.State.OPEN


class EditionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionRole

    edition = factory.SubFactory(EditionFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    role = EditionRole.Role.JUDGE


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    edition = factory.SubFactory(EditionFactory)
    actor = factory.SubFactory(UserFactory)
    action = "test.action"
    target_repr = factory.Sequence(lambda n: f"target {n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    token = factory.Sequence(lambda n: f"invitation-token-{n:06d}")
    invited_by = None


class RoleInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleInvitation

    edition = factory.SubFactory(EditionFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    name = factory.Faker("name")
    role = EditionRole.Role.OBSERVER
    language = "en"
    token = factory.Sequence(lambda n: f"role-invitation-token-{n:06d}")
    invited_by = factory.SubFactory(VerifiedUserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class LoginAttemptFactory(factory.django.DjangoModelFactory):
    """A wrong password for an existing account, from a documentation address."""

    class Meta:
        model = LoginAttempt

    account_key = factory.LazyFunction(lambda: f"user:{VerifiedUserFactory().pk}")
    address = factory.Sequence(lambda n: f"203.0.113.{n % 250 + 1}")
    succeeded = False


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    edition = factory.SubFactory(EditionFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.org/portal")
    events = factory.LazyFunction(lambda: list(Webhook.Event.values))
    created_by = factory.SubFactory(VerifiedUserFactory)


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    event = Webhook.Event.APPLICATION_SUBMITTED
    payload = factory.LazyFunction(lambda: {"application_id": 1})
