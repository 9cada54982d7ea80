"""Finalising asks for the confirmation box first, and says what it locks."""

from portal.models import Edition


def test_finalising_without_the_box_changes_nothing_and_asks_for_no_second_factor(deliberating, client):
    client.force_login(deliberating.chair)
    url = f"/e/{deliberating.edition.slug}/awards/finalise/"
    page = client.get(url).content.decode()
    assert "1 round: its assignments and results are locked." in page
    assert "9 submitted reviews and their scores are locked." in page
    assert "2 prize decisions are locked." in page
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Tick the box to confirm; nothing was changed." in response.content.decode()
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"
