"""Mail to a group's pages: who may open them (with data that could leak present), the compose page's preview and
send (a double click sends once), the log's and a mail's fixed query counts, a failure shown and retried, Korean,
and bad input kept."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from judging.models import GroupMail, GroupMailRecipient, MailTemplate
from judging.selectors.group_mail import GroupCriteria
from judging.services.group_mail import group_mail_start
from portal.models import EditionRole
from tests.factories import EditionRoleFactory, GroupMailFactory, GroupMailRecipientFactory, OutboxMessageFactory
from tests.factories.group_mail import mail_world
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db

APPLICANTS = GroupMail.Audience.APPLICANTS


@pytest.fixture
def world():
    return mail_world()


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    """A mail to the submitted applicants, written and delivered."""
    with django_capture_on_commit_callbacks(execute=True):
        group_mail, _created = group_mail_start(
            edition=world.edition, template=world.template, token=uuid.uuid4(), user=world.secretariat,
            criteria=GroupCriteria(audience=APPLICANTS, statuses=("submitted",)))
    return group_mail


def _urls(world, group_mail) -> dict[str, str]:
    slug = world.edition.slug
    return {
        "list": reverse("judging:group_mail_list", args=[slug]),
        "detail": reverse("judging:group_mail_detail", args=[slug, group_mail.pk]),
        "progress": reverse("judging:group_mail_progress", args=[slug, group_mail.pk]),
        "templates": reverse("judging:mail_template_list", args=[slug]),
        "compose": reverse("judging:group_mail_compose", args=[slug]),
        "template_new": reverse("judging:mail_template_create", args=[slug]),
        "template_edit": reverse("judging:mail_template_edit", args=[slug, world.template.pk]),
    }


READ_PAGES = ("list", "detail", "progress", "templates")
WRITE_PAGES = ("compose", "template_new", "template_edit")


def _person(world, role: str):
    if role == "applicant":
        return world.members["submitted"][0]
    if role == "judge":
        return world.judges["late"].user
    if role == "secretariat_elsewhere":
        return EditionRoleFactory(edition=world.other_edition, role=EditionRole.Role.SECRETARIAT).user
    return EditionRoleFactory(edition=world.edition, role=role).user


@pytest.mark.parametrize("role", ["applicant", "judge", "secretariat_elsewhere", "committee"])
def test_applicants_judges_and_other_editions_secretariat_are_refused_every_page(client, login, world, sent, role):
    login(_person(world, role))
    for name, url in _urls(world, sent).items():
        response = client.get(url)
        assert response.status_code == 403, name
        assert b"submitted1@applicant.example" not in response.content
        assert b"Organisation submitted" not in response.content
    retry = reverse("judging:group_mail_retry", args=[world.edition.slug, sent.pk])
    assert client.post(retry).status_code == 403


def test_the_anonymous_visitor_is_sent_to_log_in(client, world, sent):
    for url in _urls(world, sent).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["observer", "chair"])
def test_observers_and_the_chair_read_the_log_but_write_nothing(client, login, world, sent, role):
    login(_person(world, role))
    urls = _urls(world, sent)
    for name in READ_PAGES:
        assert client.get(urls[name]).status_code == 200, name
    detail = client.get(urls["detail"]).content.decode()
    assert "submitted1@applicant.example" in detail and "Try again" not in detail
    assert "only the secretariat" in client.get(urls["list"]).content.decode()
    for name in WRITE_PAGES:
        assert client.get(urls[name]).status_code == 403, name
    assert client.post(urls["compose"], {}).status_code == 403
    assert MailTemplate.objects.count() == 1


def test_the_secretariat_opens_every_page_linked_from_the_cockpit(client, login, world, sent):
    login(world.secretariat)
    cockpit = client.get(reverse("portal:edition_workspace", args=[world.edition.slug])).content.decode()
    assert _urls(world, sent)["list"] in cockpit
    for name, url in _urls(world, sent).items():
        assert client.get(url).status_code == 200, name


def _compose_data(world, **changes) -> dict:
    data = {"audience": APPLICANTS, "statuses": ["submitted", "eligible"], "judge_progress": "all",
            "template": world.template.pk, "token": str(uuid.uuid4())}
    data.update(changes)
    return data


def test_the_preview_steps_through_the_recipients_each_in_their_language(client, login, world):
    login(world.secretariat)
    url = reverse("judging:group_mail_compose", args=[world.edition.slug])
    first = client.get(url, _compose_data(world))
    assert first.status_code == 200
    preview = first.context["preview"]
    assert (preview["count"], preview["at"], preview["language"]) == (3, 0, "en")
    assert [m.user.email for m in preview["members"]] == ["submitted0@applicant.example",
                                                          "submitted1@applicant.example",
                                                          "eligible0@applicant.example"]
    assert preview["previous_url"] == ""
    second = client.get(url + preview["next_url"])
    assert second.context["preview"]["at"] == 1
    assert second.context["preview"]["subject"] == "서울 스마트시티 상: Applicant submitted 1님께 소식"  # reads Korean
    third = client.get(url + second.context["preview"]["next_url"])
    assert (third.context["preview"]["at"], third.context["preview"]["next_url"]) == (2, "")
    assert "Entry eligible" in third.content.decode()
    assert "Send to 3 recipients" in second.content.decode()
    assert mail.outbox == [] and not GroupMail.objects.exists()


def test_a_double_click_on_send_sends_each_recipient_one_mail(client, login, world, django_capture_on_commit_callbacks):
    login(world.secretariat)
    url = reverse("judging:group_mail_compose", args=[world.edition.slug])
    data = _compose_data(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, data, follow=True)
    group_mail = GroupMail.objects.get()
    assert first["Location"] == second.redirect_chain[0][0] == reverse(
        "judging:group_mail_detail", args=[world.edition.slug, group_mail.pk])
    assert "sent already" in second.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["eligible0@applicant.example", "submitted0@applicant.example",
                                                    "submitted1@applicant.example"]
    assert OutboxMessage.objects.filter(kind="email").count() == 3


def test_bad_input_is_refused_with_a_message_and_kept(client, login, world):
    login(world.secretariat)
    url = reverse("judging:group_mail_compose", args=[world.edition.slug])
    response = client.post(url, _compose_data(world, template="", statuses=["eligible"]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert 'value="eligible" id="id_statuses_2" checked' in body or ('value="eligible"' in body and "checked" in body)
    assert response.context["form"]["statuses"].value() == ["eligible"]

    tampered = client.post(url, _compose_data(world, token="not-a-token"))
    assert tampered.status_code == 400 and "This form is incomplete" in tampered.content.decode()

    empty = client.post(url, _compose_data(world, statuses=["ineligible"]))
    assert empty.status_code == 400 and "Nobody is in this group" in empty.content.decode()

    new = reverse("judging:mail_template_create", args=[world.edition.slug])
    typo = client.post(new, {"name": "Typo", "subject_en": "Hello {nmae}", "subject_ko": "", "body_en": "Body text",
                             "body_ko": ""})
    assert typo.status_code == 400
    body = typo.content.decode()
    assert "Unknown placeholder: {nmae}" in body and 'value="Hello {nmae}"' in body and "Body text" in body
    assert MailTemplate.objects.count() == 1


def test_a_template_for_judges_naming_an_applicant_is_refused_in_the_preview(client, login, world):
    login(world.secretariat)
    url = reverse("judging:group_mail_compose", args=[world.edition.slug])
    response = client.get(url, _compose_data(world, audience="judges"))
    assert response.status_code == 400
    assert "name an applicant" in response.content.decode()
    assert response.context["preview"] == {}


def test_the_template_pages_create_change_and_delete(client, login, world):
    login(world.secretariat)
    slug = world.edition.slug
    response = client.post(reverse("judging:mail_template_create", args=[slug]), {
        "name": "Late judges", "subject_en": "{round} is due", "subject_ko": "{round} 마감",
        "body_en": "Dear {name}, {link}", "body_ko": "{name}님, {link}"})
    assert response.status_code == 302
    created = MailTemplate.objects.get(name="Late judges")
    client.post(reverse("judging:mail_template_edit", args=[slug, created.pk]), {
        "name": "Late judges", "subject_en": "{round} is overdue", "subject_ko": "", "body_en": "Dear {name}",
        "body_ko": ""})
    created.refresh_from_db()
    assert (created.subject_en, created.subject_ko) == ("{round} is overdue", "")
    client.post(reverse("judging:mail_template_delete", args=[slug, created.pk]))
    assert not MailTemplate.objects.filter(pk=created.pk).exists()


def test_a_failed_recipient_is_shown_with_its_error_and_retried(client, login, world, sent,
                                                               django_capture_on_commit_callbacks):
    recipient = GroupMailRecipient.objects.get(group_mail=sent, email="submitted1@applicant.example")
    OutboxMessage.objects.filter(pk=recipient.outbox_message_id).update(state="failed", attempts=6,
                                                                        last_error="SMTPRecipientsRefused: 550")
    login(world.secretariat)
    detail = reverse("judging:group_mail_detail", args=[world.edition.slug, sent.pk])
    page = client.get(detail).content.decode()
    assert "SMTPRecipientsRefused: 550" in page and "1 failed" in page
    assert client.get(detail, {"failed": "1"}).context["rows"][0]["recipient"] == recipient
    mail.outbox.clear()
    retry = reverse("judging:group_mail_recipient_retry", args=[world.edition.slug, sent.pk, recipient.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry)["Location"] == detail
    assert [m.to for m in mail.outbox] == [["submitted1@applicant.example"]]
    assert OutboxMessage.objects.get(pk=recipient.outbox_message_id).state == "done"
    # Another mail's recipient, or another edition's URL, is not found.
    other = GroupMailRecipientFactory(group_mail=GroupMailFactory(edition=world.edition))
    assert client.post(reverse("judging:group_mail_recipient_retry",
                               args=[world.edition.slug, sent.pk, other.pk])).status_code == 404


def test_pages_read_in_korean(client, login, world, sent):
    login(world.secretariat)
    for name in ("list", "detail", "compose", "templates", "template_new"):
        body = client.get(_urls(world, sent)[name], HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert "단체 메일" in body or "템플릿" in body, name


@pytest.mark.parametrize("count", [1, 30])
def test_the_log_takes_the_same_queries_for_one_mail_or_many(client, login, world, django_assert_num_queries,
                                                             count):
    for _n in range(count):
        group_mail = GroupMailFactory(edition=world.edition, template=world.template,
                                      criteria={"audience": "applicants", "category_ids": [world.human.pk],
                                                "round_id": world.round.pk})
        GroupMailRecipientFactory(group_mail=group_mail, outbox_message=OutboxMessageFactory(
            kind="email", state="done", edition=world.edition))
    login(world.secretariat)
    url = reverse("judging:group_mail_list", args=[world.edition.slug])
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 25)
    assert response.context["rows"][0]["group"] == ["Applicants", "Category: Human-centric", "Round: Category round"]


@pytest.mark.parametrize("count", [1, 60])
def test_a_mails_page_takes_the_same_queries_for_one_recipient_or_many(client, login, world,
                                                                      django_assert_num_queries, count):
    group_mail = GroupMailFactory(edition=world.edition, template=world.template)
    for _n in range(count):
        GroupMailRecipientFactory(group_mail=group_mail, application=world.applications["submitted"],
                                  outbox_message=OutboxMessageFactory(kind="email", state="failed",
                                                                      edition=world.edition, last_error="550"))
    login(world.secretariat)
    url = reverse("judging:group_mail_detail", args=[world.edition.slug, group_mail.pk])
    client.get(url)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["rows"]) == min(count, 50)
