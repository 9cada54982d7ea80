"""The verifiable results: the anonymised dataset of a published edition, and its recompute from the file alone."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from judging.models import EntryResult, PrizeTier
from judging.services.aggregation import METHOD, METHOD_VERSION, round_aggregate
from judging.services.dataset import dataset_recompute, results_dataset
from judging.services.scoring import ReviewInput, review_submit
from portal.models import Edition
from submissions.models import Application
from tests.factories.awards import AwardDecisionFactory, PrizeTierFactory
from tests.factories.judging import StageWeightFactory
from tests.factories.scoring import hand_world, make_world
from tests.factories.submissions import CategoryFactory

pytestmark = pytest.mark.django_db


def _publish(edition: Edition) -> None:
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.PUBLISHED, published_at=timezone.now(),
                                                 publish_dataset=True)
    edition.refresh_from_db()


def _judged_world():
    """Two categories, five judges, stage weights, scales 0–10 and 1–5: a ranking worth recomputing."""
    world = make_world(judges=5, entries=7, criteria=((0, 10, 1), (1, 5, 2)))
    StageWeightFactory(criterion=world.criteria[1], stage=Application.Stage.CONCEPT, weight=4)
    Application.objects.filter(pk__in=[e.pk for e in world.entries[:3]]).update(stage=Application.Stage.CONCEPT)
    second = CategoryFactory(edition=world.edition, name="Tech-innovative")
    world.round.categories.add(second)
    Application.objects.filter(pk__in=[e.pk for e in world.entries[4:]]).update(category=second)
    for (j, e), assignment in world.assignments.items():
        review_submit(assignment=assignment, user=world.judges[j].user, notify=False,
                      data=ReviewInput(scores={
                          c.pk: c.scale_min + (3 * e + j * (e % 3) + c.position) % (c.scale_max - c.scale_min + 1)
                          for c in world.criteria}))
    round_aggregate(judging_round=world.round)
    gold = PrizeTierFactory(category=world.category, level=PrizeTier.Level.GOLD)
    best = EntryResult.objects.filter(round=world.round, category=world.category).order_by("rank")[0].application
    AwardDecisionFactory(tier=gold, application=best, edition=world.edition)
    _publish(world.edition)
    return world, second, best


def test_the_dataset_names_winners_only_and_judges_by_pseudonym():
    world, _second, best = _judged_world()
    data = results_dataset(edition=world.edition)
    text = json.dumps(data, ensure_ascii=False)
    for judge in world.judges:
        assert judge.user.email not in text and judge.user.get_full_name() not in text
    assert all(judge.startswith("J-") and len(judge) == 14 for judge in data["judges"])
    assert len(set(data["judges"])) == 5 and results_dataset(edition=world.edition)["judges"] == data["judges"]
    named = [entry for entry in data["entries"] if "title" in entry]
    assert named == [{"id": named[0]["id"], "category": world.category.slug, "stage": best.stage,
                      "application_id": best.pk, "title": best.title,
                      "awards": [f"gold:{world.category.slug}"]}]
    loser = next(e for e in world.entries if e.pk != best.pk)
    assert loser.title not in text and loser.organisation.name not in text
    assert all(sorted(entry) == ["category", "id", "stage"] for entry in data["entries"] if "title" not in entry)
    assert len(data["entries"]) == 7
    assert data["rounds"][0]["aggregation"] == "calibrated"
    assert (data["method"]["name"], data["method"]["version"]) == (METHOD, METHOD_VERSION)
    assert len(data["rounds"][0]["reviews"]) == 35
    assert data["rubrics"][0]["criteria"][1]["stage_weights"] == {"concept": "4.000"}


def test_the_command_recomputes_the_published_ranking_from_the_dataset_alone(client, tmp_path, capsys):
    world, second, _best = _judged_world()
    response = client.get(f"/editions/{world.edition.slug}/results/dataset.json")
    assert response.status_code == 200
    path = tmp_path / "dataset.json"
    path.write_bytes(response.content)

    call_command("recompute_results", str(path))
    out = capsys.readouterr().out
    assert "matches the published ranking" in out and "DIFFERS" not in out
    report = dataset_recompute(data=json.loads(path.read_text()))
    published = {row["entry"]: row["rank"] for row in report[0]["published"]}
    assert [(item["category"], item["matches"]) for item in report] == [
        (world.category.slug, True), (second.slug, True)]
    assert {row["entry"]: row["rank"] for row in report[0]["computed"]} == published
    assert len(set(published.values())) > 2  # a real ranking, not all tied

    data = json.loads(path.read_text())
    first = data["rounds"][0]["reviews"][0]
    criterion = next(iter(first["scores"]))
    first["scores"][criterion] = 10 if first["scores"][criterion] < 5 else 0
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="differs"):
        call_command("recompute_results", str(path))


def test_the_hand_computed_case_recomputes_with_its_tie():
    world = hand_world()
    round_aggregate(judging_round=world.round)
    _publish(world.edition)
    report = dataset_recompute(data=json.loads(json.dumps(results_dataset(edition=world.edition))))
    assert [item["matches"] for item in report] == [True]
    assert [(row["rank"], row["tied"]) for row in report[0]["computed"]] == [(1, False), (2, True), (2, True),
                                                                              (4, False)]


def test_a_file_that_is_not_a_dataset_is_refused_clearly(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not a results dataset"):
        call_command("recompute_results", str(path))
