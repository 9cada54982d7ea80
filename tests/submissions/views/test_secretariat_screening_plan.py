"""The screening list reads its page from the index application_screening_order: no sort or grouping of the edition.

PostgreSQL's plan (EXPLAIN) is the proof, so this runs with the integration tests: at 10,000 applications a page
walks the index's ids to its offset and joins its own 50 rows, where the list grouped and sorted the whole edition
(5 ms at 1,000 applications, 47 ms at 10,000).
"""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory

from portal.paging import page_rows
from submissions.models import Application
from submissions.views.secretariat import SCREENING_PAGE_SIZE, _screening_filter
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory
from tests.factories.submissions import ApplicationFactory

# Transactional: VACUUM (which sets the visibility map an index-only scan reads, as autovacuum does) runs outside
# a transaction block only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_a_page_of_the_screening_list_is_read_in_the_order_of_its_index():
    edition = EditionFactory()
    category = CategoryFactory(edition=edition)
    organisation = OrganisationFactory()
    ApplicationFactory(edition=edition, category=category, status="draft", title="A draft")
    other = EditionFactory()
    other_category = CategoryFactory(edition=other)
    # 10,000 of this edition's applications interleaved with as many of another edition's (drafts among them).
    Application.objects.bulk_create(
        Application(edition=edition, category=category, organisation=organisation, title=f"Entry {n // 2}",
                    status="submitted" if n % 7 else "eligible") if n % 2 == 0 else
        Application(edition=other, category=other_category, organisation=organisation, title=f"Other {n}",
                    status="draft" if n % 3 else "submitted")
        for n in range(20_000))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Application._meta.db_table}")
    applications = _screening_filter(RequestFactory().get("/"), edition, with_attachment_counts=False).qs
    page = Paginator(applications, SCREENING_PAGE_SIZE).get_page(3)
    rows = page_rows(applications, page)
    plan = rows.explain()
    assert "application_screening_order" in plan, plan
    # Nothing sorts or groups more than the page's 50 rows (the page's ids, then the page in order).
    assert all(int(re.search(r" rows=(\d+) ", line).group(1)) <= SCREENING_PAGE_SIZE
               for line in plan.splitlines() if re.search(r"Sort  |Aggregate  ", line)), plan
    assert [a.title for a in rows] == [f"Entry {n}" for n in range(100, 150)]
