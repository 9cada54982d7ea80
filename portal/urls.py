from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("e/<slug:slug>/", views.edition_workspace, name="edition_workspace"),
    path("e/<slug:slug>/audit/", views.audit_trail, name="audit_trail"),
    # Tasks and e-mails not gone out yet (the outbox), and "Try again".
    path("e/<slug:slug>/outbox/", views.edition_outbox_page, name="edition_outbox"),
    path("e/<slug:slug>/outbox/<int:pk>/retry/", views.edition_outbox_retry, name="edition_outbox_retry"),
    # Webhooks: other systems told when something happens (the secretariat's).
    path("e/<slug:slug>/webhooks/", views.webhook_list, name="webhook_list"),
    path("e/<slug:slug>/webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("e/<slug:slug>/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("e/<slug:slug>/webhooks/<int:pk>/secret/", views.webhook_secret_rotate, name="webhook_secret_rotate"),
    path("e/<slug:slug>/webhooks/deliveries/<int:pk>/retry/", views.webhook_delivery_retry,
         name="webhook_delivery_retry"),
    # People and roles of an edition; a role invitation's link.
    path("e/<slug:slug>/roles/", views.edition_roles, name="edition_roles"),
    path("e/<slug:slug>/roles/csv/", views.edition_roles_csv, name="edition_roles_csv"),
    path("e/<slug:slug>/roles/<int:user_pk>/<str:role>/change/", views.edition_role_change, name="edition_role_change"),
    path("e/<slug:slug>/roles/<int:user_pk>/<str:role>/revoke/", views.edition_role_revoke, name="edition_role_revoke"),
    path("e/<slug:slug>/roles/invitations/<int:pk>/resend/", views.role_invitation_resend,
         name="role_invitation_resend"),
    path("e/<slug:slug>/roles/invitations/<int:pk>/revoke/", views.role_invitation_revoke,
         name="role_invitation_revoke"),
    # Data protection: a person's own data, and the deletion requests the secretariat decides.
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export.zip", views.my_data_export, name="my_data_export"),
    path("my-data/deletion/", views.deletion_request_create, name="deletion_request_create"),
    path("my-data/deletion/<int:pk>/cancel/", views.deletion_request_cancel, name="deletion_request_cancel"),
    path("deletion-requests/", views.deletion_requests, name="deletion_requests"),
    path("deletion-requests/<int:pk>/", views.deletion_request_decide, name="deletion_request_decide"),
    path("roles/invitations/<str:token>/", views.role_invitation_accept, name="role_invitation_accept"),
]
