"""The demo's people: one user for every role (the secretariat is also an organiser), and the applicants' organisations.

Organisations and memberships are written by portal.services; user accounts have no
service of their own (allauth signs people up), so the demo creates them with a verified
e-mail address and the published demo password.
"""

from __future__ import annotations

from functools import lru_cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from portal.models import Edition, EditionRole, Membership, Organisation, User
from portal.services import membership_add, organisation_create, organiser_grant, role_grant

from .content import DemoOrganisation

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed on purpose: the demo has no secrets
DEMO_USERS = [
    ("secretariat@demo.example", "Demo Secretariat", EditionRole.Role.SECRETARIAT),
    ("chair@demo.example", "Demo Chair", EditionRole.Role.CHAIR),
    ("observer@demo.example", "Demo Observer", EditionRole.Role.OBSERVER),
    ("judge1@demo.example", "Demo Judge One", EditionRole.Role.JUDGE),
    ("judge2@demo.example", "Demo Judge Two", EditionRole.Role.JUDGE),
    ("judge3@demo.example", "Demo Judge Three", EditionRole.Role.JUDGE),
    ("applicant@demo.example", "Demo Applicant", None),
]
DEMO_SALT = "seeddemo2026portalawards"  # noqa: S105 - 24 characters of the hashers' alphabet: 142 bits
SECRETARIAT = "secretariat@demo.example"
APPLICANT = "applicant@demo.example"


@lru_cache(maxsize=1)
def demo_password_hash() -> str:
    # One hash with a fixed salt for every demo account: comparing hashes replaces a slow check_password per
    # user (the password is public anyway), and a changed password is still put back. The salt is long enough
    # (over 128 bits of the hashers' alphabet) that logging in never re-hashes it: a write inside the login.
    return make_password(DEMO_PASSWORD, salt=DEMO_SALT)


def demo_user(email: str, name: str, *, password: str) -> User:
    """The demo account `email` (created if missing) with the demo password and a verified address."""
    user, _created = User.objects.get_or_create(email=email, defaults={"name": name, "password": password})
    if user.password != password:
        user.password = password
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def staff_users(*, password: str) -> dict[str, User]:
    """The demo users of DEMO_USERS by e-mail; the secretariat is an organiser (may create editions). Nobody of
    the demo reaches the Django admin: it is a superuser's tool."""
    users = {}
    for email, name, role in DEMO_USERS:
        user = demo_user(email, name, password=password)
        users[email] = user
        if role == EditionRole.Role.SECRETARIAT:
            organiser_grant(user=user)
    return users


def grant_roles(edition: Edition, users: dict[str, User], *, roles: tuple[str, ...] | None = None) -> None:
    """Give each demo user their role in `edition` (only those of `roles` when given)."""
    for email, _name, role in DEMO_USERS:
        if role is not None and (roles is None or role in roles):
            role_grant(edition=edition, user=users[email], role=role)


def demo_city(*, owner: User) -> Organisation:
    """The demo applicant's own organisation, so `applicant@demo.example` can start an application."""
    organisation = Organisation.objects.filter(name="Demo City", country="KR").first()
    if organisation is None:
        return organisation_create(
            user=owner, name="Demo City", kind=Organisation.Kind.CITY, country="KR", city="Seoul",
            population_band=Organisation.PopulationBand.OVER_5M,
        )
    membership_add(organisation=organisation, user=owner, role=Membership.Role.OWNER)
    return organisation


def contacts(planned: list[DemoOrganisation], *, password: str) -> dict[int, User]:
    """Each organisation's contact person (an owner who logs in with the demo password), by organisation index."""
    existing = {user.email: user for user in User.objects.filter(email__in=[o.contact_email for o in planned])}
    new = [User(email=o.contact_email, name=o.contact_name, password=password)
           for o in planned if o.contact_email not in existing]
    User.objects.bulk_create(new)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new]
    )
    existing.update({user.email: user for user in new})
    return {o.index: existing[o.contact_email] for o in planned}


def organisations(planned: list[DemoOrganisation], *, contacts: dict[int, User]) -> dict[int, Organisation]:
    """The planned organisations by index, created by their contact (who owns them) where they do not exist yet."""
    existing = {
        (organisation.name, organisation.country.code): organisation
        for organisation in Organisation.objects.filter(name__in=[o.name for o in planned])
    }
    found = {}
    for entry in planned:
        contact = contacts[entry.index]
        organisation = existing.get((entry.name, entry.country))
        if organisation is None:
            organisation = organisation_create(
                user=contact, name=entry.name, kind=entry.kind, country=entry.country, city=entry.city,
                population_band=entry.population_band, website=entry.website,
            )
        else:
            membership_add(organisation=organisation, user=contact, role=Membership.Role.OWNER)
        found[entry.index] = organisation
    return found
