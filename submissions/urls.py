from django.urls import path

from .views import applicant, attachments, edition_settings, form_builder, invitations, public_image, secretariat

app_name = "submissions"
urlpatterns = [
    # Applicants: their own organisation's applications only.
    path("apply/", applicant.apply_start, name="apply_start"),
    path("applications/", applicant.my_applications, name="my_applications"),
    path("applications/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applicant.application_edit, name="application_edit"),
    path("applications/<int:pk>/autosave/", applicant.application_autosave, name="application_autosave"),
    path("applications/<int:pk>/preview/", applicant.application_preview, name="application_preview"),
    path("applications/<int:pk>/submit/", applicant.application_submit, name="application_submit"),
    path("applications/<int:pk>/reopen/", applicant.application_reopen, name="application_reopen"),
    path("applications/<int:pk>/withdraw/", applicant.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/attachments/", applicant.attachment_upload, name="attachment_upload"),
    path("applications/<int:pk>/image/", public_image.application_image, name="application_image"),
    path("attachments/<int:pk>/remove/", attachments.attachment_remove, name="attachment_remove"),
    path("attachments/<int:pk>/download/", attachments.attachment_download, name="attachment_download"),
    path("organisations/<int:pk>/invite/", invitations.organisation_invite, name="organisation_invite"),
    # Secretariat: screening and settings of an edition.
    path("e/<slug:slug>/screening/", secretariat.screening_list, name="screening_list"),
    path("e/<slug:slug>/screening/export.csv", secretariat.screening_export_csv, name="screening_export_csv"),
    path("e/<slug:slug>/screening/export.xlsx", secretariat.screening_export_xlsx, name="screening_export_xlsx"),
    path("e/<slug:slug>/screening/<int:pk>/", secretariat.screening_detail, name="screening_detail"),
    path("e/<slug:slug>/settings/", edition_settings.edition_settings, name="edition_settings"),
    path("e/<slug:slug>/form/", form_builder.form_builder, name="form_builder"),
    path("e/<slug:slug>/form/start/", form_builder.form_builder_start, name="form_builder_start"),
    path("e/<slug:slug>/form/new/", form_builder.question_add, name="question_add"),
    path("e/<slug:slug>/form/<int:pk>/", form_builder.question_edit, name="question_edit"),
    path("e/<slug:slug>/form/<int:pk>/move/", form_builder.question_move, name="question_move"),
    path("e/<slug:slug>/form/<int:pk>/remove/", form_builder.question_remove, name="question_remove"),
]
