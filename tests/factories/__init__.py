from .portal import PASSWORD as PASSWORD_FOR_TESTS
from .portal import (
    AuditEntryFactory,
    EditionRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VerifiedUserFactory,
)
from .submissions import ApplicationFactory, CategoryFactory, EditionFactory, make_pdf

__all__ = [
    "PASSWORD_FOR_TESTS",
    "ApplicationFactory",
    "AuditEntryFactory",
    "make_pdf",
    "CategoryFactory",
    "EditionFactory",
    "EditionRoleFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "UserFactory",
    "VerifiedUserFactory",
]
