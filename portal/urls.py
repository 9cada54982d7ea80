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
]
