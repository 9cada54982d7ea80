"""The public image page of an application, and the applicant's decision and feedback after publication."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import Edition
from submissions.models import Application
from tests.factories.portal import EditionRoleFactory, MembershipFactory, VerifiedUserFactory
from tests.factories.public import image_upload, published_edition
from tests.factories.submissions import SMALL_PDF, ApplicationFactory

pytestmark = pytest.mark.django_db


def test_members_upload_the_image_with_consent_and_see_errors_beside_the_field(client, login):
    application = ApplicationFactory(status=Application.Status.SUBMITTED)
    login(MembershipFactory(organisation=application.organisation).user)
    url = f"/applications/{application.pk}/image/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"image": SimpleUploadedFile("x.png", SMALL_PDF), "consent": "on"})
    assert bad.status_code == 200 and "not a PNG, JPEG or WebP" in bad.content.decode()
    response = client.post(url, {"image": image_upload(), "consent": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.public_image and application.public_image_consent
    assert "An image is on file." in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["stranger", "secretariat"])
def test_only_members_change_the_image(client, login, who):
    application = ApplicationFactory(status=Application.Status.SUBMITTED)
    user = (VerifiedUserFactory() if who == "stranger"
            else EditionRoleFactory(edition=application.edition, role="secretariat").user)
    login(user)
    assert client.post(f"/applications/{application.pk}/image/", {"image": image_upload(), "consent": "on"}
                       ).status_code == 403
    application.refresh_from_db()
    assert not application.public_image


def test_after_publication_applicants_read_their_decision_and_feedback_link(client, login):
    made = published_edition(categories=1, leadership=0, mentions=1)
    gold, loser = made.winners[0], made.hidden[0]
    member = MembershipFactory(organisation=gold.organisation).user
    MembershipFactory(organisation=loser.organisation, user=member)
    login(member)
    html = client.get("/applications/").content.decode()
    assert "Gold · Human-centric" in html and "Not awarded" in html
    assert f"/scoring/feedback/{gold.pk}/" in html and f"/scoring/feedback/{loser.pk}/" in html
    assert f"/editions/{made.edition.slug}/winners/{gold.pk}/" in html
    assert f"/editions/{made.edition.slug}/winners/{loser.pk}/" not in html
    assert client.get(f"/scoring/feedback/{gold.pk}/").status_code == 200


def test_before_publication_no_decision_shows(client, login):
    made = published_edition(categories=1, leadership=0, mentions=0)
    Edition.objects.filter(pk=made.edition.pk).update(state=Edition.State.FINALISED, published_at=None)
    member = MembershipFactory(organisation=made.winners[0].organisation).user
    login(member)
    html = client.get("/applications/").content.decode()
    assert "Gold" not in html and "/scoring/feedback/" not in html
