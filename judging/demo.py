"""Demo judging data: judges with expertise, countries and capacity, a few bids, one round, assigned.

`seed_demo` calls `seed_judging`; running it again changes nothing (same seed, same data):
users, profiles, bids and the round are looked up before they are created, and the
assigner runs only while the round's entries are not all fully assigned.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from portal.models import EditionRole, User
from portal.services import role_grant
from submissions.models import Application, Edition

from .models import Assignment, AssignmentRun, Bid, JudgeProfile, JudgingRound
from .selectors.assignment import ACTIVE_STATES, ROUND_ENTRY_STATUSES, round_entries
from .services import assignment_runs as assignment_run_services
from .services import round_jobs
from .services import rounds as round_services
from .services import judges as judge_services

DEMO_JUDGE_PASSWORD = "demo-portal-2026"  # noqa: S105 - the demo's published password (see seed_demo)
DEMO_COUNTRIES = ["KR", "JP", "SG", "AE", "KE", "GH", "FR", "ES", "BR", "US", "IN", "ID"]
DEMO_ROUND_NAME = "Category round"
JUDGES_PER_ENTRY = 3


def _judge_user(edition: Edition, number: int) -> User:
    email = f"judge{number:02d}.{edition.slug}@demo.example"
    user, created = User.objects.get_or_create(email=email, defaults={"name": f"Demo Judge {number:02d}"})
    if created:
        user.set_password(DEMO_JUDGE_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    role_grant(edition=edition, user=user, role=EditionRole.Role.JUDGE)
    return user


@transaction.atomic
def seed_judging(edition: Edition, *, judges: int, seed: int) -> JudgingRound:
    """Create `judges` demo judges, some bids and one round over every category, then assign it (synchronously)."""
    rng = random.Random(seed)
    categories = list(edition.categories.order_by("position", "pk"))
    entries = list(Application.objects.filter(edition=edition, category__in=categories,
                                              status__in=ROUND_ENTRY_STATUSES).order_by("pk"))
    # Room for every entry's k judges with a margin, so the demo round is always feasible.
    capacity = max(3, math.ceil(len(entries) * JUDGES_PER_ENTRY / max(judges, 1) * 1.5))

    profiles = []
    for number in range(1, judges + 1):
        user = _judge_user(edition, number)
        expertise = rng.sample(categories, k=min(len(categories), 1 + (rng.random() < 0.5))) if categories else []
        country = rng.choice(DEMO_COUNTRIES)
        judge = JudgeProfile.objects.filter(edition=edition, user=user).first()
        if judge is None:
            judge = judge_services.judge_profile_create(
                edition=edition, user=user, actor=None, country=country, capacity=capacity, expertise=expertise,
            )
        profiles.append(judge)

    for judge in profiles:
        for application in rng.sample(entries, k=min(len(entries), 3)):
            level = rng.choice([Bid.Level.EAGER, Bid.Level.EAGER, Bid.Level.WILLING, Bid.Level.NOT_WILLING])
            if not Bid.objects.filter(judge=judge, application=application).exists():
                judge_services.bid_set(judge=judge, level=level, user=None, application=application)

    judging_round = JudgingRound.objects.filter(edition=edition, name=DEMO_ROUND_NAME).first()
    if judging_round is None:
        position = (JudgingRound.objects.filter(edition=edition).order_by("-position")
                    .values_list("position", flat=True).first() or 0) + 1
        judging_round = round_services.round_create(
            edition=edition, user=None, name=DEMO_ROUND_NAME, categories=categories, position=position,
            judges_per_entry=JUDGES_PER_ENTRY, deadline=timezone.now() + timedelta(days=21),
            reminder_hours=[72, 24],
        )
    if judging_round.state not in round_services.CHANGEABLE_ROUND_STATES:
        return judging_round
    wanted = round_entries(round=judging_round).count() * judging_round.judges_per_entry
    assigned = Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).count()
    last = AssignmentRun.objects.filter(round=judging_round).order_by("-created_at", "-pk").first()
    if last is None or assigned != wanted:
        # Solved here and now rather than by a worker: the demo is ready when the command returns.
        run = round_jobs.assignment_run_create(round=judging_round, user=None, enqueue=False)
        assignment_run_services.round_assign(run=run)
    return judging_round
