"""Mail to a group: exactly the filtered people, each once, in their language; placeholders; judges never read an
applicant's identity; a failure recorded per recipient and retried."""

import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from judging.models import GroupMail, GroupMailRecipient
from judging.selectors.group_mail import GroupCriteria, group_members
from judging.services.group_mail import group_mail_recipient_retry, group_mail_start, mail_template_save
from judging.services.group_mail_sending import group_mail_execute
from judging.tasks.group_mail import group_mail_send
from portal.models import AuditEntry
from tests.factories import MailTemplateFactory
from tests.factories.group_mail import mail_world
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db

APPLICANTS, JUDGES = GroupMail.Audience.APPLICANTS, GroupMail.Audience.JUDGES


def _send(world, capture, criteria, *, template=None, token=None):
    with capture(execute=True):
        sent, created = group_mail_start(edition=world.edition, template=template or world.template,
                                         criteria=criteria, token=token or uuid.uuid4(), user=world.secretariat)
    sent.refresh_from_db()
    return sent, created


def _emails(world, *keys):
    return sorted(user.email for key in keys for user in world.members[key])


def test_a_group_mail_reaches_exactly_the_filtered_people_once_each_in_their_language(
        django_capture_on_commit_callbacks):
    world = mail_world()
    criteria = GroupCriteria(audience=APPLICANTS, statuses=("submitted", "eligible"))
    token = uuid.uuid4()
    sent, created = _send(world, django_capture_on_commit_callbacks, criteria, token=token)
    assert (created, sent.state, sent.progress, sent.total) == (True, GroupMail.State.SUCCEEDED, 100, 3)
    assert sorted(message.to[0] for message in mail.outbox) == _emails(world, "submitted", "eligible")
    by_address = {message.to[0]: message for message in mail.outbox}
    english, korean = world.members["submitted"]
    assert by_address[english.email].subject == "Seoul Smart City Prize: news for Applicant submitted 0"
    assert by_address[korean.email].subject == "서울 스마트시티 상: Applicant submitted 1님께 소식"
    assert "Human-centric" in by_address[english.email].body
    assert "인간 중심" in by_address[korean.email].body and "기술 혁신" in by_address["eligible0@applicant.example"].body

    # The same form sent again (a double click), and the task delivered twice: nobody gets a second e-mail.
    again, created_again = _send(world, django_capture_on_commit_callbacks, criteria, token=token)
    group_mail_send(run_id=sent.pk)
    group_mail_execute(mail_id=sent.pk)
    assert (again.pk, created_again) == (sent.pk, False)
    assert len(mail.outbox) == 3
    assert OutboxMessage.objects.filter(kind="email").count() == 3
    assert GroupMail.objects.count() == 1
    assert set(GroupMailRecipient.objects.values_list("outbox_message__state", flat=True)) == {"done"}
    assert AuditEntry.objects.filter(action="group_mail.sent", edition=world.edition).count() == 1


def test_placeholders_are_each_recipients_own_values(django_capture_on_commit_callbacks):
    world = mail_world()
    _send(world, django_capture_on_commit_callbacks, GroupCriteria(audience=APPLICANTS, statuses=("submitted",)))
    application = world.applications["submitted"]
    body = next(message.body for message in mail.outbox if message.to == ["submitted0@applicant.example"])
    assert body.startswith("Dear Applicant submitted 0 of Organisation submitted,\nYour entry “Entry submitted” "
                           "(Human-centric).\nDeadline ")
    assert f"/applications/{application.pk}/" in body
    assert "(Asia/Seoul)" in body


@pytest.mark.parametrize(("criteria", "expected"), [
    (GroupCriteria(audience=APPLICANTS), ["draft", "eligible", "submitted", "withdrawn"]),
    (GroupCriteria(audience=APPLICANTS, statuses=("draft",)), ["draft"]),
    (GroupCriteria(audience=APPLICANTS, category_ids=("tech",)), ["eligible", "withdrawn"]),
    (GroupCriteria(audience=APPLICANTS, shortlisted=True), ["eligible"]),
    (GroupCriteria(audience=APPLICANTS, round_id="round"), ["eligible", "submitted"]),
])
def test_applicants_are_filtered_by_status_category_round_and_shortlist(criteria, expected):
    world = mail_world()
    replace = {"tech": world.tech.pk, "round": world.round.pk}
    criteria = GroupCriteria(audience=criteria.audience, statuses=criteria.statuses, shortlisted=criteria.shortlisted,
                             category_ids=tuple(replace[c] for c in criteria.category_ids),
                             round_id=replace.get(criteria.round_id))
    members = group_members(edition=world.edition, criteria=criteria)
    assert sorted(member.user.email for member in members) == _emails(world, *expected)


@pytest.mark.parametrize(("progress", "expected"), [("all", ["done", "idle", "late"]), ("late", ["late"]),
                                                    ("done", ["done"])])
def test_judges_are_filtered_by_progress_never_another_editions(progress, expected):
    world = mail_world()
    members = group_members(edition=world.edition, criteria=GroupCriteria(audience=JUDGES, judge_progress=progress))
    assert [member.user.email for member in members] == [f"{key}@judge.example" for key in expected]


def test_a_late_judge_is_no_longer_late_once_the_deadline_is_ahead():
    from datetime import timedelta

    from django.utils import timezone

    world = mail_world()
    world.round.deadline = timezone.now() + timedelta(days=1)
    world.round.save()
    assert group_members(edition=world.edition, criteria=GroupCriteria(audience=JUDGES, judge_progress="late")) == []


def test_an_unknown_placeholder_is_refused_with_its_name():
    world = mail_world()
    template = MailTemplateFactory.build(edition=world.edition, name="Typo", body_en="Dear {nmae},")
    with pytest.raises(ValidationError) as refused:
        mail_template_save(template=template, user=world.secretariat)
    assert list(refused.value.message_dict) == ["body_en"]
    assert "{nmae}" in refused.value.message_dict["body_en"][0]


def test_judges_never_get_an_applicants_placeholders_in_a_blind_round(django_capture_on_commit_callbacks):
    world = mail_world(blind=True)
    criteria = GroupCriteria(audience=JUDGES, round_id=world.round.pk, judge_progress="late")
    with pytest.raises(ValidationError) as refused:
        group_mail_start(edition=world.edition, template=world.template, criteria=criteria, token=uuid.uuid4(),
                         user=world.secretariat)
    assert "{organisation}, {application_title}, {category}" in " ".join(refused.value.messages)
    assert not GroupMail.objects.exists()

    reminder = MailTemplateFactory(edition=world.edition, name="Reminder", subject_en="{round}: {name}",
                                   subject_ko="{round}: {name}님", body_en="Due {deadline}: {link}",
                                   body_ko="마감 {deadline}: {link}")
    sent, _created = _send(world, django_capture_on_commit_callbacks, criteria, template=reminder)
    assert [message.to for message in mail.outbox] == [["late@judge.example"]]
    message = mail.outbox[0]
    assert message.subject == "Category round: Judge late님"  # the judge reads Korean
    assert f"/e/{world.edition.slug}/scoring/" in message.body
    for application in world.applications.values():
        assert application.title not in message.body and application.organisation.name not in message.body


def test_a_refused_address_fails_on_its_recipient_and_is_sent_again(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.factories.mail.RefusingEmailBackend"
    settings.OUTBOX_EMAIL_MAX_ATTEMPTS = 1
    world = mail_world()
    refused_user = world.members["eligible"][0]
    refused_user.email = "bounce@applicant.example"
    refused_user.save()
    sent, _created = _send(world, django_capture_on_commit_callbacks,
                           GroupCriteria(audience=APPLICANTS, statuses=("eligible", "submitted")))
    assert sent.state == GroupMail.State.SUCCEEDED
    assert sorted(m.to[0] for m in mail.outbox) == _emails(world, "submitted")
    recipient = GroupMailRecipient.objects.select_related("outbox_message").get(email="bounce@applicant.example")
    assert recipient.outbox_message.state == "failed"
    assert "SMTPRecipientsRefused" in recipient.outbox_message.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        group_mail_recipient_retry(recipient=recipient, user=world.secretariat)
    assert [m.to for m in mail.outbox] == [["bounce@applicant.example"]]
    recipient.outbox_message.refresh_from_db()
    assert recipient.outbox_message.state == "done"
    assert AuditEntry.objects.filter(action="outbox.retry", edition=world.edition).count() == 1


def test_an_empty_group_or_another_editions_template_is_refused():
    world = mail_world()
    with pytest.raises(ValidationError, match="Nobody is in this group"):
        group_mail_start(edition=world.edition, template=world.template, token=uuid.uuid4(), user=world.secretariat,
                         criteria=GroupCriteria(audience=APPLICANTS, statuses=("ineligible",)))
    elsewhere = MailTemplateFactory(edition=world.other_edition)
    with pytest.raises(ValidationError, match="template of this edition"):
        group_mail_start(edition=world.edition, template=elsewhere, token=uuid.uuid4(), user=world.secretariat,
                         criteria=GroupCriteria(audience=APPLICANTS))
    assert not GroupMail.objects.exists()



def test_a_mail_whose_task_failed_is_shown_failed_and_tried_again_writing_only_whom_it_had_not_reached(
        django_capture_on_commit_callbacks, monkeypatch):
    from judging.services import group_mail_sending
    from judging.services.group_mail import group_mail_retry

    world = mail_world()
    monkeypatch.setattr(group_mail_sending, "MAIL_BATCH", 1)
    real_render, calls = group_mail_sending.render_for, []

    def render_then_crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the mail server's library broke")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(group_mail_sending, "render_for", render_then_crash)
    sent, _created = _send(world, django_capture_on_commit_callbacks,
                           GroupCriteria(audience=APPLICANTS, statuses=("submitted", "eligible")))
    # The task failed for good: PortalTask's `fails_run` marks the mail failed with the error; one was written.
    assert (sent.state, sent.progress, len(mail.outbox)) == (GroupMail.State.FAILED, 33, 1)
    assert sent.error == "RuntimeError: the mail server's library broke"
    with django_capture_on_commit_callbacks(execute=True):
        group_mail_retry(mail=sent, user=world.secretariat)
    sent.refresh_from_db()
    assert (sent.state, sent.progress, sent.error) == (GroupMail.State.SUCCEEDED, 100, "")
    assert sorted(m.to[0] for m in mail.outbox) == _emails(world, "submitted", "eligible")
    assert AuditEntry.objects.filter(action="group_mail.retried").count() == 1
    with pytest.raises(ValidationError, match="Only a failed mail"):
        group_mail_retry(mail=sent, user=world.secretariat)
