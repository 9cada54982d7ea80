"""Every URL of the judging app (the `judging` namespace): edition pages under /e/<slug>/, a judge's entries
under /scoring/. Each view declares its permission with `portal.access.edition_permission_required`."""

from django.urls import path

from .views import assignment, bids, finalisation, judges, results, scoring, scoring_committee, scoring_feedback

app_name = "judging"
urlpatterns = [
    # Rounds and the assigner (secretariat; chair and observers read).
    path("e/<slug:slug>/rounds/", assignment.round_list, name="round_list"),
    path("e/<slug:slug>/rounds/new/", assignment.round_create, name="round_create"),
    path("e/<slug:slug>/rounds/<int:round_pk>/", assignment.round_detail, name="round_detail"),
    path("e/<slug:slug>/rounds/<int:round_pk>/edit/", assignment.round_edit, name="round_edit"),
    path("e/<slug:slug>/rounds/<int:round_pk>/run/", assignment.round_run, name="round_run"),
    path("e/<slug:slug>/rounds/<int:round_pk>/runs/<int:run_pk>/progress/", assignment.round_run_progress,
         name="round_run_progress"),
    path("e/<slug:slug>/rounds/<int:round_pk>/open/", assignment.round_open, name="round_open"),
    path("e/<slug:slug>/rounds/<int:round_pk>/assignments/add/", assignment.assignment_add, name="assignment_add"),
    path("e/<slug:slug>/rounds/<int:round_pk>/assignments/<int:pk>/move/", assignment.assignment_move,
         name="assignment_move"),
    path("e/<slug:slug>/rounds/<int:round_pk>/assignments/<int:pk>/release/", assignment.assignment_release,
         name="assignment_release"),
    # Judges and their bids.
    path("e/<slug:slug>/judges/", judges.judge_list, name="judge_list"),
    path("e/<slug:slug>/judges/<int:pk>/", judges.judge_edit, name="judge_edit"),
    path("e/<slug:slug>/bids/", bids.bids, name="bids"),
    # The judge's workbench.
    path("e/<slug:slug>/scoring/", scoring.scoring_home, name="scoring_home"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/queue/", scoring.workbench, name="scoring_workbench"),
    path("scoring/assignments/<int:pk>/", scoring.review, name="scoring_review"),
    path("scoring/assignments/<int:pk>/autosave/", scoring.review_autosave, name="scoring_autosave"),
    path("scoring/assignments/<int:pk>/conflict/", scoring.review_conflict, name="scoring_conflict"),
    path("scoring/assignments/<int:pk>/attachments/<int:number>/", scoring.review_attachment,
         name="scoring_attachment"),
    # The committee's results and settings of a round.
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/results/", results.leaderboard, name="scoring_leaderboard"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/results/<int:application_id>/", results.entry_result,
         name="scoring_entry"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/aggregate/", results.aggregation_start,
         name="scoring_aggregate"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/close/", results.round_close_view, name="scoring_close"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/runs/<int:run_id>/", results.aggregation_progress,
         name="scoring_run"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/settings/", scoring_committee.scoring_settings,
         name="scoring_settings"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/calibration/", scoring_committee.calibration,
         name="scoring_calibration"),
    path("e/<slug:slug>/scoring/rounds/<int:round_id>/shortlist/", scoring_committee.shortlist,
         name="scoring_shortlist"),
    # The applicant's feedback.
    path("scoring/feedback/<int:pk>/", scoring_feedback.feedback, name="scoring_feedback"),
    # The edition's last states (issue 9): deliberation, finalisation (chair, second factor), publication.
    path("e/<slug:slug>/awards/deliberation/", finalisation.deliberation_start, name="awards_deliberation"),
    path("e/<slug:slug>/awards/finalise/", finalisation.awards_finalise, name="awards_finalise"),
    path("e/<slug:slug>/awards/publish/", finalisation.awards_publish, name="awards_publish"),
]
