from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from judging import api
from portal.admin import superusers_only_login
from portal.views import health

# The admin logs in through allauth, so rate limits, verification and MFA apply there too; anyone logged in who is
# not an active superuser gets the portal's 403 page saying why (portal/admin.py holds the rule).
admin.site.login = superusers_only_login(secure_admin_login(admin.site.login))
admin.site.site_header = "Award portal administration"
admin.site.site_title = "Award portal"

urlpatterns = [
    # Liveness (the process answers) and readiness (database, migrations, broker, worker, beat): JSON, 200 or 503.
    path("healthz", health.liveness, name="health_liveness"),
    path("healthz/ready", health.readiness, name="health_readiness"),
    path("admin/", admin.site.urls),
    # Published results for other systems (read-only JSON, OpenAPI schema at /api/v1/openapi.json).
    path("api/v1/", api.urls()),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("submissions.urls")),
    path("", include("judging.urls")),
    path("", include("portal.urls")),
]

handler400 = "portal.request_limits.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
