"""The admin's read-only screens: every app's service-written rows share one rule, and it holds. (Who reaches the
admin, and every URL of it: test_admin_lockdown.py.)"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from judging.admin.scoring import CriterionScoreInline
from judging.models import Assignment, AssignmentRun, EntryResult, Review
from portal.admin import ReadOnlyAdminMixin
from portal.models import AuditEntry, Invitation, Organisation
from submissions.admin import AttachmentInline, StatusChangeInline
from submissions.models import ApplicationSnapshot, Attachment, StatusChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SERVICE_WRITTEN = [AuditEntry, Assignment, AssignmentRun, Review, EntryResult, ApplicationSnapshot, Attachment,
                   StatusChange, Invitation, Organisation, Group, EmailAddress]


@pytest.mark.parametrize("model", SERVICE_WRITTEN, ids=lambda model: model.__name__)
def test_rows_written_by_services_are_read_only_for_a_superuser_too(model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert isinstance(model_admin, ReadOnlyAdminMixin)
    assert [model_admin.has_add_permission(request), model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request)] == [False, False, False]
    assert model_admin.has_view_permission(request) is True


def test_read_only_inlines_share_the_same_rule():
    assert [issubclass(inline, ReadOnlyAdminMixin)
            for inline in (CriterionScoreInline, AttachmentInline, StatusChangeInline)] == [True, True, True]


def test_second_factors_are_only_removed_and_never_show_their_secret():
    model_admin = admin.site._registry[Authenticator]
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert [model_admin.has_add_permission(request), model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request)] == [False, False, True]
    assert "data" not in model_admin.get_fields(request)
