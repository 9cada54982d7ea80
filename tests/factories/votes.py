"""A builder for the committee vote's tests: an edition in judging, a round the committee votes on, members.

`vote_world(entries=4)` gives a category "Safety and resilience" with entries titled "Entry A", "Entry B", ...
(listed in that order everywhere), another category of the same round with one entry of its own, the chair and
two committee members (the three voters), and one person for each other role on demand (`world.role(...)`).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from string import ascii_uppercase

from django.utils import timezone

from judging.models import JudgingRound
from portal.models import Edition, EditionRole, User
from submissions.models import Application, Category

from .ceremony import lock_edition
from .judging import JudgingRoundFactory
from .portal import EditionRoleFactory, OrganisationFactory, VerifiedUserFactory
from .submissions import ApplicationFactory, CategoryFactory, EditionFactory


@dataclass
class VoteWorld:
    edition: Edition
    category: Category
    other_category: Category
    round: JudgingRound
    entries: list[Application]
    other_entry: Application
    members: list[User]  # the chair first, then the committee members
    extra: dict = field(default_factory=dict)

    def role(self, role: str) -> User:
        return EditionRoleFactory(edition=self.edition, role=role).user

    @property
    def base(self) -> str:
        return f"/e/{self.edition.slug}/votes/rounds/{self.round.pk}/"

    def ballot_url(self, category: Category | None = None) -> str:
        return f"{self.base}categories/{(category or self.category).pk}/"

    def result_url(self, category: Category | None = None) -> str:
        return f"{self.ballot_url(category)}result/"


def vote_world(*, entries: int = 4, state: str = JudgingRound.State.OPEN,
               edition_state: str = Edition.State.JUDGING) -> VoteWorld:
    # A locked edition refuses new rows (judging.signals): build it judging, then lock it at the end.
    locked = edition_state in (Edition.State.FINALISED, Edition.State.PUBLISHED)
    edition = EditionFactory(state=Edition.State.JUDGING if locked else edition_state, opens_at=timezone.now() - timedelta(days=60),
                             closes_at=timezone.now() - timedelta(days=30))
    category = CategoryFactory(edition=edition, name="Safety and resilience", position=1)
    other_category = CategoryFactory(edition=edition, name="Human-centric", position=2)
    judging_round = JudgingRoundFactory(edition=edition, name="Final round", state=state, committee_vote=True,
                                        categories=[category, other_category])
    made = [
        ApplicationFactory(edition=edition, category=category, status=Application.Status.ELIGIBLE,
                           title=f"Entry {ascii_uppercase[i]}",
                           organisation=OrganisationFactory(name=f"City {ascii_uppercase[i]} {edition.pk}"))
        for i in range(entries)
    ]
    other = ApplicationFactory(edition=edition, category=other_category, status=Application.Status.ELIGIBLE,
                               title="Other category entry",
                               organisation=OrganisationFactory(name=f"Other City {edition.pk}"))
    chair = VerifiedUserFactory(name="Chair Person")
    EditionRoleFactory(edition=edition, user=chair, role=EditionRole.Role.CHAIR)
    members = [chair]
    for number in (1, 2):
        member = VerifiedUserFactory(name=f"Committee Member {number}")
        EditionRoleFactory(edition=edition, user=member, role=EditionRole.Role.COMMITTEE)
        members.append(member)
    if locked:
        lock_edition(edition, edition_state)
    return VoteWorld(edition, category, other_category, judging_round, made, other, members)
